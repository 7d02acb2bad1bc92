package explain

// proxyKnowledgeJA is proxyKnowledge in Japanese.
func proxyKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeHealthCheck: {
			summary: "{listener} で {peer} からのヘルスチェック: PROXY v2 の LOCAL ヘッダの後、データなしで FIN",
			cause: "{peer} は LOCAL コマンドの PROXY プロトコル v2 ヘッダ（クライアントのアドレスなし。送信元自身の接続）を送り、1 バイトも送らずに接続を閉じた。" +
				"これはロードバランサのヘルスチェックである。HAProxy の `check-send-proxy` や、PROXY v2 を話す AWS NLB などのロードバランサの TCP チェックは、接続してヘッダを送り、閉じる。" +
				"失敗したものはない。BIG-IP もヘルスモニターから仮想サーバへの接続については何も記録しないので、BIG-IP の行は出さない。",
			checks:    []string{"直すものはない。チェックで TLS も確かめたいなら、TLS のチェック（HAProxy の `check-ssl`）にすれば、証明書が壊れたときにサーバがダウンと判定される。"},
			clientSaw: "チェックからは接続が受け付けられ、自分で閉じたように見える。サーバは稼働中と判定される。",
		},
		CodeHealthCheck + "/reset": {
			summary: "{listener} で {peer} からのヘルスチェック: PROXY v2 の LOCAL ヘッダの後、データなしで RST",
			cause: "{peer} は LOCAL コマンドの PROXY プロトコル v2 ヘッダ（クライアントのアドレスなし。送信元自身の接続）を送り、1 バイトも送らずに接続をリセットした。" +
				"これはロードバランサのヘルスチェックである。HAProxy の `check-send-proxy` はチェックをリセットで終え、PROXY v2 を話す AWS NLB などのロードバランサの TCP チェックは、接続してヘッダを送り、閉じる。" +
				"失敗したものはない。BIG-IP もヘルスモニターから仮想サーバへの接続については何も記録しないので、BIG-IP の行は出さない。",
		},
		CodeHealthCheck + "/v1": {
			summary: "{listener} で {peer} からのヘルスチェック: PROXY v1 の UNKNOWN ヘッダの後、データなしで FIN",
			cause: "{peer} はプロトコルが UNKNOWN の PROXY プロトコル v1 ヘッダ（`PROXY UNKNOWN`。クライアントのアドレスなし。送信元自身の接続）を送り、1 バイトも送らずに接続を閉じた。" +
				"これはロードバランサのヘルスチェックである。`send-proxy`（v1）を付けたサーバでの HAProxy の `check-send-proxy` や、PROXY v1 を話すほかのロードバランサや監視は、接続してヘッダを送り、閉じる。" +
				"失敗したものはない。BIG-IP もヘルスモニターから仮想サーバへの接続については何も記録しないので、BIG-IP の行は出さない。",
		},
		CodeHealthCheck + "/v1_reset": {
			summary: "{listener} で {peer} からのヘルスチェック: PROXY v1 の UNKNOWN ヘッダの後、データなしで RST",
			cause: "{peer} はプロトコルが UNKNOWN の PROXY プロトコル v1 ヘッダ（`PROXY UNKNOWN`。クライアントのアドレスなし。送信元自身の接続）を送り、1 バイトも送らずに接続をリセットした。" +
				"これはロードバランサのヘルスチェックである。`send-proxy`（v1）を付けたサーバでの HAProxy の `check-send-proxy` はチェックをリセットで終え、PROXY v1 を話すほかのロードバランサや監視は、接続してヘッダを送り、閉じる。" +
				"失敗したものはない。BIG-IP もヘルスモニターから仮想サーバへの接続については何も記録しないので、BIG-IP の行は出さない。",
		},
		CodeClientSilent + "/proxy_required": {
			summary: "クライアント {client} が {listener}（{listener_at}）に接続したが、{peek_timeout} 以内に何も送ってこない。リスナーが必須とする PROXY {proxy_policy} ヘッダも来ていない",
			cause: "リスナー {listener} は、何よりも先に PROXY プロトコル {proxy_policy} のヘッダを必須としている。ヘッダを付けるロードバランサは、接続した直後、自分のクライアントのバイトより先にそれを送る。" +
				"したがって無言ということは、前段の何もヘッダを付けていない。ヘッダなしで接続するロードバランサのヘルスチェック（HAProxy は `check-send-proxy` を設定しない限り、別ポートへのチェックにはヘッダを付けない）、TCP モニターやスキャナー、あるいはロードバランサを経由せずに直接つなぐクライアント（バナーを待つ SSH、SMTP、MySQL などサーバが先に話すプロトコル）である。" +
				"tlsgate はこれを中継しない。ヘッダがなければ渡すべきクライアントのアドレスがなく、ソケットから作ったヘッダでは {client_ip} をクライアントとして名乗ることになる。",
			checks: []string{
				"{client_ip} が何者かを調べる。ロードバランサ自身（ヘルスチェック）か、モニターか、ポート {vport} に直接つなぐべきでないクライアントか。",
				"ロードバランサのヘルスチェックなら、チェックにも PROXY ヘッダを付けさせる（HAProxy の `check-send-proxy`）か、proxy_protocol のないポートに向ける。",
				"クライアントが直接つなぐ必要があるなら、proxy_protocol のないリスナーを用意するか、リスナー {listener} の proxy_protocol を \"optional\" にする。",
			},
			clientSaw: "tlsgate は {peek_timeout} の後、中継せずに接続をリセット（RST）する。TCP ヘルスチェックからは接続が受け付けられてからリセットされたように見え、バナーを待つクライアントは挨拶を待った末に `Connection reset by peer` となる。",
		},
		CodeProxyMalformed + "/two_headers": {
			summary: "リスナー {listener} で {peer} から PROXY ヘッダが 2 つ: 1 つ目 {proxy_first}、続いて {proxy_second}",
			cause: "{peer} からの接続は PROXY ヘッダ（{proxy_first}）で始まり、その直後に 2 つ目（{proxy_second}）が来た。1 つの接続が運ぶヘッダは 1 つだけである。tlsgate は 2 つ目をクライアントのデータとしてバックエンドに中継せずに拒否する。PROXY を自分で読むバックエンドなら、それをクライアントのアドレスと取り違えるからである。" +
				"よくある原因は 2 つ。1 つは、チェーン上の 2 台のプロキシが両方ともヘッダを付けている場合。外側のロードバランサや CDN がヘッダを送り、それを消費しない内側のプロキシ（バイトをそのまま転送する L4 ロードバランサ）が自分のヘッダを前に付けるので、1 つ目のヘッダは外側のプロキシを、2 つ目は本当のクライアントをクライアントとして名乗る。" +
				"もう 1 つは、本物のヘッダを付けるロードバランサ越しに、クライアントが自分でヘッダを書いている場合。1 つ目のヘッダは本当のクライアントを、2 つ目はクライアントが名乗りたいアドレスを示す。",
			checks: []string{
				"1 つ目のヘッダの送信元を見る。自分たちのプロキシなら、2 つのホップが PROXY プロトコルを付けている。内側のプロキシに外側のヘッダを消費させ、元のアドレスを載せたヘッダを 1 つだけ送らせる（HAProxy なら bind 行に `accept-proxy`、tlsgate 向けに `send-proxy`）か、どちらかのホップで PROXY プロトコルを止める。",
				"1 つ目のヘッダの送信元が普通のクライアントなら、2 つ目のヘッダはそのクライアント自身が送ったもの。ロードバランサ越しに向けたテストツール（`curl --haproxy-protocol`）か、アドレスを偽る試みである。何も中継されていない。",
				"1 つ目のヘッダの後にバイトを送る側は、それを `PROXY ` や v2 のシグネチャ 0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a で始めてはならない。",
			},
			clientSaw: "tlsgate は 2 つ目のヘッダの後、バックエンドに何も届かないうちに接続をリセット（RST）する。curl は `curl: (56) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer` を表示し、間にいるプロキシはサーバ側からのリセットを記録する。",
		},
	}
}
