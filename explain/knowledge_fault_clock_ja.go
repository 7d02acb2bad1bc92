package explain

// Japanese checks of clockKnowledge; they mirror checkProxyDates and
// checkProxyClock.
const (
	checkProxyDatesJA = "時計の正しいホストからサーバ証明書の日付を読む: `openssl s_client -connect {backend} -servername {sni_or_host} </dev/null | openssl x509 -noout -dates`。有効期間が現在の時刻を含んでいれば、証明書には問題がなく、プロキシの時計がおかしい。"
	checkProxyClockJA = "プロキシ自身の時計と時刻同期を基準と比べる: そのホストの `date -u` と、別の場所からの `curl -skI {backend_target} | grep -i '^date:'`（サーバ自身の Date。見るのはヘッダだけなので -k）、さらに `chronyc tracking` か `timedatectl`（BIG-IP なら `ntpq -p`）。プロキシ経由だと失敗し直接なら通るサイトが一斉に出るなら、プロキシの時計を疑う。"
)

// clockKnowledgeJA is clockKnowledge in Japanese.
func clockKnowledgeJA() map[string]entry {
	const proxy = "実際のネットワークなら、自分の時計が狂っている TLS 復号プロキシか、ロードバランサの server-ssl プロファイルにあたる。本物のサーバの証明書を自分の時刻で検証するので、ほかの誰にとっても問題のない証明書が失敗し（{verify}）、サイトを拒否する。BIG-IP がこうなるとサーバ側のハンドシェイク失敗をログに出す（上の行）。直すべきはサーバの証明書ではなく、プロキシの時計（装置の NTP）。"
	return map[string]entry{
		CodeFaultInjected + "/proxy_skew_ahead": {
			cause:     proxy + "この接続では時計が {fault_skew} 進んでいて証明書の notAfter を過ぎたため、期限切れに見えた。",
			checks:    []string{checkProxyDatesJA, checkProxyClockJA, checkFaultOffJA},
			clientSaw: sawBackend,
		},
		CodeFaultInjected + "/proxy_skew_behind": {
			cause:     proxy + "この接続では時計が {fault_skew} 遅れていて証明書の notBefore より前になったため、まだ有効でないように見えた。発行したばかりの証明書や更新したばかりの証明書から失敗する。",
			checks:    []string{checkProxyDatesJA, checkProxyClockJA, checkFaultOffJA},
			clientSaw: sawBackend,
		},
	}
}
