package lab

import (
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// curlCertStatus asks curl to check the stapled OCSP response, which it
// otherwise ignores.
const curlCertStatus = "curl --cert-status --cacert {ca} https://localhost:{port}/"

// serverClockScenarios are server-side causes that are a clock: a stapled
// OCSP response whose times are off (an OCSP responder's clock, a server
// still stapling a stale response) and an origin whose Date is off. They
// come last in the catalog, after the network family, so that no earlier
// scenario's port moves.
func serverClockScenarios() []Scenario {
	return []Scenario{
		{
			Name:   "ocsp-expired",
			Family: FamilyServer,
			Title: Text{
				EN: "Stale OCSP staple: the server still staples a response past its nextUpdate",
				JA: "古い OCSP ステープル：サーバが nextUpdate を過ぎたレスポンスをステープルし続けている",
			},
			Reproduces: Text{
				EN: "A server that staples OCSP responses keeps sending a cached one it can no longer refresh (its OCSP responder unreachable through a firewall or a missing proxy, a failed fetch), or its clock is behind. The certificate is fine; only clients that check the staple notice: curl with --cert-status refuses it, while Go, curl without it and browsers for a private CA connect. Here the staple's nextUpdate passed two hours ago.",
				JA: "OCSP ステープリングを行うサーバが、更新できなくなったキャッシュのレスポンス（ファイアウォールやプロキシ設定の不足で OCSP レスポンダに到達できない、取得の失敗）を送り続けている、またはサーバの時計が遅れているケース。証明書自体は正常で、気づくのはステープルを検証するクライアントだけ。--cert-status を付けた curl は拒否するが、Go、--cert-status なしの curl、プライベート CA のサイトに対するブラウザは接続できる。ここではステープルの nextUpdate が 2 時間前に過ぎている。",
			},
			Listener:      Listener{Mode: "terminate"},
			Faults:        []faults.Rule{{Name: "ocsp-stale-staple", Action: faults.ActOCSPTimes, Skew: faults.Duration(-2 * time.Hour)}},
			Try:           curlCertStatus,
			Compare:       "curl -sS --cacert {ca} https://localhost:{port}/",
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (91) OCSP response has expired",
			ExpectCode:    "client_rejected_silently",
			ExpectProbe:   "ocsp_expired",
			Fix: Text{
				EN: "Read the staple the server sends: `openssl s_client -connect 127.0.0.1:{port} -servername localhost -status </dev/null` prints its This Update and Next Update. Let the server reach the OCSP responder named in the certificate's AIA (on a BIG-IP, the OCSP cert-validator's DNS resolver, route and proxy) and check its clock; a server that cannot refresh should send no staple rather than a stale one.",
				JA: "サーバが送っているステープルを読む。`openssl s_client -connect 127.0.0.1:{port} -servername localhost -status </dev/null` で This Update と Next Update が表示される。サーバが証明書の AIA にある OCSP レスポンダに到達できるようにし（BIG-IP なら OCSP の cert-validator の DNS リゾルバ、経路、プロキシ）、サーバの時計も確認する。更新できないなら、古いステープルを送るよりステープルを送らないほうがよい。",
			},
		},
		{
			Name:   "ocsp-not-yet-valid",
			Family: FamilyServer,
			Title: Text{
				EN: "OCSP staple from the future: the responder's clock is ahead",
				JA: "未来の OCSP ステープル：レスポンダの時計が進んでいる",
			},
			Reproduces: Text{
				EN: "An OCSP responder (a private CA's, or one built into an appliance) whose clock runs ahead signs responses whose thisUpdate is in the future, and the server staples them as they come. Clients that check the staple refuse a response that is not yet valid beyond OpenSSL's five minutes of leeway, and curl words that as expired too. Here the staple's thisUpdate is two hours ahead.",
				JA: "時計の進んだ OCSP レスポンダ（プライベート CA のもの、または機器に内蔵されたもの）が thisUpdate を未来の日時にしてレスポンスに署名し、サーバがそれをそのままステープルしているケース。ステープルを検証するクライアントは、OpenSSL の猶予 5 分を超えてまだ有効でないレスポンスを拒否し、curl はこれも「expired」と表示する。ここではステープルの thisUpdate が 2 時間先になっている。",
			},
			Listener:      Listener{Mode: "terminate"},
			Faults:        []faults.Rule{{Name: "ocsp-responder-ahead", Action: faults.ActOCSPTimes, Skew: faults.Duration(2 * time.Hour)}},
			Try:           curlCertStatus,
			Compare:       "curl -sS --cacert {ca} https://localhost:{port}/",
			CompareExpect: "hello from the tlsgate demo backend",
			ExpectClient:  "curl: (91) OCSP response has expired",
			ExpectCode:    "client_rejected_silently",
			ExpectProbe:   "ocsp_not_yet_valid",
			Fix: Text{
				EN: "Fix the responder's clock (NTP), then let the server fetch a fresh response. `openssl s_client -connect 127.0.0.1:{port} -servername localhost -status </dev/null` shows the staple's This Update; compare it with `date -u` on a host whose clock is right. A client that says 'expired' about a staple whose Next Update is hours away is looking at a This Update in the future.",
				JA: "レスポンダの時計を直し（NTP）、サーバに新しいレスポンスを取得させる。`openssl s_client -connect 127.0.0.1:{port} -servername localhost -status </dev/null` でステープルの This Update が見られるので、時計の正しいホストの `date -u` と比べる。Next Update が何時間も先なのにクライアントが「expired」と言うなら、This Update が未来になっている。",
			},
		},
		{
			Name:   "http-date-skew",
			Family: FamilyServer,
			Title: Text{
				EN: "Origin clock behind: responses carry a Date hours in the past",
				JA: "オリジンの時計が遅れている：レスポンスの Date が数時間前になっている",
			},
			Reproduces: Text{
				EN: "A backend whose clock is wrong (NTP lost, a VM restored from a snapshot) stamps every response with its own time. Nothing fails and curl exits 0, but caches (a CDN, a reverse proxy, a browser) take a response's age from Date: one dated further back than its max-age is stale on arrival and fetched from the origin every time, and its logs disagree with everyone else's. Here the Date of the first response on each connection is two hours behind.",
				JA: "時計の狂ったバックエンド（NTP が止まった、スナップショットから戻した VM）が、すべてのレスポンスに自分の時刻を付けているケース。エラーにはならず curl の終了コードも 0 だが、キャッシュ（CDN、リバースプロキシ、ブラウザ）はレスポンスの経過時間を Date から求めるため、max-age より古い Date のレスポンスは届いた時点で古いとみなされ、毎回オリジンから取り直される。ログの時刻もほかと食い違う。ここでは各接続の最初のレスポンスの Date が 2 時間遅れている。",
			},
			Listener: Listener{Mode: "terminate"},
			Faults:   []faults.Rule{{Name: "origin-clock-behind", Action: faults.ActHTTPDate, Skew: faults.Duration(-2 * time.Hour)}},
			Try:      "curl -sS -i --http1.1 --cacert {ca} https://localhost:{port}/",
			// Nothing fails, so the symptom is only a Date that reads
			// wrong beside a clock that is right: the Compare prints this
			// host's UTC time (RFC 5322, as close to an HTTP Date as date
			// gets in any locale) right above the Date the server sends,
			// two hours behind it.
			Compare:       "date -u -R; curl -sS -I --http1.1 --cacert {ca} https://localhost:{port}/",
			CompareExpect: "HTTP/1.1 200 OK",
			ExpectClient:  "HTTP/1.1 200 OK\n…\nDate: … GMT\n…\nhello from the tlsgate demo backend",
			ExpectCode:    "ok",
			ExpectProbe:   "http_date_skew",
			Fix: Text{
				EN: "Compare the Date the server sends (`curl -sI --cacert {ca} https://localhost:{port}/`) with `date -u` on a host whose clock is right, then fix the origin's time sync (`chronyc tracking` or `ntpq -p` there). A cache that keeps refetching a page with a long max-age is a hint to look at Date first.",
				JA: "サーバが送る Date（`curl -sI --cacert {ca} https://localhost:{port}/`）を、時計の正しいホストの `date -u` と比べ、オリジンの時刻同期を直す（そのサーバで `chronyc tracking` や `ntpq -p`）。max-age の長いページをキャッシュが何度も取り直しているなら、まず Date を疑う。",
			},
		},
	}
}
