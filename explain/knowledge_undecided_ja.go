package explain

// sawResetAtPeekJA is sawResetAtPeek in Japanese.
const sawResetAtPeekJA = "先頭バイト待ちの期限で tlsgate が接続をリセットした（RST）。まだ読んでいるクライアントには `Connection reset by peer` が返る（curl は `curl: (35) Recv failure: Connection reset by peer`、Go は `read: connection reset by peer`、Python は `ConnectionResetError: [Errno 104] Connection reset by peer`）。クライアント自身のタイマーの方が短ければ先にあきらめる。"

// undecidedKnowledgeJA holds the Japanese words of undecidedKnowledge.
func undecidedKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeHandshakeTimeout + "/partial_reset": {
			summary: "クライアント {client} が最初のメッセージを {first_bytes}送ったところで止まった。先頭バイト待ちの期限で tlsgate が接続をリセットした",
			cause: "クライアントは {first_bytes}（{kind_desc}）を送った後、{peek_timeout} の間それ以上何も送ってこなかった。この数のバイトではプロトコルが決まらず、ハンドシェイクに渡す TLS の hello でも non_ssl の動作を当てる平文でもないので、何も送ってこないクライアントと同じく、tlsgate は先頭バイト待ちの期限で接続をリセットした（RST）。" +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"クライアントと {virtual} の間のファイアウォールや IPS を確認する。",
			},
			clientSaw: sawResetAtPeekJA,
		},
		CodeHandshakeTimeout + "/partial_handshake": {
			summary: "クライアント {client} が最初のメッセージを {first_bytes}送ったところで止まった。ハンドシェイクのタイムアウト（{handshake_timeout}）が {duration} 後に接続を終えた",
			cause: "クライアントは {first_bytes}（{kind_desc}）を送った後、それ以上何も送ってこなかった。先頭バイト待ちの期限（{peek_timeout}）で tlsgate は届いた分を自分の TLS ハンドシェイクに渡し、ハンドシェイクは ClientHello の残りを待ったが何も来なかった。リスナーの handshake_timeout（{handshake_timeout}、accept から数える）が {duration} 後に接続を終えた。BIG-IP の client-ssl の handshake-timeout も同じように働く。" +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"クライアントと {virtual} の間のファイアウォールや IPS を確認する。",
				"止まったクライアントがたまるなら、リスナー {listener} の handshake_timeout を短くすると早く切れる（BIG-IP では client-ssl プロファイルの handshake-timeout）。",
			},
			clientSaw: "ハンドシェイクのタイムアウト（{handshake_timeout}）が来ると tlsgate が接続を閉じた（FIN）: curl は `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`、openssl s_client は `…:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:…`、Go は `EOF`。クライアント自身のタイマーの方が短ければ先にあきらめる: curl は `curl: (28) SSL connection timeout`、Go は `net/http: TLS handshake timeout`。",
		},
		CodeClientClosedEarly + "/partial_late": {
			summary: "クライアント {client} が最初のメッセージを {first_bytes}送って先頭バイト待ちの期限を過ぎても止まったまま、{duration} 後、ハンドシェイクのタイムアウト前に接続を閉じた（FIN）",
			cause: "クライアントは {first_bytes}（{kind_desc}）を送った後、先頭バイト待ちのタイムアウト {peek_timeout} の間それ以上送ってこなかった。tlsgate は届いた分を自分の TLS ハンドシェイクに渡し、ハンドシェイクは ClientHello の残りを待った（handshake_timeout {handshake_timeout}）が、その前にクライアントが {duration} 後に自分の側を閉じた（FIN）。接続を終えたのは tlsgate のタイムアウトではない。クライアントがあきらめた（自分のタイマー）か、数バイト送って去るプローブである。" +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"実際のクライアントなら、クライアント自身のエラー出力を読む。あきらめた理由がそこに出ている。",
				"クライアントと {virtual} の間のファイアウォールや IPS を確認する。",
			},
			clientSaw: "クライアントが閉じるまで tlsgate からは何も返していない。その後 tlsgate は自分の側をリセットした（RST）が、それが見えるのはまだ読んでいるクライアントだけである。",
		},
		CodeClientResetEarly + "/partial_late": {
			summary: "クライアント {client} が最初のメッセージを {first_bytes}送って先頭バイト待ちの期限を過ぎても止まったまま、{duration} 後、ハンドシェイクのタイムアウト前に接続をリセットした（RST）",
			cause: "クライアントは {first_bytes}（{kind_desc}）を送った後、先頭バイト待ちのタイムアウト {peek_timeout} の間それ以上送ってこなかった。tlsgate は届いた分を自分の TLS ハンドシェイクに渡し、ハンドシェイクは ClientHello の残りを待った（handshake_timeout {handshake_timeout}）が、その前に {duration} 後に接続がリセットされた（RST）。接続を終えたのは tlsgate のタイムアウトではない。クライアントが突然あきらめたか、経路上の装置がリセットを注入した。" +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"クライアントと {virtual} の間に、リセットを注入するファイアウォールや IPS がないか確認する。",
				"実際のクライアントなら、クライアント自身のエラー出力を読む。",
			},
			clientSaw: "tlsgate からは何も返していない。tlsgate のハンドシェイクが hello の残りを待っている間に、リセットがクライアント側（または経路上の装置）から来た。",
		},

		CodePlaintextOnTLS + "/client_reset_unanswered": {
			summary: "TLS リスナー {listener}（{listener_at}）に {client} から平文の {kind}。tlsgate が答える前にクライアントが接続をリセットした（RST）ので、non_ssl の応答（{non_ssl}）は送っていない",
			cause: "クライアントは TLS を待つリスナーに {first_bytes}（{kind_desc}）を送り、リクエスト行がそろう前に、{duration} 後に接続をリセットした（RST）。" +
				"non_ssl = {non_ssl} はリクエストに答える（http400 なら読める形の 400、redirect なら https:// への 301）ので、tlsgate は先頭バイト待ちのタイムアウト {peek_timeout} まで残りのリクエスト行を待っているところでリセットを受け、何も送らなかった。" +
				"届いたバイトからは、TLS のポートに平文を送ったという誤り（HTTPS のポートに向けた http:// の URL、平文 HTTP を送るヘルスモニター）がわかる。これほど早くリセットするクライアントはあきらめたか止められた: プローブやスキャナー、クライアント自身の短いタイムアウト、またはリセットを注入する経路上の装置。",
			checks: []string{
				"クライアントが使う URL を確認する。http:// ではなく {https_url}{vip_which} でなければならない。",
				"{client_ip} が何者で、なぜ {duration} 後にリセットしたのかを調べる: プローブやスキャナー、タイムアウトの短いクライアント、またはクライアントと {virtual} の間でリセットを注入するファイアウォールや IPS。",
			},
			clientSaw: "tlsgate からは何も返していない。リクエスト行がそろう前にクライアント自身が接続をリセットしたので、HTTP 400 もリダイレクトも送っていない。あきらめた理由は実際のクライアント自身のメッセージに出ている。",
		},

		CodeClientResetEarly + "/after_proxy": {
			summary: "{peer} がクライアント {client} の正しい PROXY v{proxy_got} ヘッダーを送った後、データを送る前に接続をリセットした（RST）",
			cause: "手前のロードバランサかプロキシである {peer} から、クライアント {client} を示す正しい PROXY プロトコル v{proxy_got} ヘッダーが届き、そのクライアントのデータが 1 バイトも来ないうちに接続がリセットされた（RST）。" +
				"ロードバランサは tlsgate に接続するとすぐ、クライアントが何か言う前にヘッダーを送るので、リセットはクライアントが話す前にその側から来た: クライアントがあきらめたか拒否されてロードバランサがサーバ側もリセットした、ロードバランサ自身のタイムアウト、またはクライアントを示すヘッダーを送ってからリセットするヘルスチェック。" +
				"tlsgate に向けた TCP ハーフオープンのモニターやポートスキャンではない。それらは PROXY ヘッダーを送らない。",
			checks: []string{
				"{peer}（ロードバランサ）のログで {client} からの接続を探す。どちらの側がなぜ終えたのかがそこに出ている。",
				"{peer} のヘルスチェックが PROXY ヘッダーを送るなら、LOCAL のヘッダー（クライアントのアドレスなし）を送らせる。tlsgate はそれをヘルスチェックとして記録する。",
				"{peer} と {virtual} の間に、リセットを注入するファイアウォールや IPS がないか確認する。",
			},
			clientSaw: "tlsgate からは何も返していない。リセットはデータの前にロードバランサの側（またはそのクライアント）から来ている。",
		},
		CodeClientClosedEarly + "/after_proxy": {
			summary: "{peer} がクライアント {client} の正しい PROXY v{proxy_got} ヘッダーを送った後、データを送る前に接続を閉じた（FIN）",
			cause: "手前のロードバランサかプロキシである {peer} から、クライアント {client} を示す正しい PROXY プロトコル v{proxy_got} ヘッダーが届き、そのクライアントのデータが 1 バイトも来ないうちに接続が閉じられた（FIN）。" +
				"ロードバランサは tlsgate に接続するとすぐ、クライアントが何か言う前にヘッダーを送るので、切断はクライアントが話す前にその側から来た: クライアントが去ってロードバランサがサーバ側も閉じた、ロードバランサ自身のタイムアウト、またはクライアントを示すヘッダーを送ってから閉じるヘルスチェック。" +
				"tlsgate に向けた TCP モニターやポートスキャンではない。それらは PROXY ヘッダーを送らない。",
			checks: []string{
				"{peer}（ロードバランサ）のログで {client} からの接続を探す。どちらの側がなぜ終えたのかがそこに出ている。",
				"{peer} のヘルスチェックが PROXY ヘッダーを送るなら、LOCAL のヘッダー（クライアントのアドレスなし）を送らせる。tlsgate はそれをヘルスチェックとして記録する。",
			},
			clientSaw: "tlsgate からは何も返していない。切断はデータの前にロードバランサの側（またはそのクライアント）から来ている。",
		},
	}
}
