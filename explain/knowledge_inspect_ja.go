package explain

// Japanese client-symptom texts of the inspect-mode entries; they mirror
// sawResetEarly, sawCert116, sawCert40 and checkDoctor.
const (
	sawResetEarlyJA        = "tlsgate が TLS の前に接続をリセットした。ネットワーク越しなら curl は `curl: (35) Recv failure: Connection reset by peer`（http:// なら `curl: (56) Recv failure: …`）、Go は `read: connection reset by peer`。RST がクライアントの connect() や最初のバイトより先に届く場合（ループバックや LAN）は、curl は `curl: (7) Failed to connect to … Couldn't connect to server` または `curl: (35) Send failure: Connection reset by peer`、Go は `dial … connect: connection reset by peer` または `write: connection reset by peer`。ブラウザは ERR_CONNECTION_RESET を表示する。"
	sawCert116JA           = "TLS 1.3 ではサーバがクライアント証明書を確認するのはクライアントの Finished の後なので、クライアントからはハンドシェイクが完了したように見え、最初の読み込みでアラート 116 certificate_required を受け取る。curl 7.88 は `curl: (56) OpenSSL SSL_read: … tlsv13 alert certificate required, errno 0`（新しい curl は終了コード 98、CURLE_SSL_CLIENTCERT）、Go は Handshake() が nil を返して最初の Read が `remote error: tls: certificate required` を返し、Java は `Received fatal alert: certificate_required`、Chrome は ERR_BAD_SSL_CLIENT_AUTH_CERT を表示する。"
	sawCert40JA            = "TLS 1.2 では tlsgate がハンドシェイクの中でアラート 40 handshake_failure を返す。curl は `curl: (35) … sslv3 alert handshake failure`、Go は `remote error: tls: handshake failure`、Java は `Received fatal alert: handshake_failure` を表示する。"
	checkInspectWarningsJA = "警告があれば読む。それぞれが、この傍受が直接の接続より弱くなっている点を示している。"
	checkInspectDirectJA   = "tlsgate を通さない場合にクライアントが受け取るものを見るには、傍受されていないホストから `openssl s_client -connect {dest}{servername_opt} </dev/null` を実行する。"
	checkDoctorJA          = "`tlsgate doctor transparent --mode {transparent} {doctor_where}` を実行する。このモードに必要なルール、ルーティング、sysctl、ケーパビリティを確認し、それぞれを直すコマンドを表示する。"
)

// inspectKnowledgeJA is inspectKnowledge in Japanese.
func inspectKnowledgeJA() map[string]entry {
	inspected := entry{
		summary: "{mode} sni={sni} client[{client_brief}] server[{server_brief}]{http_brief} ja4={ja4} 上り={up}B 下り={down}B 所要 {duration}",
		cause: "tlsgate はこの接続を復号している。{upstream_trust}、クライアント側はラボ CA が発行した {sni_or_host} のリーフ証明書{mimic_note}で終端して、両レッグの間を中継した。" +
			"クライアントはそのリーフ証明書を受け入れたので、ラボ CA を信頼している。",
		checks:    []string{checkInspectWarningsJA, checkInspectDirectJA},
		clientSaw: "{sni_or_host} への接続は正常に動くが、証明書は本物のサーバの CA ではなくラボ CA（Organization \"tlsgate lab CA\"、有効期間が短い）が発行したもの。curl の -v の出力には `*  issuer: O=tlsgate lab CA; CN=tlsgate lab CA` と出る。",
	}
	inspectedNoAnswer := inspected
	inspectedNoAnswer.checks = []string{checkInspectWarningsJA, checkNoAnswerWaitJA, checkNoAnswerHalfJA}
	inspectedNoAnswer.clientSaw = sawNoAnswerJA
	inspectedNoAnswerH2 := inspected
	inspectedNoAnswerH2.checks = []string{checkInspectWarningsJA, checkNoAnswerH2LogJA, checkNoAnswerH2InspectJA}
	inspectedNoAnswerH2.clientSaw = sawNoAnswerH2JA
	hostChecked := inspected
	hostChecked.checks = []string{checkHostCheckedJA, checkInspectWarningsJA, checkInspectDirectJA}
	hostMismatch := inspected
	hostMismatch.cause = "tlsgate はこの接続を復号している。{upstream_trust}、クライアント側はラボ CA が発行した {sni_or_host} のリーフ証明書{mimic_note}で終端した。クライアントはそのリーフ証明書を受け入れたので、ラボ CA を信頼している。" +
		"最初のリクエストは本物のサーバに届いていない。tlsgate のホスト検査がそれに 421 を返し、接続を閉じた。"
	hostMismatch.checks = []string{checkHostMismatchJA, checkHostMismatchFixJA, checkInspectWarningsJA}
	hostMismatch.clientSaw = "ハンドシェイクは完了し（ラボ CA が発行した {sni_or_host} のリーフ証明書）、最初のリクエストには本物のサーバの応答の代わりに 421 Misdirected Request が返る（{up_bytes}送信、{down_bytes}受信）。" + saw421JA
	// A client that completed the handshake and sent nothing: still ok
	// (monitors do it), with what to check when a user reports an error.
	quiet := entry{
		cause: "tlsgate とのハンドシェイクは成功したが、クライアントはリクエストを送らずに接続を閉じた。" +
			"curl は証明書が指定した名前と一致しないとき、まさにこう動く。ホスト名の確認をハンドシェイクの後に行い、アラートも送らない。" +
			"ハンドシェイクしか確認しない TLS ヘルスモニター（send string なしの HTTPS モニターや TCP+TLS チェック）も同じに見える。ハンドシェイク自体は成功しているので、BIG-IP は SSL エラーを記録しない。",
		checks: []string{
			"クライアントが使った名前（{sni_or_host}）と証明書の SAN を比べる: `openssl s_client -connect <vs>:{vport} -servername {sni_or_host} </dev/null | openssl x509 -noout -ext subjectAltName`。",
			"ヘルスモニターなら send string（例: `GET / HTTP/1.1`）を設定し、TLS だけでなくサービスまで確認させる。",
			"クライアント自身のエラーを読む。curl は -v なしでも表示する（`curl: (60) SSL: no alternative certificate subject name matches target host name '{sni_or_host}'`）。-v を付ければ、その前に証明書の `subject:` と `issuer:` の行も出る。",
		},
		clientSaw: "curl では `curl: (60) SSL: no alternative certificate subject name matches target host name '{sni_or_host}'`、Go では `x509: certificate is valid for …, not {sni_or_host}`、ブラウザでは NET::ERR_CERT_COMMON_NAME_INVALID。ヘルスモニターの場合は何も表示されない。",
	}
	// The same on an inspect listener with both legs up: its summary
	// shows both legs, as every inspected success does.
	inspectQuiet := quiet
	inspectQuiet.summary = inspected.summary
	return map[string]entry{
		CodeOK + "/inspect":               inspected,
		CodeOK + "/inspect_host_checked":  hostChecked,
		CodeOK + "/inspect_host_mismatch": hostMismatch,
		CodeOK + "/inspect_no_answer":     inspectedNoAnswer,
		CodeOK + "/inspect_h2_no_answer":  inspectedNoAnswerH2,
		CodeOK + "/bypass": {
			summary:   "{mode} sni={sni} バイパス（復号せず）: {bypass}、{dest} へそのまま中継 ja4={ja4} 上り={up}B 下り={down}B 所要 {duration}",
			cause:     "リスナー {listener} のバイパスルールに一致した（{bypass}）ので、tlsgate は暗号化されたバイト列を復号せずに {dest} へそのまま流した。クライアントは本物のサーバと直接 TLS をネゴシエートしている。",
			checks:    []string{"この通信も検査したいなら、リスナー {listener} の bypass から一致したエントリを外す。"},
			clientSaw: "本物のサーバ自身の証明書が見える。tlsgate の痕跡は何もない。",
		},

		CodeNoOriginalDst: {
			summary: "透過リスナー {listener}（{transparent}）で {client} の元の宛先が分からないため接続を拒否",
			cause: "リスナー {listener} は透過モード（transparent = \"{transparent}\"）なので、どの接続もクライアントが本来つなごうとした宛先を持っていなければならないが、この接続にはそれがない: {orig_dst_err}。" +
				"元の宛先は、アドレスを書き換えたホストでしか分からない。別の機器（ルータ、ロードバランサ、コンテナホスト）で DNAT されると、パケットがここに届く前にアドレスが変わっているので、このホストの conntrack には報告できる情報がない。" +
				"他の原因は、クライアントが tlsgate のポート（{listen_addr}）に直接つないだか、このホストの REDIRECT/TPROXY ルールがこのフローに一致せず（ポート、インタフェース、チェインの違い）、書き換えられないまま届いたこと。tlsgate は中継先を推測せずに拒否する。",
			checks: []string{
				checkDoctorJA,
				"このホストの NAT ルールを一覧する: `iptables -t nat -S`（と `ip6tables -t nat -S` か `nft list ruleset`）。ポート {listen_port} への REDIRECT がこの通信に一致していなければならない。他のホストのクライアントなら PREROUTING、ローカルのクライアントなら OUTPUT。",
				"conntrack が書き換えを見ているか確認する: `conntrack -L -p tcp --orig-src {client_ip}` で元の宛先とポート {listen_port} からの応答が出るはず。書き換えられたエントリがなければ、このホストのどのルールもこのフローに触れていない。",
				"前段のルータやロードバランサがこのホストに DNAT しているなら、元のアドレスはそこで失われている。通信を書き換えずにこのホストを経由させてここで REDIRECT するか、透過モードではなく backend を固定したリスナーを使う。",
				"クライアントは {listen_addr} ではなく本物のサーバにつなぐ。リダイレクトがここへ連れてくる。",
			},
			clientSaw: sawResetEarlyJA,
		},
		CodeNoOriginalDst + "/tproxy": {
			cause: "リスナー {listener} は TPROXY（transparent = \"tproxy\"）を使っている。宛先は受け付けたソケット自身のローカルアドレスだが、それを読めなかった: {orig_dst_err}。" +
				"TPROXY でフローが元の宛先のまま届くのは、mangle の PREROUTING の TPROXY ルールがマークを付け、ポリシールーティング（`ip rule add fwmark … lookup …` と `ip route add local 0.0.0.0/0 dev lo table …`）が IP_TRANSPARENT のリスナーに渡したときだけ。別の機器で DNAT されると、ここに着く前に元の宛先は失われる。",
		},
		CodeTransparentLoop: {
			summary: "{client} の元の宛先 {orig_dst} は tlsgate 自身のリスナー {listener}。ループになるので拒否",
			cause: "元の宛先 {orig_dst} は tlsgate 自身（{listen_addr} のリスナー {listener}）である。そこへ中継すると tlsgate が自分に接続し、それがまた傍受されて、ファイルディスクリプタが尽きるまで繰り返すので拒否した。" +
				"原因になる構成は 2 つ。オーナーの除外がない OUTPUT チェインの REDIRECT が、本物のサーバへの tlsgate 自身の接続まで捕まえて送り返しているか、クライアントが本物のサーバではなくリスナーのポートを直接指定している。",
			checks: []string{
				"tlsgate 自身の通信を OUTPUT のリダイレクトから除外する: REDIRECT ルールに `-m owner ! --uid-owner <tlsgate user>` を付けるか、その前に `iptables -t nat -I OUTPUT -m owner --uid-owner <tlsgate user> -j RETURN` を入れる（nft なら `meta skuid != <uid>`）。",
				"クライアントに {listen_addr}（ポート {listen_port}）を指定させない。クライアントは本物のサーバにつなぎ、リダイレクトがここへ連れてくる。",
				checkDoctorJA,
			},
			clientSaw: sawResetEarlyJA,
		},

		CodeOK + "/quiet":         quiet,
		CodeOK + "/inspect_quiet": inspectQuiet,
		CodeClientRejectedSilently: {
			summary: "クライアント {client} が tlsgate の {sni_or_host} の証明書を受け取った後、アラートなしで接続を閉じた（FIN）",
			cause: "tlsgate はハンドシェイクフライト（ServerHello と {sni_or_host} の証明書）を送り終えていたが、クライアントは TLS アラートを 1 つも送らずに切断した。" +
				"証明書を拒否するクライアントは、ふつうアラート（48 unknown_ca、42 bad_certificate など）で理由を伝える。黙って切るのは証明書ピンニング（モバイルアプリ、アップデータ、一部のデスクトップアプリは本物のサーバの鍵しか受け入れないので、ラボ CA を信頼させても効かない）の動きで、発行元の CA を信頼していないときに黙って切るクライアントもある。",
			tail: "{late_fin}{streak}",
			checks: []string{
				checkCAJA,
				"ラボ CA を信頼させてもまだ切られるなら、そのクライアントは本物のサーバの証明書をピン留めしている。リスナー {listener} の bypass に {sni_or_host} を追加し、復号せずにそのまま流す。",
				"同じマシンから curl で比べる: ラボ CA を信頼させれば `curl -v https://{sni_or_host}/` は通る。curl が通ってアプリが通らないなら、アプリがピン留めしている。",
			},
			clientSaw: "アプリ独自のエラーで、「接続できません」としか出ないことも多い。ピンニングの失敗（Chrome は ERR_SSL_PINNED_KEY_NOT_IN_CERT_CHAIN、Firefox は MOZILLA_PKIX_ERROR_KEY_PINNING_FAILURE、curl の --pinnedpubkey なら `curl: (90) SSL: public key does not match pinned public key`）か、信頼されていない発行者のエラー。",
		},
		CodeClientRejectedSilently + "/reset": {
			summary: "クライアント {client} が tlsgate の {sni_or_host} の証明書を受け取った後、アラートなしで接続をリセットした（RST）",
		},

		CodeClientCertMissing: {
			summary: "クライアント {client} がクライアント証明書を送っていない。リスナー {listener} は必須（tlsgate はアラート {cert_alert} を送信）",
			cause: "リスナー {listener} はクライアント証明書を必須にしている（client_cert = \"require\"、BIG-IP の peer-cert-mode require）が、クライアントが送ってこなかったので、tlsgate はアラート {cert_alert} でハンドシェイクを終えた。" +
				"クライアントに証明書が設定されていない（curl には --cert と --key が要る）か、Go のクライアントの場合は、証明書がリスナーの提示する CA の発行ではないため、Go が証明書を一切送らなかった。",
			checks: []string{
				"リスナー {listener} の client_ca（空ならラボ CA）にある CA が発行した証明書と鍵をクライアントに渡す（`tlsgate lab` はラボ CA が発行したものを CA ファイルの隣に書き出す）: `curl --cacert {lab_ca} --cert {client_cert} --key {client_key} {curl_target}`。",
				"Go のクライアントなら、その証明書がリスナーの提示する CA につながっているか確認する。Go はサーバに拒否されそうな証明書は送らず、何も送らない。",
				"クライアント証明書を任意にしたいなら、リスナー {listener} を client_cert = \"request\" にする。",
			},
			clientSaw: sawCert116JA + " " + sawCert40JA,
		},
		CodeClientCertMissing + "/tls13": {clientSaw: sawCert116JA},
		CodeClientCertMissing + "/tls12": {clientSaw: sawCert40JA},

		CodeClientCertRejected: {
			summary: "クライアント {client} のクライアント証明書をリスナー {listener} が拒否（tlsgate はアラート {cert_alert} を送信）: {err}",
			cause:   "クライアントが提示した証明書を、tlsgate はリスナー {listener} の client_ca（空ならラボ CA）で検証できなかった: {err}。tlsgate はアラート {cert_alert} でハンドシェイクを終えた。",
			checks: []string{
				"クライアント証明書を確認する: `openssl x509 -in client.pem -noout -subject -issuer -dates -ext extendedKeyUsage`。",
				"発行元の CA をリスナー {listener} の client_ca に入れ、クライアントには中間証明書も送らせる。",
				"クライアントと tlsgate の時計を確認する。",
			},
			clientSaw: "{cert_alert_saw} Chrome は ERR_BAD_SSL_CLIENT_AUTH_CERT を表示する。",
		},
		CodeClientCertMissing + "/auth_fault": {
			summary: "クライアント {client} がクライアント証明書を送っていない。フォールトルール {auth_rule} は必須にしている（tlsgate はアラート {cert_alert} を送信）",
			cause: "フォールトルール {auth_rule}（client_auth）がクライアントに {auth_cas} の証明書を求めたが、クライアントは何も送らなかったので、tlsgate はアラート {cert_alert}{auth_alert_note} で拒否した。" +
				"クライアントに証明書が設定されていない（curl には --cert と --key が要る）か、Go のクライアントの場合は、証明書がルールの提示する CA の発行ではないため、Go が証明書を一切送らなかった。",
			checks: []string{
				"{auth_cas} が発行した証明書と鍵をクライアントに渡す: `curl --cert client.pem --key client-key.pem https://{sni_or_host}:{vport}/`。",
				"Go のクライアントなら、その証明書がルールの提示する CA につながっているか確認する。Go はサーバに拒否されそうな証明書は送らず、何も送らない。",
				"実際のサーバなら peer-cert-mode require の client-ssl プロファイル（nginx なら ssl_verify_client on）にあたる。ここでは意図的に注入したもので、`tlsgate fault disable{admin_opt} {auth_rule}` で新しい接続には効かなくなる。",
			},
			clientSaw: "{cert_alert_saw} Chrome は ERR_BAD_SSL_CLIENT_AUTH_CERT を表示する。",
		},
		CodeClientCertRejected + "/auth_fault": {
			summary: "クライアント {client} のクライアント証明書をフォールトルール {auth_rule} が拒否（tlsgate はアラート {cert_alert} を送信）: {err}",
			cause:   "クライアントは証明書を提示したが、フォールトルール {auth_rule}（client_auth）が拒否した。このルールは {auth_cas} につながる証明書しか受け付けず、この証明書は検証に失敗した: {err}。tlsgate はアラート {cert_alert}{auth_alert_note} でハンドシェイクを終えた。",
			checks: []string{
				"クライアント証明書を確認する: `openssl x509 -in client.pem -noout -subject -issuer -dates -ext extendedKeyUsage`。",
				"{auth_cas} が発行した証明書（中間証明書も含めて）をクライアントに使わせるか、クライアントの CA をルールの accept_cas に加える。",
				"実際のサーバなら client-ssl プロファイルの信頼 CA 一覧（nginx なら ssl_client_certificate）にあたる。ここでは意図的に注入したもので、`tlsgate fault disable{admin_opt} {auth_rule}` で新しい接続には効かなくなる。",
			},
			clientSaw: "{cert_alert_saw} Chrome は ERR_BAD_SSL_CLIENT_AUTH_CERT を表示する。",
		},
		CodeClientCertRejected + "/unknown_authority": {
			cause: "クライアント証明書の発行元が、リスナー {listener} の信頼しない CA である（client_ca にないか、クライアントが中間証明書を送っていない）: {err}。tlsgate はアラート {cert_alert} でハンドシェイクを終えた。",
		},
		CodeClientCertRejected + "/expired": {
			cause: "クライアント証明書が有効期限切れか、どこかの時計がずれている: {err}。tlsgate はアラート {cert_alert} でハンドシェイクを終えた。",
		},
		CodeClientCertRejected + "/not_yet_valid": {
			cause: "クライアント証明書の有効期間がまだ始まっていないか、どこかの時計がずれている: {err}。tlsgate はアラート {cert_alert} でハンドシェイクを終えた（Go は有効期間の前後どちらの外れにも certificate_expired を送る）。",
		},
		CodeClientCertRejected + "/key_usage": {
			cause: "クライアント証明書がクライアント認証用ではない。拡張キー使用法に clientAuth がない（よくあるのはサーバ証明書をクライアント証明書に流用したケース）: {err}。tlsgate はアラート {cert_alert} でハンドシェイクを終えた。",
		},
	}
}
