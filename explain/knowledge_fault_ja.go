package explain

import "strings"

// Japanese checks shared by the fault_injected variants; they mirror
// checkFaultOff, checkCapture, checkRSTTTL, checkSNI, checkSteps,
// checkStacks, checkCurlV and checkMsg.
const (
	checkFaultOffJA     = "これは意図的に壊したもの。`tlsgate fault ls{admin_opt}` でルール {fault_rule} と発動回数が見える。`tlsgate fault disable{admin_opt} {fault_rule}`（または `tlsgate fault rm{admin_opt} {fault_rule}`）で、以降の新しい接続には効かなくなる。"
	checkCaptureJA      = "疑わしい装置の両側で同時にキャプチャする（`tcpdump -ni any -w side.pcap host {client_ip} and port {vport}` をクライアント側とサーバ側でそれぞれ実行）。サーバが送っていないパケットや、サーバに届いていない ClientHello があれば、間の装置が作ったか飲み込んだもの。"
	checkRSTTTLJA       = "クライアント側のキャプチャで、RST の IP TTL（と IP ID）をサーバ自身のパケットと比べる。注入された RST はより少ないホップ数の場所から来るので、たいてい TTL が違う。"
	checkSNIJA          = "SNI あり・なしで比べる: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null` と `openssl s_client -connect {virtual} -noservername </dev/null`、さらに別の名前で `curl -v --cacert {lab_ca} --resolve other.example:{vport}:{virtual_host} https://other.example:{vport}/`。その名前のときだけ失敗するなら、SNI でフィルタしている装置がある。"
	checkSNIHangJA      = "SNI あり・なしで比べる。応答のない ClientHello はいつまでも待つので、どれも時間を区切る: `timeout 10 openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null` と `timeout 10 openssl s_client -connect {virtual} -noservername </dev/null`（終了コード 124 は 10 秒応答なし）、さらに別の名前で `curl -v --max-time 10 --cacert {lab_ca} --resolve other.example:{vport}:{virtual_host} https://other.example:{vport}/`。その名前のときだけ失敗するなら、SNI でフィルタしている装置がある。"
	checkStepsJA        = "クライアント側から段階を追って確かめる: `tlsgate probe {virtual} --sni {sni_or_host}` は TCP 接続、ClientHello への応答、バージョン、暗号スイート、SNI、証明書チェーン、大きな ClientHello、止まるフライトを順に試し、最初に失敗した段階を示す。手でやるなら `nc -vz {virtual_host} {vport}` の後、SNI なし、SNI あり、小さい ClientHello（curl に `--curves X25519`）の順に試す。"
	checkStacksJA       = "同じ名前に別の TLS スタック（curl、Go のクライアント、Python）で接続してみる。一部のスタックだけが失敗するなら、JA3/JA4 のフィンガープリントでブロックされている。"
	checkCapturePlainJA = "疑わしい装置の両側で同時にキャプチャする（`tcpdump -ni any -w side.pcap host {client_ip} and port {vport}` をクライアント側とサーバ側でそれぞれ実行）。サーバが送っていないパケットや、サーバに届いていないリクエストがあれば、間の装置が作ったか飲み込んだもの。"
	checkCurlPlainJA    = "`curl -v http://{virtual_host}:{vport}/` を実行する。エラー直前の行で、どこまで進んだか（接続したか、リクエストを送ったか、何も返ってこなかったか）が分かる。"
	checkCaptureAnyJA   = "疑わしい装置の両側で同時にキャプチャする（`tcpdump -ni any -w side.pcap host {client_ip} and port {vport}` をクライアント側とサーバ側でそれぞれ実行）。サーバが送っていないパケットや、サーバに届いていない ClientHello やリクエストがあれば、間の装置が作ったか飲み込んだもの。"
	checkCurlAnyJA      = "クライアントと同じスキームで再現する: TLS なら `curl -v --cacert {lab_ca} {curl_target}`、平文 HTTP なら `curl -v http://{virtual_host}:{vport}/`。エラー直前の行で、どこまで進んだかが分かる。"
	checkCurlVJA        = "`curl -v --cacert {lab_ca} {curl_target}` を実行する。エラー直前の行で、ハンドシェイクがどこまで進んだかが分かる。"
	checkMsgJA          = "ハンドシェイクをレコード単位で見る: `openssl s_client -connect {virtual} -servername {sni_or_host} -msg </dev/null` は、メッセージとアラートを方向付きで 1 つずつ表示する。"
)

// Japanese client-symptom texts of the fault_injected variants; they
// mirror the sawFault* constants and sawAlert40.
const (
	sawFaultResetAcceptJA      = "クライアントが何も送る前に接続がリセットされる。ネットワーク越しなら curl は `curl: (35) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`。RST がクライアントの connect() や ClientHello より先に届く場合（ループバックや LAN）は、curl は `curl: (7) Failed to connect to … Couldn't connect to server` または `curl: (35) Send failure: Connection reset by peer`、Go は `dial … connect: connection reset by peer` または `write: connection reset by peer`。openssl s_client は `write:errno=104`、Python は `ConnectionResetError: [Errno 104] Connection reset by peer`、Chrome は ERR_CONNECTION_RESET。"
	sawFaultResetHSJA          = "ハンドシェイク中に接続がリセットされる。curl は `curl: (35) Recv failure: Connection reset by peer`、openssl s_client は `write:errno=104`、Go は `read: connection reset by peer`、Python は `ConnectionResetError: [Errno 104] Connection reset by peer`、Chrome は ERR_CONNECTION_RESET。"
	sawFaultResetDataJA        = "ハンドシェイクの後で接続がリセットされる。curl は `curl: (56) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET。"
	sawFaultEOFHSJA            = "ハンドシェイク中に接続が閉じられる（EOF）。curl は `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`、openssl s_client は `unexpected eof while reading`、Go は `EOF`、Python は `SSLEOFError: … EOF occurred in violation of protocol`、Chrome は ERR_CONNECTION_CLOSED。"
	sawFaultResetPlainJA       = "接続がリセットされる。curl は `curl: (56) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET。"
	sawFaultTimeoutPlainJA     = "応答が来ない。curl は `curl: (28) Operation timed out after … milliseconds with 0 bytes received`、Go は `context deadline exceeded` か `i/o timeout`、Chrome は ERR_TIMED_OUT。"
	sawFaultResetAcceptPlainJA = "応答が返る前に接続がリセットされる。curl は `curl: (56) Recv failure: Connection reset by peer`、リセットが curl の接続完了より先に届けば `curl: (7) Failed to connect to … Couldn't connect to server`、Go は `connection reset by peer`、Chrome は ERR_CONNECTION_RESET。"
	sawFaultEOFAcceptPlainJA   = "応答が返る前に接続が閉じられる。curl は `curl: (52) Empty reply from server`、リクエストがすでに閉じたソケットに届けば `curl: (56) Recv failure: Connection reset by peer`、Go は `EOF`、Chrome は ERR_EMPTY_RESPONSE。"
	sawFaultEOFDataJA          = "応答が返る前に接続が閉じられる。curl は `curl: (52) Empty reply from server`、Go は `EOF`（net/http は冪等なリクエストを 1 回だけ再送してから報告する）、Chrome は ERR_EMPTY_RESPONSE。"
	sawFaultPlainJA            = "wrong version number になる。curl は `curl: (35) … error:0A00010B:SSL routines::wrong version number`、Go は `tls: first record does not look like a TLS handshake`（net/http なら `http: server gave HTTP response to HTTPS client`）、Python は `[SSL: WRONG_VERSION_NUMBER] wrong version number`、Firefox は SSL_ERROR_RX_RECORD_TOO_LONG、Chrome は ERR_SSL_PROTOCOL_ERROR。"
	sawFaultSSL3JA             = "curl は `curl: (35) … error:0A000102:SSL routines::unsupported protocol`、Go は `tls: server selected unsupported protocol version 300`、Java は `The server selected protocol version SSL30 is not accepted by client preferences [TLS13, TLS12]`、Chrome は ERR_SSL_VERSION_OR_CIPHER_MISMATCH。"
	sawFaultUnofferedJA        = "curl は `curl: (35) … error:0A0000F8:SSL routines::unknown cipher returned`、Go は `tls: server chose an unconfigured cipher suite`、Java は `Server selected improper ciphersuite …`、Chrome は ERR_SSL_PROTOCOL_ERROR。"
	sawFaultLargeJA            = "ClientHello が複数のセグメントにまたがるクライアント（ポスト量子の key share を送る Go 1.24 以降、Chrome 124 以降）だけが失敗する。リセット（`curl: (35) Recv failure: Connection reset by peer`、Chrome は ERR_CONNECTION_RESET）かタイムアウトになり、ClientHello が小さいクライアントは接続できる。"
	sawFaultIntoleranceJA      = "許容されるより新しいバージョンを提示するクライアントだけが失敗する（TLS 1.2 までの装置に対し、curl、openssl、Go、ブラウザが既定で提示する TLS 1.3）。リセット（`curl: (35) Recv failure: Connection reset by peer`、openssl s_client は `write:errno=104`、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET）か EOF（`curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`、openssl s_client は `unexpected eof while reading`、Go は `EOF`、Chrome は ERR_CONNECTION_CLOSED）になり、上限を許容されるバージョンに下げた同じクライアント（`curl --tls-max 1.2`、`openssl s_client -tls1_2`）は接続できる。"
	sawFaultClearAlertJA       = "アラートではなく、レコード層のエラーになる。Go は `local error: tls: bad record MAC`、curl は TLS 1.3 なら `curl: (56) OpenSSL SSL_read: … bad record type`（TLS 1.2 の AES-GCM なら `… invalid aad`）、openssl s_client も読み込み時に同じエラーを出す。ハンドシェイク自体は成功している。"
	sawAlert40JA               = "tlsgate はアラート 40 handshake_failure を返す。curl は `curl: (35) … sslv3 alert handshake failure`、Go は `remote error: tls: handshake failure`、Java は `Received fatal alert: handshake_failure`、Chrome は ERR_SSL_VERSION_OR_CIPHER_MISMATCH を表示する。"
)

// faultKnowledgeJA is faultKnowledge in Japanese.
func faultKnowledgeJA() map[string]entry {
	m := map[string]entry{
		CodeFaultInjected: {
			summary:   "ルール {fault_rule} による注入: {fault_stage}に{fault_what}",
			cause:     "実際のネットワークなら、経路上の装置（ファイアウォール、IPS、WAF、ロードバランサ）が{fault_stage}に接続を切ったように見える。",
			tail:      "今回はルール {fault_rule}（{fault_stage_name} で {fault_action}{fault_draw}）による注入で、経路上では何も壊れていない。tlsgate が意図的にやったもの。{fault_bigip}{fault_reply}{fault_others}",
			checks:    []string{checkCaptureJA, checkStepsJA, checkCurlVJA, checkFaultOffJA},
			clientSaw: "経路上の装置が{fault_stage}に接続を切ったときにクライアントが出すもの（リセット、EOF、タイムアウト、アラートのいずれか）。",
		},

		CodeFaultInjected + "/reset_accept": {
			cause: "実際のネットワークで、TCP ハンドシェイク直後、クライアントが 1 バイトも送る前にリセットされるのは、接続を受け付けた後に TCP RST で拒否するファイアウォール（プロキシの背後の iptables `REJECT --reject-with tcp-reset`）、接続数やレートの上限を超えたロードバランサやプロキシ、バックエンドがダウンしている L4 プロキシのいずれか。TCP ハンドシェイクは成功しているので、ネットワーク越しのクライアントには `connection refused` ではなくリセットに見える。ただし RST がクライアントの connect() や ClientHello より先に届くと（ループバックや LAN）、curl は閉じたポートと同じ言葉で接続失敗と報告し（`curl: (7) Failed to connect … Couldn't connect to server`）、Go は `dial … connect: connection reset by peer` となる。",
			checks: []string{checkCaptureJA, checkRSTTTLJA,
				"{virtual} の前段にあるファイアウォールやロードバランサで、{client_ip} に対する接続数の上限、レート制限、クライアントごとのポリシーを確認する。",
				checkFaultOffJA},
			clientSaw: sawFaultResetAcceptJA,
		},
		CodeFaultInjected + "/reset_client_hello": {
			cause:     "実際のネットワークで、ClientHello の直後に RST が来るのは、SNI やフィンガープリントによるブロックの典型的な形。WAF、IPS、次世代ファイアウォール、ISP のフィルタが最初のパケットの server_name（SNI {sni}）や JA3/JA4 を読み、RST で接続を落とす（両端に送ることも多い）。サーバには ClientHello が届いていない。",
			checks:    []string{checkCaptureJA, checkRSTTTLJA, checkSNIJA, checkStacksJA, checkFaultOffJA},
			clientSaw: sawFaultResetHSJA,
		},
		CodeFaultInjected + "/reset_handshake_done": {
			cause: "実際のネットワークで、ハンドシェイク完了直後にリセットされるのは、さらに中身を見てから判断した装置によるもの。証明書や最初のリクエストを確認した TLS 検査型のファイアウォールや IPS、プールに生きているメンバーが残っていないロードバランサ、接続を中断したサーバのプロセスなど。",
			checks: []string{checkCaptureJA, checkRSTTTLJA,
				"リクエストを送ってどこで止まるかを見る。リセットが届いた時点で curl は `curl: (56) Recv failure: Connection reset by peer` を出す。-v を付ければ、その前に完了したハンドシェイクも表示される。",
				"{virtual} の前段にある装置の検査設定とプールの状態を確認する。",
				checkFaultOffJA},
			clientSaw: sawFaultResetDataJA,
		},

		CodeFaultInjected + "/reset_plain": {
			cause: "実際のネットワークで、平文の接続が{fault_stage}にリセットされるのは、平文で読んだ内容で判断した装置によるもの。リクエスト（URL、ヘッダ、ボディ）やレスポンスに一致した WAF や IPS、プールに生きているメンバーが残っていないプロキシやロードバランサ、接続を中断したサーバのプロセスなど。",
			checks: []string{checkCapturePlainJA, checkRSTTTLJA,
				"リクエストを送ってどこで止まるかを見る。`curl -v http://{virtual_host}:{vport}/` は送ったリクエストを表示し（-v の出力）、リセットが届いた時点で `curl: (56) Recv failure: Connection reset by peer` を出す。",
				"{virtual} の前段にある装置の WAF や IPS のポリシーとプールの状態を確認する。",
				checkFaultOffJA},
			clientSaw: sawFaultResetPlainJA,
		},
		CodeFaultInjected + "/close_plain": {
			cause: "実際のネットワークで、平文の接続が{fault_stage}に閉じられるのは、プールに届かないプロキシやロードバランサ、リクエストを FIN で落とす WAF、すぐに閉じるサーバのいずれか。",
			checks: []string{checkCapturePlainJA,
				"{virtual} の前段にあるプロキシやロードバランサのプールメンバーとログを確認する。",
				"リクエストを送ってどこで止まるかを見る。`curl -v http://{virtual_host}:{vport}/` は送ったリクエストを表示し（-v の出力）、先に切断が届けば `curl: (52) Empty reply from server` を出す。",
				checkFaultOffJA},
			clientSaw: sawFaultEOFDataJA,
		},
		CodeFaultInjected + "/blackhole_plain": {
			cause: "実際のネットワークで、平文のやり取りが{fault_stage}に途絶えるのは、リクエストを読んだうえでフローを捨てるステートフルなファイアウォールや IPS、途中での NAT の状態消失、大きなパケットだけを失う経路（PMTUD ブラックホール）のいずれか。",
			checks: []string{checkCapturePlainJA,
				"経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}`。これが失敗して小さいサイズなら通る場合は、MSS をクランプするかトンネルの MTU を直す。",
				"時間を測る: `curl -v --max-time 10 http://{virtual_host}:{vport}/` はリクエストを表示し、来ない応答を待ち続ける。",
				checkFaultOffJA},
			clientSaw: sawFaultTimeoutPlainJA,
		},

		CodeFaultInjected + "/close_accept": {
			cause: "実際のネットワークで、1 バイトも来ないうちに受け付けて閉じるのは、接続は受け付けたがバックエンドに届かなかった L4 プロキシやロードバランサ（Toxiproxy の issue 265 の `curl: (52) Empty reply from server`）、接続数の上限に達したサーバ、リセットではなく閉じるポリシーのいずれか。",
			checks: []string{checkCaptureJA,
				"{virtual} の前段のプロキシやロードバランサについて、バックエンドのヘルス状態と接続数の上限を確認する。",
				checkCurlVJA, checkFaultOffJA},
			clientSaw: sawFaultEOFHSJA,
		},
		CodeFaultInjected + "/close_client_hello": {
			cause:     "実際のネットワークで、ClientHello の直後に FIN が来るのは、扱っていない名前（SNI {sni}）だと閉じるサーバやロードバランサ、ClientHello の中身（TLS 1.3、未知の拡張、サイズ）を受け付けない中継装置、上流への接続に失敗した TLS プロキシのいずれか。",
			checks:    []string{checkCaptureJA, checkSNIJA, checkStepsJA, checkFaultOffJA},
			clientSaw: sawFaultEOFHSJA,
		},
		CodeFaultInjected + "/close_handshake_done": {
			cause: "実際のネットワークで、ハンドシェイク完了直後に閉じられるのは、TLS を終端した後でプールに届かないプロキシやロードバランサ、ハンドシェイク後の認可チェック、アイドルの接続をすぐに閉じるサーバのいずれか。",
			checks: []string{checkCaptureJA,
				"{sni_or_host} の TLS を終端しているプロキシやロードバランサのプールメンバーとログを確認する。",
				checkCurlVJA, checkFaultOffJA},
			clientSaw: sawFaultEOFDataJA,
		},

		CodeFaultInjected + "/blackhole_accept": {
			cause: "実際のネットワークで、TCP ハンドシェイク完了後にパケットが消えるのは、SYN は通したがデータを捨てるステートフルファイアウォール（非対称ルーティング、フェイルオーバー後の状態消失）、破棄モードの IPS、大きなパケットを失う経路のいずれか。",
			checks: []string{checkCaptureJA,
				"{client_ip} と {virtual_host} の間のルーティングを往復とも確認する。要求と違う経路を通る応答は、ステートフルファイアウォールを通らない。",
				"経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}` が通るはず。",
				checkFaultOffJA},
			clientSaw: sawTimeoutJA,
		},
		CodeFaultInjected + "/blackhole_client_hello": {
			cause:     "実際のネットワークで、ClientHello にまったく応答がないのは、それを黙って捨てる IPS や DPI 装置（Great Firewall は捨てたうえで、その 3 タプルを数分間ブロックする）、SNI（{sni}）に一致するとリセットではなく破棄するファイアウォールのポリシー、サーバまでの経路での大きな ClientHello や MTU の問題のいずれか。",
			checks:    []string{checkCaptureJA, checkSNIHangJA, checkStepsJA, checkStacksJA, checkFaultOffJA},
			clientSaw: sawTimeoutJA,
		},
		CodeFaultInjected + "/blackhole_handshake_done": {
			cause: "実際のネットワークで、ハンドシェイク完了直後にデータが流れなくなるのは、復号したストリームを検査して捨てる DLP や IPS の装置、最初のフルサイズのパケットを飲み込む PMTUD ブラックホール、途中での NAT の状態消失のいずれか。",
			checks: []string{checkCaptureJA,
				"経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}`。これが失敗して小さいサイズなら通る場合は、MSS をクランプするかトンネルの MTU を直す。",
				checkCurlVJA, checkFaultOffJA},
			clientSaw: sawTimeoutJA,
		},

		CodeFaultInjected + "/alert": {
			cause:     "実際のネットワークで、{fault_stage}に致命的なアラートが来るのは、リセットではなく TLS で拒否するロードバランサ、WAF、ポリシーエンジンによるもの。ポリシーエンジンは 40 handshake_failure か 49 access_denied を、SNI に厳格なサーバは 112 unrecognized_name を送る。今回送られたのは{fault_alert_sent}。Chrome はサーバからのアラート 42〜46、48、49、116 を ERR_BAD_SSL_CLIENT_AUTH_CERT と表示するので、WAF が送った場合でもクライアント証明書のせいに見える。",
			checks:    []string{checkMsgJA, checkCaptureJA, checkSNIJA, checkStacksJA, checkFaultOffJA},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/alert_in_clear": {
			cause: "実際のネットワークで、{fault_stage}に、すでに暗号化されたセッションの中へ平文のアラートが届くのは、TLS の終端ではない経路上の装置が書いたもの。判定（最初のリクエスト、レスポンス、ポリシー）に基づいてセッションを切るファイアウォール、IPS、検査装置か、接続を見失ったロードバランサである。セッション鍵を持たないのでアラートを暗号化できず、クライアントは平文のレコードを偽造とみなして、アラートではなくレコード層のエラーを報告する。今回送ったのは{fault_alert_sent}。",
			checks: []string{checkCaptureJA,
				"クライアント側のキャプチャで、ハンドシェイク後の本体 2 バイトの TLS アラートレコードを探す: `tshark -r side.pcap -Y 'tls.record.content_type == 21 && tls.record.length == 2'`。本物の終端がハンドシェイク後に送るアラートは暗号化されていてもっと長い。平文のものは間の装置が書いたもので、その IP TTL はたいていサーバのパケットと違う。",
				checkCurlVJA, checkFaultOffJA},
			clientSaw: sawFaultClearAlertJA,
		},
		CodeFaultInjected + "/alert_idle": {
			cause: "実際のネットワークで、しばらく無通信だった後に平文のアラートが届くのは、経路上のロードバランサ、プロキシ、ファイアウォールのアイドルタイマーがキープアライブ接続を閉じ（BIG-IP の TCP プロファイルの既定は 300 秒、クラウドのロードバランサは 60 秒が多い）、セッションの外から自前のアラートで切ったもの。その装置はセッション鍵を持たないので、クライアントはアラートを読めず、次の読み込み（たいていはプールした接続の再利用時）でレコード層のエラーを報告する。今回送ったのは{fault_alert_sent}。",
			checks: []string{
				"失敗した接続がどれだけアイドルだったかを、経路上のすべての装置のアイドルタイムアウトと比べる。クライアント側のアイドル上限を最も短いものより短くする（Go の `http.Transport.IdleConnTimeout`、コネクションプールの最大アイドル時間）か、キープアライブをもっと頻繁に送る。",
				"クライアント側のキャプチャでは、アラートはどちら向きにもパケットのない間隔の後に来る、本体 2 バイトの平文 TLS レコードになる: `tshark -r side.pcap -Y 'tls.record.content_type == 21 && tls.record.length == 2'`。",
				checkCaptureJA, checkFaultOffJA},
			clientSaw: sawFaultClearAlertJA,
		},
		CodeFaultInjected + "/sni_policy": {
			cause: "実際のネットワークなら、SNI に厳格なポリシーにあたる。ClientHello の名前（SNI {sni}）を扱っていない、あるいは名前が来なかったサーバやロードバランサ（sni-require を設定した BIG-IP、ssl_reject_handshake の nginx、CDN のエッジ）が、デフォルトの証明書を返す代わりに{fault_alert_sent}で応答する。IP アドレスを直接指定して接続すると（https://{virtual_host}/）クライアントは SNI を送らない。",
			checks: []string{checkSNIJA,
				"IP ではなく、サーバが期待する名前で接続する: `curl --resolve name:{vport}:{virtual_host} https://name:{vport}/`。",
				checkMsgJA, checkFaultOffJA},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/alpn_refuse": {
			cause: "実際のネットワークなら、ALPN の拒否にあたる。クライアントが提示したプロトコル（{alpn_list}）をどれも扱えないサーバやプロキシが{fault_alert_sent}で応答する。たとえば HTTP/1.1 しか話さないクライアントが h2 専用の gRPC エンドポイントに来た場合や、h2 を拒否するプロキシ。",
			checks: []string{
				"プロトコルを 1 つずつ試す: `curl -v --http1.1 …` と `curl -v --http2 …`、または `openssl s_client -connect {virtual} -alpn h2 </dev/null` と `-alpn http/1.1`。",
				checkMsgJA, checkFaultOffJA},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/plaintext_reply": {
			cause: "実際のネットワークで、ServerHello が来るべきところに平文の HTTP 応答が来るのは、キャプティブポータル（ホテルや空港の Wi-Fi は 443 番への接続すべてにログインページを返す）、明示プロキシのエラーページ、平文のポートに振り向けられたリスナーのいずれか。クライアントは `HTTP/1.1 …` を TLS のレコードヘッダとして読み、wrong version number を報告する。",
			checks: []string{
				"ページそのものを読む: `curl -v http://{virtual_host}:{vport}/` でポータルやエラーページが平文で見える。",
				"クライアントのネットワークにキャプティブポータルやプロキシがないか確認する（ブラウザにログインページが出る、neverssl.com のような平文 HTTP のサイトがそこへリダイレクトされる）。",
				checkCaptureJA, checkFaultOffJA},
			clientSaw: sawFaultPlainJA,
		},
		CodeFaultInjected + "/ssl3_server_hello": {
			cause: "実際のネットワークで SSLv3 の ServerHello が返ってくるのは、それより新しいものを話さないレガシーなサーバやアプライアンス（古い組み込み機器、プリンタ、管理コントローラ、年代物のロードバランサ）。今のクライアントはすべて SSLv3 を拒否し（POODLE）、アラート 70 protocol_version で応答する。",
			checks: []string{checkMsgJA,
				"サーバが話せるものを一覧する: `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`。",
				"機器のファームウェアを更新するか、前段に TLS を終端する装置を置く。",
				checkFaultOffJA},
			clientSaw: sawFaultSSL3JA,
		},
		CodeFaultInjected + "/unoffered_cipher": {
			cause: "実際のネットワークで、クライアントが提示していない暗号スイートの ServerHello が来るのは、ClientHello に関係なく 1 つのスイート（RC4-MD5、輸出グレードのスイート）を強制する、バグや設定ミスのある TLS スタックか、ServerHello を書き換える中継装置。クライアントは中断し、OpenSSL と Java はアラート 47 illegal_parameter、Go は 40 handshake_failure を送る。",
			checks: []string{checkMsgJA,
				"ServerHello のスイートを、クライアントの提示（下の「提示された暗号スイート」）と比べる。",
				"ハンドシェイクを書き換える装置がないか確認する。両側でキャプチャして ServerHello のバイト列を比べる。",
				checkFaultOffJA},
			clientSaw: sawFaultUnofferedJA,
		},
		CodeFaultInjected + "/large_hello": {
			cause: "実際のネットワークなら、大きな ClientHello を扱えない中継装置にあたる。ClientHello の最初のセグメントしか解析しないファイアウォールや IPS で、ポスト量子の ClientHello（X25519MLKEM768 の key share で約 1.6 KB になる）は TCP セグメント 2 つにまたがるので、装置は SNI を見失って接続をリセットするか捨てる。失敗するのは新しいクライアント（Go 1.24 以降、Chrome 124 以降）だけで、古いクライアントは通る。今回の ClientHello は {hello_size}。",
			checks: []string{
				"小さい ClientHello で再試行する: `curl --curves X25519 …`、または CurvePreferences = X25519 にした Go のクライアント。これで通るなら、ClientHello のサイズが引き金。",
				"キャプチャでは、ClientHello が 2 つのセグメントにまたがり、1 つ目の直後にリセットか無応答が続く。",
				"中継装置を更新するか、この通信について TLS 検査を無効にする。",
				checkFaultOffJA},
			clientSaw: sawFaultLargeJA,
		},

		CodeFaultInjected + "/version_intolerance": {
			cause: "実際のネットワークなら、TLS のバージョン不耐性（version intolerance）にあたる。知っているより新しいバージョン、今回は {fault_tolerated} より上のもの（クライアントが提示したのは {fault_refused_versions}）を提示した ClientHello を扱えないファイアウォール、IPS、ロードバランサや古いサーバの TLS スタックが、規格どおり自分の最高バージョンで応答せず、アラートも送らずに接続を切断またはリセットする。かつて古い装置は TLS 1.1 や 1.2 でこれを起こした。TLS 1.3 が ClientHello の legacy_version を 1.2 のままにし、supported_versions 拡張の中でだけ名乗るのはこのためで、その拡張を読んでなお詰まる装置は 1.3 を提示するクライアントだけを壊す。クライアントが受け取ったのは {fault_closed} で、ServerHello もアラートも来なかった。",
			checks: []string{
				"上限を {fault_tolerated} に下げて再試行する: `curl -v --tls-max {fault_tls_max} --cacert {lab_ca} {curl_target}` と `openssl s_client -connect {virtual} -servername {sni_or_host} {fault_openssl_tls} </dev/null`。上限を下げたクライアントがつながり、既定のクライアントが失敗するなら、提示したバージョンが引き金。{fault_old_cap}",
				"キャプチャでは、ClientHello（{fault_refused_versions} を supported_versions で、その拡張のないクライアントなら legacy_version で提示している）に FIN か RST が返り、ServerHello もアラートもない。そのバージョンを持たないだけのサーバなら、自分の最高バージョンで応答するか、アラート 70 protocol_version を返す。",
				"装置のファームウェアを更新するか、この通信について TLS 検査を無効にする。クライアントの上限を {fault_tolerated} に下げるのは一時しのぎにすぎない。",
				checkFaultOffJA},
			clientSaw: sawFaultIntoleranceJA,
		},

		CodeFaultInjected + "/tls_policy": {
			cause: "実際のネットワークなら、クライアントの提示を拒否するサーバやロードバランサのプロファイルが、ClientHello の直後に{fault_alert_sent}で応答する。",
			checks: []string{checkMsgJA,
				"クライアントが提示したバージョンとスイート（下記）を、サーバが受け付けるものと比べる: `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`。",
				checkFaultOffJA},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/tls_policy_version": {
			cause: "実際のネットワークなら、クライアントが提示したバージョン（{offered_versions}）をどれも受け付けないプロファイルを持つサーバやロードバランサにあたる。TLS 1.2 を外したハードニング済みのプロファイルや、TLS 1.3 のないレガシーなプロファイルなど。アラート 70 protocol_version で応答し、BIG-IP なら `unsupported version` として記録する（上の行）。",
			checks: []string{
				"サーバが受け付けるものを確認する: `openssl s_client -connect {virtual} -tls1_2 </dev/null` と `-tls1_3`、または `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`。",
				"クライアントのバージョンをサーバのプロファイルに合わせる（BIG-IP では client-ssl プロファイルの no-tlsv1… オプション）。",
				checkFaultOffJA},
			clientSaw: sawAlert70JA,
		},
		CodeFaultInjected + "/tls_policy_cipher_cap": {
			cause: "実際のネットワークなら、TLS 1.2 の暗号スイートだけに絞り TLS 1.3 を無効にしたサーバやロードバランサ（FIPS のみ、ハードニング済みなど）に、{offered_versions} しか提示しないクライアントが来たケースにあたる。アラート 70 protocol_version で応答し、BIG-IP なら `unsupported version` として記録する（上の行）。今回はフォールトルール {ceiling_cipher_rule} が TLS 1.2 のスイート（{ceiling_ciphers}）しか許さず、その副作用でバージョンの上限が TLS 1.2 になった。crypto/tls は TLS 1.3 のスイートを絞れない。",
			checks: []string{
				"フォールトルール {ceiling_cipher_rule} を変える: その ciphers（{ceiling_ciphers}）が TLS 1.3 を止めており、max_version では外せない。ciphers をルールから外すか、TLS 1.2 までしか提示しないクライアントだけに絞る（セレクタ max_offered_version を \"1.2\" に）か、クライアントに TLS 1.2 を提示させる。",
				checkFaultOffJA},
			clientSaw: sawAlert70JA,
		},
		CodeFaultInjected + "/truncate": {
			cause: "実際のネットワークで、{fault_stage}にストリームが途中で切れるのは、フローを途中で打ち切る装置による。判定（DLP、ファイルサイズや内容のルール）で転送を止めるプロキシや IPS、レスポンスの途中でフェイルオーバーするロードバランサ、書き込み中に落ちたサーバなど。クライアントが受け取ったのは {down_reached} で、その後は {fault_then}。",
			checks: []string{checkCaptureJA,
				"どこで止まるかを見る: `curl -v -o /dev/null --cacert {lab_ca} {curl_target}…` の -v の出力に `< Content-Length:` ヘッダが出て、最後のエラーで足りなかったバイト数が分かる（平文 HTTP なら `curl: (18) transfer closed with N bytes remaining to read`）。毎回同じ位置で切れるならバイト数の上限かサイズのルール、ばらつくなら判定かフェイルオーバー。",
				checkFaultOffJA},
			clientSaw: "ボディが途中で切れると curl は `curl: (18) transfer closed with N bytes remaining to read`（レスポンスが何も来なければ `(52) Empty reply from server`、閉じずに止められたなら `(28)`）、Go は `unexpected EOF`、Chrome は ERR_CONTENT_LENGTH_MISMATCH。",
		},
		CodeFaultInjected + "/limit_data": {
			cause: "実際のネットワークで、{fault_stage}に決まったバイト数で接続が閉じられるのは、バイト数の上限を持つプロキシや中継装置による。通信量の上限や DLP の装置、プロキシのレスポンスサイズ制限、キャプティブポータルの無料枠など。クライアントが受け取ったのは {down_reached} で、その後は両方向とも閉じられた。",
			checks: []string{checkCaptureJA,
				"切れる位置より大きいものと小さいものを取得する（`curl -v -o /dev/null …/small` と `…/large`）。小さいものは通り、大きいものが毎回同じバイト数で終わるなら上限。",
				checkFaultOffJA},
			clientSaw: "curl は `curl: (18) transfer closed with N bytes remaining to read`（レスポンスの前に上限に達したなら `(52) Empty reply from server`）、Go は `unexpected EOF`、Chrome は ERR_CONTENT_LENGTH_MISMATCH。",
		},
		CodeFaultInjected + "/timeout": {
			cause: "実際のネットワークで、{fault_stage}に通信が消え、しばらくして（あるいはずっと）接続が閉じられないのは、フローを保持したまま諦める装置による。上流がタイムアウトしたプロキシ、検査のためにフローを止める IPS、ロードバランサの応答タイマーなど。クライアントが受け取ったのは {down_reached}。",
			checks: []string{checkCaptureJA,
				"時間を測る: 毎回同じ無通信時間の後に閉じられるなら（`time curl …`）装置のタイマー。経路上のプロキシやロードバランサのタイムアウトと比べる。",
				checkFaultOffJA},
			clientSaw: "待たされた後、レスポンスの前に接続が閉じれば curl は `curl: (52) Empty reply from server`（クライアント自身のタイムアウトが先なら `(28) Operation timed out`）、Go は `EOF` か期限切れの `i/o timeout`、Chrome は ERR_EMPTY_RESPONSE か ERR_TIMED_OUT。",
		},
		CodeFaultInjected + "/idle_timeout": {
			cause: "実際のネットワークで、無通信の後の最初のパケットで接続が失敗するのは、NAT やステートフルファイアウォールのアイドルタイマーが接続の状態を消したため（クラウドの NAT ゲートウェイは数分、BIG-IP の TCP プロファイルは 300 秒）。次のパケットは状態を見つけられず、クライアントが受け取ったのは {fault_then}。プールしたキープアライブ接続を再利用するクライアントが最初に当たる。",
			checks: []string{
				"失敗した接続が無通信だった時間を、経路上のすべての NAT、ファイアウォール、ロードバランサのアイドルタイムアウトと比べる。クライアント自身のアイドル上限をいちばん短いものより小さくする（Go は `http.Transport.IdleConnTimeout`）か、それより短い間隔の TCP キープアライブを有効にする。",
				checkCaptureJA, checkFaultOffJA},
			clientSaw: "無通信の後の最初のリクエストで、curl は `curl: (56) Recv failure: Connection reset by peer`（閉じられた場合は `(52) Empty reply from server`）、Go は `connection reset by peer`、またはプールから再利用した接続なら `EOF`。",
		},
		CodeFaultInjected + "/mtu": {
			cause: "実際のネットワークなら PMTUD ブラックホール。MTU が 1500 未満のトンネル（VPN、GRE、IPsec、PPPoE）で ICMP タイプ 3 コード 4（fragmentation needed）がフィルタされ、フルサイズのセグメントだけが消えて小さいものは通る。クライアントが受け取ったのは {down_reached} で、その後は何も来ず、自分のタイムアウトまで待つ。",
			checks: []string{
				"クライアントから経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}` が通るはず。小さいサイズしか通らないなら、トンネル（または BIG-IP の tcp プロファイル）で TCP MSS をクランプするか、ICMP タイプ 3 コード 4 を通す。",
				"ほかの兆候: 小さいレスポンスは通るのに大きいものは固まる。長い RSA チェーンは失敗し、短い ECDSA チェーンは通る。",
				checkFaultOffJA},
			clientSaw: sawTimeoutJA,
		},
		CodeFaultInjected + "/mtu_data": {
			cause: "実際のネットワークなら PMTUD ブラックホール。MTU が 1500 未満のトンネル（VPN、GRE、IPsec、PPPoE）で ICMP タイプ 3 コード 4（fragmentation needed）がフィルタされ、フルサイズのセグメントだけが消えて小さいものは通る。今回は TLS ハンドシェイクが小さなパケットに収まって完了し、その後の最初のフルサイズのセグメントが消えたので、レスポンスのうちクライアントが受け取ったのは {down_reached} だけ（欠けずに届いた分。tlsgate はもっと送っている）で、その後は自分のタイムアウトまで何も来なかった。",
			checks: []string{
				"クライアントから経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}` が通るはず。小さいサイズしか通らないなら、トンネル（または BIG-IP の tcp プロファイル）で TCP MSS をクランプするか、ICMP タイプ 3 コード 4 を通す。",
				"小さいものと大きいものを取得する（`curl -v -o /dev/null …/small` と `…/large`）。小さいものは通り、大きいものはレスポンスヘッダ（-v の出力の `< HTTP/1.1 200 OK` の行）の後、またはその前で固まる。",
				checkFaultOffJA},
			clientSaw: "ハンドシェイクは完了し、その後レスポンスが止まる。curl は `curl: (28) Operation timed out after … milliseconds with N out of M bytes received`（ヘッダすら届かなければ `with 0 bytes received`）で、-v を付ければその前にハンドシェイクとリクエストがすべて出る。Go は `context deadline exceeded` か、ヘッダ待ちやボディ読み込み中の `i/o timeout`、Chrome は ERR_TIMED_OUT。",
		},
		CodeFaultInjected + "/mtu_plain": {
			cause: "実際のネットワークなら PMTUD ブラックホール。MTU が 1500 未満のトンネル（VPN、GRE、IPsec、PPPoE）で ICMP タイプ 3 コード 4（fragmentation needed）がフィルタされ、フルサイズのセグメントだけが消えて小さいものは通る。今回は平文のリクエストが小さなパケットに収まり、その後の最初のフルサイズのセグメントが消えたので、レスポンスのうちクライアントが受け取ったのは {down_reached} だけ（欠けずに届いた分。tlsgate はもっと送っている）で、その後は自分のタイムアウトまで何も来なかった。",
			checks: []string{
				"クライアントから経路 MTU を確認する: `ping -M do -s 1472 {virtual_host}` が通るはず。小さいサイズしか通らないなら、トンネル（または BIG-IP の tcp プロファイル）で TCP MSS をクランプするか、ICMP タイプ 3 コード 4 を通す。",
				"小さいものと大きいものを取得する（`curl -v -o /dev/null http://{virtual_host}:{vport}/small` と `…/large`）。小さいものは通り、大きいものはレスポンスヘッダ（-v の出力の `< HTTP/1.1 200 OK` の行）の後、またはその前で固まる。",
				checkFaultOffJA},
			clientSaw: "リクエストは送られ、その後レスポンスが止まる。curl は `curl: (28) Operation timed out after … milliseconds with N out of M bytes received`（ヘッダすら届かなければ `with 0 bytes received`）、Go は `context deadline exceeded` か、ヘッダ待ちやボディ読み込み中の `i/o timeout`、Chrome は ERR_TIMED_OUT。",
		},
		CodeFaultInjected + "/tls_policy_group": {
			cause: "実際のネットワークなら、一部の鍵交換グループ（{groups_ours}。NIST 曲線だけに絞った FIPS 対応やハードニング済みのプロファイル、あるいは耐量子ハイブリッドを必須にしたもの）しか許さないサーバやロードバランサに、そのどれも提示しないクライアント（{groups_offered}）が当たったケースにあたる。バージョンもスイートも合うが、アラート 40 handshake_failure で応答し、BIG-IP はスイートを選ぶときにグループも決めるとみられるので `no shared ciphers` として記録する可能性が高い（上の行）。",
			checks: []string{
				"グループを 1 つずつ試す: `openssl s_client -connect {virtual}{servername_opt} -groups X25519 </dev/null`、次に `-groups P-256`。完了したものがサーバの対応するグループ。",
				"クライアントが提示するグループをサーバ側で許可する（BIG-IP では client-ssl プロファイルの cipher group や暗号文字列の曲線）か、クライアントに {groups_ours} のどれかを提示させる（`curl --curves P-384`）。",
				checkFaultOffJA},
			clientSaw: sawAlert40JA,
		},
		CodeFaultInjected + "/tls_policy_cipher": {
			cause: "実際のネットワークなら、暗号スイートのリストを絞った（FIPS のみ、ハードニング済み、あるいはレガシーな）サーバやロードバランサで、クライアントが提示した {offered_suites}と共通のものがないケースにあたる。アラート 40 handshake_failure で応答し、BIG-IP なら `no shared ciphers` として記録する（上の行）。",
			checks: []string{
				"スイートを 1 つずつ試す: `openssl s_client -connect {virtual} -cipher <name> </dev/null`、または `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}` で一覧する。",
				"クライアントが提示しているスイートをサーバ側で有効にする（BIG-IP では client-ssl プロファイルの `ciphers` 文字列）か、クライアントを更新する。",
				checkFaultOffJA},
			clientSaw: sawAlert40JA,
		},
	}
	swap := map[string]string{checkCaptureJA: checkCapturePlainJA, checkCurlVJA: checkCurlPlainJA}
	for stop, saw := range map[string]string{"reset": sawFaultResetAcceptPlainJA, "close": sawFaultEOFAcceptPlainJA, "blackhole": sawFaultTimeoutPlainJA} {
		k := CodeFaultInjected + "/" + stop + "_accept"
		m[k+"_plain"] = forPlainClient(m[k], saw, swap)
	}
	swapAny := map[string]string{checkCaptureJA: checkCaptureAnyJA, checkCurlVJA: checkCurlAnyJA}
	for stop, saw := range map[string][2]string{
		"reset":     {sawFaultResetAcceptJA, sawFaultResetAcceptPlainJA},
		"close":     {sawFaultEOFHSJA, sawFaultEOFAcceptPlainJA},
		"blackhole": {sawTimeoutJA, sawFaultTimeoutPlainJA},
	} {
		k := CodeFaultInjected + "/" + stop + "_accept"
		e := forPlainClient(m[k], "auto リスナーは TLS と平文 HTTP の両方を受けるが、この停止はクライアントが 1 バイトも送る前だったので、どちらを話すクライアントかは分からない。TLS のクライアント（https://）なら: "+saw[0]+"平文 HTTP のクライアント（http://）なら: "+saw[1], swapAny)
		e.cause, e.ownSaw = strings.Replace(e.cause, "connect() や ClientHello より先に", "connect() や最初のバイトより先に", 1), true
		m[k+"_any"] = e
	}
	return m
}
