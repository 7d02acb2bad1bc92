package explain

// proxyKnowledgeJA is proxyKnowledge in Japanese.
func proxyKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeClientSilent + "/proxy_required": {
			summary: "クライアント {client} が {listener}（{virtual}）に接続したが、{peek_timeout} 以内に何も送ってこない。リスナーが必須とする PROXY {proxy_policy} ヘッダも来ていない",
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
	}
}
