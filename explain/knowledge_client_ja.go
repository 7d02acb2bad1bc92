package explain

// causeArrowsJA mirrors causeArrows: the words are the phrase tables'.
const causeArrowsJA = causeArrows

// causeSSHOnTLSJA mirrors causeSSHOnTLS.
const causeSSHOnTLSJA = "TLS を待っているリスナーに、クライアントが{kind_desc}（`SSH-2.0-…`）を送ってきた。先頭バイトが TLS のハンドシェイクレコード（0x16）ではないので、ClientHello は来ない。" +
	causeArrowsJA +
	"よくある原因は、SSH クライアントをこの TLS のポートに向けてしまったこと: `ssh -p`、~/.ssh/config の `Port` 行、ポートフォワード（`ssh -L`、踏み台）のポート番号の間違い。あるいは、どのポートにも SSH のバナーを送るスキャナーやモニター。"

// Japanese client-symptom texts and checks shared by several entries; they
// mirror sawAlert70, sawTimeout, sawBackend, checkCA and checkCAJava.
const (
	sawAlert70JA      = "tlsgate はアラート 70 protocol_version を返す。curl は `curl: (35) … tlsv1 alert protocol version`、Go は `remote error: tls: protocol version not supported`、Java は `Received fatal alert: protocol_version`、Chrome は ERR_SSL_VERSION_OR_CIPHER_MISMATCH を表示する。"
	sawTimeoutJA      = "curl は `curl: (28) Connection timed out after … milliseconds` か `curl: (28) SSL connection timeout`、Go の net/http は `net/http: TLS handshake timeout` を表示し、openssl s_client は CONNECTED(00000003) と出したまま止まる。Chrome は ERR_TIMED_OUT。"
	sawBackendJA      = "{backend_saw}"
	checkCAJA         = "`tlsgate ca export{ca_dir_opt}` でラボ CA を取り出してクライアントのトラストストアに追加するか、直接渡す: `curl --cacert {lab_ca} {curl_target}`。"
	checkUpgradeSSLJA = "クライアントを更新する。tlsgate（Go の crypto/tls）は min_version をどう設定しても SSLv2 や SSLv3 を受け付けられないし、どのサーバも受け付けるべきではない。"
	// checkSSLv2ClientJA mirrors checkSSLv2Client.
	checkSSLv2ClientJA = "クライアントに、{floor} 以上を提示する TLS 形式の ClientHello を送らせる。SSLv2 互換を切る（Java は有効なプロトコルから SSLv2Hello を外す: `SSLSocket.setEnabledProtocols`、HttpsURLConnection なら `-Dhttps.protocols=TLSv1.2`。OpenSSL 1.0.x は `SSL_OP_NO_SSLv2`）か、古すぎるスタックを更新する。Java 6、OpenSSL 0.9.8、Internet Explorer 6 は TLS 1.0 までで、TLS 1.2 には Java 7 以降（有効にしたうえで）か OpenSSL 1.0.1 以降が要る。"
	// sawTLSOnPlainResetJA mirrors sawTLSOnPlainReset.
	sawTLSOnPlainResetJA = "tlsgate が接続をリセットした。curl は `curl: (35) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET を表示する。"
	checkCAJavaJA        = "Java ならラボ CA をトラストストアにインポートする（`keytool -importcert -cacerts -file {lab_ca}`）。Python なら SSL_CERT_FILE か REQUESTS_CA_BUNDLE を設定する。"
)

// The Japanese texts of an sni_policy with host_mismatch; they mirror
// checkHostChecked, checkHostMismatch, checkHostMismatchFix and saw421.
const (
	checkHostCheckedJA     = "検査した範囲では対処は不要。ルール {host_rule}（host_mismatch 付きの sni_policy）が最初のリクエストの Host（{host_checked}）を SNI（{sni_or_host}）と比べ、一致したのでリクエストを通した。ルールは発動していない。同じ接続の 2 つ目以降のリクエストは比べていないので、別の名前へのリクエストが来ても検査されずに通っていた。"
	checkHostMismatchJA    = "TLS ハンドシェイクは完了しており、421 は TLS の失敗ではなくホスト検査によるもの。検査するのは接続の最初のリクエストだけで、その Host（または絶対形式のターゲット）が SNI（{sni_or_host}）と別のサイトを指していたので 421 を返し、接続を閉じた。同じ接続の 2 つ目以降のリクエストは比べないので、最初のリクエストが一致した接続には、別の名前へのリクエストが検査されずに流れうる。"
	checkHostMismatchFixJA = "実際のケースなら、クライアントがホスト名ごとに新しい接続を張るようにする（ブラウザは 421 を受けると新しい接続で再送する。名前をまたいで接続を使い回すクライアントはそうしてはならない）か、前段のプロキシが転送する Host から SNI を設定するようにする。"
	saw421JA               = "curl は終了コード 0 で 421 のページを表示し、-f 付きなら `(22) The requested URL returned error: 421`。Go は resp.StatusCode == 421 で err == nil。"
)

// sawAlert80JA is sawAlert80 in Japanese.
const sawAlert80JA = "TLS 1.0/1.1 のサーバに対して、curl は `curl: (35) … error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported`、openssl s_client は `…:tls_process_key_exchange:legacy sigalg disallowed or unsupported:…` を表示する。" +
	"`--tlsv1.0 --ciphers DEFAULT@SECLEVEL=0` を付けると同じ curl で接続できる。"

// helloRetryCauseJA and helloRetrySawJA are helloRetryCause and
// helloRetrySaw in Japanese.
const (
	helloRetryCauseJA = "証明書を選ぶ・送る前にハンドシェイクが放棄されているので、証明書・ラボ CA・ピン留めはここでは問題ではない。" +
		"よくあるのは、サーバの応答を見るためだけに使える key share のない ClientHello を送る TLS プローブやスキャナー、または tlsgate が許すどのグループの key share も作れないか HelloRetryRequest を実装していないクライアント。"
	helloRetrySawJA = "HelloRetryRequest（別の key share を求める、ServerHello の形をした約 100 バイトのメッセージ）だけで、証明書は受け取っていない。プローブは設計どおりそこで止まる。応答できなかったクライアントは自分のハンドシェイクのエラーを表示する。"
)

// clientKnowledgeJA is clientKnowledge in Japanese.
func clientKnowledgeJA() map[string]entry {
	// The same three client symptoms as clientKnowledge's, in Japanese.
	const (
		saw42     = "Go のクライアントは `tls: failed to verify certificate: x509: certificate signed by unknown authority`（または `… has expired or is not yet valid …`、`… is valid for X, not Y`）を表示する。OpenSSL のクライアント（curl、Python）が 42 を送るのは、有効期間前の証明書か弱い証明書のときだけで、curl は `curl: (60) SSL certificate problem: certificate is not yet valid`（または `… CA signature digest algorithm too weak`）を表示する。"
		saw46     = "Java は `PKIX path building failed: … unable to find valid certification path to requested target` または `No subject alternative DNS name matching … found.` を表示する。"
		sawBadMAC = "curl は `curl: (60) SSL certificate problem: unable to get local issuer certificate` のような証明書の問題を表示する。"
	)
	return map[string]entry{
		CodeOK: {
			summary:   "{mode} sni={sni} {tls} ja4={ja4} 上り={up}B 下り={down}B 所要 {duration}{proxied}",
			cause:     "接続は正常に完了した。",
			checks:    []string{"対処は不要。別のクライアントがここで失敗する場合は、この接続と比べる（リスナー、SNI、バージョン、JA4）。"},
			clientSaw: "通常の接続: {up_bytes}送信、{down_bytes}受信。",
		},
		CodeOK + "/no_answer": {
			cause:     "中継はエラーなく終わり両側とも閉じたが、クライアントの要求にバックエンドは応答しなかった（警告を参照）。",
			checks:    []string{checkNoAnswerWaitJA, checkNoAnswerHalfJA},
			clientSaw: sawNoAnswerJA,
		},
		CodeOK + "/pass_no_answer": {
			cause:     "中継はエラーなく終わり両側とも閉じたが、クライアントの要求のレコードのあと、バックエンドは応答を含みうるレコードを 1 つも送らなかった（警告を参照）。",
			checks:    []string{checkNoAnswerWaitPassJA, checkNoAnswerPassJA},
			clientSaw: "ハンドシェイクのあと応答なし: ストリームの終わりだけ。タイムアウトしたクライアントは自身のタイムアウトを表示する（curl `(28) Operation timed out after … with 0 bytes received`）。半クローズしたクライアントはストリームの終わりだけを読む。",
		},
		CodeOK + "/h2_no_answer": {
			cause:     causeNoAnswerH2JA,
			checks:    []string{checkNoAnswerH2LogJA, checkNoAnswerH2DirectJA, checkNoAnswerH2cJA},
			clientSaw: sawNoAnswerH2JA,
		},
		CodeOK + "/h2_no_answer_tls": {
			cause:     causeNoAnswerH2JA,
			checks:    []string{checkNoAnswerH2LogJA, checkNoAnswerH2TLSJA},
			clientSaw: sawNoAnswerH2JA,
		},
		CodeOK + "/cut_short": {
			cause: "中継はエラーなく終わり両側とも閉じたが、クライアントの要求はヘッダーが終わる前に途切れ、応答は来なかった（警告を参照）。",
			checks: []string{
				"要求を分けて送っているものを突き止める: クライアントの FIN は接続から {client_fin_after} 後、HTTP ヘッダーを終える空行より前に来たため、{backend} には応答すべき完全な要求がなかった。要求を何回にも分けて書き、早すぎる半クローズをするスクリプトやツール、または経路上で要求を切り詰める機器がこうなる。",
			},
			clientSaw: "応答なし: {up_bytes}送信、受信なし。ストリームの終わりだけ。",
		},
		CodeOK + "/host_checked": {
			checks: []string{checkHostCheckedJA, "別のクライアントがここで失敗する場合は、この接続と比べる（リスナー、SNI、バージョン、JA4）。"},
		},
		CodeOK + "/host_mismatch": {
			checks:    []string{checkHostMismatchJA, checkHostMismatchFixJA},
			clientSaw: "ハンドシェイクは完了し、最初のリクエストにはバックエンドの応答の代わりに 421 Misdirected Request が返る（{up_bytes}送信、{down_bytes}受信）。" + saw421JA,
		},

		CodePlaintextOnTLS: {
			summary: "TLS リスナー {listener}（{listener_at}）に {client} から平文の {kind}、non_ssl の動作: {non_ssl_done}",
			cause: "TLS を待っているリスナーに、クライアントが{kind_desc}を送ってきた。先頭バイトが TLS のハンドシェイクレコード（0x16）ではないので、ClientHello は来ない。" +
				causeArrowsJA +
				"よくある原因は、HTTPS のポートに向けた http:// の URL、TLS のポートに平文 HTTP を送るヘルスモニター、80 番のような平文のポートに client-ssl プロファイル（TLS リスナー）を付けてしまった設定。{kind_hint}",
			checks: []string{
				"クライアントが使っている URL を確認する。http:// ではなく {https_url}{vip_which} でなければならない。",
				"送信元がロードバランサのヘルスモニターなら、ポート {vport} 向けの HTTPS（または TCP）モニターに変える。",
				checkPlainModeJA,
				checkAllowBothJA,
			},
			clientSaw: "tlsgate が接続をリセットした。curl は `curl: (56) Recv failure: Connection reset by peer`、ブラウザは ERR_CONNECTION_RESET を表示する。",
		},
		CodePlaintextOnTLS + "/http400": {
			clientSaw: "クライアントには、TLS のポートに平文 HTTP を送ったことを示す読める形の HTTP 400 が返った（curl は終了コード 0、-f 付きなら `curl: (22) The requested URL returned error: 400`）。",
		},
		CodePlaintextOnTLS + "/redirect_unusable": {
			clientSaw: "non_ssl = redirect だが、リクエスト `{request}` にはリダイレクト先になるリソースがない（CONNECT はトンネルを、OPTIONS * はサーバ自体を求める）ので、tlsgate は TLS のポートに平文 HTTP を送ったことを示す読める形の HTTP 400 を返した。" +
				"プロキシのトンネルなら curl は `curl: (56) CONNECT tunnel failed, response 400`、OPTIONS * なら 400 を受け取って終了コード 0 で終わる。",
		},
		CodePlaintextOnTLS + "/redirect_no_host": {
			clientSaw: "non_ssl = redirect だが、クライアントは {first_bytes} を送ったあと、ヘッダが終わる前に自分の側を閉じ（FIN）、ホストを示していない（Host ヘッダも、リクエストのターゲットのホストもない）ので、Location で相手の意図したホストを示せない。tlsgate は TLS のポートに平文 HTTP を送ったことを示す読める形の HTTP 400 を返し、接続を閉じた（FIN）。",
		},
		CodePlaintextOnTLS + "/unread": {
			clientSaw: "tlsgate は non_ssl の動作「{non_ssl_done}」で HTTP/1.1 の応答を返して接続を閉じたが、このクライアントは HTTP/1.1 を話さない。HTTP/2 の prior knowledge のクライアントは `curl: (52) Empty reply from server` を表示する（curl --http2-prior-knowledge）。",
		},
		CodePlaintextOnTLS + "/unread_ssh": {
			cause:     causeSSHOnTLSJA,
			checks:    []string{checkSSHPortJA, checkPlainModeJA, checkAllowBothJA},
			clientSaw: "tlsgate は non_ssl の動作「{non_ssl_done}」で HTTP/1.1 の応答を返して接続を閉じたが、SSH クライアントは HTTP/1.1 を話さない。OpenSSH はバナー前の行を読み飛ばして `kex_exchange_identification: Connection closed by remote host` を表示する。",
		},
		CodePlaintextOnTLS + "/reset_ssh": {
			cause:     causeSSHOnTLSJA,
			checks:    []string{checkSSHPortJA, checkPlainModeJA, checkAllowBothJA},
			clientSaw: "tlsgate は SSH のバナーより前に接続をリセットした。OpenSSH は `kex_exchange_identification: read: Connection reset by peer` と `Connection reset by … port {vport}` を表示する（終了コード 255）。",
		},
		CodePlaintextOnTLS + "/reset_http2": {
			clientSaw: "tlsgate が接続をリセットした。curl --http2-prior-knowledge は `curl: (56) Recv failure: Connection reset by peer` を表示し、プリフェイスや設定を送っている最中にリセットが届けば `curl: (55) Send failure: Connection reset by peer` になる。",
		},
		CodePlaintextOnTLS + "/redirect": {
			clientSaw: "クライアントには同じホスト・ポートの https:// への 301 リダイレクトが返った。curl は -L を付けたときだけ追従し、ブラウザは自動で追従する。",
		},
		CodePlaintextOnTLS + "/redirect_address": {
			clientSaw: "リクエスト `{request}` はホストを示していない（Host ヘッダも、リクエストのターゲットのホストもない。HTTP/1.0 ではどちらも必須ではない）ので、301 リダイレクトの行き先は、クライアントが接続したアドレス {virtual} の https:// で、パスは同じ。確実にもう一度たどり着けるホストはそれだけである。" +
				"curl は -L を付けたときだけ追従し、ブラウザは名前と同じく IP アドレスにも自動で追従する。検証するクライアントには、そのアドレスを含む証明書（IP の SAN）が要り、なければ名前の不一致で失敗する。",
		},
		CodePlaintextAllowed: {
			summary:   "TLS リスナー {listener} が {client} からの平文 {kind} を受け入れた（non_ssl = allow）",
			cause:     "non_ssl = \"allow\"（BIG-IP では Non-SSL Connections 有効）なので、平文はそのまま平文のバックエンドに渡される。BIG-IP はこの場合 SSL のエラーを記録しない。",
			checks:    []string{"すべてのクライアントに TLS を使わせたいなら、non_ssl = \"reset\" にして TLS を使っていないクライアントを洗い出す。"},
			clientSaw: "TLS リスナーがないかのように、平文のバックエンドから平文の応答が返る。",
		},
		CodePlaintextAllowed + "/fault_answered": {
			cause:     "non_ssl = \"allow\"（BIG-IP では Non-SSL Connections 有効）なので平文は平文のバックエンドに渡されるはずだが、この接続ではフォールトルール {answer_rule} がバックエンドの代わりにリクエストへ応答したので、平文のバックエンドにはリクエストが届いていない。BIG-IP はどちらの場合も SSL のエラーを記録しない。",
			clientSaw: "平文のバックエンドではなく、フォールトルール {answer_rule} が返した平文の応答が届く: {answer_symptom}。",
		},

		CodeTLSOnPlaintext: {
			summary: "平文リスナー {listener}（{listener_at}）に {client} から TLS の ClientHello（SNI {sni}、{offered_versions}）",
			cause: "平文を待っているリスナーに対して、クライアントが TLS ハンドシェイクを始めた（SNI {sni}、提示バージョン {offered_versions}）。" +
				"クライアントが平文のポートに https:// で接続したか、server-ssl プロファイルを持つプロキシやロードバランサが平文 HTTP のポートに向けて暗号化している。" +
				"このケースに対応する確認済みの BIG-IP の SSL ログ行はないので、ここには出さない。",
			checks: []string{
				"ポート {vport}{vip_which} には http:// を使うか、クライアントの接続先を TLS のポートに変える。",
				"ロードバランサが送っているなら、server-ssl プロファイルを外すか、プールメンバーの宛先を TLS のポートにする。",
				"リスナー {listener}（{listener_addr}）で TLS を話すべきなら、mode = \"terminate\" か \"passthrough\" を設定する。",
			},
			clientSaw: "curl は `curl: (35) … wrong version number`（平文の応答を TLS レコードとして読んだ結果）、Go は `tls: first record does not look like a TLS handshake`（net/http なら `http: server gave HTTP response to HTTPS client`）、Firefox は SSL_ERROR_RX_RECORD_TOO_LONG を表示する。",
		},
		CodeTLSOnPlaintext + "/reset": {
			clientSaw: sawTLSOnPlainResetJA,
		},
		CodeTLSOnPlaintext + "/record": {
			summary: "平文リスナー {listener}（{listener_at}）に {client} から TLS: {kind_desc}",
			cause: "平文を待っているリスナーに、クライアントの最初のバイトとして{kind_desc}が届いた。TLS 以外はこう始まらないが、ClientHello は来ていないので、SNI や提示バージョンは分からない。" +
				"こうしたレコードを最初に送るのは、ハンドシェイク済みの接続だと思い込んだクライアント（接続を使い回すクライアントやプロキシが接続の状態を見失ったもの）か、ポートを調べるスキャナやテストツールである。アラートが最初に来るのは、ここでは始めてもいないハンドシェイクをクライアントが諦めたということである。" +
				"このケースに対応する確認済みの BIG-IP の SSL ログ行はないので、ここには出さない。",
			checks: []string{
				"{client_ip} が何か（スキャナ、テストツール、このポートへの接続をプールするクライアントやプロキシ）を確かめる。",
				"ポート {vport}{vip_which} には http:// を使うか、クライアントの接続先を TLS のポートに変える。",
				"リスナー {listener}（{listener_addr}）で TLS を話すべきなら、mode = \"terminate\" か \"passthrough\" を設定する。",
			},
			clientSaw: sawTLSOnPlainResetJA,
		},
		CodeTLSOnPlaintext + "/reset_stalled": {
			summary: "平文リスナー {listener}（{listener_at}）に {client} から TLS。ClientHello は最後まで届かなかった: {hello_seen}",
			cause: "平文を待っているリスナーに対して、クライアントが TLS を始めたが、ClientHello は最後まで届かなかった: {hello_seen}の後、{peek_timeout} 以内に何も届いていない。" +
				"{tls_began}、ClientHello は読めていないので、SNI も提示バージョンも分からない。" +
				"クライアントが平文のポートに https:// で接続したか、server-ssl プロファイルを持つプロキシやロードバランサが平文 HTTP のポートに向けて暗号化している。" +
				"このケースに対応する確認済みの BIG-IP の SSL ログ行はないので、ここには出さない。",
			clientSaw: sawTLSOnPlainResetJA,
		},

		CodeTLSOnPlaintext + "/reset_cut": {
			summary: "平文リスナー {listener}（{listener_at}）に {client} から TLS。ClientHello は最後まで届かず、クライアントが接続を閉じた（FIN）: {hello_seen}",
			cause: "平文を待っているリスナーに対して、クライアントが TLS を始め、{hello_seen}の後、ClientHello が揃う前に自分の側を閉じた（FIN）。tlsgate が接続をリセットしたのは、その FIN の後。" +
				"{tls_began}、ClientHello は読めていないので、SNI も提示バージョンも分からない。" +
				"クライアントが平文のポートに https:// で接続してあきらめたか、server-ssl プロファイルを持つプロキシやロードバランサが平文 HTTP のポートに向けて暗号化している。" +
				"このケースに対応する確認済みの BIG-IP の SSL ログ行はないので、ここには出さない。",
			clientSaw: "先に閉じたのはクライアントで、tlsgate のリセットはすでに止まったクライアントに届いた。ソケットごと閉じたクライアントは tlsgate から何も受け取っておらず、表示するのは自分が止めた理由（自分のタイムアウト、Ctrl-C、自身のエラー）。" +
				"ハーフクローズして読み続けたクライアントだけがリセットを見る: curl は `curl: (35) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`。",
		},
		CodeTLSOnPlaintext + "/client_reset_cut": {
			summary: "平文リスナー {listener}（{listener_at}）に {client} から TLS。ClientHello は最後まで届かず、クライアントが接続をリセットした（RST）: {hello_seen}",
			cause: "平文を待っているリスナーに対して、クライアントが TLS を始め、{hello_seen}の後、ClientHello が揃う前に接続をリセットした（RST）。tlsgate はまだ応答しておらず、自分の側を閉じただけ。" +
				"こう始まるのは TLS だけだが、ClientHello は読めていないので、SNI も提示バージョンも分からない。" +
				"クライアントが平文のポートに https:// で接続してあきらめたか、経路上の装置がリセットを注入したか、server-ssl プロファイルを持つプロキシやロードバランサが平文 HTTP のポートに向けて暗号化している。" +
				"このケースに対応する確認済みの BIG-IP の SSL ログ行はないので、ここには出さない。",
			clientSaw: "tlsgate からは何も返していない。リセットは tlsgate が応答する前に、クライアント側（または経路上の装置）から来ている。理由は実際のクライアントのメッセージに出る。",
		},

		CodeVersionTooOld: {
			summary: "クライアント {client} の提示は {offered_versions}、リスナー {listener} が受け付けるのは {our_versions}",
			cause:   "クライアントが提示した最も新しいプロトコルバージョン（{max_offered}）が、このリスナーの下限（{floor}）より古いため、選べるバージョンがなく、ハンドシェイクは ClientHello の段階で止まる。BIG-IP はこれを `unsupported version` として記録する。",
			checks: []string{
				"クライアントを更新するか設定を変えて、{floor} 以上を提示させる: {client_floor_flags}。",
				"このクライアントをそのまま受け入れる必要があるなら、リスナー {listener} を min_version = \"{max_offered_cfg}\" にする（BIG-IP では client-ssl プロファイルの options から {bigip_enable_old} を外す）。{legacy_risk}",
			},
			clientSaw: sawAlert70JA,
		},
		CodeVersionTooOld + "/sslv2": {
			cause:  "クライアントが SSLv2 形式の ClientHello（先頭バイトの最上位ビットが立ち、続くメッセージタイプが 1）を送ってきた。非常に古い TLS スタックか、SSLv2 互換モードを強制したツールが送るもので、Go を含む今のサーバはこれを拒否する。BIG-IP はこれを `unsupported version` として記録する。",
			checks: []string{checkUpgradeSSLJA, checkSSLv2ClientJA},
			clientSaw: "tlsgate（Go の crypto/tls）は TLS のアラートレコードを 1 つ、70 protocol_version（`15 03 01 00 02 02 46`）を送って接続を閉じた。" +
				"SSLv2 形式の hello を送るのは古いスタック（OpenSSL 0.9.8、Java 6 や SSLv2Hello プロトコルを有効にした Java、Internet Explorer 6）やスキャナーなので、今の curl、Go、Java、ブラウザのメッセージは当てはまらない。" +
				"SSLv2 しか提示しないクライアントは TLS のレコードをまったく読めず、SSLv2 形式の hello で SSLv3 や TLS を提示するクライアントはアラートを読む。そうしたクライアントが何を表示するかについて tlsgate は検証済みの文言を持たないので、クライアント自身のメッセージを確かめるか、通信をキャプチャする。",
		},
		CodeVersionTooOld + "/sslv3": {
			cause:  "クライアントは SSLv3 までしか提示していない。SSLv3 は POODLE で破られており、どこでも無効化されている。このリスナーの下限は {floor}。BIG-IP はこれを `unsupported version` として記録する。",
			checks: []string{checkUpgradeSSLJA, "クライアントを更新するか設定を変えて、{floor} 以上を提示させる: {client_floor_flags}。"},
		},
		CodeVersionTooNew: {
			summary: "クライアント {client} の提示は {offered_versions} のみ、リスナー {listener} が受け付けるのは {our_versions}",
			cause:   "クライアントが提示したバージョン（{offered_versions}）がすべて、このリスナーの上限（{ceiling}）より新しい。典型例は、TLS 1.2 までに制限したリスナーに TLS 1.3 しか話さないクライアント（curl --tlsv1.3、ハードニングした Go や Java の設定）が来るケース。多くの BIG-IP のバージョンでは、client-ssl プロファイルの既定で TLS 1.3 が無効（no-tlsv1.3 オプション）になっている。",
			checks: []string{
				"{max_version_knob} を \"{min_offered_cfg}\" 以上に上げる（BIG-IP では client-ssl プロファイルの options から {bigip_enable_new} を外す）。",
				"またはクライアントに {ceiling} を提示させる: {client_ceiling_flags}。",
			},
			clientSaw: sawAlert70JA,
		},
		CodeVersionTooNew + "/cipher_cap": {
			summary: "クライアント {client} の提示は {offered_versions} のみ、フォールトルール {ceiling_cipher_rule} が TLS 1.2 のスイートしか許さないため、リスナー {listener} の上限が {ceiling} になっている",
			cause:   "クライアントが提示したバージョン（{offered_versions}）がすべて {ceiling} より新しい。この上限はフォールトルール {ceiling_cipher_rule} の副作用で決まった: その ciphers（{ceiling_ciphers}）は TLS 1.2 のスイートで、crypto/tls は TLS 1.3 のスイートを絞れないため、ルールが発動している間はバージョンの上限が TLS 1.2 になる。このクライアントを拒否したのはリスナー自身のバージョン設定ではない。",
			checks: []string{
				"フォールトルール {ceiling_cipher_rule} を変える: その ciphers（{ceiling_ciphers}）が TLS 1.3 を止めており、max_version では外せない。ciphers をルールから外すか、TLS 1.2 までしか提示しないクライアントだけに絞る（セレクタ max_offered_version を \"1.2\" に）か、無効にする（`tlsgate fault disable{admin_opt} {ceiling_cipher_rule}`）。",
				"またはクライアントに {ceiling} を提示させる: {client_ceiling_flags}。",
			},
		},
		CodeVersionTooNew + "/legacy_cap": {
			cause: "クライアントが提示したバージョン（{offered_versions}）がすべて、このリスナーの上限（{ceiling}）より新しい。TLS 1.2 未満に制限したリスナーはレガシーなサーバの再現であり、今のクライアント（OpenSSL 3 の curl や Python、Go、Java、ブラウザ）は既定では TLS 1.2 未満を提示しないので、どれもここで失敗する。",
		},

		CodeNoSharedCipher: {
			summary: "{negotiable} で共通の暗号スイートなし: クライアント {client} が提示した {offered_suites}が、どれもリスナー {listener} のリストにない",
			cause:   "クライアントが提示した {offered_cipher_suites}が、{negotiable} でのこのリスナーのリストに 1 つも入っていない。典型例は、CBC、3DES、RC4、静的 RSA のスイートしか提示しない古いクライアントがハードニングした暗号スイートのリストに当たるケースや、クライアントが決して提示しないスイートだけにリスナーを絞っているケース。",
			checks: []string{
				"下の「提示された暗号スイート」と「こちらの暗号スイート」を見比べ、クライアントが提示しているものを 1 つ有効にする（リスナー {listener} の ciphers。BIG-IP では client-ssl プロファイルの `ciphers` 文字列）。",
				"またはクライアントを更新し、ECDHE と AES-GCM か ChaCha20-Poly1305 の組み合わせを提示させる。",
				"`openssl s_client -connect {virtual} -cipher <name> </dev/null` でスイートを 1 つずつ試す。",
			},
			clientSaw: "tlsgate はアラート 40 handshake_failure を返す。curl は `curl: (35) … sslv3 alert handshake failure`、Go は `remote error: tls: handshake failure`、Java は `Received fatal alert: handshake_failure`、Chrome は ERR_SSL_VERSION_OR_CIPHER_MISMATCH を表示する。",
		},

		CodeNoSharedCipher + "/key_type": {
			summary: "{negotiable} で使える暗号スイートなし: クライアント {client} はリスナー {listener} のリストにあるスイート（{shared_ciphers}）を提示したが、それらは {shared_key} 証明書用で、リスナーが出す証明書は {our_key}",
			cause:   "TLS 1.3 より前では、暗号スイートごとに証明書の鍵の種類が決まっている。ECDHE_ECDSA のスイートには ECDSA（または Ed25519）の鍵、ECDHE_RSA と静的 RSA のスイートには RSA の鍵が必要。クライアントはこのリスナーのリストにあるスイートを提示しているが、どれも {shared_key} 鍵用で、tlsgate が提示する証明書の鍵は {our_key}{our_key_origin}なので、使えるスイートがない。典型例は、RSA 証明書のプロファイルから暗号スイートの文字列をそのまま写したケース。",
			checks: []string{
				"リスナー {listener} の ciphers に {our_key} 鍵用のスイートを加える（{our_key_suite} など）か、{shared_key} の証明書を使う（client_ssl.cert と client_ssl.key）。",
				"または TLS 1.3 を許可する（max_version = \"1.3\"）。TLS 1.3 のスイートは鍵の種類に依存しない。",
				"BIG-IP では、client-ssl プロファイルの証明書の鍵の種類が暗号スイートの文字列と合っているか確認する（`tmm --clientciphers '<string>'` でスイートが ECDHE-RSA か ECDHE-ECDSA かがわかる）。",
			},
		},

		CodeNoSharedCipher + "/no_curve": {
			summary: "{negotiable} で使える暗号スイートなし: クライアント {client} はリスナー {listener} のリストにある ECDHE スイート（{shared_ciphers}）を提示したが、tlsgate が対応する楕円曲線を 1 つも挙げていない",
			cause:   "双方のリストにあるのは ECDHE のスイートで、ECDHE には双方が対応する曲線が必要。クライアントの supported_groups 拡張には X25519、P-256、P-384、P-521 のどれもないか、古いクライアントや組み込みのスタックにあるように拡張そのものを送っていないので、使えるスイートがない。",
			checks: []string{
				"ClientHello の groups（JA3 文字列の 4 番目のフィールド）を確認し、クライアントを更新するか、X25519 か P-256 を提示させる。",
				"そうした古いクライアントを通す必要があるなら、クライアントが提示する ECDHE 以外のスイート（TLS_RSA_WITH_AES_128_GCM_SHA256 と RSA 証明書）をリスナー {listener} に加える。",
			},
		},

		CodeNoSharedCipher + "/unusable": {
			summary: "{negotiable} で使える暗号スイートなし: クライアント {client} はリスナー {listener} のリストにあるスイート（{shared_ciphers}）を提示したが、どれも使えなかった",
			cause:   "クライアントはこのリスナーのリストにあるスイートを提示しているが、TLS スタックはどれも使えなかった。TLS 1.3 より前では、スイートは名前にある鍵の種類の証明書も必要とし（ECDHE_ECDSA は ECDSA か Ed25519、ECDHE_RSA と静的 RSA は RSA。このリスナーの証明書は {our_key}）、ECDHE のスイートには双方が対応する楕円曲線も要る（障害ルールが tlsgate 側を絞っている場合もある）。ここではスイートごとに理由が違うか、理由の一つがわからない。",
			checks: []string{
				"下のスイートを、証明書の鍵の種類（{our_key}）とクライアントの曲線（JA3 文字列の 4 番目のフィールド）と見比べる。",
				"または TLS 1.3 を許可する（max_version = \"1.3\"）。TLS 1.3 ではどちらも関係しない。",
			},
		},

		CodeNoSharedCipher + "/error_only": {
			summary: "リスナー {listener} でクライアント {client} と共通の暗号スイートなし",
			cause:   "TLS スタックが、双方が対応する暗号スイートを見つけられなかった（{err}）。ClientHello は取得できていないので、ここではリストを比較できない。典型例は、CBC、3DES、RC4、静的 RSA のスイートしか提示しない古いクライアントが、ハードニングした暗号スイートのリストに当たるケース。",
		},

		CodeNoSharedGroup: {
			summary: "共通の鍵交換グループなし: クライアント {client} の提示は {groups_offered}、リスナー {listener} が許したのは {groups_ours} だけ",
			cause:   "バージョンも暗号スイートも合うが、クライアントと tlsgate に共通の鍵交換グループがない。クライアントの supported_groups は {groups_offered} で、この接続で許したのは {groups_ours} だけ。TLS 1.3 のハンドシェイクはすべて、TLS 1.2 以前でも ECDHE なら双方が対応するグループが必要なので、tlsgate はアラート 40 handshake_failure で拒否した。典型例は、NIST 曲線（P-256、P-384）だけに絞った FIPS 対応やハードニング済みのプロファイルに、X25519 しか提示しないクライアント（curl に `--curves X25519`、一部の組み込みスタック）が当たるケースや、耐量子ハイブリッドを必須にしたサーバに従来のクライアントが当たるケース。BIG-IP はスイートを選ぶときにグループも決めるとみられるので、暗号スイートの不一致と同じく `no shared ciphers` として記録する可能性が高い（上の行）。",
			checks: []string{
				"下のグループを見比べ、クライアントが提示するものをサーバ側で許可する（BIG-IP では client-ssl プロファイルの cipher group や暗号文字列の曲線。ここでは cipher ルールの groups）か、クライアントに {groups_ours} のどれかを提示させる（`curl --curves P-384`、`openssl s_client -groups P-384`）。",
				"グループを 1 つずつ試す: `openssl s_client -connect {virtual}{servername_opt} -groups X25519 </dev/null`、次に `-groups P-256`。完了したものがサーバの対応するグループ。",
				"クライアントのグループは JA3 文字列の 4 番目のフィールドにも出る。TLS ライブラリが変わったクライアントは、サーバが必要とするグループを落としていることがある。",
			},
			clientSaw: "tlsgate はアラート 40 handshake_failure を返す。curl は `curl: (35) … sslv3 alert handshake failure`、openssl s_client は `…:sslv3 alert handshake failure:…:SSL alert number 40`、Go は `remote error: tls: handshake failure`、Java は `Received fatal alert: handshake_failure`、Chrome は ERR_SSL_VERSION_OR_CIPHER_MISMATCH を表示する。",
		},
		CodeNoSharedGroup + "/error_only": {
			summary: "リスナー {listener} でクライアント {client} と共通の鍵交換グループなし",
			cause:   "TLS スタックが、双方が対応する鍵交換グループを見つけられなかった（{err}）。クライアントと tlsgate のグループが両方は記録されていないので、ここでは比較できない。典型例は、NIST 曲線だけに絞ったサーバに X25519 しか提示しないクライアントが当たるケースや、その逆。",
		},

		CodeSNIMissing: {
			summary: "クライアント {client} が SNI を送っていない（リスナー {listener} は SNI 必須）",
			cause:   "リスナーは SNI を必須にしている（BIG-IP の sni-require）が、ClientHello に server_name 拡張がない。IP アドレスを直接指定して接続すると（https://{virtual_host}/）クライアントは SNI を送らず、古いクライアントやスクリプトの中には SNI をまったく送らないものもある。",
			checks: []string{
				"IP ではなくホスト名で接続する（<name> は証明書に載っている名前）: `curl --resolve <name>:{vport}:{virtual_host} https://<name>:{vport}/`、または `openssl s_client -connect {virtual} -servername <name> </dev/null`。",
				"SNI なしのクライアントも通す必要があるなら、sni_require を外してデフォルトの証明書を返すようにする。",
			},
			clientSaw: "tlsgate は、sni-require を設定した client-ssl プロファイルと同じく、ClientHello にアラート 40 handshake_failure で答える。curl は `curl: (35) … sslv3 alert handshake failure`、Go は `remote error: tls: handshake failure`、Java は `Received fatal alert: handshake_failure`、Chrome は ERR_SSL_VERSION_OR_CIPHER_MISMATCH を表示する。",
		},

		CodeClientSilent: {
			summary: "クライアント {client} が {listener}（{listener_at}）に接続したが、{peek_timeout} 以内に何も送ってこない",
			cause: "クライアントは接続した後、{peek_timeout} の間何も送ってこなかった。TLS や HTTP ではクライアントが先に話すので、無言ということは、サーバが先に話すプロトコル（SSH、SMTP、FTP、POP3、IMAP、MySQL のクライアントはサーバのバナーを待つ）がこのポートに向いているか、" +
				"接続を開いて待つだけの TCP ヘルスモニター（BIG-IP の tcp_half_open や TCP 接続チェック）か、ファイアウォールの向こうで止まっているクライアントである。{bigip_silent}",
			checks: []string{
				"{client_ip} が何者で、ポート {vport} でどのプロトコルを期待しているのかを調べる。",
				"ヘルスモニターなら TLS か HTTPS のモニターに変えるか、このログが出るものとして扱う。",
				"バナーを先に出すプロトコルを通す必要があるなら、平文のリスナーか専用のポートを用意する。",
			},
			clientSaw: "先頭バイト待ちの期限（{peek_timeout}）で tlsgate が接続をリセットする（RST）。挨拶を待つバナー先行のクライアントには、自分のタイマーが先に切れない限り `Connection reset by peer` が返る（OpenSSH は `kex_exchange_identification: read: Connection reset by peer`）。TCP モニターからは、接続が受け付けられてからリセットされたように見える。",
		},

		CodeClientClosedEarly: {
			summary: "クライアント {client} が TLS ハンドシェイク完了前に接続を閉じた（FIN）",
			cause:   "クライアントは ClientHello を送った後、ハンドシェイクの途中で接続を閉じた（FIN）。よくあるのは TCP ヘルスモニター、ポートスキャナー、または途中であきらめたクライアント（自分のタイムアウト、あるいは証明書を拒否してアラートを送らずに閉じた）。",
			checks: []string{
				"{client_ip} が何者か（モニターか、スキャナーか、実際のクライアントか）を調べる。",
				"実際のクライアントなら、クライアント自身のエラー出力を読む。あきらめた理由はたいていそこに出ている（{trust_hint}）。",
				"TCP モニターならこのログは除外してよい。TLS まで確認させたいなら HTTPS モニターに変える。",
			},
			clientSaw: "tlsgate からは何も返していない。閉じたのはクライアント自身で、理由は実際のクライアントのメッセージに出る。",
		},
		CodeClientClosedEarly + "/before_flight": {
			summary: "クライアント {client} が ClientHello の直後、tlsgate が証明書を送る前に接続を閉じた（FIN）",
			cause: "クライアントの FIN は、tlsgate が ServerHello と証明書を書き込む前に届いていた。クライアントは ClientHello を送った直後に応答を待たず自分の側を閉じている。" +
				"あきらめたか早く閉じただけで、まだ見ていない証明書を拒否したのではない。" +
				"よくあるのは、ClientHello を送ってすぐ自分の側を閉じるスキャナーや TLS プローブ、書き込んだ後にハーフクローズするスクリプト（`nc -N`、読む前の shutdown(SHUT_WR)）、ClientHello が受け付けられるかだけを見るモニター。" +
				"tlsgate はそれでもフライトを書き込み（ハーフクローズしたクライアントは読める）、crypto/tls が FIN を読んだところでハンドシェイクが終わった。",
			checks: []string{
				"{client_ip} が何者か（スキャナーか、モニターか、応答を読む前に送信側を閉じるスクリプトか）を調べる。",
				"スクリプトなら、閉じる前にサーバの応答を読ませる。証明書やラボ CA はここでは問題ではない。",
				"モニターならこのログは除外するか、ハンドシェイクまで完了する HTTPS モニターに変える。",
			},
			clientSaw: "自分の FIN の後に読めたものだけ。ハーフクローズしたクライアントなら tlsgate の ServerHello と証明書、続いて切断を読むことがあり、ソケットごと閉じたクライアントは何も見ていない。",
		},
		CodeClientClosedEarly + "/hello_retry": {
			summary: "クライアント {client} が tlsgate の HelloRetryRequest の後、2つ目の ClientHello を送らずに接続を閉じた（FIN）。証明書は送っていない",
			cause:   "クライアントの TLS 1.3 の ClientHello には tlsgate が受け付けるグループの key share がなかったため、tlsgate は別の key share で ClientHello を送り直すよう求める HelloRetryRequest を返した。クライアントはそれを送らずに接続を閉じた。" + helloRetryCauseJA,
			checks: []string{
				"{client_ip} が何者かを調べる。サーバが応答するかだけを見るために、使える key share のない ClientHello を送るプローブやスキャナー（tlsgate probe もそうする）なら、HelloRetryRequest の後に閉じるのは正常な終わり方である。",
				"実際のクライアントなら、提示している key share と鍵交換グループ（下記）を、リスナー {listener} が許すものと比べる。そのどれかに対応するクライアントは2つ目の ClientHello で応答する。あきらめるクライアントはどれにも対応していないか、HelloRetryRequest を実装していない。",
				"クライアント自身のエラー出力を読む。HelloRetryRequest の後にあきらめた理由がそこに出ている。",
			},
			clientSaw: helloRetrySawJA,
		},
		CodeClientClosedEarly + "/nothing": {
			summary: "クライアント {client} が何も送らずに接続を閉じた（FIN）",
			cause:   "クライアントは接続を開き、1 バイトも送らずに閉じた（FIN）。TCP ヘルスモニター（BIG-IP の tcp_half_open や TCP 接続チェック）やポートスキャナーの典型的な動きで、すぐにあきらめた実際のクライアントも同じに見える。",
		},
		CodeClientClosedEarly + "/partial": {
			summary: "クライアント {client} が {first_bytes}送った後、判定前に接続を閉じた（FIN）",
			cause:   "クライアントは {first_bytes}（{kind_desc}）を送り、tlsgate が最初のメッセージを受け取り終える前に閉じた（FIN）。スキャナーやプローブの動きで、送信の途中であきらめたクライアントも同じになる。",
		},
		CodeClientResetEarly: {
			summary: "クライアント {client} が TLS ハンドシェイク完了前に接続をリセットした（RST）",
			cause:   "クライアントは ClientHello の後、ハンドシェイクの途中で接続をリセットした（RST）。よくあるのは、閉じる代わりにリセットする TCP ヘルスモニター、ポートスキャナー、クライアントと tlsgate の間のファイアウォールや IPS、または突然あきらめたクライアント。",
			checks: []string{
				"{client_ip} が何者か（モニターか、スキャナーか、実際のクライアントか）を調べる。",
				"クライアントと {virtual} の間に、リセットを注入するファイアウォールや IPS がないか確認する。",
				"実際のクライアントなら、クライアント自身のエラー出力を読む。",
			},
			clientSaw: "tlsgate からは何も返していない。リセットはクライアント側（または経路上の装置）から来ている。",
		},
		CodeClientResetEarly + "/hello_retry": {
			summary: "クライアント {client} が tlsgate の HelloRetryRequest の後、2つ目の ClientHello を送らずに接続をリセットした（RST）。証明書は送っていない",
			cause:   "クライアントの TLS 1.3 の ClientHello には tlsgate が受け付けるグループの key share がなかったため、tlsgate は別の key share で ClientHello を送り直すよう求める HelloRetryRequest を返した。クライアントはそれを送らずに接続をリセットした。" + helloRetryCauseJA,
			checks: []string{
				"{client_ip} が何者か（送り直しを求められる ClientHello で試すプローブやスキャナーか、実際のクライアントか）を調べる。",
				"実際のクライアントなら、提示している key share と鍵交換グループ（下記）をリスナー {listener} が許すものと比べ、解析できない接続をリセットする装置が経路上にないか確認する。",
				"クライアント自身のエラー出力を読む。HelloRetryRequest の後にあきらめた理由がそこに出ている。",
			},
			clientSaw: helloRetrySawJA,
		},
		CodeClientResetEarly + "/nothing": {
			summary: "クライアント {client} が何も送らずに接続をリセットした（RST）",
			cause:   "クライアントは接続を開き、1 バイトも送らずにリセットした（RST）。TCP ハーフオープンのヘルスモニター（BIG-IP の tcp_half_open）やポートスキャナー（SYN、SYN-ACK、RST）がまさにこの動きをする。",
		},
		CodeClientResetEarly + "/partial": {
			summary: "クライアント {client} が {first_bytes}送った後、判定前に接続をリセットした（RST）",
			cause:   "クライアントは {first_bytes}（{kind_desc}）を送り、tlsgate が最初のメッセージを受け取り終える前に接続をリセットした。プローブやスキャナー、またはリセットを注入する経路上の装置が考えられる。",
		},

		CodeClientAlert: {
			summary: "クライアント {client} がアラート {alert} でハンドシェイクを中断した",
			cause:   "クライアントがハンドシェイク中に TLS アラート {alert} を送ってきた。tlsgate が送ったもの（たいていは証明書か、ネゴシエートしたパラメータ）を拒否している。",
			tail:    "{streak}",
			checks: []string{
				"クライアント自身のエラー出力を読む。何を拒否したのかがそこに出ている。",
				"tlsgate が返した証明書（SNI {sni}）と、クライアントが期待しているものを比べる。",
			},
			clientSaw: "クライアントはアラート {alert} を送った理由を自分で表示する。curl の終了コードは 35 か 60。",
		},
		CodeClientAlert + "/48": {
			cause:     "クライアントが証明書の発行者を信頼していない（アラート 48 unknown_ca）。tlsgate の証明書はラボ CA が発行したもので、そのラボ CA がクライアントのトラストストアに入っていない。OpenSSL ベースのクライアント（curl、Python）は、自己署名の証明書、信頼されていないルートCA、中間証明書が欠けた証明書チェーンのいずれでも 48 を送る。openssl s_client が 48 を送るのは -verify_return_error を付けたときだけで、付けなければ検証エラーを表示してそのまま続ける。",
			checks:    []string{checkCAJA, checkCAJavaJA, "リスナーが固定の証明書（client_ssl.cert と client_ssl.key）を返しているなら、client_ssl.cert のファイルにリーフの後ろに中間証明書が含まれているか確認する。"},
			clientSaw: "curl は `curl: (60) SSL certificate problem: unable to get local issuer certificate`（または `self-signed certificate`、`self-signed certificate in certificate chain`）、s_client -verify_return_error は `verify error:num=20:unable to get local issuer certificate` を表示する。",
		},
		CodeClientAlert + "/48_inspect": {
			cause: "クライアントがラボ CA を拒否した（アラート 48 unknown_ca）。リスナー {listener} は inspect モードで、送った証明書は本物のサーバの証明書を tlsgate が写したもので、ラボ CA が発行している。そのラボ CA がクライアントのトラストストアに入っていない。" +
				"サーバ側レッグは正常だった（tlsgate は{upstream_trust}、そのうえでクライアント側を終端した）。CA を配られていないクライアントは、どの SSL インスペクション装置（企業のプロキシ、SSL Orchestrator、mitmproxy）に対してもこうなる。" +
				"OpenSSL ベースのクライアント（curl、Python）は信頼できない発行者に 48 を送る。openssl s_client が送るのは -verify_return_error を付けたときだけ。",
			checks: []string{checkCAJA, checkCAJavaJA,
				"このクライアントを inspect してはならない（本物のサーバの証明書をピン留めしたアプリや、端から端まで暗号化のままにすべき通信）なら、リスナー {listener} の bypass に {sni_or_host} を加える: 本物のサーバにそのまま中継され、クライアントが信頼するサーバ自身の証明書が届く。"},
			clientSaw: "curl は `curl: (60) SSL certificate problem: unable to get local issuer certificate`、s_client -verify_return_error は `verify error:num=20:unable to get local issuer certificate`、Chrome は NET::ERR_CERT_AUTHORITY_INVALID、Firefox は SEC_ERROR_UNKNOWN_ISSUER か MOZILLA_PKIX_ERROR_MITM_DETECTED を表示する。",
		},
		CodeClientAlert + "/48_configured": {
			cause: "クライアントが、リスナー {listener} の返す証明書の発行者を信頼していない（アラート 48 unknown_ca）。その証明書は設定した証明書（client_ssl cert）の {our_cert_subject} で、発行者は {our_cert_issuer}。ラボ CA が発行したリーフではないので、ラボ CA は関係ない。client_ssl.cert のファイルのチェーンがたどり着く CA が、クライアントのトラストストアにない。" +
				"典型例は、クライアントに配っていないプライベート CA や社内 CA、自己署名の証明書（発行者とサブジェクトが同じ）、リーフとクライアントが信頼するルートの間の中間証明書が入っていない証明書ファイル。OpenSSL ベースのクライアント（curl、Python）はこの 3 つのどれでも 48 を送る。openssl s_client が 48 を送るのは -verify_return_error を付けたときだけで、付けなければ検証エラーを表示してそのまま続ける。",
			checks: []string{
				"リスナーが返すチェーンを見る: `openssl s_client -connect {virtual} -servername {sni_or_host} -showcerts </dev/null`。リーフからクライアントの信頼する CA までつながっているか確認する。",
				"発行者（{our_cert_issuer}）がプライベート CA なら、その CA の証明書（ラボ CA ではない）をクライアントのトラストストアに入れるか、直接渡す: `curl --cacert <その CA のファイル> https://{sni_or_host}:{vport}/`。Java なら `keytool -importcert -cacerts -file <その CA のファイル>`。",
				"クライアントがすでに信頼している公的 CA や社内 CA なら、client_ssl.cert のファイルでリーフの後ろに中間証明書を入れる。それがないとクライアントはチェーンを組み立てられない。",
			},
			clientSaw: "curl は `curl: (60) SSL certificate problem: unable to get local issuer certificate`（または `self-signed certificate`、`self-signed certificate in certificate chain`）、s_client -verify_return_error は `verify error:num=20:unable to get local issuer certificate` を表示する。",
		},
		CodeClientAlert + "/42": {
			cause: "クライアントがアラート 42 bad_certificate で証明書を拒否した。Go のクライアントは証明書の問題なら何でも（未知の発行者、有効期限切れ、名前の不一致）42 を送るので、アラートだけではどれなのか分からない。OpenSSL は、有効期間がまだ始まっていない証明書や弱い署名の証明書に 42 を送る。",
			checks: []string{
				"クライアントのエラーを読む。Go は `tls: failed to verify certificate: x509: …` の形で正確な理由を出す。",
				"`signed by unknown authority` と出ているなら: " + checkCAJA,
				"クライアントが接続に使う名前が証明書に載っているか（SNI {sni}）と、双方の時計が正しいかを確認する。",
			},
			clientSaw: saw42,
		},
		CodeClientAlert + "/peer_skew": {
			cause: "クライアントがアラート {alert} で証明書を拒否した。クライアントはこの tlsgate 自身の、リスナー {peer_listener} の上流側の接続で、その時計はルール {peer_rule} で {peer_skew} {peer_clock_dir}。その時刻でこの証明書の日付を確かめたため、{peer_clock_state}に見えた。" +
				"ここの証明書にもトラストストアにも問題はない。時計の狂ったプロキシ（やロードバランサの server-ssl プロファイル）は正しいサーバをまさにこう拒否し、サーバに見えるのはアラートだけ（Go は拒否したあらゆる証明書に 42 bad_certificate を送る）。",
			checks: []string{
				"プロキシの時計を基準と比べる（`date -u`、NTP の状態、BIG-IP なら `ntpq -p`）。ここでのずれはリスナー {peer_listener} のルール {peer_rule}。",
				"時計の正しいホストから、このリスナーが返す証明書の日付を読む: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -dates`。",
				"同じ接続についてのプロキシ自身の行に、失敗した検証が出る（backend_verify: certificate has expired or is not yet valid）。",
			},
			clientSaw: "クライアントはプロキシで、上流側について `x509: certificate has expired or is not yet valid` を記録し、自分のクライアントをリセットする。",
		},
		CodeClientAlert + "/42_configured": {
			cause: "クライアントがアラート 42 bad_certificate で証明書を拒否した。Go のクライアントは証明書の問題なら何でも（未知の発行者、有効期限切れ、名前の不一致）42 を送るので、アラートだけではどれなのか分からない。OpenSSL は、有効期間がまだ始まっていない証明書や弱い署名の証明書に 42 を送る。" +
				"その証明書はリスナー {listener} に設定した証明書（client_ssl cert）の {our_cert_subject} で、発行者は {our_cert_issuer}。ラボ CA が発行したリーフではないので、ここで未知の発行者とされるのはラボ CA ではなくその発行者。",
			checks: []string{
				"クライアントのエラーを読む。Go は `tls: failed to verify certificate: x509: …` の形で正確な理由を出す。",
				"`signed by unknown authority` と出ているなら、クライアントは {our_cert_issuer} を信頼していない。プライベート CA なら、その CA の証明書（ラボ CA ではない）をクライアントのトラストストアに入れるか、直接渡す: `curl --cacert <その CA のファイル> https://{sni_or_host}:{vport}/`。クライアントがすでに信頼している CA なら、client_ssl.cert のファイルでリーフの後ろに中間証明書を入れる。",
				"クライアントが接続に使う名前が証明書に載っているか（SNI {sni}）と、双方の時計が正しいかを確認する。返している名前と日付は `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -subject -ext subjectAltName -dates` で分かる。",
			},
			clientSaw: saw42,
		},
		CodeClientAlert + "/45": {
			cause: "クライアントは証明書が有効期限切れだと言っている（アラート 45 certificate_expired）。クライアントの時計で見て、リーフ証明書かチェーン内の証明書が notAfter を過ぎている。",
			checks: []string{
				"クライアントの時計と tlsgate の時計を確認する。",
				"返している証明書の日付を確認する: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -dates`。",
				"フォールトルールで意図的に有効期限切れの証明書チェーンを返しているなら、これは想定どおりの結果。",
			},
			clientSaw: "curl は `curl: (60) SSL certificate problem: certificate has expired`、Java 17（TLS 1.2 の場合。TLS 1.3 では 46 を送る）は `PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed` を表示する。Go のクライアントは 45 を送らず、有効期限切れも 42 で知らせる。",
		},
		CodeClientAlert + "/46": {
			cause:     "クライアントが汎用のアラート 46 certificate_unknown で証明書を拒否した。Java のクライアントは証明書の問題の大半（信頼されていない発行者、名前の不一致）で 46 を送り、TLS 1.3 では常に 46 になる。",
			checks:    []string{checkCAJavaJA, "クライアントが使うホスト名が証明書に載っているか確認する（SNI {sni}）。"},
			clientSaw: saw46,
		},
		CodeClientAlert + "/46_configured": {
			cause: "クライアントが汎用のアラート 46 certificate_unknown で証明書を拒否した。Java のクライアントは証明書の問題の大半（信頼されていない発行者、名前の不一致）で 46 を送り、TLS 1.3 では常に 46 になる。" +
				"その証明書はリスナー {listener} に設定した証明書（client_ssl cert）の {our_cert_subject} で、発行者は {our_cert_issuer}。ラボ CA が発行したリーフではないので、ここで信頼されていない発行者とされるのはラボ CA ではなくその発行者。",
			checks: []string{
				"Java なら発行者（{our_cert_issuer}）の CA 証明書（ラボ CA ではない）をトラストストアにインポートする（`keytool -importcert -cacerts -file <その CA のファイル>`）。Python なら SSL_CERT_FILE か REQUESTS_CA_BUNDLE にその CA のファイルを設定する。クライアントがすでにその CA を信頼しているなら、client_ssl.cert のファイルでリーフの後ろに中間証明書を入れる。",
				"クライアントが使うホスト名が証明書に載っているか確認する（SNI {sni}）。",
			},
			clientSaw: saw46,
		},
		CodeClientAlert + "/43": {
			cause:     "クライアントは、この証明書はこの用途に使えないと言っている（アラート 43 unsupported_certificate）。拡張キー使用法（EKU）の誤りか、順序が逆の証明書チェーン。OpenSSL はこれらに 43 を送る。",
			checks:    []string{"リーフ証明書の extendedKeyUsage に serverAuth があり、チェーンがリーフから順に返されているか確認する。", "フォールトルールで意図的に EKU の誤った証明書や逆順のチェーンを返しているなら、これは想定どおりの結果。"},
			clientSaw: "curl は `curl: (60) SSL certificate problem: unsuitable certificate purpose` を表示する。",
		},
		CodeClientAlert + "/44": {
			cause:  "クライアントは、手元の CRL か OCSP の応答にもとづいて、証明書が失効していると言っている（アラート 44 certificate_revoked）。",
			checks: []string{"証明書の失効状態を確認し、再発行する。", "フォールトルールで意図的に失効を示す OCSP 応答をステープルしているなら、これは想定どおりの結果。"},
		},
		CodeClientAlert + "/40": {
			cause:  "クライアントが handshake_failure（アラート 40）を送ってきた。tlsgate がネゴシエートした内容を受け入れられない。Go のクライアントは、提示していない暗号スイートをサーバが選んだときに 40 を送り、OpenSSL のクライアントは DHE グループが小さすぎるとき（512 ビットや 1024 ビット）に送る。クライアント証明書がない場合はこれに当たらない。持っていない証明書を要求されたクライアントは証明書なしで応答し、40（TLS 1.2）や 116（TLS 1.3）を送るのはサーバの側である。",
			checks: []string{"クライアント自身のエラー出力を読む。", "クライアントが提示したバージョンとスイート（下記）を、リスナーの設定や、それらを強制するフォールトルールと比べる。"},
		},
		CodeClientAlert + "/70": {
			cause:     "クライアントが tlsgate の選んだプロトコルバージョンを拒否した（アラート 70 protocol_version）。たとえばフォールトルールで固定したバージョンが、クライアントの下限より古い場合。",
			checks:    []string{"クライアントの最低バージョンを、リスナーの min_version/max_version やバージョン系のフォールトと比べる。"},
			clientSaw: "Go のクライアントは `tls: server selected unsupported protocol version …` を表示する。",
		},
		CodeClientAlert + "/80": {
			cause:     "クライアントが internal_error（アラート 80）で中断した。セキュリティレベル 2 の OpenSSL 3 のクライアントは、サーバが TLS 1.0/1.1 をネゴシエートしてきて古い署名を拒否するときにこれを送る。",
			checks:    []string{"tlsgate がネゴシエートしたバージョンとクライアントの提示（下記）を確認する。クライアントが TLS 1.2 以上を提示しているなら {max_version_knob} を \"1.2\" 以上に上げる。それより新しいものを提示していないならクライアントを更新する。レガシーの検証に限り、クライアントのセキュリティレベルを下げる（`-cipher DEFAULT@SECLEVEL=0`）。min_version を上げるとクライアントを受け入れる代わりに拒否することになる。"},
			clientSaw: sawAlert80JA,
		},
		CodeClientAlert + "/80_cap": {
			cause: "tlsgate が自分の許す最高のバージョンである {ceiling} をネゴシエートした後、クライアントが internal_error（アラート 80）で中断した。既定のセキュリティレベル 2 の OpenSSL 3 のクライアント（curl、Python、openssl s_client）は、TLS 1.0/1.1 の古い署名をこうして拒否する。" +
				"クライアントは {offered_versions} を提示しており、TLS 1.2 でサーバと合意できたはず。妨げているのはサーバの上限 {ceiling} であり、min_version を上げても解決しない。",
			checks: []string{
				"{max_version_knob} を \"1.2\" 以上に上げる（BIG-IP では client-ssl プロファイルの options から {bigip_enable_modern} を外す）。",
				"レガシーなサーバを意図して検証する場合に限り、クライアントに {ceiling} を受け入れさせる: {client_ceiling_flags}。",
			},
			clientSaw: sawAlert80JA,
		},
		CodeClientAlert + "/47": {
			cause:  "クライアントは、ハンドシェイクの値が不正だと言っている（アラート 47 illegal_parameter）。OpenSSL と Java は、提示していないスイートをサーバが選んだときや、不正な形式の値が送られてきたときにこれを送る。",
			checks: []string{"暗号スイートを強制したり ServerHello を書き換えたりするフォールトルールがないか確認する。"},
		},
		CodeClientAlert + "/71": {
			cause:  "クライアントは tlsgate が出したものより強いパラメータを求めている（アラート 71 insufficient_security）。たとえばより大きな DH グループや、より強いスイート。",
			checks: []string{"リスナーの暗号スイートとバージョンを、クライアントの最低要件と比べる。"},
		},
		CodeClientAlert + "/112": {
			cause:  "アラート 112 unrecognized_name は、本来サーバが未知の SNI に対して送るもの。クライアントから来た場合は、たいてい経路上の装置がその名前を拒否したか、クライアントの SNI の扱いがおかしい。",
			checks: []string{"両側でパケットキャプチャを取り、誰が本当にアラートを送ったのかを確かめる。", "クライアントが送っている SNI（{sni}）を確認する。"},
		},
		CodeClientAlert + "/120": {
			cause:  "共通のアプリケーションプロトコルがない（アラート 120 no_application_protocol）。ALPN のリストに重なりがない。",
			checks: []string{"クライアントの ALPN リストを、リスナーとバックエンドが対応しているもの（h2、http/1.1）と比べる。"},
		},

		CodeHandshakeFailed: {
			summary: "クライアント {client} との TLS ハンドシェイクに失敗: {err}",
			cause:   "クライアントとの TLS ハンドシェイクに失敗した: {err}。",
			checks: []string{
				"上のエラーと、クライアント自身のエラー出力を読む。",
				"ハンドシェイクを記録して（`openssl s_client -connect {virtual} -msg </dev/null` や tcpdump）、どちらの側で止まったのかを見る。",
			},
			clientSaw: "tlsgate が送ったアラートによる。curl はたいてい終了コード 35 で終わる。",
		},
		CodeHandshakeFailed + "/bad_record_mac": {
			cause: "Go は `bad record MAC` を報告し、クライアントからのアラートは記録されていない。よくある原因は、OpenSSL ベースのクライアント（curl、Python。s_client は `-verify_return_error` 指定時のみ）が TLS 1.3 で証明書を拒否したケース。クライアントはアラート（48 unknown_ca、45 など）を暗号化せずに送り、Go はそれを読めないので、本当の理由が失われる。",
			checks: []string{
				checkCAJA,
				"クライアントを TLS 1.2 までに制限すると（`curl --tls-max 1.2`）、本当のアラートが tlsgate のログに出る。",
			},
			clientSaw: sawBadMAC,
		},
		CodeHandshakeFailed + "/bad_record_mac_configured": {
			cause: "Go は `bad record MAC` を報告し、クライアントからのアラートは記録されていない。よくある原因は、OpenSSL ベースのクライアント（curl、Python。s_client は `-verify_return_error` 指定時のみ）が TLS 1.3 で証明書を拒否したケース。クライアントはアラート（48 unknown_ca、45 など）を暗号化せずに送り、Go はそれを読めないので、本当の理由が失われる。" +
				"その証明書はリスナー {listener} に設定した証明書（client_ssl cert）の {our_cert_subject} で、発行者は {our_cert_issuer}。ラボ CA が発行したリーフではないので、クライアントが発行者を拒否したのなら、拒否されたのはラボ CA ではなくその CA。",
			checks: []string{
				"リスナーが返すチェーンを見る: `openssl s_client -connect {virtual} -servername {sni_or_host} -showcerts </dev/null`。クライアントがその発行者（{our_cert_issuer}）を信頼していないなら、その CA の証明書（ラボ CA ではない）を渡す: `curl --cacert <その CA のファイル> https://{sni_or_host}:{vport}/`。信頼しているなら、client_ssl.cert のファイルでリーフの後ろに足りない中間証明書を入れる。",
				"クライアントを TLS 1.2 までに制限すると（`curl --tls-max 1.2`）、本当のアラートが tlsgate のログに出る。",
			},
			clientSaw: sawBadMAC,
		},
		CodeHandshakeFailed + "/inappropriate_fallback": {
			summary: "クライアント {client} が TLS_FALLBACK_SCSV を付けて {max_offered} で再試行した。リスナー {listener} は {ceiling} まで対応しているので、ダウングレードの可能性ありとして拒否した",
			cause: "クライアントの ClientHello に TLS_FALLBACK_SCSV（RFC 7507、「一度失敗したので低いバージョンで再試行している」という合図）が付いており、しかも提示したバージョン {max_offered} はこのリスナーの最高バージョン（{ceiling}）より低い。" +
				"これはダウングレード攻撃と同じ形なので、tlsgate は BIG-IP と同じように（`TLS_FALLBACK_SCSV with a lower protocol`）アラート 86 inappropriate_fallback で拒否した。" +
				"典型例は、クライアントの最高バージョンでの最初の試行が失敗し（TLS 1.3 や大きな ClientHello を経路上の機器が捨てた、リセットされた、タイムアウトした）、その再試行が設計どおり拒否されたケース。あるいはそれを強制したテスト（`openssl s_client -tls1_2 -fallback_scsv`）。",
			checks: []string{
				"この接続の直前に {client_ip} からの失敗した接続がないか探す。それが本当に失敗した試行であり、そちらを直せばクライアントはフォールバックしなくて済む。",
				"テストなら -fallback_scsv を外す（そうすれば ClientHello はバージョンのチェックまで進む）か、クライアントに {ceiling} を提示させる: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null`。",
				"再試行を通すためにリスナー {listener} の max_version を下げてはいけない。この拒否はダウングレード防止が正しく働いた結果である。",
			},
			clientSaw: "tlsgate はアラート 86 inappropriate_fallback を返す。openssl s_client は `…:tlsv1 alert inappropriate fallback:…:SSL alert number 86`、curl は `curl: (35) … tlsv1 alert inappropriate fallback`、Go は `remote error: tls: inappropriate fallback` を表示する。",
		},
		CodeHandshakeFailed + "/no_certificate": {
			cause:     "tlsgate には、要求された名前（SNI {sni}）の証明書もデフォルトの証明書もなかった。",
			checks:    []string{"リスナー {listener} に証明書かラボ CA を設定するか、リスナーが扱う名前で接続する。"},
			clientSaw: "アラート 112。curl は `curl: (35) … tlsv1 unrecognized name`、Go は `remote error: tls: unrecognized name` を表示する。",
		},
		CodeHandshakeFailed + "/alpn": {
			cause:  "クライアントとリスナーの ALPN リストに重なりがない。",
			checks: []string{"クライアントの ALPN リストを、リスナーが対応しているもの（h2、http/1.1）と比べる。"},
		},

		CodeHandshakeTimeout: {
			summary: "クライアント {client} との TLS ハンドシェイクがタイムアウト",
			cause:   "クライアントがハンドシェイクのタイムアウト時間内に TLS ハンドシェイクを終えなかった。原因は、パケットロスや MTU ブラックホール（大きな証明書フライトが落ちる）、やり取りの一部を捨てるファイアウォール、または別の理由で止まっているクライアント。",
			checks: []string{
				"クライアントから経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}` が通るはず。",
				"クライアントと {virtual} の間のファイアウォールや IPS を確認する。",
				"小さい ClientHello（curl に `--curves X25519`）で再試行し、サイズが関係しているかを見る。",
			},
			clientSaw: sawTimeoutJA,
		},
		CodeHandshakeTimeout + "/partial_trickle": {
			summary: "クライアント {client} は最初のメッセージをゆっくり送った。先頭バイト待ちの期限までに {first_bytes}、その後さらに {late_bytes}、ClientHello は最後までそろわず、ハンドシェイクのタイムアウト（{handshake_timeout}）で接続が終わった",
			cause: "クライアントは先頭バイト待ちのタイムアウト {peek_timeout} の間に {first_bytes}（{kind_desc}）を送り、その後も送り続けた。tlsgate のハンドシェイクはさらに {late_bytes}、合わせて {sent_bytes} を読んだが、ClientHello はそろわなかった。" +
				"バイトはゆっくりでも届き続けていたので、セグメントを失った経路ではない。クライアント自身が hello を少しずつ送っている（接続を占有する slow-loris 型のクライアント、テストツール、ひどく帯域を絞られた回線）。" +
				"リスナーの handshake_timeout（{handshake_timeout}、accept から数える）が {duration} 後に接続を終えた。BIG-IP の client-ssl の handshake-timeout も同じように働く。",
			checks: []string{
				"{client_ip} が何かを調べる。負荷試験や slow-loris のツールはまさにこう送るが、普通のクライアントはめったにしない。",
				"多くのクライアントがこうするなら、リスナー {listener} の handshake_timeout を短く保ち（BIG-IP では client-ssl プロファイルの handshake-timeout）、手前でクライアントごとの接続数を制限する。",
				"クライアントと {virtual} の間のファイアウォール、IPS、トラフィックシェーパーを確認する。帯域を絞られた回線も少しずつしか届かない。",
			},
			clientSaw: "クライアントがまだ hello を送っている間に、tlsgate はハンドシェイクのタイムアウトで接続を閉じた（FIN）。本物の TLS クライアントは、閉じられた接続についてそのスタックが出すメッセージを表示する（curl は `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`、Go は `EOF`）。slow-loris のツールは次の接続を開くだけである。",
		},
		CodeHandshakeTimeout + "/relayed": {
			summary: "クライアント {client} が最初のメッセージを {first_bytes}送って止まった。先頭バイト待ちの期限で {backend} へ中継し、接続は {duration} 後に終わった: {stall_end}",
			cause: "クライアントは {first_bytes}（{kind_desc}）を送り、先頭バイト待ちのタイムアウト {peek_timeout} の間にそれ以上送らなかった。" +
				"{passes_tls}し、ハンドシェイクの相手はバックエンドなので、tlsgate はその期限で待つのをやめ、届いた分を {backend} へ中継した。" +
				"パススルーの仮想サーバは届いたものを転送する（handshake_timeout は tlsgate が終端するハンドシェイクにだけ効く）。" +
				"クライアントからはそれ以上何も届かず、接続は全体で {duration} 続き、{stall_end}ところで終わった。" +
				"{stall_why}" +
				passthroughNoAnswerNoBigIPJA,
			checks: []string{
				"{stall_check}",
				"クライアントと {virtual} の間のファイアウォールや IPS を確認する。",
				"こうしたクライアントは、バックエンド自身のハンドシェイクタイムアウト（nginx の `ssl_handshake_timeout`、既定 60 秒）かリスナー {listener} の idle_timeout（{idle_timeout}）が切るまでバックエンドへの接続を 1 本占有する。止まったクライアントがたまるなら、どちらかを短くする。",
			},
			clientSaw: "先に来たものによる: クライアント自身のタイムアウト（curl は `curl: (28) SSL connection timeout`、Go は `net/http: TLS handshake timeout`）、リセット（curl は `curl: (35) Recv failure: Connection reset by peer`）、または切断（curl は `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL`、Go は `EOF`）。",
		},
		CodeHandshakeTimeout + "/partial": {
			summary: "クライアント {client} が最初のメッセージを {first_bytes}送ったところで止まった",
			cause:   "クライアントは {first_bytes}（{kind_desc}）を送った後、{peek_timeout} の間それ以上何も送ってこなかった。{stall_why}",
			checks: []string{
				"{stall_check}",
				"クライアントと {virtual} の間のファイアウォールや IPS を確認する。",
			},
			clientSaw: "期限が来ると tlsgate が接続を閉じる（FIN）: curl は `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`、openssl s_client は `…:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:…`、Go は `EOF`。クライアント自身のタイマーの方が短ければ先にあきらめる: curl は `curl: (28) SSL connection timeout`、Go は `net/http: TLS handshake timeout`。",
		},

		CodeHelloMalformed: {
			summary: "{client} からの ClientHello が不正: {hello_err}",
			cause:   "先頭は TLS のハンドシェイクのように見えるが、ClientHello として解析できない: {hello_err}。原因は、先頭バイトがたまたま 0x16 になる別のプロトコル、ストリームを壊す中継装置、ファジングツールやスキャナー。",
			checks: []string{
				"下の先頭バイトを見る。",
				"tcpdump でキャプチャして Wireshark で開き、レコード全体を見る。",
				"{client_ip} が何者かを調べる。",
			},
			clientSaw: "接続を閉じられたときにクライアントの TLS スタックが出すエラー。",
		},
		CodeHelloMalformed + "/tls_record": {
			summary: "クライアント {client} の最初のレコードが{kind_desc}（{first_hex}）",
			cause:   "最初のレコードが{kind_desc}である。新しい接続で前のセッションを続けようとしたクライアント（ロードバランサに振り替えられた場合など）か、スキャナー。",
		},
	}
}

// Checks of a plaintext client on a TLS listener (knowledge_client.go).
const (
	checkPlainModeJA = "リスナー {listener}（{listener_addr}）を平文で使うつもりなら、mode = \"plaintext\" を設定する（{bigip_plain_mode}）。"
	checkAllowBothJA = "1 つのポートで両方を受けたいなら、non_ssl = \"allow\"（{bigip_allow}）か mode = \"auto\" にする。"
	checkSSHPortJA   = "SSH クライアントが TLS のポート {vport}{vip_which} に向けられている。クライアントに与えたポート（`ssh -p`、~/.ssh/config の `Port`）と、途中のポートマッピングや転送（NAT のルール、`ssh -L`、コンテナの公開ポート）を確認する。SSH の接続先は SSH サーバ自身のポート（変更していなければ 22）で、この TLS サービスではない。"
)
