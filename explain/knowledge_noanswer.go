package explain

// The checks and client symptom of an HTTP/1 request that got no answer
// after the client's FIN (variants no_answer and inspect_no_answer; the
// warning carries the cause, see clientFINUnanswered).
const (
	checkNoAnswerWait = "Compare {client_fin_after}, when the client's FIN came, with its timeout (curl -m, a health check's, a proxy's): if they match, it stopped waiting, and the same request sent straight to {backend} shows how long the backend takes to answer it."
	checkNoAnswerHalf = "If the FIN came at once after the request, the client half-closes when it has sent: keep its sending side open until the answer arrives, or let the backend answer a client that half-closed (nginx: proxy_ignore_client_abort on)."
	// checkNoAnswerWaitPass: the first FIN's time is the client's end, or
	// a moment after it the backend's FIN that answered its close_notify.
	checkNoAnswerWaitPass = "Compare {client_fin_after}, about when the client ended its side, with its timeout (curl -m, a health check's, a proxy's): if they match, it stopped waiting."
	// checkNoAnswerPass: what the backend did, which only its own log
	// can say where tlsgate decrypts nothing.
	checkNoAnswerPass = "Read {backend}'s own log for this connection (it alone saw the request): whether it received the request, and why it closed without answering. Sending the same request straight to it (`curl -v {backend_target}` with the client's path) shows whether it answers at all."
	sawNoAnswer       = "No answer: {up_bytes} sent, nothing received. A client that timed out prints its own timeout (curl `(28) Operation timed out after … with 0 bytes received`); one that half-closed reads the end of the stream and nothing else."

	checkNoAnswerWaitJA     = "クライアントの FIN が来た時刻（接続から {client_fin_after}）をクライアントのタイムアウト（curl -m、ヘルスチェックやプロキシの設定）と比べる。一致すれば待ちきれずにやめたということで、同じ要求を {backend} に直接送ると、バックエンドが応答にかかる時間がわかる。"
	checkNoAnswerHalfJA     = "要求の直後に FIN が来ていれば、クライアントは送り終えると半クローズしている。応答が来るまで送信側を開けておくか、半クローズしたクライアントにもバックエンドが応答するようにする（nginx: proxy_ignore_client_abort on）。"
	checkNoAnswerWaitPassJA = "クライアントが自分の側を終えたおよその時刻（接続から {client_fin_after}）を、クライアントのタイムアウト（curl -m、ヘルスチェックやプロキシの設定）と比べる。一致すれば待ちきれずにやめたということ。"
	checkNoAnswerPassJA     = "{backend} 自身のログでこの接続を確認する（要求を見たのはバックエンドだけ）: 要求を受け取ったか、なぜ応答せずに閉じたか。同じ要求をバックエンドに直接送ると（クライアントのパスを付けた `curl -v {backend_target}`）、そもそも応答するかがわかる。"
	sawNoAnswerJA           = "応答なし: {up_bytes}送信、受信なし。タイムアウトしたクライアントは自身のタイムアウトを表示する（curl `(28) Operation timed out after … with 0 bytes received`）。半クローズしたクライアントはストリームの終わりだけを読む。"
)
