package lab

import (
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// networkScenarios are failures caused by something between client and
// server: a firewall, WAF, proxy or the path itself, or traffic sent to a
// port that speaks another protocol.
func networkScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "waf-sni-reset",
			Family: FamilyNetwork,
			Title: Text{
				EN: "Firewall resets the connection after the ClientHello (SNI filtering)",
				JA: "ファイアウォールが ClientHello の直後に RST で切断する（SNI フィルタリング）",
			},
			Reproduces: Text{
				EN: "A firewall, IPS or web filter reads the SNI in the ClientHello and answers blocked names with a TCP RST (URL category blocking, a policy by host name). Other names through the same port work.",
				JA: "ファイアウォール・IPS・Webフィルタが ClientHello 内の SNI を読み、ブロック対象の名前には TCP RST を返すケース（URLカテゴリによるブロック、ホスト名単位のポリシー）。同じポートでも他の名前なら通る。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "sni-filter-reset", SNI: "*.blocked.test",
				Stage: faults.StageClientHello, Action: faults.ActReset}},
			Try:           "curl --cacert {ca} --resolve www.blocked.test:{port}:127.0.0.1 https://www.blocked.test:{port}/",
			Compare:       curlTrusted,
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (35) Recv failure: Connection reset by peer",
			ExpectCode:    "fault_injected",
			Probe:         "tlsgate probe 127.0.0.1:{port} --sni www.blocked.test --cacert {ca}",
			ExpectProbe:   "reset_after_hello",
			ProbeNote: Text{
				EN: "Probe with the blocked name: that hello is reset, and the same hello with another name gets a TLS answer, so the probe reports that the reset follows the name. Without --sni the port looks healthy.",
				JA: "ブロック対象の名前を --sni に指定して実行する。その ClientHello は RST で切断され、名前だけを変えた ClientHello には TLS で応答があるため、probe は RST が名前次第であると報告する。--sni なしではポートは正常に見える。",
			},
			Fix: Text{
				EN: "Find who sent the RST: capture on both sides of each middlebox. A RST the client receives but the server never sent came from in between. Then read that device's logs and its policy for the name. The virtual server's log is clean because the ClientHello never reached it.",
				JA: "RST の送信元を特定する。各中継装置の前後でパケットキャプチャを取り、クライアントは受け取ったがサーバは送っていない RST なら途中の装置が送っている。その装置のログと、該当ホスト名に対するポリシーを確認する。ClientHello が届いていないので仮想サーバのログには何も出ない。",
			},
		},
		{
			Name:   "silent-drop",
			Family: FamilyNetwork,
			Title: Text{
				EN: "Silent drop: the ClientHello is never answered",
				JA: "サイレントドロップ：ClientHello に応答が返らない",
			},
			Reproduces: Text{
				EN: "A firewall or DPI device lets the TCP handshake through but silently drops the ClientHello (a DROP rule in a TLS policy, a stateful device seeing only one direction of asymmetric routing). Nothing comes back; the client waits for its timeout.",
				JA: "TCP のハンドシェイクは通すが ClientHello を黙って破棄するファイアウォールや DPI 装置（TLS ポリシーの DROP ルール、非対称ルーティングで片方向しか見えていないステートフル装置）。何も返ってこないため、クライアントはタイムアウトまで待たされる。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "drop-client-hello", Stage: faults.StageClientHello,
				Action: faults.ActBlackhole, Then: faults.ThenHold}},
			Try:          "curl --max-time 3 --cacert {ca} https://localhost:{port}/",
			ExpectClient: "curl: (28) … timed out after",
			ExpectCode:   "fault_injected",
			Probe:        "tlsgate probe 127.0.0.1:{port} --sni localhost --cacert {ca} --timeout 1s",
			ExpectProbe:  "no_answer",
			Fix: Text{
				EN: "Capture on the client and on the server at the same time: the ClientHello leaves the client and never arrives. Check ACLs, TLS/DPI policies and routing symmetry on every device in between.",
				JA: "クライアントとサーバで同時にキャプチャを取ると、ClientHello はクライアントから出ているのにサーバに届いていないことがわかる。途中の各装置の ACL、TLS/DPI ポリシー、経路の対称性を確認する。",
			},
		},
		{
			Name:   "pmtud-blackhole",
			Family: FamilyNetwork,
			Title: Text{
				EN: "PMTUD black hole: the server's certificate flight never arrives",
				JA: "PMTUD ブラックホール：サーバの証明書を含む応答が届かない",
			},
			Reproduces: Text{
				EN: "A tunnel (IPsec VPN, GRE, PPPoE) with an MTU below 1500 while ICMP 'fragmentation needed' is filtered. The small ClientHello passes; the server's full-size segments carrying the certificate are dropped and retransmitted in vain. Small requests work, TLS hangs. The lab's ECDSA certificates are small, so the lab models a path MTU of 576 to make the flight exceed it; real RSA chains of 3-5 kB exceed 1400.",
				JA: "MTU が 1500 未満のトンネル（IPsec VPN、GRE、PPPoE）で、ICMP の「fragmentation needed」がフィルタされているケース。小さな ClientHello は通るが、証明書を運ぶサーバからのフルサイズのセグメントが破棄され、再送も届かない。小さな通信は成功し、TLS だけが固まる。ラボの証明書は小さい ECDSA なので、パスMTUを576として応答がそれを超えるようにしている。実環境の 3〜5kB の RSA チェーンは 1400 でも超える。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "tunnel-mtu-576", Action: faults.ActMTU, MTU: 576}},
			Try:          "curl --max-time 3 --cacert {ca} https://localhost:{port}/",
			ExpectClient: "curl: (28) … timed out after",
			ExpectCode:   "client_closed_early",
			Probe:        "tlsgate probe 127.0.0.1:{port} --sni localhost --cacert {ca} --timeout 1s",
			ExpectProbe:  "pmtu_blackhole",
			ProbeNote: Text{
				EN: "The full hello gets no answer at all, as in a silent drop; a second hello, which a server answers with a HelloRetryRequest of about 100 bytes, gets its answer, and so the probe tells a lost answer from a lost hello.",
				JA: "通常の ClientHello にはサイレントドロップと同じく何も返らないが、約 100 バイトの HelloRetryRequest で応答されるはずの2つ目の ClientHello には応答が届く。これで probe は、失われているのが ClientHello ではなく応答の方だと判別する。",
			},
			BigIP: []string{ltmHandshakeFailed},
			Fix: Text{
				EN: "Measure the path MTU to the server (`ping -M do -s 1472` and its address, lowering the size until it passes; in the lab the 576-byte MTU is tlsgate's own, so a ping over loopback passes at any size), then clamp the TCP MSS on the tunnel device or in the BIG-IP tcp profile, or let ICMP type 3 code 4 through.",
				JA: "サーバまでのパスMTUを測る（サーバのアドレスに `ping -M do -s 1472` を打ち、サイズを下げながら通る値を探す。ラボの 576 バイトの MTU は tlsgate が作ったものなので、ループバックへの ping はどのサイズでも通る）。そのうえでトンネル装置や BIG-IP の tcp プロファイルで TCP MSS をクランプするか、ICMP タイプ3 コード4 を通す。",
			},
		},
		{
			Name:   "large-client-hello",
			Family: FamilyNetwork,
			Title: Text{
				EN: "Large ClientHello intolerance: post-quantum clients are reset",
				JA: "大きな ClientHello を扱えない中継装置：耐量子暗号対応クライアントだけ切断される",
			},
			Reproduces: Text{
				EN: "A middlebox that parses only the first TCP segment of a ClientHello. Post-quantum key shares (X25519MLKEM768, sent by default by Chrome 124+ and Go 1.24+) push the ClientHello to about 1.5 kB, past one full-size segment (1,448 bytes on Ethernet), so it spans two; the middlebox loses the SNI and resets. The rule has no size selector, so it resets exactly those hellos, even on loopback where they arrive in one piece. Clients with small hellos (this curl) still work. `tlsgate lab client` is a Go client with Go's default, post-quantum ClientHello; with --classic it sends a small one and gets through.",
				JA: "ClientHello の最初の TCP セグメントしか解析しない中継装置。耐量子暗号の鍵共有（X25519MLKEM768、Chrome 124 以降や Go 1.24 以降が既定で送る）で ClientHello が約 1.5kB になり、フルサイズの1セグメント（Ethernet で 1,448 バイト）を超えて2セグメントに分かれるので、装置が SNI を読めずに RST を返す。ルールにはサイズの条件を付けていないので、まさにそういう ClientHello だけをリセットする（ひとかたまりで届くループバックでも同じ）。ClientHello が小さいクライアント（このcurl）は成功する。`tlsgate lab client` は Go 既定の耐量子 ClientHello を送る Go クライアントで、--classic を付けると小さな ClientHello になり通過する。",
			},
			Listener:      Listener{Mode: "terminate"},
			Faults:        []faults.Rule{{Name: "first-segment-only", Action: faults.ActLargeHello}},
			Try:           "tlsgate lab client --cacert {ca} https://localhost:{port}/",
			Compare:       curlTrusted,
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "… connection reset by peer",
			ExpectCode:    "fault_injected",
			ExpectProbe:   "large_hello_intolerance",
			Fix: Text{
				EN: "Upgrade or reconfigure the middlebox so it reassembles ClientHellos across segments. Until then a client can turn the hybrid key share off (Chrome's PostQuantumKeyAgreementEnabled policy, GODEBUG=tlsmlkem=0 for Go); that is a workaround, not a fix.",
				JA: "中継装置を更新・設定変更し、複数セグメントにまたがる ClientHello を再構成できるようにする。それまではクライアント側でハイブリッド鍵共有を無効にできる（Chrome は PostQuantumKeyAgreementEnabled ポリシー、Go は GODEBUG=tlsmlkem=0）が、あくまで回避策で対策ではない。",
			},
		},
		{
			Name:   "http-to-tls-port",
			Family: FamilyNetwork,
			Title: Text{
				EN: "Plain HTTP sent to the TLS port",
				JA: "TLS のポートに平文の HTTP を送っている",
			},
			Reproduces: Text{
				EN: "Plain HTTP reaches a port that expects TLS: a URL written http://host:443, an HTTP health monitor on a client-ssl virtual server, a proxy or load balancer forwarding without re-encrypting.",
				JA: "TLS を待っているポートに平文の HTTP が届くケース。http://host:443 と書かれた URL、client-ssl の仮想サーバに設定した HTTP ヘルスモニタ、再暗号化せずに転送するプロキシやロードバランサ等。",
			},
			Listener:     Listener{Mode: "terminate"},
			Try:          "curl http://localhost:{port}/",
			ExpectClient: "curl: (56) Recv failure: Connection reset by peer",
			ExpectCode:   "plaintext_on_tls",
			ExpectProbe:  "tls",
			ProbeNote: Text{
				EN: "The mistake is the client's (http:// to a TLS port), not the server's: the probe speaks TLS and finds a working TLS server, which is the answer: the port is fine, the URL is wrong.",
				JA: "誤りはサーバではなくクライアント側（TLS のポートへの http://）。probe は TLS で接続するので正常な TLS サーバが見つかり、それ自体が答えになる。ポートは正常で、URL が間違っている。",
			},
			BigIP: []string{ltmNotSSL, ltmHandshakeFailed},
			Fix: Text{
				EN: "Use https:// for that port, or serve plain HTTP on its own port with a redirect to HTTPS. On a BIG-IP, enable 'Non-SSL Connections' on the client-ssl profile only as a deliberate choice.",
				JA: "そのポートには https:// を使う。平文の HTTP は別ポートで受けて HTTPS にリダイレクトする。BIG-IP の client-ssl プロファイルの「Non-SSL Connections」を有効にするのは、意図して平文を受ける場合だけにする。",
			},
		},
		{
			Name:   "tls-to-plain-port",
			Family: FamilyNetwork,
			Title: Text{
				EN: "TLS sent to a plain HTTP port",
				JA: "平文 HTTP のポートに TLS を送っている",
			},
			Reproduces: Text{
				EN: "A TLS ClientHello reaches a port that speaks plain HTTP: https:// on port 80 or 8080, a virtual server without a client-ssl profile, a backend port that lost its TLS configuration.",
				JA: "平文 HTTP のポートに TLS の ClientHello が届くケース。80 番や 8080 番への https://、client-ssl プロファイルのない仮想サーバ、TLS 設定が外れたバックエンドのポート等。",
			},
			Listener:     Listener{Mode: "plaintext"},
			Try:          curlTrusted,
			ExpectClient: "curl: (35) … Connection reset by peer",
			ExpectCode:   "tls_on_plaintext",
			ExpectProbe:  "plaintext_port",
			ProbeNote: Text{
				EN: "The mistake is the client's (https:// to a plain port); the probe shows the port's side of it: a ClientHello is reset while a plain-text GET / gets an HTTP answer.",
				JA: "誤りはクライアント側（平文のポートへの https://）。probe はそのポート側の様子を示す。ClientHello は RST で切断され、平文の GET / には HTTP の応答が返る。",
			},
			Fix: Text{
				EN: "Point the client at the TLS port, or add a client-ssl profile to the virtual server that is meant to speak TLS. There is no SSL line in the BIG-IP log because the virtual server has no SSL profile to fail.",
				JA: "クライアントの接続先を TLS のポートに直すか、TLS で受けるべき仮想サーバに client-ssl プロファイルを追加する。仮想サーバに SSL プロファイルがないため、BIG-IP のログには SSL の行が出ない。",
			},
		},
		{
			Name:   "plaintext-reply",
			Family: FamilyNetwork,
			Title: Text{
				EN: "A proxy answers in plain HTTP where the ServerHello belongs",
				JA: "ServerHello の代わりにプロキシが平文の HTTP で応答する",
			},
			Reproduces: Text{
				EN: "A transparent proxy, captive portal or misrouted load balancer answers the ClientHello with a plain HTTP error page (403 here). The client expected a ServerHello and reads 'HTTP/1.1' as a broken TLS record.",
				JA: "透過プロキシ、キャプティブポータル、誤った宛先に転送するロードバランサが、ClientHello に平文の HTTP エラーページ（ここでは 403）を返すケース。クライアントは ServerHello を期待しているので、「HTTP/1.1」を壊れた TLS レコードとして読んでしまう。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "proxy-error-page", Action: faults.ActPlaintextReply}},
			Try:          curlTrusted,
			ExpectClient: "curl: (35) … wrong version number",
			ExpectCode:   "fault_injected",
			ExpectProbe:  "plain_http",
			Fix: Text{
				EN: "See who answered: `openssl s_client -connect 127.0.0.1:{port} -servername localhost </dev/null` prints the 'wrong version number' error, and `curl -sS http://localhost:{port}/` prints the page in clear text. Log in to the portal, or fix the proxy rule that intercepts the port.",
				JA: "誰が応答したかを確認する。`openssl s_client -connect 127.0.0.1:{port} -servername localhost </dev/null` では「wrong version number」になり、`curl -sS http://localhost:{port}/` なら平文のページが表示される。キャプティブポータルにログインする、またはそのポートを横取りしているプロキシのルールを直す。",
			},
		},
		{
			Name:   "waf-block-page",
			Family: FamilyNetwork,
			Title: Text{
				EN: "WAF block page after a successful handshake",
				JA: "ハンドシェイク成功後に WAF のブロックページが返る",
			},
			Reproduces: Text{
				EN: "A WAF (an F5 ASM / Advanced WAF policy here) blocks the request after TLS has completed and returns its block page with a support ID. Not a TLS problem: the handshake works and curl exits 0 (22 with -f).",
				JA: "TLS が確立した後に WAF（ここでは F5 ASM / Advanced WAF のポリシー）がリクエストをブロックし、サポートID付きのブロックページを返すケース。TLS の問題ではない。ハンドシェイクは成功し、curl の終了コードは 0（-f を付ければ 22）。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults: []faults.Rule{{Name: "asm-block", Action: faults.ActBlockPage, Status: 403,
				Template: faults.TemplateF5ASM}},
			Try:          "curl -sS --cacert {ca} https://localhost:{port}/",
			ExpectClient: "The requested URL was rejected. Please consult with your administrator.",
			ExpectCode:   "ok",
			ExpectProbe:  "block_page",
			Fix: Text{
				EN: "Look the support ID up in the WAF's request log to see which violation fired, then fix the request or tune the policy. TLS settings are irrelevant; the ltm log has no SSL line for it.",
				JA: "サポートIDを WAF のリクエストログで検索し、どの違反で止められたかを確認したうえで、リクエストを直すかポリシーを調整する。TLS の設定は関係なく、ltm ログにも SSL の行は出ない。",
			},
		},
		{
			Name:   "rewriting-proxy",
			Family: FamilyNetwork,
			Title: Text{
				EN: "An inspecting proxy re-signs the site and rewrites its headers",
				JA: "復号プロキシがサイトを再署名し、ヘッダを書き換えている",
			},
			Reproduces: Text{
				EN: "A TLS-inspecting proxy the client trusts (its CA is installed) that also rewrites responses: it strips Strict-Transport-Security and adds Via. Everything 'works', but the server's security headers never reach the client and the certificate it sees is issued by the proxy's CA. The lab origin on port {origin} is the real server; compare the two.",
				JA: "クライアントが信頼している（CAが導入済みの）TLS 復号プロキシが、応答も書き換えるケース。Strict-Transport-Security を削除し Via を追加する。一見すべて正常に動くが、サーバが付けたセキュリティヘッダはクライアントに届かず、クライアントが見る証明書の発行者はプロキシのCAになっている。ポート {origin} の lab origin が本来のサーバなので、両者を比べてみる。",
			},
			Listener: Listener{Mode: "inspect", Backend: BackendOrigin, VerifyOrigin: true},
			Faults: []faults.Rule{{Name: "strip-hsts-add-via", Action: faults.ActRewrite,
				HeadersStrip: []string{"Strict-Transport-Security"}, HeadersAdd: []string{"Via: 1.1 corp-proxy"}}},
			Try:           "curl -sS -i --http1.1 --cacert {ca} https://localhost:{port}/",
			Compare:       "curl -sS -i --http1.1 --cacert {ca} https://localhost:{origin}/",
			CompareExpect: "Strict-Transport-Security: max-age=31536000",
			ExpectClient:  "HTTP/1.1 200 … Via: 1.1 corp-proxy",
			ExpectCode:    "ok",
			ExpectProbe:   "interception",
			ProbeNote: Text{
				EN: "The probe sees a certificate re-signed by an inspecting product that the host trusts (step 7) and, in step 10, a Via header and no HSTS (rewriting_proxy). That HSTS was stripped, rather than never sent, shows only against the real server: compare with the lab origin.",
				JA: "probe はステップ 7 で、ホストが信頼する復号製品が再署名した証明書を検出し、ステップ 10 で Via ヘッダと HSTS の欠如（rewriting_proxy）を検出する。HSTS が最初から送られていないのではなく削除されたことは、本来のサーバと比べないとわからないので、lab origin と比較する。",
			},
			Fix: Text{
				EN: "Compare headers and issuer through the proxy and straight to the server: `curl -sv --http1.1 --cacert {ca} https://localhost:{port}/ -o /dev/null` against the lab origin's `curl -sv --http1.1 --cacert {ca} https://localhost:{origin}/ -o /dev/null` (its -v output shows the `issuer:` and the response headers). Exempt the site from inspection or fix the proxy's header policy; HSTS has to come from the origin unchanged.",
				JA: "プロキシ経由とサーバ直結でヘッダと証明書の発行者を比較する: `curl -sv --http1.1 --cacert {ca} https://localhost:{port}/ -o /dev/null` とラボのオリジンへの `curl -sv --http1.1 --cacert {ca} https://localhost:{origin}/ -o /dev/null`（-v の出力に `issuer:` と応答ヘッダが出る）。そのサイトを復号対象から外すか、プロキシのヘッダ処理ポリシーを直す。HSTS はオリジンから改変されずに届く必要がある。",
			},
		},
		{
			Name:   "bit-flip",
			Family: FamilyNetwork,
			Title: Text{
				EN: "A device in the path flips a bit: bad record MAC after a good handshake",
				JA: "経路上の装置がビットを反転させる：正常なハンドシェイクの後に bad record MAC",
			},
			Reproduces: Text{
				EN: "A faulty NIC, cable or switch port whose damage passes TCP's checksum (or is hidden by checksum offload), or a middlebox that rewrites payload it should only relay. The handshake works; the first record of data arrives changed, its authentication tag no longer matches, and the endpoint that decrypts it aborts with bad_record_mac. Here the server's first record toward the client is hit.",
				JA: "TCP のチェックサムをすり抜ける（またはチェックサムのオフロードで隠れる）NIC・ケーブル・スイッチポートの故障や、中継するだけのはずのペイロードを書き換える中継装置。ハンドシェイクは成功するが、最初のデータのレコードが変わって届き、認証タグが合わなくなるため、それを復号する側が bad_record_mac で中断する。ここではサーバからクライアントへの最初のレコードが壊される。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "nic-bit-flip", Action: faults.ActRecordCorrupt, Direction: faults.S2C}},
			Try:          "curl -sS --cacert {ca} https://localhost:{port}/",
			ExpectClient: "curl: (56) OpenSSL SSL_read: … decryption failed or bad record mac",
			ExpectCode:   "fault_injected",
			ExpectProbe:  "http_record_corrupt",
			Fix: Text{
				EN: "Repeat the request many times: damage on a path fails at random, never by name or certificate. Capture on both sides of each device and compare the same segment byte for byte; read the NIC and switch error counters (CRC, FCS) and retry with checksum offload off.",
				JA: "同じリクエストを何度も繰り返す。経路上での破損は名前や証明書に関係なくランダムに失敗する。各装置の前後でキャプチャし、同じセグメントをバイト単位で比べる。NIC とスイッチのエラーカウンタ（CRC、FCS）を読み、チェックサムのオフロードを切って再試行する。",
			},
		},
		{
			Name:   "proxy-clock-skew",
			Family: FamilyNetwork,
			Title: Text{
				EN: "An inspecting proxy's own clock is wrong: it rejects a good site as expired",
				JA: "復号プロキシ自身の時計が狂っていて、正しいサイトを期限切れとして拒否する",
			},
			Reproduces: Text{
				EN: "A TLS-inspecting proxy (or a load balancer's server-ssl profile) whose clock has drifted or lost NTP verifies the real server's certificate against its own time. A certificate that is fine for everyone else looks expired to it, so it refuses the site and the client gets a reset. Here tlsgate is the proxy in front of the lab origin on port {origin}, with its upstream clock 30 days ahead.",
				JA: "時計がずれた、または NTP を失った TLS 復号プロキシ（やロードバランサの server-ssl プロファイル）が、本物のサーバの証明書を自分の時刻で検証するケース。ほかの誰にとっても問題のない証明書がそのプロキシには期限切れに見えるため、サイトを拒否し、クライアントには RST が届く。ここでは tlsgate がポート {origin} の lab origin の前に立つプロキシで、上流側の時計が 30 日進んでいる。",
			},
			Listener:      Listener{Mode: "inspect", Backend: BackendOrigin, VerifyOrigin: true},
			Faults:        []faults.Rule{{Name: "proxy-clock-ahead", Action: faults.ActProxySkew, Skew: faults.Duration(30 * 24 * time.Hour)}},
			Try:           "curl -sS --cacert {ca} https://localhost:{port}/",
			Compare:       "curl -sS --cacert {ca} https://localhost:{origin}/",
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (35) Recv failure: Connection reset by peer",
			ExpectCode:    "fault_injected",
			ExpectProbe:   "reset_after_hello",
			ProbeNote: Text{
				EN: "The probe sees only the proxy resetting every ClientHello: the cause is the proxy's own verification of the server, which only its log shows (backend_verify: certificate has expired, current time … is after …). The same probe against the origin directly passes.",
				JA: "probe に見えるのは、プロキシがすべての ClientHello を RST で切ることだけ。原因はプロキシ自身によるサーバの検証で、それはプロキシのログにしか出ない（backend_verify: certificate has expired, current time … is after …）。同じ probe を origin に直接向けると通る。",
			},
			BigIPNote: Text{
				EN: "tlsgate's `01260013:4: SSL Handshake failed` line for this port is the proxy's server side (its own address -> the origin), what a BIG-IP server-ssl profile with a wrong clock would log. The origin logs the same handshake from the other side, as a client_alert: its client, the proxy, aborted with alert 42 bad_certificate (Go's alert for any certificate it rejects). tlsgate knows that client is its own proxy leg, so that line's explanation names the cause: rule proxy-clock-ahead runs the proxy's clock 30 days ahead, where the origin's certificate looked expired; the proxy trusts the lab CA, and only the clock applies. A real server sees only the alert when a proxy with a wrong clock refuses it, and its generic checks (trust, name, clocks) leave the clock to the reader.",
				JA: "このポートについて tlsgate が出す `01260013:4: SSL Handshake failed` の行はプロキシのサーバ側（自分のアドレス -> origin）のもので、時計の狂った BIG-IP の server-ssl プロファイルが出すものにあたる。origin は同じハンドシェイクを反対側から client_alert として記録する: クライアントであるプロキシがアラート 42 bad_certificate（Go が拒否したあらゆる証明書に送るアラート）で中断した。tlsgate はそのクライアントが自分自身のプロキシ側の接続だと知っているので、その行の説明は原因を名指しする: ルール proxy-clock-ahead がプロキシの時計を 30 日進めており、その時刻では origin の証明書は期限切れに見えた。プロキシはラボ CA を信頼しており、当てはまるのは時計だけ。時計の狂ったプロキシに拒否された本物のサーバに見えるのはアラートだけで、一般的なチェック（信頼、名前、時計）のどれかは読み手が見極めることになる。",
			},
			Fix: Text{
				EN: "Compare the proxy's clock with a reference (`date -u`, NTP status; on BIG-IP `ntpq -p`) and read the server certificate's dates from a host whose clock is right. Fix the proxy's time sync; nothing on the server needs to change.",
				JA: "プロキシの時計を基準と比べ（`date -u`、NTP の状態、BIG-IP なら `ntpq -p`）、時計の正しいホストからサーバ証明書の日付を読む。直すのはプロキシの時刻同期で、サーバ側の変更は不要。",
			},
		},
		{
			Name:   "listener-down",
			Family: FamilyNetwork,
			Title: Text{
				EN: "The port refuses: a closed port or a firewall REJECT, connection refused",
				JA: "ポートが接続を拒否する：閉じたポートやファイアウォールの REJECT で connection refused",
			},
			Reproduces: Text{
				EN: "Nothing listens on the port: a disabled virtual server, a service that is down or bound elsewhere, or a firewall that rejects with a TCP reset. The kernel answers the SYN with an RST, so the client never connects and never sends a byte: no TLS, no certificate, no request. Here a refuse rule holds the listener down from start (its socket is bound but does not listen) until the rule is removed.",
				JA: "ポートで何も待ち受けていない：無効化された仮想サーバ、停止中または別のアドレスで待ち受けているサービス、TCP リセットで拒否するファイアウォール。カーネルが SYN に RST を返すので、クライアントは接続できず、1 バイトも送らない。TLS も証明書もリクエストもない。ここでは refuse ルールが起動時からリスナを停止させ（ソケットはバインドされているが待ち受けていない）、ルールを削除するまでその状態が続く。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "port-closed", Action: faults.ActRefuse, Mode: faults.ModeListenerDown}},
			Try:          "curl -sS --cacert {ca} https://localhost:{port}/",
			ExpectClient: "curl: (7) Failed to connect to localhost port … Couldn't connect to server",
			ExpectDown:   true,
			ExpectProbe:  "refused",
			Fix: Text{
				EN: "No TLS setting matters yet: find why nothing accepts. On the server, `ss -ltnp | grep :{port}` shows whether anything listens and on which address; on BIG-IP, check the virtual server is enabled and available (`tmsh show ltm virtual`). A firewall REJECT shows as an RST from the firewall's side in a capture (`tcpdump 'tcp[tcpflags] & tcp-rst != 0'`). In the lab, `tlsgate fault rm port-closed` makes the same port listen again (add `--admin http://ADDR` when the lab's admin API is not on the default 127.0.0.1:8474: the lab's start-up lines and its down line name it).",
				JA: "TLS の設定はまだ関係ない。なぜ何も接続を受け付けないのかを調べる。サーバでは `ss -ltnp | grep :{port}` で、何かが待ち受けているか、どのアドレスで待ち受けているかがわかる。BIG-IP では仮想サーバが有効で利用可能か確認する（`tmsh show ltm virtual`）。ファイアウォールの REJECT は、キャプチャ（`tcpdump 'tcp[tcpflags] & tcp-rst != 0'`）でファイアウォール側から来る RST として見える。ラボでは、`tlsgate fault rm port-closed` で同じポートがまた待ち受けるようになる（ラボの admin API が既定の 127.0.0.1:8474 でなければ `--admin http://アドレス` を付ける。アドレスはラボの起動時の表示と停止の行に出る）。",
			},
		},
		{
			Name:   "syn-drop",
			Family: FamilyNetwork,
			Title: Text{
				EN: "The port drops SYNs: a firewall DROP, connect timed out (listener-down's REJECT, silent)",
				JA: "ポートが SYN を捨てる：ファイアウォールの DROP で接続タイムアウト（listener-down の REJECT の無言版）",
			},
			Reproduces: Text{
				EN: "A firewall whose policy drops instead of rejecting, a security group or ACL without a rule for the port, or a route that loses the packets: the SYN is never answered, neither with a SYN-ACK nor with an RST, so the client retransmits it until its own connect timeout. Unlike listener-down's refusal, which fails at once, the client waits out its whole timeout first. Here a refuse rule with mode syn_drop holds the port from start: its socket listens, with a socket filter that drops every new SYN before the kernel answers it, until the rule is removed.",
				JA: "拒否（REJECT）ではなく破棄（DROP）するポリシーのファイアウォール、ポートを許可するルールのないセキュリティグループや ACL、パケットを失う経路：SYN に SYN-ACK も RST も返らないので、クライアントは自分の接続タイムアウトまで SYN を再送し続ける。すぐに失敗する listener-down の拒否と違い、クライアントはタイムアウトの時間いっぱい待たされる。ここでは mode = syn_drop の refuse ルールが起動時からポートを押さえる。ソケットは待ち受けたままだが、そのソケットフィルタがカーネルの応答より前に新しい SYN をすべて捨てる。ルールを削除するまでこの状態が続く。",
			},
			Listener:     Listener{Mode: "terminate"},
			Faults:       []faults.Rule{{Name: "port-dropped", Action: faults.ActRefuse, Mode: faults.ModeSynDrop}},
			Try:          "curl -sS --connect-timeout 3 --cacert {ca} https://127.0.0.1:{port}/",
			ExpectClient: "curl: (28) … Timeout was reached",
			ExpectDown:   true,
			ExpectProbe:  "connect_timeout",
			Fix: Text{
				EN: "Tell the DROP from a REJECT first: curl (28) after the whole --connect-timeout, where a refusal is (7) at once. A capture shows the client's SYN retransmitted with no answer (`tcpdump -ni any 'tcp port {port}'`: SYN, SYN again, never a SYN-ACK or an RST). Capture on the server too: a SYN that never arrives was dropped on the way (firewall, security group, route); one that arrives unanswered was dropped by the host, where `ss -lnt 'sport = :{port}'` shows the listener's accept queue full (Recv-Q above Send-Q: an application that stopped accepting), or a queue with room (Recv-Q below Send-Q) or nothing listening behind a host firewall that drops before the queue (`nft list ruleset`, `iptables -S`); the lab's port is a queue with room, its SYNs dropped by a socket filter on the listening socket itself. On BIG-IP a virtual server's AFM or a reject/drop setting decides which one clients see. In the lab, `tlsgate fault rm port-dropped` makes the same port answer again (add `--admin http://ADDR` when the lab's admin API is not on the default 127.0.0.1:8474: the lab's start-up lines and its down line name it).",
				JA: "まず DROP と REJECT を見分ける：curl は --connect-timeout の時間いっぱい待ってから (28) で終わる。拒否ならすぐに (7) になる。キャプチャでは、クライアントの SYN が応答なしで再送されるのが見える（`tcpdump -ni any 'tcp port {port}'`：SYN、また SYN、SYN-ACK も RST も来ない）。サーバ側でもキャプチャする：SYN が届かなければ途中（ファイアウォール、セキュリティグループ、経路）で捨てられている。届いて応答がなければホストが捨てている。そのとき `ss -lnt 'sport = :{port}'` で待ち受けの accept キューが満杯（Recv-Q が Send-Q を上回る：accept しなくなったアプリケーション）か、キューに空きがある（Recv-Q が Send-Q より小さい）か何も待ち受けていないままホストのファイアウォールがキューの手前で捨てているか（`nft list ruleset`、`iptables -S`）がわかる。ラボのポートはキューに空きがある側で、待ち受けソケット自体のソケットフィルタが SYN を捨てている。BIG-IP では仮想サーバの AFM や reject/drop の設定で、クライアントにどちらが見えるかが決まる。ラボでは、`tlsgate fault rm port-dropped` で同じポートがまた応答するようになる（ラボの admin API が既定の 127.0.0.1:8474 でなければ `--admin http://アドレス` を付ける。アドレスはラボの起動時の表示と停止の行に出る）。",
			},
		},
	}
}
