package explain

// The Japanese twins of knowledge_passthrough.go's shared texts.
const (
	passthroughRefusedJA = "{passes_tls}する。tlsgate は何も復号せず、クライアントのハンドシェイクの相手はバックエンド自身である。" +
		"バックエンド {backend} はクライアントの ClientHello に ServerHello ではなくアラート {hello_alert} で応答した。つまり ClientHello を拒否し、tlsgate はその拒否をそのままクライアントへ中継した。"
	passthroughNoBigIPJA = "BIG-IP のパススルー仮想サーバ（client-ssl も server-ssl プロファイルもないもの）もハンドシェイクに関わらず、これについて SSL エラーを記録しないので、BIG-IP の行は表示しない。" +
		"ssldump では、ServerHello が来るはずの位置に `S>C Alert`（レベルと値）として拒否が見える。"
	passthroughSawJA      = "バックエンドのアラートは送られたままクライアントに届いた{hello_alert_level}: {hello_alert_saw}。"
	passthroughNoAnswerJA = "{passes_tls}する。tlsgate は何も復号せず、クライアントのハンドシェイクの相手はバックエンド自身である。" +
		"tlsgate はクライアントの ClientHello を {backend} へ中継したが、"
	passthroughClosedAfterJA = "{passes_tls}する。tlsgate は何も復号せず、クライアントの TLS セッションの相手はバックエンド自身である。" +
		"バックエンド {backend} はクライアント {client} との TLS ハンドシェイクを完了し、クライアントはそのあと要求（暗号化されたアプリケーションデータ。中継したのは全部で {up_bytes}）を送ったが、バックエンドは"
	passthroughClosedAfterWhyJA = "典型的な原因: バックエンドのアプリケーションが要求で落ちた、または例外を出した。TLS を終端するバックエンド（プロキシ、イングレス）で、その先の自分のアップストリームが落ちているか拒否した。受け付けない Host、SNI、パスで閉じるアプリケーション。" +
		"tlsgate はこれをレコードのヘッダだけから判断している: クライアントの要求のレコードは上りに流れ、そのあとバックエンドからは、FIN かリセットの前に、せいぜいクローズ（TLS アラート、TLS 1.3 では暗号化されたアラートの大きさのレコード）が来ただけだった。"
	passthroughClosedAfterNoBigIPJA = "BIG-IP のパススルー仮想サーバ（client-ssl も server-ssl プロファイルもないもの）も何も復号せず、ハンドシェイクのあとでプールメンバーが接続を閉じたりリセットしたりしてもエラーを記録しない（リセット原因のログ `tm.rstcause.log` を有効にしたときだけ `01230140` の行が出るが、その理由の文言は文書化されていない）ので、BIG-IP の行は表示しない。"
	passthroughNoAnswerNoBigIPJA    = "BIG-IP のパススルー仮想サーバ（client-ssl も server-ssl プロファイルもないもの）もハンドシェイクに関わらず、これについて SSL エラーを記録しないので、BIG-IP の行は表示しない。"
)

// passthroughClosedAfterChecksJA is passthroughClosedAfterChecks in
// Japanese.
var passthroughClosedAfterChecksJA = []string{
	"この時刻のバックエンドのアプリケーション自身のログを、tlsgate のアドレス {backend_local} からの接続について読む: 例外、クラッシュや再起動、その先のアップストリームからのエラー。",
	"バックエンドがこの名前や要求で閉じるのか確かめる: tlsgate を通さずに同じ SNI と Host で直接聞く（`curl -vk --resolve {sni}:{backend_port}:{backend_host} https://{sni}:{backend_port}/<path>`）。そこでも空の応答ならバックエンド自身の振る舞いで、別の Host やパスでは動くなら、そのルーティングが原因である。",
	"バックエンド自身が TLS を終端するプロキシなら、その先のアップストリームを確かめる: そのプロキシは自分のバックエンドに届くかわかる前にクライアントのハンドシェイクを完了する。",
}

// passthroughKnowledgeJA is passthroughKnowledge in Japanese.
func passthroughKnowledgeJA() map[string]entry {
	return map[string]entry{
		CodeBackendRejectedHello: {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。{relayed_by}はその拒否を中継した",
			cause:   passthroughRefusedJA + "アラートだけでは理由はわからない。下のクライアントの提示内容とバックエンド自身のログが理由を示す。" + passthroughNoBigIPJA,
			checks: []string{
				"tlsgate を通さずに、クライアントと同じバージョンでバックエンドに直接聞く: `openssl s_client -connect {backend}{servername_opt}{sclient_offer} </dev/null`。同じアラートが返るなら、この ClientHello を拒否しているのはバックエンドの TLS 設定で、tlsgate は中継しただけである。{sclient_offer_note}",
				"tlsgate のアドレス {backend_local} からの接続について、バックエンド自身のログを読む。サーバはハンドシェイクを拒否した理由をログに書く。",
				"下のクライアントの提示内容（バージョン、暗号スイート、SNI、ALPN）をバックエンドの TLS 設定と比べる。",
			},
			clientSaw: passthroughSawJA,
		},
		CodeBackendRejectedHello + "/version_floor": {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。クライアントの提示は最高でも {max_offered} で、バックエンドの最低バージョンに届かない",
			cause: passthroughRefusedJA + "クライアントの提示は {offered_versions} で、バックエンドの最低バージョンのほうが高いため、クライアントが提示したどれも受け付けない。" +
				"今のサーバは既定で TLS 1.0 と 1.1 を拒否し（既定のセキュリティレベルの OpenSSL 3、Go 1.22 以降の crypto/tls）、TLS 1.3 しか受け付けないものもある。" +
				"この拒否の伝え方はサーバによって違う。標準のアラートは protocol_version（70）だが、既定のセキュリティレベルの OpenSSL 3 は TLS 1.0 や 1.1 の ClientHello に internal_error（80）を返し（これらのバージョンは `@SECLEVEL=0` でしか許可しない）、BIG-IP などは handshake_failure（40）を返す。" +
				passthroughNoBigIPJA,
			checks: []string{
				"tlsgate を通さずに確かめる: `openssl s_client -connect {backend}{servername_opt}{sclient_offer} </dev/null` はバックエンドから同じアラートを受け取り、`openssl s_client -connect {backend}{servername_opt} </dev/null`（TLS 1.2 と 1.3）は ServerHello を受け取る。違いはバージョンである。{sclient_offer_note}",
				"できればクライアントを更新するか設定を変えて、{next_version} 以上を提示させる: {next_version_flags}。",
				"このクライアントをそのまま通す必要がある場合に限り、バックエンドの最低バージョンを {max_offered} に下げる（nginx の `ssl_protocols`、Apache の `SSLProtocol`、OpenSSL の `MinProtocol`、Go の `tls.Config.MinVersion`）。{seclevel_note}{legacy_risk}",
			},
		},
		CodeBackendRejectedHello + "/version_ceiling": {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。バックエンドの最高バージョンが、クライアントが提示する最低の {min_offered} に届かない",
			cause: passthroughRefusedJA + "クライアントの提示は {offered_versions} で、バックエンドはそれほど新しいバージョンを受け付けない。バックエンドの最高バージョンは {min_offered} より低い。" +
				"よくあるのは、TLS 1.3 しか提示しないクライアント（curl --tlsv1.3、強化した Go や Java の設定）と TLS 1.2 までのバックエンド、または TLS 1.0 か 1.1 しか話さないレガシーなバックエンド（今のクライアントはこれらをもう提示しない）。" +
				passthroughNoBigIPJA,
			checks: []string{
				"tlsgate を通さずに確かめる: `openssl s_client -connect {backend}{servername_opt}{sclient_min_offered} </dev/null` は同じアラートを受け取る。`-tls1_2`、次に `-tls1_1 -cipher DEFAULT@SECLEVEL=0` を試すと、バックエンドが話す最高バージョンがわかる。{sclient_min_note}",
				"バックエンドで {min_offered} を有効にする（nginx の `ssl_protocols`、Apache の `SSLProtocol`、OpenSSL の `MaxProtocol`、Go の `tls.Config.MaxVersion`）か、レガシーなバックエンドを更新する。",
				"あるいはクライアントにバックエンドのバージョンも提示させる（curl の `--tls-max`、openssl s_client の `-tls1_2`、Java の `-Djdk.tls.client.protocols`）。",
			},
		},
		CodeBackendRejectedHello + "/cipher": {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。クライアントが提示した {offered_cipher_suites}がどれもバックエンドのリストにない可能性が高い",
			cause: passthroughRefusedJA + "クライアントの提示は {offered_versions} で、今のバックエンドが受け付けるバージョンである。ServerHello の前にこのアラートが来る理由として多いのは暗号スイートである。" +
				"クライアントが提示した {offered_suites}（下に一覧）のどれもバックエンドのリストにないか、insufficient_security（71）なら、どれもバックエンドのポリシーには弱すぎる。" +
				"それより少ないのは、共通の鍵交換グループがない（クライアントの supported_groups）、バックエンドの証明書に合う署名アルゴリズムがない、あらゆる拒否に handshake_failure を返すサーバ（BIG-IP の汎用アラート。話さないバージョンの場合も含む）、この SNI やクライアントの指紋を拒否するポリシー。" +
				passthroughNoBigIPJA,
			checks: []string{
				"tlsgate を通さずに、バックエンドが何を受け付けるか調べる: `openssl s_client -connect {backend}{servername_opt} -tls1_2 </dev/null` は OpenSSL の既定リストから選ばれたスイートを表示し（`Cipher is …`）、`-cipher <名前>`（TLS 1.3 では `-ciphersuites`）でクライアントのスイートを 1 つずつ試せる。",
				"クライアントが提示するスイートをバックエンドのリストに加える（nginx の `ssl_ciphers`、Apache の `SSLCipherSuite`、OpenSSL の `CipherString`）か、ECDHE と AES-GCM または ChaCha20-Poly1305 を提示するようにクライアントを更新する。",
				"TLS 1.3 未満では、スイートはバックエンドの鍵の種類にも合う必要がある。ECDHE_ECDSA のスイートには ECDSA の証明書、ECDHE_RSA と RSA のスイートには RSA の証明書が要る。",
			},
		},
		CodeBackendRejectedHello + "/sni": {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。バックエンドは名前 {sni} を扱っていない",
			cause: passthroughRefusedJA + "unrecognized_name（RFC 6066 §3）はサーバ名への応答である。クライアントは SNI で {sni} を求めたが、バックエンドにはその名前の証明書も仮想ホストもなく、既定の証明書を出す代わりに拒否した。" +
				"よくあるのは、バックエンドの設定にその名前がない（nginx の `server_name`、Apache の `ServerName`/`ServerAlias`）、クライアントが別名や古い名前を使っている、未知の名前を拒否する厳格な SNI 設定。" +
				passthroughNoBigIPJA,
			checks: []string{
				"tlsgate を通さずにその名前でバックエンドに聞く: `openssl s_client -connect {backend} -servername {sni} </dev/null` は同じアラートを受け取り、バックエンドが扱う名前なら ServerHello が返る。",
				"バックエンドに {sni} を加える（その名前の server ブロックと証明書）か、バックエンドが扱う名前をクライアントに使わせる。",
			},
		},
		CodeBackendRejectedHello + "/sni_none": {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。クライアントは SNI を送っていない",
			cause: passthroughRefusedJA + "unrecognized_name（RFC 6066 §3）はサーバ名への応答だが、クライアントはサーバ名を送っていない。URL に IP アドレスを書くとクライアントは SNI を送らず、このバックエンドは既定の証明書を出す代わりに SNI のない ClientHello を拒否する。" +
				passthroughNoBigIPJA,
			checks: []string{
				"tlsgate を通さずに確かめる: `openssl s_client -connect {backend} -noservername </dev/null` は同じアラートを受け取り、バックエンドが扱う名前で `-servername <名前>` を付けると ServerHello が返る。",
				"クライアントには IP アドレスではなくホスト名を使わせる（curl の `--resolve <名前>:{vport}:{virtual_host} https://<名前>:{vport}/` ならアドレスはそのままで名前を送る）か、SNI のないクライアント向けの既定の証明書をバックエンドに用意する。",
			},
		},
		CodeBackendRejectedHello + "/alpn": {
			summary: "バックエンド {backend} が {client} の ClientHello をアラート {hello_alert} で拒否した。クライアントが提示したプロトコル（{alpn_list}）をどれも話さない",
			cause: passthroughRefusedJA + "no_application_protocol（RFC 7301 §3.2）は ALPN への応答である。クライアントは {alpn_list} を提示したが、バックエンドはそのどれも話さない。" +
				"よくあるのは、h2 しか提示しないクライアント（gRPC）と HTTP/1.1 しか話さないバックエンド、またはその逆。" +
				passthroughNoBigIPJA,
			checks: []string{
				"バックエンドが何を話すか確認する: `openssl s_client -connect {backend}{servername_opt} -alpn h2 </dev/null` と `-alpn http/1.1` は、受け付けるものについて `ALPN protocol: …` を表示する。",
				"バックエンドが話すプロトコルをクライアントに提示させる（`curl --http1.1`）か、クライアントのプロトコルをバックエンドで有効にする。",
			},
		},
		CodeBackendRejectedHello + "/sslv2": {
			summary: "バックエンド {backend} が {client} の SSLv2 の ClientHello をアラート {hello_alert} で拒否した。クライアントは SSLv2 しか提示しておらず、今のサーバはどれも受け付けない",
			cause: passthroughRefusedJA + "クライアントは SSLv2 形式の ClientHello で SSLv2（バージョン 0x0002）だけを提示した。TLS のバージョンは 1 つもない。" +
				"SSLv2 は禁止されており（RFC 6176）、今の TLS スタック（OpenSSL 1.1.0 以降、Go、Java、nginx、BIG-IP）のどれからも消えているので、バックエンドはクライアントの提示を何も受け付けない。OpenSSL は protocol_version（70）を返す。" +
				"今こうした ClientHello を送るのは、SSLv2 が残っていないか調べるスキャナー（sslscan、testssl.sh、nmap の sslv2 スクリプト）であることがほとんどで、ほかは TLS より古いスタックくらいである。" +
				passthroughNoBigIPJA,
			checks: []string{
				"{client_ip} が何かを調べる。SSLv2 がまだ受け付けられるかを調べるスキャナーなら、まさにこの拒否を期待しており、直すものはない。",
				"実際のクライアントなら、TLS 1.2 以上を提示する TLS 形式の ClientHello を送らせる: SSLv2 互換をやめる（Java は有効なプロトコルから SSLv2Hello を外す、OpenSSL 1.0.x は `SSL_OP_NO_SSLv2`）か、それができないスタックを更新する。",
				"openssl s_client は OpenSSL 1.1.0 から SSLv2 の ClientHello を送れないので、クライアントの提示は再現できない。バックエンドが受け付ける最低のバージョンを見るには `openssl s_client -connect {backend}{servername_opt} -tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null`、次に `-tls1_2` を実行する。",
			},
			clientSaw: "バックエンドのアラート {hello_alert} が送られたままクライアントに届き、続いて切断された。SSLv2 を調べるスキャナーは SSLv2 が拒否されたと読み、SSLv2 しか話せないクライアントはハンドシェイクに失敗する。tlsgate 自身からは何も送っていない。",
		},
		CodeBackendRejectedHello + "/no_hello": {
			summary: "クライアント {client} が ClientHello ではなく{client_record}で接続を始め、バックエンド {backend} がアラート {hello_alert} で拒否した。{relayed_by}はその拒否を中継した",
			cause: "{passes_tls}する。tlsgate は何も復号せず、クライアントの先頭バイトを届いたままバックエンドへ中継する。" +
				"クライアントの先頭バイトは{client_record}で、ハンドシェイクのレコードではない。ClientHello を提示していないので、拒否されたバージョンも暗号スイートも名前もない。" +
				"バックエンド {backend} は、ClientHello 以外で始まる接続に TLS サーバが返すとおりアラート {hello_alert} で応答し（OpenSSL は unexpected_message（10）を送る）、tlsgate はそれをそのまま中継した。" +
				"TLS クライアントは必ず ClientHello で始めるので、これは迷子のレコードへの反応を調べるスキャナーやファジングツール、テストツール、または先頭バイトがたまたま 20 から 24 になる別のプロトコルを書き込むプログラムである。" +
				passthroughNoBigIPJA,
			checks: []string{
				"{client_ip} が何か（スキャナー、ファジングツール、テストツール）と、何を送るつもりだったかを調べる: `tcpdump -ni any -X host {client_ip} and port {vport}` でバイト列が見える。",
				"バックエンドに問題はない: こう始まる接続はどの TLS サーバも拒否するので、TLS 設定を変える必要はない。",
			},
			clientSaw: "バックエンドの平文のアラート {hello_alert} がそのまま中継され、続いて切断された。tlsgate 自身からは何も送っていない。",
		},
		CodeClientClosedEarly + "/relayed": {
			summary: "クライアント {client} が ClientHello を {first_bytes}送って自分の側を閉じた（FIN）。{relayed_by}はその FIN の後で途中までの ClientHello を {backend} へ中継し、{cut_end}",
			cause: "クライアントは {first_bytes}（{kind_desc}）を送った。途中で切れた ClientHello で、残りを送らずに自分の側の接続を閉じた（FIN）。" +
				"{passes_tls}し、ハンドシェイクの相手はバックエンドなので、tlsgate はクライアントの FIN の後で途中までの ClientHello を {backend} へ中継し、FIN も伝えた。パススルーの仮想サーバも届いたものを転送する。" +
				"ストリームが終わった ClientHello をサーバは読み終えられないので、返ってきたもの（{cut_end}）は途中で切れたことへの応答で、クライアントの提示内容への応答ではない。OpenSSL はストリームの終わりで切れたレコードにアラート 50 decode_error を返し、ほかのサーバは閉じるだけである。ServerHello も証明書も送られていない。" +
				"TLS クライアントは ClientHello を全部送ってから片側を閉じる。FIN で切れた ClientHello は、スキャナーやファジングツール、ClientHello の一部だけ書いて自分の側を閉じるテストツールやスクリプト、送信の途中で終了させられたクライアントから来る。" +
				passthroughNoAnswerNoBigIPJA,
			checks: []string{
				"{client_ip} が何か（スキャナー、ファジングツール、テストツールやスクリプト）と、なぜ {first_bytes}で止まるのかを調べる: `tcpdump -ni any host {client_ip} and port {vport}` で ClientHello がどこで終わるかが見える。",
				"自分のスクリプトなら、ClientHello を全部書いて応答を読んでから自分の側を閉じるようにする（ClientHello の一部の後で `shutdown(SHUT_WR)` や `nc -N` を使わない）。",
				"バックエンドに問題はない: その応答は途中で切れた ClientHello へのもので、TLS 設定を変える必要はない。",
			},
			clientSaw: "バックエンドが返したものが、受信側をまだ開いていたクライアントへそのまま中継された: {cut_saw}。tlsgate 自身からは何も送っていない。",
		},
		CodeBackendNoServerHello: {
			summary: "バックエンド {backend} は {client} の ClientHello に何も返さなかった（ServerHello もアラートもない）まま接続が終わった。{relayed_by}が返したものはない",
			cause: passthroughNoAnswerJA + "バックエンドは接続が終わるまで（{duration}）1 バイトも返さなかった。ServerHello もアラートもない。" +
				"ClientHello を受けて接続を閉じた（要求された名前の証明書がない TLS サーバ、たとえば `ssl_certificate` のない nginx の server ブロック。応じないハンドシェイクを捨てるサーバやフィルタ）か、" +
				"別のものを待ち続けてクライアントが諦めた（応答の前にもっとバイトを必要とする平文のサービス、固まったサーバ）かのどちらかである。" +
				passthroughNoAnswerNoBigIPJA,
			checks: []string{
				"tlsgate を通さずにバックエンドに直接聞く: `openssl s_client -connect {backend}{servername_opt} </dev/null`。`unexpected eof while reading` や無応答ならバックエンド自身の挙動で、ServerHello が返るなら違いはクライアントの提示内容（下記）にある。",
				"tlsgate のアドレス {backend_local} からの接続について、バックエンド自身のログを読む。{backend} が TLS のポートか、名前 {sni} を扱っているかも確かめる。",
				"バックエンドに平文を渡すつもりなら、TLS は tlsgate で終端する: リスナー {listener} に mode = \"terminate\"（BIG-IP では仮想サーバに client-ssl プロファイル）。",
			},
			clientSaw: "バックエンドが閉じた場合: curl は `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL`、openssl s_client は `unexpected eof while reading`、Go は `EOF`。黙っていた場合: curl は `curl: (28) … timed out`、Go は `net/http: TLS handshake timeout`。",
		},
		CodeBackendClosedEarly + "/after_handshake": {
			summary: "バックエンド {backend} が {client} との TLS ハンドシェイクを完了したあと、要求に応答せずに接続を閉じた（FIN）。{relayed_by}はそのクローズを伝えた",
			cause: passthroughClosedAfterJA + "応答を含みうるレコードを 1 つも返さずに FIN で接続を終えた。" +
				"バックエンドは TLS ハンドシェイクを完了し、そのあと要求に応答せずに閉じた: クライアントには応答の代わりにストリームの終わりが届いた。" +
				passthroughClosedAfterWhyJA + passthroughClosedAfterNoBigIPJA,
			checks: passthroughClosedAfterChecksJA,
			clientSaw: "応答の代わりにストリームの終わり（TLS 1.2 でも 1.3 でも同じ）: curl `curl: (52) Empty reply from server`（OpenSSL 3.0 の curl ではバックエンドの close_notify の有無にかかわらず。OpenSSL 3.2 以降の curl は、close_notify を送らないバックエンドに対して `(56) OpenSSL SSL_read: SSL_ERROR_SYSCALL, errno 0` と出すことがある）、Go net/http `EOF`、ブラウザは ERR_EMPTY_RESPONSE。" +
				"そのあとバックエンドがクライアントの次のバイトをリセットしたときは、curl が代わりに `curl: (56) Recv failure: Connection reset by peer` を出すことがある。",
		},
		CodeBackendClosedEarly + "/after_handshake_reset": {
			summary: "バックエンド {backend} が {client} との TLS ハンドシェイクを完了したあと、要求に応答せずに接続をリセットした。{relayed_by}はそのリセットを伝えた",
			cause: passthroughClosedAfterJA + "応答を含みうるレコードを 1 つも返さずに接続をリセットした。" +
				"バックエンドは TLS ハンドシェイクを完了し、そのあと要求に応答せずに TCP リセットで閉じた（要求を読まずにソケットを閉じたアプリケーションや、SO_LINGER 0 を設定したものは FIN の代わりにリセットを送る）。" +
				passthroughClosedAfterWhyJA + passthroughClosedAfterNoBigIPJA,
			checks:    passthroughClosedAfterChecksJA,
			clientSaw: "応答の代わりにリセット（TLS 1.2 でも 1.3 でも同じ）: curl `curl: (56) Recv failure: Connection reset by peer`、Go net/http `read: connection reset by peer`、ブラウザは ERR_CONNECTION_RESET。",
		},
		CodeBackendNoServerHello + "/reset": {
			summary: "バックエンド {backend} は {client} の ClientHello に応答せず（ServerHello もアラートもない）接続をリセットした。{relayed_by}がそのリセットを伝えた",
			cause: passthroughNoAnswerJA + "応答が 1 バイトも来ないうちに、バックエンド側から TCP リセットが返った。ServerHello もアラートもない。" +
				"応じない接続をリセットするバックエンド（accept のバックログがいっぱい、接続数の上限、ホストファイアウォール、ハンドシェイクを捨てるフィルタ）か、すぐに閉じて、閉じたソケットに届いた ClientHello をリセットしたかのどちらか。ClientHello で落ちたサーバも同じになる。" +
				passthroughNoAnswerNoBigIPJA,
			clientSaw: "curl は `curl: (35) Recv failure: Connection reset by peer`（バックエンドの終了が先に届けば `(35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL`）、openssl s_client は `errno=104`、Go は `read: connection reset by peer`、Chrome は ERR_CONNECTION_RESET。",
		},
		CodeBackendNoServerHello + "/not_tls": {
			summary: "バックエンド {backend} は {client} の ClientHello に TLS ではないバイト列（{backend_answer}）で応答した。そこでは TLS を話していない。{relayed_by}はそれを中継した",
			cause: passthroughNoAnswerJA + "バックエンドは TLS のレコード（ServerHello）が来るはずの位置に {backend_answer} を返した。{backend} では TLS を話していない。" +
				"よくあるのは、平文 HTTP のポートの前に置いたパススルーのリスナー（ClientHello のバイナリに `HTTP/1.1 400 Bad Request` が返る）や、バナーを先に送るサービス（SSH、SMTP、FTP）。" +
				passthroughNoAnswerNoBigIPJA,
			checks: []string{
				"tlsgate を通さずに {backend} が何を話すか見る: 平文 HTTP なら `curl -v http://{backend}/` が応答する。`openssl s_client -connect {backend} </dev/null` はクライアントと同じく `wrong version number` で失敗する。",
				"バックエンドがもともと平文を話すなら、TLS は tlsgate で終端する: リスナー {listener} に mode = \"terminate\"（BIG-IP では仮想サーバに client-ssl プロファイルを付け、server-ssl は付けない）。そうでなければ backend をバックエンドの TLS のポートに向ける。",
			},
			clientSaw: "curl は `curl: (35) … wrong version number`、openssl s_client は `wrong version number`、Go は `tls: first record does not look like a TLS handshake`、Chrome は ERR_SSL_PROTOCOL_ERROR。",
		},
	}
}
