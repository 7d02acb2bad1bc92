package explain

// The texts of an HTTP/2 relay whose streams got no answer (variants
// h2_no_answer, h2_no_answer_tls for a backend reached over TLS, and
// inspect_h2_no_answer; the warning carries the frames, see h2Unanswered).
const (
	causeNoAnswerH2 = "The relay ended cleanly, both sides closing, but the backend answered none of the HTTP/2 streams the client opened (see the warning)."
	// checkNoAnswerH2Log: only the backend knows what it did with the
	// request; tlsgate read no more than the frame headers.
	checkNoAnswerH2Log = "Read {backend}'s own log for this connection: whether the request reached its handler, and why it closed without a response. An HTTP/2 server that refuses or fails a request normally says so with RST_STREAM or GOAWAY (which curl prints); a bare close after reading the request points at a crash, a handler that never wrote, or an upstream of its own that is down."
	// checkNoAnswerH2Direct: the same request without tlsgate, in h2c.
	checkNoAnswerH2Direct = "Send the same request straight to it: `curl -v --http2-prior-knowledge http://{backend}/` with the client's path. An answer there and none through tlsgate points at what differs (the path, the :authority); none there either is the backend's own doing."
	// checkNoAnswerH2TLS: the same request without tlsgate to a backend
	// that server_ssl reaches over TLS, trusted as tlsgate trusted it.
	checkNoAnswerH2TLS = "Send the same request straight to it over TLS, as tlsgate's server_ssl leg did: `curl -v --http2 {backend_trust} {backend_target}` with the client's path ({backend_trust_why}). An answer there and none through tlsgate points at what differs (the path, the :authority); none there either is the backend's own doing."
	// checkNoAnswerH2c: prior knowledge needs a backend that speaks h2c.
	checkNoAnswerH2c = "Check that {backend} speaks h2c (HTTP/2 without TLS, by prior knowledge) at all: an HTTP/1-only server answers the preface `PRI * HTTP/2.0` with a 400 or closes, and curl then prints `curl: (16) Error in the HTTP2 framing layer` or `curl: (52) Empty reply from server`. If it does not, send it HTTP/1.1 (curl --http1.1, or the client's own setting) or enable h2c on it."
	// checkNoAnswerH2Inspect: the decrypted case, the backend over TLS.
	checkNoAnswerH2Inspect = "Send the same request straight to it over h2: `curl -v --http2 {backend_target}` with the client's path. An answer there and none through tlsgate points at what differs (the path, the :authority); none there either is the backend's own doing."
	sawNoAnswerH2          = "No response on its stream: curl prints `curl: (18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream` when the backend closes first; a client that gave up first prints its own timeout (curl `(28) Operation timed out after … with 0 bytes received`). Go's http2 client returns `unexpected EOF` or `http2: client connection lost`."

	causeNoAnswerH2JA        = "中継はエラーなく終わり両側とも閉じたが、クライアントが開いた HTTP/2 のストリームのどれにもバックエンドは応答しなかった（警告を参照）。"
	checkNoAnswerH2LogJA     = "{backend} 自身のログでこの接続を確認する: 要求がハンドラーに届いたか、なぜ応答せずに閉じたか。HTTP/2 のサーバは要求を拒否したり失敗したりすると通常 RST_STREAM か GOAWAY でそう伝える（curl はそれを表示する）。要求を読んだあと何も言わずに閉じたのなら、クラッシュ、何も書かないハンドラー、あるいはバックエンド自身の上流の停止が疑われる。"
	checkNoAnswerH2DirectJA  = "同じ要求をバックエンドに直接送る: クライアントのパスを付けた `curl -v --http2-prior-knowledge http://{backend}/`。直接なら応答があり tlsgate 経由ではないなら、違い（パス、:authority）を調べる。直接でも応答がなければバックエンド自身の問題。"
	checkNoAnswerH2TLSJA     = "同じ要求をバックエンドに、tlsgate の server_ssl の接続と同じく TLS で直接送る: クライアントのパスを付けた `curl -v --http2 {backend_trust} {backend_target}`（{backend_trust_why}）。直接なら応答があり tlsgate 経由ではないなら、違い（パス、:authority）を調べる。直接でも応答がなければバックエンド自身の問題。"
	checkNoAnswerH2cJA       = "{backend} がそもそも h2c（TLS なしの HTTP/2、prior knowledge）を話すか確かめる: HTTP/1 専用のサーバはプリフェース `PRI * HTTP/2.0` に 400 を返すか閉じ、curl は `curl: (16) Error in the HTTP2 framing layer` か `curl: (52) Empty reply from server` を表示する。話さないなら HTTP/1.1 で送る（curl --http1.1、またはクライアント側の設定）か、バックエンドで h2c を有効にする。"
	checkNoAnswerH2InspectJA = "同じ要求をバックエンドに h2 で直接送る: クライアントのパスを付けた `curl -v --http2 {backend_target}`。直接なら応答があり tlsgate 経由ではないなら、違い（パス、:authority）を調べる。直接でも応答がなければバックエンド自身の問題。"
	sawNoAnswerH2JA          = "ストリームに応答なし: バックエンドが先に閉じると curl は `curl: (18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream` を表示する。先に待つのをやめたクライアントは自身のタイムアウトを表示する（curl `(28) Operation timed out after … with 0 bytes received`）。Go の http2 クライアントは `unexpected EOF` か `http2: client connection lost` を返す。"

	warnTextNoAnswerH2 = "no answer over HTTP/2, as far as the frame headers show: the client opened {h2_streams} (HEADERS frames on odd stream ids), and {backend} sent {h2_backend_frames} but no HEADERS frame on a stream the client opened, then {h2_end}. " +
		"tlsgate reads only the frames' 9-byte headers, not the request (no HPACK), and the byte counts cannot show this: an HTTP/2 server's SETTINGS (often a WINDOW_UPDATE too) come down before any response. " +
		"A backend that closed first read the request and gave up on it without a response, a RST_STREAM or a GOAWAY (a crash or an error in its handler, an upstream of its own that is down), and curl then prints `curl: (18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream`; " +
		"a client that closed first stopped waiting (its own timeout) before any answer came"
	warnTextNoAnswerH2JA = "HTTP/2 のフレームヘッダーから見るかぎり応答なし: クライアントは {h2_streams}を開いた（奇数のストリーム ID 上の HEADERS フレーム）。{backend} が送ったフレームは{h2_backend_frames}で、クライアントが開いたストリームへの HEADERS フレームは 1 つもなく、{h2_end}。" +
		"tlsgate が読むのはフレームの 9 バイトのヘッダーだけで要求そのものは読んでおらず（HPACK は復号しない）、バイト数ではこれはわからない: HTTP/2 のサーバは応答の前に SETTINGS（多くは WINDOW_UPDATE も）を送るから。" +
		"バックエンドが先に閉じたのなら、要求を読んだうえで、応答も RST_STREAM も GOAWAY も送らずに投げ出した（クラッシュ、ハンドラーのエラー、バックエンド自身の上流の停止）のであり、curl は `curl: (18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream` を表示する。" +
		"クライアントが先に閉じたのなら、応答が来る前に待つのをやめた（クライアント自身のタイムアウト）"
)
