package explain

// checkConnectCurlJA mirrors checkConnectCurl.
const checkConnectCurlJA = "プロキシの応答を確かめる: `curl -v --noproxy '' -x http://{virtual} https://{connect_authority}/` は、TLS の前に `> CONNECT {connect_authority} HTTP/1.1` とプロキシ自身のステータス行（`< HTTP/1.1 …`）を表示する。TLS のエラーが出るのは 200 Connection established の後だけ（`--noproxy ''` は、curl にプロキシを迂回させる NO_PROXY を上書きする）。"

// proxyPortChecksJA mirrors proxyPortChecks.
var proxyPortChecksJA = []string{
	"プロキシをプロキシとして、http のスキームで渡す: `curl -x http://{virtual} https://<サイト>/`、または環境変数 `https_proxy=http://{virtual}`（https:// のサイトでも http://。TLS はプロキシとではなく、トンネルの中でサイトと端から端まで話す）。",
	"どちらの誤りか確かめる: `env | grep -i _proxy`（`https_proxy=https://…` なら後者。curl の -v の出力では ClientHello の前に `* Uses proxy env variable https_proxy == 'https://…'` が出る）と、クライアントが取りに行く URL（プロキシのアドレス {virtual} ではなくサイトの名前か）。",
	"クライアントがここから直接 TLS でバックエンドに届くべきなら、リスナー {listener}（{listener_addr}）はそのためのポートではない: TLS のリスナーに向けるか、このリスナーで connect = \"tunnel\" の代わりに mode = \"passthrough\" か \"terminate\" を設定する。",
}

// proxyFragmentTailJA mirrors proxyFragmentTail.
const proxyFragmentTailJA = "リスナー {listener} は明示プロキシ（connect = \"tunnel\"）で、クライアントは TLS の前に `CONNECT host:port HTTP/1.1` を送る。" +
	"そのポートに直接 TLS が来るのは、プロキシをサーバのつもりで指しているか、プロキシを https のスキームで渡されている（`https_proxy=https://…`）クライアント。"

// connectKnowledgeJA mirrors connectKnowledge.
func connectKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeConnectBadRequest: {
			summary: "リスナー {listener} で {client} からの CONNECT に 400 で応答した: {connect_err}",
			cause: "リスナー {listener} は明示プロキシ（connect = \"tunnel\"）で、扱えない CONNECT を読んだ: {connect_err}。" +
				"プロキシはこのような要求に 400 Bad Request で応答し（tlsgate もそうした）、トンネルは開かない。TLS は始まっておらず、バックエンドにも接続していない。" +
				"プロキシを指定したクライアント（https_proxy、`curl -x`、ブラウザのプロキシ設定）は、TLS の前に `CONNECT host:port HTTP/1.1` とヘッダ、空行を送る。" +
				"ヘッダが終わらないのは、プロキシのクライアントではないもの（生の TCP ツール、プロキシのポートに向けた別のプロトコル）か、ヘッダが先頭バイト待ちの上限を超えたクライアント。",
			checks: []string{checkConnectCurlJA,
				"届いたもの（先頭バイト、リクエスト行）をプロキシが読む形と比べる: `CONNECT host:port HTTP/1.1`（ポートを含む authority 形式、RFC 9110 §9.3.6）と、ヘッダの後の空行。",
				"クライアントがそもそも {virtual} をプロキシとして使う設定か確かめる: `env | grep -i _proxy`。サーバのつもりでここを向いたクライアントは、CONNECT ではなくリクエストや ClientHello を送る。"},
			clientSaw: "トンネルではなくプロキシの `HTTP/1.1 400 Bad Request` を受け取った: curl は `curl: (56) CONNECT tunnel failed, response 400`、Go は `Get \"https://…\": Bad Request`、Python の urllib は `<urlopen error Tunnel connection failed: 400 Bad Request>`、openssl s_client -proxy は `s_client: HTTP CONNECT failed, reason= 400 Bad Request`、Chrome は ERR_TUNNEL_CONNECTION_FAILED。",
		},
		CodeConnectBadRequest + "/left": {
			summary: "クライアント {client} は CONNECT を送り終える前にリスナー {listener} から去った: {connect_err}",
			cause: "リスナー {listener} は明示プロキシ（connect = \"tunnel\"）。クライアントは CONNECT を送り始めたが、ヘッダの終わりの空行の前に接続を閉じたため、応答するものもトンネルもない。" +
				"クライアントが諦めた（自身のタイムアウト、要求の取り消し）か、プロキシのクライアントではない。",
			checks: []string{"クライアント側でキャプチャする（`tcpdump -ni any -w connect.pcap host {client_ip} and port {vport}`）。リクエスト行が届いてヘッダが終わらなかった CONNECT は、クライアント自身（タイムアウト、要求の取り消し）か、プロキシとの間の装置が途中で切ったもの。",
				"ヘッダを一度に送るクライアントと比べる: `curl -v --noproxy '' -x http://{virtual} https://lab.test/` で CONNECT とプロキシの応答が見える。"},
			clientSaw: "応答なし: クライアントは CONNECT を送り終える前に自分で接続を閉じた。",
		},
		CodeTLSOnPlaintext + "/proxy": {
			summary: "明示プロキシのポート {listener}（{listener_at}）に {client} から CONNECT なしで TLS の ClientHello（SNI {sni}、{offered_versions}）",
			cause: "リスナー {listener} は明示プロキシ（connect = \"tunnel\"）。クライアントはまず平文の `CONNECT host:port HTTP/1.1` でトンネルを求め、プロキシの 200 の後、トンネルの中で TLS を始める必要がある。" +
				"このクライアントは CONNECT を送らずにプロキシのポートそのものに TLS ハンドシェイクを始めた（SNI {sni}、提示バージョン {offered_versions}）ので、tlsgate は平文のポートとして TLS をリセットした。" +
				"よくある原因は、クライアントがプロキシをサーバのつもりで指している（`curl https://{virtual}/`、プロキシのアドレスを指す URL、DNS 名、プールメンバー）か、" +
				"プロキシを https のスキームで渡されている（`https_proxy=https://{virtual}`、`curl -x https://{virtual}`）かのどちらか。後者ではクライアントはプロキシ自身と TLS を話そうとするが、平文のプロキシのポートは TLS を話さない。" +
				"どちらでも SNI があればサイトではなくプロキシの名前になる（IP アドレスなら SNI はない）。curl 7.88 はサーバには ALPN で h2 と http/1.1 を、https:// のプロキシには http/1.1 だけを提示する。" +
				"このケースに対応する確認済みの BIG-IP の SSL ログ行はないので、ここには出さない。",
			checks:    proxyPortChecksJA,
			clientSaw: "tlsgate が接続をリセットした。curl はどちらの場合も `curl: (35) Recv failure: Connection reset by peer` を表示する（https:// のプロキシなら、-v の出力ではその前に `* Uses proxy env variable https_proxy == 'https://{virtual}'` が出る）。Go は `read: connection reset by peer`、Transport.Proxy に https:// のプロキシを渡した場合は `proxyconnect tcp: read tcp …: read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET。",
		},
		CodeFaultInjected + "/connect_policy": {
			summary: "ルール {fault_rule} による注入: 明示プロキシが CONNECT {connect_authority} を {connect_status} で拒否した",
			cause: "実際のネットワークなら、明示プロキシがクライアントの {connect_authority} への CONNECT を TLS の前に {connect_status} で拒否したことにあたる。" +
				"403 はプロキシの ACL（Squid の `http_access deny`、企業ゲートウェイのカテゴリやポートのルール。多くは CONNECT を 443 番にしか許さない）、" +
				"407 はクライアントが送らなかった、または誤った認証情報を求めている（Proxy-Authenticate が方式を示す）、502 はプロキシ自身がホストを解決できないか到達できない。" +
				"ハンドシェイクは行われていないので、証明書、バージョン、暗号スイートは関係なく、サーバにも届いていない。",
			checks: []string{checkConnectCurlJA,
				"403 なら、このクライアントと宛先に対するプロキシの ACL を読む（Squid の access.log に CONNECT とともに TCP_DENIED/403 が出る。`http_access deny CONNECT !SSL_ports` は 443 以外のポートを拒否する）。" +
					"407 なら、プロキシが求める方式で認証情報を渡す（`curl --proxy-user user:pass -x …`、または `https_proxy=http://user:pass@proxy:3128`）。クライアントが Proxy-Authorization ヘッダを送ったかは下の CONNECT の証拠に出る（connect_policy のルールは、受け取った認証情報を拒むプロキシと同じく、どちらでも 407 を返す）。502 なら、プロキシ自身が {connect_authority} を解決し到達できるか確かめる。",
				"クライアントがどのプロキシを使っているか確かめる: `env | grep -i _proxy`、直接つなぐべきホストは NO_PROXY。",
				checkFaultOffJA},
			clientSaw: "TLS の前に、トンネルではなくプロキシの {connect_status} を受け取った: curl は `curl: (56) CONNECT tunnel failed, response {connect_status}`、Go（Transport.Proxy 使用時）は `Get \"https://…\":` に続けてステータスの文言（`Forbidden`、`Proxy Authentication Required`、`Bad Gateway`）、Python の urllib は `<urlopen error Tunnel connection failed: {connect_status_line}>`、openssl s_client -proxy は `s_client: HTTP CONNECT failed, reason= {connect_status_line}`、Chrome は ERR_TUNNEL_CONNECTION_FAILED。",
		},
	}
}
