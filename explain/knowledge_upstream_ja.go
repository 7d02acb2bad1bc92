package explain

// checkBackendOfferJA mirrors checkBackendOffer.
const checkBackendOfferJA = "バックエンドが受け付けるバージョンと暗号スイートを、tlsgate が提示するもの（crypto/tls のクライアント既定値: TLS 1.2 と 1.3、Go の既定のスイート）と比べる。[listener.server_ssl] で設定できるのは ca、server_name、verify、cert、key だけ。"

// Sides of the server-side BIG-IP line, said once for the backend entries.
const sidesServerJA = "BIG-IP のログでは、左側（{backend_local}）が tlsgate 自身のアドレス（BIG-IP ならセルフ IP か SNAT アドレス）、右側（{backend_remote}）がプールメンバーである。"

// upstreamKnowledgeJA is upstreamKnowledge in Japanese.
// backendEarlyNoBigIPJA is backendEarlyNoBigIP in Japanese.
const backendEarlyNoBigIPJA = "BIG-IP は、受け付けた接続をプールメンバーが閉じたりリセットしたりしても SSL エラーを記録しない（リセット原因のログ `tm.rstcause.log` を有効にしたときだけ `01230140` の行が出るが、その理由の文言は文書化されていない）ので、BIG-IP の行は表示しない。"

func upstreamKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeProxyMissing: {
			summary: "リスナー {listener} は {client} からの PROXY {proxy_policy} ヘッダを待っているが、届いたのは{kind_desc}（{first_hex}）",
			cause: "リスナー {listener} は、何よりも先に PROXY プロトコル {proxy_policy} のヘッダが来ることを想定しているが、先頭バイトは{kind_desc}（{first_hex}）だった。" +
				"前段のロードバランサ（ターゲットグループで proxy protocol v2 を有効にした AWS NLB、HAProxy の send-proxy など）がヘッダを付けていないか、クライアントがロードバランサを経由せずに直接つないでいる。",
			checks: []string{
				"{virtual} の前にある送信側で PROXY プロトコル {proxy_policy} を有効にする: HAProxy の `send-proxy` は v1、`send-proxy-v2` は v2 を書く。nginx の `proxy_protocol on` は v1 のみ、AWS NLB のターゲットグループは v2 のみ（NLB の後ろなら、リスナー {listener} を proxy_protocol = \"v2\" にする）。",
				"クライアントが直接つなぐ構成なら、リスナー {listener} の proxy_protocol を \"\"（または \"optional\"）にする。",
				"ヘルスチェックも直接つなぐことが多い。ヘルスチェックにもヘッダを付けるか、optional のポリシーにする。",
			},
			clientSaw: "先頭バイトにヘッダがないと分かった時点で、tlsgate は TLS が始まる前に接続をリセット（RST）する。curl は `curl: (35) Recv failure: Connection reset by peer`（平文 HTTP のクライアントなら `curl: (56) Recv failure: Connection reset by peer`）、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET を表示する。手前のロードバランサからは、応答の前にサーバが接続を閉じたように見える。HAProxy は TCP モードなら終了状態 `SD` を記録して自分のクライアントとの接続を閉じ、その curl は `curl: (52) Empty reply from server`（https なら `curl: (35) … SSL_ERROR_SYSCALL`）を表示する。HTTP モードなら `SH--` を記録して 502 Bad Gateway を返す。",
		},
		CodeProxyUnexpected: {
			summary: "リスナー {listener} に {client} から想定外の PROXY v{proxy_got} ヘッダ",
			cause:   "接続が PROXY プロトコル v{proxy_got} のヘッダで始まっているが、リスナー {listener} はヘッダを想定していない。前段のロードバランサが PROXY プロトコルを付けている（NLB のターゲットグループ属性、HAProxy の send-proxy/send-proxy-v2）のに tlsgate 側が設定されていないので、ヘッダが TLS や HTTP の先頭として読まれてしまう。{proxy_not_ssl}",
			checks: []string{
				"信頼できるロードバランサが付けているヘッダなら、リスナー {listener} に proxy_protocol = \"v{proxy_got}\" を設定する。",
				"またはロードバランサ側で PROXY プロトコルを無効にする。",
			},
			clientSaw: "ヘッダを読んだ時点で、tlsgate は TLS が始まる前に接続をリセット（RST）する。接続を持っている側（ロードバランサ、またはその向こうのクライアント）にはリセットとして見える。curl は `curl: (35) Recv failure: Connection reset by peer`（平文 HTTP のクライアントなら `curl: (56) Recv failure: Connection reset by peer`）、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET を表示する。手前のロードバランサからは、応答の前にサーバが接続を閉じたように見える。HAProxy は TCP モードなら終了状態 `SD` を記録して自分のクライアントとの接続を閉じ、その curl は `curl: (52) Empty reply from server`（https なら `curl: (35) … SSL_ERROR_SYSCALL`）を表示する。HTTP モードなら `SH--` を記録して 502 Bad Gateway を返す。",
		},
		CodeProxyMalformed: {
			summary: "リスナー {listener} で {client} からの PROXY ヘッダが不正: {proxy_err}",
			cause:   "PROXY プロトコルのヘッダ（{proxy_policy}）を待っていたが、形式が正しくない: {proxy_err}。",
			checks: []string{
				"ロードバランサが設定どおりのバージョンを送っているか確認する。v1 はテキストの `PROXY TCP4 … \\r\\n`、v2 は 12 バイトのシグネチャ 0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a で始まる。",
				"経路上で先頭バイトを書き換えるものがないか確認する。",
			},
			clientSaw: "TLS が始まる前に tlsgate が接続をリセット（RST）する。手前のロードバランサからは、応答の前にサーバが接続を閉じたように見える。HAProxy は TCP モードなら終了状態 `SD` を記録して自分のクライアントとの接続を閉じ、その curl は `curl: (52) Empty reply from server`（https なら `curl: (35) … SSL_ERROR_SYSCALL`）を表示する。HTTP モードなら `SH--` を記録して 502 Bad Gateway を返す。",
		},
		CodeProxyMalformed + "/version_mismatch": {
			summary: "{client} から PROXY v{proxy_got} ヘッダ、リスナー {listener} の想定は {proxy_policy}",
			cause: "ロードバランサは PROXY プロトコル v{proxy_got} を送っているが、リスナー {listener} は {proxy_policy} の設定になっている。" +
				"ヘッダ自体は正しい形式で、違うのはバージョンだけだが、設定していないバージョンを推測で受け入れることはしない（仕様で禁じられている）ので tlsgate は拒否する。",
			checks: []string{
				"リスナー {listener} に proxy_protocol = \"v{proxy_got}\"（両方のバージョンを受け入れるなら \"optional\"）を設定するか、ロードバランサ側を {proxy_policy} に合わせる。",
				"送信側: HAProxy の `send-proxy` は v1、`send-proxy-v2`（`send-proxy-v2-ssl`、`send-proxy-v2-ssl-cn` も）は v2 を書く。nginx の `proxy_protocol on` は v1 のみ、AWS NLB は v2 のみ。",
			},
		},

		CodeBackendRefused: {
			summary: "{client} の接続でバックエンド {backend} に接続拒否された",
			cause:   "tlsgate はバックエンド {backend} に接続できなかった（connection refused）。そのアドレスとポートで何も待ち受けていない（プールメンバーのダウン、サービス停止、ポートの間違い）か、ホストのファイアウォールが拒否している。",
			checks: []string{
				"バックエンドのホストでサービスが動いていて、そのポートで待ち受けているか確認する（`ss -ltnp`）。",
				"リスナー {listener} の backend のアドレスを確認する。",
				"tlsgate とバックエンドの間のファイアウォールのルールを確認する。",
			},
			clientSaw: sawBackendJA,
		},
		CodeIdleTimeout: {
			summary: "{client} の接続は {idle_timeout} のあいだどちら向きにも 1 バイトも流れず、tlsgate がリセットした（リスナー {listener} の idle_timeout）",
			cause: "{client} とバックエンド {backend} の中継は動いていたが、その後どちら向きにも {idle_timeout}（リスナー {listener} の idle_timeout）のあいだ 1 バイトも流れなかったため、tlsgate が両側をリセットした。" +
				"BIG-IP も TCP プロファイルのアイドルタイムアウト（既定 300 秒）が切れると同じことをし、ファイアウォールや NAT 装置も独自のタイマーで同じことをする。" +
				"アプリケーションが経路の許す時間より長く接続を開いたまま黙っている: コネクションプール、ロングポーリング、WebSocket、データベースのセッションなど。",
			checks: []string{
				"アプリケーションが意図して黙っているなら、リスナー {listener} の idle_timeout を最も長い無通信時間より大きくし、経路上のファイアウォールやロードバランサのアイドルタイマーも合わせて伸ばす。",
				"またはアプリケーション側で {idle_timeout} より短い間隔で通信させる: アプリケーションの ping（プールの接続検証クエリ、HTTP/2 PING、WebSocket ping）。TCP キープアライブのプローブはデータを運ばないので、このタイマーは戻らない（ファイアウォールや NAT には見える）。",
				"クライアントのエラー時刻と照合する: 無通信のあとの最初の利用でリセットされたなら、このタイマーが原因。",
			},
			clientSaw: "黙っているあいだは何も起きず、次にその接続を使ったときにリセットで失敗する: curl `(56) Recv failure: Connection reset by peer`、Go `read: connection reset by peer` または `write: broken pipe`、データベースドライバは次のクエリで 'connection reset' や 'server closed the connection unexpectedly'。",
		},
		CodeBackendReset: {
			summary: "バックエンド {backend} が {client} の接続を中継の途中でリセット（上り {up} B、下り {down} B）",
			cause: "{client} とバックエンド {backend} の中継が動いているときに、バックエンド側から TCP リセットが来た: バックエンド自身か、tlsgate とのあいだの装置から。" +
				"tlsgate はクライアント側をリセットしてそれを伝えた。典型的な原因: バックエンドのアプリケーションが落ちたか再起動した、未読のデータを残してソケットを閉じた（RST が出る）、サーバ側のファイアウォールや NAT 装置が自分のアイドルタイマーでフローを捨てた。",
			checks: []string{
				"この時刻のバックエンド自身のログを読む: クラッシュ、再起動、接続を閉じたエラー。",
				"tlsgate と {backend} のあいだに、接続の無通信時間より短いアイドルタイマーを持つファイアウォールや NAT 装置がないか確認する。",
				"バックエンド側でキャプチャする（`tcpdump -ni any host {backend_host} and 'tcp[tcpflags] & tcp-rst != 0'`）と、どのアドレスが RST を送ったかわかる。",
			},
			clientSaw: "{backend_reset_saw}",
		},
		CodeBackendClosedEarly: {
			summary: "バックエンド {backend} が 1 バイトも返さずに {client} の接続を閉じた（FIN）: クライアントの {up} B に応答なし",
			cause: "tlsgate はバックエンド {backend} に接続してクライアント {client} が送ったもの（{up_bytes}）を中継したが、バックエンドは 1 バイトも返さずに FIN で接続を終えた。" +
				"tlsgate はその終了をクライアントに伝えたので、クライアントには応答の代わりにストリームの終わりが届いた。閉じたあとに tlsgate が中継したものをバックエンドがリセットしたときは、そのリセットも伝えた。典型的な原因: バックエンドのアプリケーションが受け付けてすぐ閉じる（過負荷、クライアントのアドレスを拒否、要求で落ちた）、期待するサービスではないものがそのポートで待ち受けている、後ろにいるプロキシ自身のバックエンドが落ちている。" +
				backendEarlyNoBigIPJA,
			checks: []string{
				"この時刻に tlsgate のアドレス {backend_local} から来た接続について、バックエンド自身のログを読む: 拒否、要求のエラー、クラッシュ。",
				"tlsgate を通さずに、このホストからバックエンドに直接問い合わせる: そこでも空の応答なら、バックエンド自身の振る舞い。",
				"バックエンド側でキャプチャする（`tcpdump -ni any host {backend_host} and 'tcp[tcpflags] & (tcp-fin|tcp-rst) != 0'`）と、どちらが先に閉じたかわかる。",
			},
			clientSaw: "{backend_closed_early_saw}",
		},
		CodeBackendClosedEarly + "/reset": {
			summary: "バックエンド {backend} が 1 バイトも返さずに {client} の接続をリセット（上り {up} B、下り 0 B）",
			cause: "tlsgate はバックエンド {backend} に接続したが、バックエンドが 1 バイトも返さないうちにバックエンド側から TCP リセットが来た: クライアントの要求（中継したのは {up_bytes}）に応答はなかった。" +
				"tlsgate はそのリセットをクライアントに伝えた。典型的な原因: バックエンドのアプリケーションが受け付けてすぐリセットする（accept のバックログがいっぱい、要求を読まずに閉じる、クラッシュ）、バックエンドのホストファイアウォールや接続数の上限がリセットする、バックエンドがすぐ閉じ、そのあと tlsgate が書いた要求にリセットで答えた。" +
				backendEarlyNoBigIPJA,
			checks: []string{
				"この時刻に tlsgate のアドレス {backend_local} から来た接続について、バックエンド自身のログを読む: 拒否、接続数の上限、クラッシュ、再起動。",
				"tlsgate を通さずに、このホストからバックエンドに直接問い合わせる: そこでも同じリセットなら、バックエンド自身の振る舞い。",
				"バックエンド側でキャプチャする（`tcpdump -ni any host {backend_host} and 'tcp[tcpflags] & tcp-rst != 0'`）と、どのアドレスが RST を送ったかわかる。",
			},
			clientSaw: "{backend_closed_early_saw}",
		},
		CodeOK + "/client_reset": {
			summary: "{mode} sni={sni} {tls} ja4={ja4} up={up}B down={down}B in {duration}、クライアントのリセットで終了",
			cause: "{client} とバックエンド {backend} の中継は動いていた。クライアントが FIN ではなく TCP リセットで終え、tlsgate はバックエンド側もリセットした。" +
				"クライアントは、未読のデータを残してソケットを閉じたときや、要求をあきらめたとき（タイムアウト、中止）にこうする。手前の IPS やファイアウォールが代わりにすることもある。",
			checks: []string{
				"クライアントがエラーを報告していなければ直すものはない。報告しているならそのエラーを読み、やり取りの長さ（{duration}）とクライアントのタイムアウトを比べる。",
				"tlsgate の手前にリセットを注入する装置（IPS、ファイアウォール、別のロードバランサ）がないか確認する。",
			},
			clientSaw: "リセットした原因そのもの（自分のクローズ、タイムアウト、中止）: 送信 {up_bytes}、受信 {down_bytes}。tlsgate からは何も来ていない。",
		},
		CodeAcceptFailed: {
			summary: "tlsgate がリスナー {listener}（{listener_addr}）の {client} の接続を処理せずにリセット: {accept_err}",
			cause: "カーネルが TCP ハンドシェイクを終え、tlsgate は接続を受け付けたが、処理できなかった（{accept_err}）ので、リセットした。" +
				"クライアントは悪くない。よくある原因はプロセスのファイルディスクリプタ切れ（EMFILE、\"too many open files\"）: 接続ごとにクライアント用とバックエンド用に 1 つずつ使い、イベントループ（または refuse ルール）が受け付けたソケットを接続に渡すには一時的にもう 1 つ要る。",
			checks: []string{
				"tlsgate が開いているディスクリプタ数と上限を比べる: `ls /proc/$(pidof tlsgate)/fd | wc -l` と `grep 'open files' /proc/$(pidof tlsgate)/limits`。上限を上げる（`ulimit -n`、systemd の LimitNOFILE=）か、max_connections（リスナー {listener} と他のすべてのリスナーの合計）を上限の半分より小さくする: 接続 1 つが 2 つ使う。",
				"この時刻に何が多くの接続を開いたままにしているか調べる: `ss -Htn state established '( sport = :{vport} )' | wc -l`、接続を抱えたままの遅いバックエンドや止まったバックエンド。",
			},
			clientSaw: sawResetEarlyJA,
		},
		CodeShutdownCut: {
			summary: "tlsgate がリスナー {listener} の {client} の接続を閉じた: 停止時の猶予が尽きた（{duration} で上り {up} B、下り {down} B）",
			cause: "tlsgate は停止中（SIGINT または SIGTERM）で、生きている接続を [shutdown] grace まで待った。この接続は猶予が尽きた時点でまだ開いていたので、tlsgate が閉じた。" +
				"クライアントもバックエンドも悪くない。BIG-IP のフェイルオーバーや、ドレインせずに外したプールメンバーも同じように接続を切る。",
			checks: []string{
				"長い接続を再起動で切りたくないなら [shutdown] grace を伸ばすか、先にドレインする: tlsgate を振り分け先（ロードバランサ、DNS）から外し、接続が終わってから停止する。",
				"自分で再接続するクライアント（HTTP クライアント、データベースのプール）は回復する。エラーを探すのはそうでないものだけでよい。",
			},
			clientSaw: "接続が途中で終わる: curl `(56) Recv failure: Connection reset by peer` または `(52) Empty reply from server`。ハンドシェイク中のクライアントはハンドシェイクの失敗として見る。",
		},
		CodeBackendTimeout: {
			summary: "{client} の接続でバックエンド {backend} への接続がタイムアウト",
			cause:   "tlsgate は接続のタイムアウト時間内にバックエンド {backend} から応答を得られなかった。ホストが落ちている、経路がない、またはファイアウォールが SYN を黙って捨てている。",
			checks: []string{
				"バックエンドのホストが動いていて、tlsgate から到達できるか確認する（バックエンドのアドレスに `nc -vz`）。",
				"拒否ではなく破棄するルーティングやファイアウォールがないか確認する。",
			},
			clientSaw: sawBackendJA,
		},
		CodeBackendError: {
			summary:   "{client} の接続でバックエンド {backend} への接続に失敗: {dial_err}",
			cause:     "tlsgate はバックエンド {backend} に接続できなかった: {dial_err}。典型例は、名前が解決できない、ホストへの経路がない、ローカルのリソース上限。",
			checks:    []string{"リスナー {listener} の backend のアドレスが名前解決でき、tlsgate から到達できるか確認する。"},
			clientSaw: sawBackendJA,
		},
		CodeBackendTLSFailed: {
			summary: "バックエンド {backend_remote} との TLS ハンドシェイクに失敗: {backend_tls_err}",
			cause: "tlsgate からバックエンドへの TLS ハンドシェイクに失敗した: {backend_tls_err}。" +
				"これはサーバ側の失敗である。" + sidesServerJA + "右側はクライアントではない。",
			checks: []string{
				"バックエンドのポートが TLS を話すか確認する: `openssl s_client -connect {backend} </dev/null`。",
				checkBackendOfferJA,
			},
			clientSaw: sawBackendJA,
		},
		CodeBackendTLSFailed + "/plain_backend": {
			cause: "バックエンドが tlsgate の ClientHello に TLS ではないバイト列で応答した。そのポートは平文で話しており、平文のポートに server-ssl プロファイルを向けるとちょうどこうなる。" +
				sidesServerJA,
			checks: []string{"リスナー {listener} から [listener.server_ssl] を外すか、backend をバックエンドの TLS のポートに向ける。"},
		},
		CodeBackendTLSFailed + "/plain_backend_inspect": {
			cause: "バックエンドが tlsgate の ClientHello に TLS ではないバイト列で応答した。そのポートは平文で話している。" +
				"inspect モードのリスナーは、[listener.server_ssl] テーブルの有無にかかわらず、サーバとは常に TLS で話す。本物のサーバの証明書を写し、その ALPN の選択をクライアントに返すためで、平文のポートは inspect できない。" +
				sidesServerJA,
			checks: []string{
				"リスナー {listener} の backend をサーバの TLS のポートに向ける（80 ではなく 443）。",
				"サービスが平文しか話さないなら、代わりに mode = \"terminate\" で [listener.server_ssl] テーブルのないリスナーを前に置く: クライアントとは TLS、バックエンドとは平文になる。",
			},
		},
		CodeBackendTLSFailed + "/alert": {
			cause: "バックエンドがアラート {backend_alert} で tlsgate のハンドシェイクを拒否した。tlsgate が提示したもの（バージョン、暗号スイート、SNI、あるいは要求されたクライアント証明書）を受け付けていない。" +
				sidesServerJA,
			checks: []string{
				"バックエンドは TLS のアラートで応答したので、そのポートは TLS を話している。何を拒否したかはバックエンド自身のログにある（Go のサーバなら `tls: no cipher suite supported by both client and server`、OpenSSL なら `no shared cipher`）。",
				checkBackendOfferJA,
			},
		},
		CodeBackendTLSFailed + "/version": {
			cause: "バックエンドがアラート {backend_alert} で tlsgate の ClientHello を拒否した。tlsgate のサーバ側レッグが提示するバージョン（TLS 1.2 と 1.3、crypto/tls のクライアント既定値）をどれも受け付けないので、TLS 1.2 より古いバージョン（TLS 1.1、1.0、SSLv3）しか話さない。暗号スイートや証明書までは進んでいない。" +
				sidesServerJA,
			checks: []string{
				"バックエンドのバージョンを確認する: `openssl s_client -connect {backend} -tls1_2 </dev/null` は tlsgate と同じく失敗し、`openssl s_client -connect {backend} -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null`（または `-tls1`）はつながる。",
				"バックエンドで TLS 1.2 か 1.3 を有効にする: tlsgate のサーバ側レッグはそれしか提示せず、[listener.server_ssl] にバージョンの設定はない（TLS 1.0 と 1.1 は非推奨、RFC 8996）。",
			},
		},
		CodeBackendTLSFailed + "/client_cert": {
			cause: "バックエンドが tlsgate にクライアント証明書を要求した（ハンドシェイク中の CertificateRequest。相互 TLS を求めている）が、tlsgate は証明書を送らなかったので、バックエンドはアラート {backend_alert} でこのレッグを拒否した。" +
				"バージョンと暗号スイートは要求の前に決まっているので、原因ではない。" + sidesServerJA,
			checks: []string{
				"リスナー {listener} に、バックエンドが信頼するクライアント証明書を設定する: server_ssl.cert と server_ssl.key（BIG-IP では server-ssl プロファイルの cert と key）。tlsgate は、バックエンドの要求に挙がった CA につながる証明書だけを送る。",
				"バックエンドが受け付ける CA を確認する: `openssl s_client -connect {backend} </dev/null` の `Acceptable client certificate CA names` に並ぶ。",
			},
		},
		CodeBackendTLSFailed + "/alpn": {
			cause: "バックエンドが tlsgate の ClientHello にアラート {backend_alert} で応答した。提示されたアプリケーションプロトコル（ALPN、RFC 7301）をどれも話さない。" +
				"inspect モードのリスナーは、バックエンドの選択をそのままクライアントに返せるよう、クライアント自身の ALPN リストを変えずにサーバ側レッグへ転送する。クライアントが提示したのは {alpn_list} で、バックエンドはそのどれも受け付けない。" +
				"よくある組み合わせは、h2 しか提示しないクライアント（gRPC クライアントなど）と http/1.1 しか話さないバックエンド、またはその逆。バージョン、暗号スイート、証明書が原因ではない。" +
				sidesServerJA,
			checks: []string{
				"バックエンドが何を話すか確認する: `openssl s_client -connect {backend} -alpn {backend_alpn} </dev/null` は tlsgate の試行と同じく `tlsv1 alert no application protocol` で終わる。次にプロトコルを 1 つずつ提示する（`-alpn http/1.1`、`-alpn h2`）と、話せるものでは `ALPN protocol: …` が表示される。",
				"バックエンドが HTTP/1.1 しか話さないなら、クライアントにそれを提示させる: `curl --http1.1 https://{sni_or_host}:{vport}/` なら tlsgate を通る。gRPC クライアントには h2 を話すバックエンドが必要。",
				"あるいはバックエンドの TLS 設定で、クライアントが必要とするプロトコル（HTTP/2）を有効にして、リストが重なるようにする。",
			},
			clientSaw: "{backend_saw}アラートはサーバ側レッグにしか届かないので、クライアントには見えない。同じクライアントがバックエンドに直接つなげば、アラート 120 を自分で受け取る: curl は `curl: (35) … tlsv1 alert no application protocol`、Go は `remote error: tls: no application protocol`。",
		},
		CodeBackendTLSFailed + "/alpn_unoffered": {
			cause: "バックエンドが tlsgate の ClientHello に ALPN のアラート {backend_alert}（RFC 7301）で応答した。tlsgate はサーバ側レッグでアプリケーションプロトコルを何も提示していないので、バックエンドが ALPN を必須にしている（ALPN のないクライアントを拒否する h2 専用や gRPC のサーバ）。" +
				sidesServerJA,
			checks: []string{
				"バックエンドが何を話すか確認する: `openssl s_client -connect {backend} -alpn h2 </dev/null` と `-alpn http/1.1` は、受け付けるものについて `ALPN protocol: …` を表示する。",
				"リスナー {listener} の backend を ALPN なしの TLS を受け付けるポートに向けるか、クライアントの ALPN リストを転送する inspect モードを使う。",
			},
		},
		CodeBackendTLSFailed + "/reset_before_hello": {
			summary: "バックエンド {backend_remote} が接続を受け付けた直後、tlsgate の ClientHello が送られる前に接続を終えた",
			cause: "バックエンド {backend_remote} は tlsgate の TCP 接続を受け付けたが、tlsgate の ClientHello が出る前に、{before_hello_end}すぐに接続を終えた。tlsgate が接続の完了を確認した時点で、接続はもうなくなっていた。" +
				"TLS は何も提示されていないので、バージョン、暗号スイート、SNI、証明書は原因ではない。バックエンドが最初に送ったもの（下のエラーを参照）は、tlsgate から何も読む前に送られている。" +
				"サーバがこうするのは、TLS の提示ではなく接続そのものを拒否するとき: 接続数やワーカー数の上限に達している、停止中や再起動中である、アクセスリストや tcpwrappers のようなフィルタが tlsgate のアドレスを受け付けてからリセットしている、あるいはそのポートが接続をすぐに落とす別のサービスのものである。" +
				sidesServerJA,
			checks: []string{
				"tlsgate のホストからバックエンドに接続する: `openssl s_client -connect {backend} </dev/null`。受け付けてすぐリセットするバックエンドなら、0 バイトを読んだところで `write:errno=104`（クローズの後なら `errno=32`）で失敗する。証明書が返ってくるなら、バックエンドは一時的に接続を拒否していただけ（上限か再起動）。",
				"その時刻のバックエンド自身のログと上限（最大接続数やワーカー数、再起動、tlsgate の送信元アドレス {backend_local_host} に対するアクセス規則）を確認する。拒否の理由は TLS ではなくそこにある。",
				"tlsgate 側でキャプチャする（`tcpdump -ni any host {backend_host} and port {backend_port}`）: SYN、SYN-ACK、ACK の後にバックエンドの RST（数バイトの後か FIN の後）が来て、tlsgate の ClientHello は出ていない。",
			},
		},
		CodeBackendTLSFailed + "/timeout": {
			cause: "バックエンドが時間内に TLS ハンドシェイクを終えなかった。平文で話していてリクエストを待っているか、経路がやり取りを捨てている。" +
				sidesServerJA,
		},
		CodeBackendTLSVerify: {
			summary: "バックエンド {backend_remote} の証明書を拒否: {verify}",
			cause: "tlsgate はバックエンドの証明書を信頼していない: {verify}。" +
				"これはサーバ側の失敗である。" + sidesServerJA,
			checks: []string{
				"バックエンドの証明書を発行した CA を、リスナー {listener} の server_ssl.ca（PEM バンドル。空ならシステムのトラストストア）に入れる。",
				"server_ssl.server_name を、バックエンドの証明書に載っている名前にする。",
				"証明書を確認する: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -issuer -dates`。",
			},
			clientSaw: sawBackendJA,
		},
		CodeBackendTLSVerify + "/expired": {
			cause: "バックエンドの証明書が有効期限切れ（または tlsgate の時計がずれている）: {verify}。" + sidesServerJA,
			checks: []string{
				"バックエンドの証明書の日付を確認する: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -dates`。notAfter を過ぎていれば、バックエンドの証明書を更新する。",
				"日付が正しければ tlsgate の時計を確認する（`date -u`、NTP）。検証には tlsgate の時刻が使われる。",
				"ラボのバックエンドに限り: リスナー {listener} の server_ssl.verify = false にすれば、それでも受け入れる。",
			},
		},
		CodeBackendTLSVerify + "/not_yet_valid": {
			cause: "バックエンドの証明書の有効期間がまだ始まっていない（またはどこかの時計がずれている）: {verify}。" + sidesServerJA,
			checks: []string{
				"tlsgate の時計を確認する（`date -u`、NTP）。時計が証明書の notBefore より遅れていると、ちょうどこうなる。",
				"バックエンドの証明書の日付を確認する: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -dates`。時計が進んでいるホストで発行した証明書は、開始日時が未来になる。",
			},
		},
		CodeBackendTLSVerify + "/unknown_authority": {
			cause: "バックエンドの証明書の発行者が不明: その CA が server_ssl.ca（空ならシステムのトラストストア）にないか、バックエンドが中間証明書を送っていない。" + sidesServerJA,
			checks: []string{
				"バックエンドの証明書を発行した CA を、リスナー {listener} の server_ssl.ca（PEM バンドル。空ならシステムのトラストストア）に入れる。",
				"バックエンドが名乗る発行者と、中間証明書を送っているかを確認する: `openssl s_client -connect {backend} -showcerts </dev/null`（`Certificate chain` に証明書が 1 枚だけで発行者が中間 CA なら、バックエンドに中間証明書を足す）。",
			},
		},
		CodeBackendTLSVerify + "/hostname_nosni": {
			cause: "クライアントが SNI を送らず（名前ではなくアドレスに接続した）、server_ssl.server_name も設定されていないので、tlsgate はバックエンドの証明書をバックエンド自身のアドレス {verify_name} に対して検証したが、証明書はそれを含んでいない: {verify}。" +
				"証明書自体は、それが対象とする名前については正しいかもしれない。そのどれかを SNI で送るクライアントは通る。" + sidesServerJA,
			checks: []string{
				"バックエンドの証明書が持つ名前を確認する: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -ext subjectAltName`。",
				"クライアントにそのどれかの名前で接続させ、SNI として送らせる（curl なら `--resolve NAME:{vport}:ADDRESS https://NAME:{vport}/`）。アドレスに接続するクライアントは SNI を送らない。",
				"あるいはリスナー {listener} の server_ssl.server_name をそのどれかにする: tlsgate はどのクライアントにも、送られた SNI にかかわらずその名前を送って検証する。",
			},
		},
		CodeBackendTLSVerify + "/hostname": {
			cause: "バックエンドの証明書に、tlsgate が検証する名前が載っていない（ホスト名の不一致）: {verify}。" + sidesServerJA,
			checks: []string{
				"リスナー {listener} の server_ssl.server_name を、バックエンドの証明書に載っている名前にする（空ならクライアントの SNI、なければバックエンドのホスト名が使われる）。",
				"証明書に載っている名前を一覧する: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -ext subjectAltName`。",
				"またはバックエンドの証明書を、tlsgate が使う名前で発行し直す。",
			},
		},

		CodeMaxConnections: {
			summary: "リスナー {listener} が max_connections に達したため {client} を拒否",
			cause:   "リスナー {listener} が max_connections の上限に達していたので、新しい接続は何も読まずに拒否された。",
			checks: []string{
				"リスナー {listener} の max_connections を上げるか、接続を開いたままにしている相手（アイドルのクライアント、負荷試験）を探す。",
			},
			clientSaw: "TCP ハンドシェイク完了直後に何も読まれずにリセット（RST）される。curl はよく `(7) Failed to connect to … Couldn't connect to server` と表示し、ポートが閉じているように見えるが実際は開いている（接続は受け付けられた）。それ以外では `(35) Send failure: Connection reset by peer` / `(35) Recv failure: Connection reset by peer`（http:// なら `(56)`）。openssl s_client は `CONNECTED(…)` の後に `write:errno=104`、Go は `dial tcp …: connect: connection reset by peer` を表示する。",
		},
	}
}
