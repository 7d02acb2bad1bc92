package probe

// sizeTexts are the sentences of steps 8 and 9: the size of the hello and
// of the server's flight.
func sizeTexts() map[string]msg {
	return map[string]msg{
		"size.ok":       {"a {bytes}-byte post-quantum ClientHello gets through", "{bytes} バイトの耐量子 ClientHello も通る"},
		"size.ok.pq":    {" (the server chose X25519MLKEM768)", "（サーバは X25519MLKEM768 を選択）"},
		"size.ok.other": {" (the server chose {group}, not the post-quantum group)", "（サーバは耐量子のグループではなく {group} を選択）"},
		"size.intolerance": {"large-ClientHello intolerance (a middlebox parsing only the first segment): the {big}-byte hello is {how}, the {small}-byte one works",
			"大きな ClientHello を扱えない中継装置（最初のセグメントしか解析しない）: {big} バイトの ClientHello は {how}、{small} バイトのものは成功する"},
		"size.intolerance.cause": {"a firewall, IPS, SNI filter or load balancer reads only the first TCP segment of the ClientHello; the X25519MLKEM768 key share (1,216 bytes) that Go ≥1.24 and Chrome ≥124 send by default pushes the hello past one segment",
			"ファイアウォール・IPS・SNI フィルタ・ロードバランサが ClientHello の最初の TCP セグメントしか読んでいない。Go 1.24 以降や Chrome 124 以降が既定で送る X25519MLKEM768 の鍵共有（1,216 バイト）で、ClientHello が1セグメントに収まらなくなる"},
		"size.intolerance.check": {"update or reconfigure the middlebox's TLS/SNI inspection; as a stopgap clients can drop the hybrid share (Go: GODEBUG=tlsmlkem=0)",
			"中継装置の TLS / SNI 検査を更新または設定変更する。当面の回避策として、クライアント側でハイブリッド鍵共有を無効にできる（Go: GODEBUG=tlsmlkem=0）"},
		"size.refused": {"the large post-quantum hello is refused ({detail}) while the small one works", "大きな耐量子 ClientHello は拒否され（{detail}）、小さいものは成功する"},
		"size.refused.cause": {"the server or a middlebox mishandles the hybrid key share instead of ignoring it",
			"サーバか中継装置が、ハイブリッド鍵共有を無視せずに誤って処理している"},
		"size.refused.check": {"the server's TLS library version and its key-exchange group settings", "サーバの TLS ライブラリのバージョンと鍵交換グループの設定"},
		"size.small_refused": {"only the large hello works; the X25519-only hello gets {detail}", "大きな ClientHello だけが成功し、X25519 のみの ClientHello は {detail}"},
		"size.neither":       {"neither hello completes a handshake, so size is not the difference (see step 3)", "どちらの ClientHello でもハンドシェイクが完了しないので、サイズの問題ではない（ステップ 3 を参照）"},
		"flight.ok":          {"the server's flight arrived whole: {bytes} bytes, handshake done after {took}", "サーバの応答フライトは欠けずに届いた: {bytes} バイト、{took} でハンドシェイク完了"},
		"flight.ok.large":    {" (more than one full-size segment, so large packets pass)", "（フルサイズのセグメント1つより大きいので、大きなパケットも通っている）"},
		"flight.after_sh":    {"after the ServerHello arrived", "ServerHello を受け取った後"},
		"flight.before_sh":   {"before the ServerHello was complete", "ServerHello を受け取り終える前"},
		"flight.stall": {"looks like a PMTUD black hole: the handshake stalls {where}, mid-flight ({bytes} bytes, then nothing); check the tunnel MTU / MSS clamping",
			"PMTUD ブラックホールの可能性: ハンドシェイクが{where}、応答フライトの途中で止まる（{bytes} バイトの後は何も来ない）。トンネルの MTU と MSS クランプを確認する"},
		"flight.stall.check": {"the tunnel MTU and MSS clamping: ping -M do -s 1472 toward the server fails while smaller sizes pass; clamp the MSS on the tunnel or let ICMP type 3 code 4 through",
			"トンネルの MTU と MSS クランプ。サーバに向けた ping -M do -s 1472 が失敗し、サイズを下げると通るかを確認する。トンネルで MSS をクランプするか、ICMP タイプ3 コード4 を通す"},
		"flight.cut": {"the server's flight is cut: {bytes} bytes, then the connection was {how}", "サーバの応答フライトが途中で切れている: {bytes} バイトの後に接続が {how}"},
		"flight.cut.cause": {"a middlebox or the server ends the connection in the middle of the certificate flight (Go reports 'unexpected EOF', curl 'SSL_ERROR_SYSCALL')",
			"中継装置かサーバが、証明書を含む応答の途中で接続を切っている（Go では「unexpected EOF」、curl では「SSL_ERROR_SYSCALL」）"},
		"flight.cut.check":    {"a packet capture on the server side: does the server send the whole flight?", "サーバ側でパケットキャプチャを取り、サーバが応答を最後まで送っているかを確認する"},
		"flight.not_measured": {"the flight could not be measured: {detail}", "応答フライトを計測できなかった: {detail}"},
	}
}

// httpTexts are the sentences of step 10: the HTTP answer once TLS works.
func httpTexts() map[string]msg {
	return map[string]msg{
		"http.no_handshake": {"no handshake to send a request over ({detail})", "リクエストを送るためのハンドシェイクが完了しない（{detail}）"},
		"http.no_answer": {"no HTTP answer to GET / within {timeout}: the service may not speak HTTP",
			"{timeout} 以内に GET / への HTTP 応答がない。HTTP 以外のサービスかもしれない"},
		"http.closed":   {"the connection closed without an HTTP answer to GET /", "GET / に HTTP で応答せずに接続が閉じられた"},
		"http.not_http": {"the answer to GET / is not HTTP: {bytes}", "GET / への応答が HTTP ではない: {bytes}"},
		"http.block_page": {"TLS works, the HTTP layer blocks: {status} with the block page of {product} (support ID {id})",
			"TLS は正常で、HTTP の層でブロックされている: {status}、{product} のブロックページ（サポートID {id}）"},
		"http.block_page.cause": {"a WAF ({product}) blocks this request after the handshake; not a TLS problem, and the ltm log shows no SSL line for it",
			"ハンドシェイク後に WAF（{product}）がこのリクエストをブロックしている。TLS の問題ではなく、ltm ログにも SSL の行は出ない"},
		"http.block_page.check": {"look up support ID {id} in the WAF's request log to see which violation fired, then fix the request or tune the policy",
			"WAF のリクエストログでサポートID {id} を検索してどの違反で止められたかを確認し、リクエストを直すかポリシーを調整する"},
		"http.rewriting_proxy": {"a proxy rewrites the answer: {status} carries Via: {via} and no Strict-Transport-Security",
			"プロキシが応答を書き換えている: {status} に Via: {via} が付いていて、Strict-Transport-Security がない"},
		"http.rewriting_proxy.cause": {"an HTTP proxy or TLS-inspecting gateway between client and server adds its own headers and may strip the server's security headers (HSTS, CSP)",
			"クライアントとサーバの間の HTTP プロキシや TLS 復号ゲートウェイが独自のヘッダを追加しており、サーバのセキュリティヘッダ（HSTS、CSP 等）を削除している可能性がある"},
		"http.rewriting_proxy.check": {"compare the headers with and without the proxy (curl -sv), and the proxy's header policy",
			"プロキシ経由と直接接続とでヘッダを比較し（curl -sv）、プロキシのヘッダ処理ポリシーを確認する"},
		"http.server_error": {"TLS works, the HTTP layer fails: {status}", "TLS は正常で、HTTP の層でエラーになっている: {status}"},
		"http.server_error.cause": {"the device that terminates TLS answers, but its backend or pool does not (502/503/504), or the application fails (500)",
			"TLS を終端している装置は応答しているが、その先のバックエンドやプールが応答していない（502/503/504）、またはアプリケーションがエラーになっている（500）"},
		"http.server_error.check": {"the health of the pool members behind this virtual server, and the application's error log",
			"この仮想サーバの背後にあるプールメンバのヘルス状態と、アプリケーションのエラーログ"},
		"http.via":    {"{status} through a proxy (Via: {via})", "{status}（プロキシ経由、Via: {via}）"},
		"http.status": {"the server answers GET / with {status}", "GET / に対してサーバは {status} を返す"},
		"http.ok":     {"the server answers GET / with {status}", "GET / に対してサーバは {status} を返す"},
	}
}
