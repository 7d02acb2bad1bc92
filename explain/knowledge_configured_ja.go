package explain

// configuredKnowledgeJA is configuredKnowledge in Japanese.
func configuredKnowledgeJA() map[string]entry {
	const (
		served = "リスナー {listener} が返す証明書は設定した証明書（client_ssl cert）の {our_cert_subject} で、発行者は {our_cert_issuer}。ラボ CA が発行したリーフではない。"
		chain  = "リスナーが返すチェーンを見る: `openssl s_client -connect {virtual} -servername {sni_or_host} -showcerts </dev/null`。クライアントがその発行者（{our_cert_issuer}）を信頼していないなら、ラボ CA ではなくその CA の証明書を渡す（`tlsgate ca export` はここでは役に立たない）: `curl --cacert <その CA のファイル> https://{sni_or_host}:{vport}/`。信頼しているなら、client_ssl.cert のファイルでリーフの後ろに足りない中間証明書を入れる。"
		silent = "tlsgate はハンドシェイクフライト（ServerHello と、リスナー {listener} に設定した証明書（client_ssl cert）の {our_cert_subject}、発行者 {our_cert_issuer}）を送り終えていたが、クライアントは TLS アラートを 1 つも送らずに切断した。" +
			"証明書を拒否するクライアントは、ふつうアラート（48 unknown_ca、42 bad_certificate など）で理由を伝える。黙って切るのは、発行元の CA（ここでは {our_cert_issuer}。このリスナーでは何も発行していないラボ CA ではない）を信頼していないときの一部のクライアントの動きで、証明書ピンニング（組み込まれた鍵しか受け入れないアプリ）の動きでもある。"
	)
	silentChecks := []string{
		chain,
		"クライアントが接続に使う名前が証明書に載っているか（SNI {sni}）と、有効期間内かを確認する: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -subject -ext subjectAltName -dates`。",
		"{our_cert_issuer} を信頼させてもまだ切られるなら、そのクライアントは別の証明書か鍵（本番サーバのもの）をピン留めしている。ピン留めしているものを渡すか、クライアントを詳細表示で動かして自身の理由を見る。",
	}
	mintedChecks := []string{
		checkCAJA,
		"ラボ CA を信頼させてもまだ切られるなら、そのクライアントは別の証明書か鍵（本番サーバのもの）をピン留めしている。その証明書をリスナー {listener} で返す（client_ssl cert と key）か、クライアントをパススルーのリスナーに向けてバックエンド自身の証明書を見せる。bypass があるのは inspect のリスナーだけ。",
		"同じマシンから curl で比べる: ラボ CA を信頼させれば `curl -v --cacert {lab_ca} {curl_target}` は通る。curl が通ってアプリが通らないなら、アプリがピン留めしている。",
	}
	return map[string]entry{
		CodeClientClosedEarly + "/configured": {
			cause: "クライアントは ClientHello を送った後、ハンドシェイクの途中で接続を閉じた（FIN）。よくあるのは TCP ヘルスモニター、ポートスキャナー、または途中であきらめたクライアント（自分のタイムアウト、あるいは証明書を拒否してアラートを送らずに閉じた）。" + served,
			checks: []string{
				"{client_ip} が何者か（モニターか、スキャナーか、実際のクライアントか）を調べる。",
				"実際のクライアントなら、クライアント自身のエラー出力を読む。あきらめた理由はたいていそこに出ている。証明書の信頼の問題なら、足りないのは {our_cert_issuer}。" + chain,
				"TCP モニターならこのログは除外してよい。TLS まで確認させたいなら HTTPS モニターに変える。",
			},
		},
		CodeClientRejectedSilently + "/configured": {
			cause:  silent,
			checks: silentChecks,
		},
		CodeClientRejectedSilently + "/reset_configured": {
			summary: "クライアント {client} が tlsgate の {sni_or_host} の証明書を受け取った後、アラートなしで接続をリセットした（RST）",
			cause:   silent,
			checks:  silentChecks,
		},
		CodeClientRejectedSilently + "/terminate": {
			checks: mintedChecks,
		},
		CodeClientRejectedSilently + "/reset_terminate": {
			summary: "クライアント {client} が tlsgate の {sni_or_host} の証明書を受け取った後、アラートなしで接続をリセットした（RST）",
			checks:  mintedChecks,
		},
	}
}
