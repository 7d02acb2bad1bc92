package explain

// The checks and client symptom of an HTTP/1 request that got no answer
// after the client's FIN (variants no_answer and inspect_no_answer; the
// warning carries the cause, see clientFINUnanswered).
const (
	checkNoAnswerWait = "Compare {client_fin_after}, when the client's FIN came, with its timeout (curl -m, a health check's, a proxy's): if they match, it stopped waiting, and the same request sent straight to {backend} shows how long the backend takes to answer it."
	checkNoAnswerHalf = "If the FIN came at once after the request, the client half-closes when it has sent: keep its sending side open until the answer arrives, or let the backend answer a client that half-closed (nginx: proxy_ignore_client_abort on)."
	sawNoAnswer       = "No answer: {up_bytes} sent, nothing received. A client that timed out prints its own timeout (curl `(28) Operation timed out after … with 0 bytes received`); one that half-closed reads the end of the stream and nothing else."

	checkNoAnswerWaitJA = "クライアントの FIN が来た時刻（接続から {client_fin_after}）をクライアントのタイムアウト（curl -m、ヘルスチェックやプロキシの設定）と比べる。一致すれば待ちきれずにやめたということで、同じ要求を {backend} に直接送ると、バックエンドが応答にかかる時間がわかる。"
	checkNoAnswerHalfJA = "要求の直後に FIN が来ていれば、クライアントは送り終えると半クローズしている。応答が来るまで送信側を開けておくか、半クローズしたクライアントにもバックエンドが応答するようにする（nginx: proxy_ignore_client_abort on）。"
	sawNoAnswerJA       = "応答なし: {up_bytes}送信、受信なし。タイムアウトしたクライアントは自身のタイムアウトを表示する（curl `(28) Operation timed out after … with 0 bytes received`）。半クローズしたクライアントはストリームの終わりだけを読む。"
)
