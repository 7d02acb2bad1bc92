package faultse2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestProxySkew runs a proxy whose own clock is wrong (proxy_skew) with
// real clients: tlsgate verifies the real server's certificate (valid from
// an hour ago to a day ahead) at its shifted time and rejects it. In
// inspect mode the client's hello is reset before any answer; with
// server_ssl the client's handshake completes and the reset follows. A
// shift inside the certificate's window changes nothing.
func TestProxySkew(t *testing.T) {
	t.Parallel()
	runCases(t, []faultCase{
		{name: "skew_inspect_ahead", upstream: "inspect", symptom: "connection reset by the proxy", rule: "action = \"proxy_skew\"\nskew = \"48h\"\n",
			stop: "proxy_skew", event: clockSkewed("is after", "ran 48h0m0s ahead", "client_hello"), checks: []check{
				curlFails(35, "Recv failure: Connection reset by peer"),
				goFails("reset", nil),
				goGetFails("/hello", "reset"),
			}},
		{name: "skew_server_ssl_behind", upstream: "server_ssl", symptom: "connection reset by the proxy", rule: "action = \"proxy_skew\"\nskew = \"-2h\"\n",
			stop: "proxy_skew", event: clockSkewed("is before", "ran 2h0m0s behind", "handshake_done"), checks: []check{
				curlResetAfterHandshake(),
				goGetFails("/hello", "reset"),
			}},
		// Inside the window: the rule fires, verification passes, the
		// page comes.
		{name: "skew_inside_window", upstream: "server_ssl", symptom: "connection reset by the proxy", rule: "action = \"proxy_skew\"\nskew = \"30m\"\n",
			checks: []check{curlGets("/hello"), goGets("/hello")}},
	})
}

// clockSkewed checks a proxy_skew event: the upstream verification failed
// on the certificate's dates, the cause says how far the clock ran and
// which way, and the firing says where the reset reached the client.
func clockSkewed(verify, ran, acted string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if !strings.Contains(e.raw, verify) || !strings.Contains(e.Cause, ran) || !strings.Contains(e.Cause, "whose own clock is wrong") {
			t.Errorf("want the upstream verify error with %q and a cause saying %q: %s", verify, ran, e)
		}
		if !strings.Contains(e.raw, `"acted":"`+acted+`"`) {
			t.Errorf("firing not recorded as acted at %s: %s", acted, e)
		}
		if len(e.BigIP) != 1 || !strings.Contains(e.BigIP[0], "SSL Handshake failed for TCP") {
			t.Errorf("BIG-IP lines %q, want the server-side handshake failure", e.BigIP)
		}
	}
}

// TestOCSPTimes staples a good OCSP response whose times are not current
// (ocsp_times) to a good lab-CA leaf: curl --cert-status refuses it, in
// either direction, as expired, after a completed handshake and without an
// alert, and the event names the rule's early or stale staple; curl
// without --cert-status asks for no staple, gets the page, and the rule
// does not fire for it; a Go client asks for one, ignores it, and gets
// the page with the rule fired.
func TestOCSPTimes(t *testing.T) {
	t.Parallel()
	const expired = "curl: (91) OCSP response has expired"
	runCases(t, []faultCase{
		{name: "ocsp_times_ahead", symptom: "certificate rejected", rule: "action = \"ocsp_times\"\nskew = \"2h\"\n", checks: []check{
			withEvent(curlFailsArgs([]string{"--cert-status"}, 91, expired), staplesTimed("its thisUpdate 2h0m0s in the future")),
			quiet(curlGets("/hello")),
		}},
		{name: "ocsp_times_behind", symptom: "certificate rejected", rule: "action = \"ocsp_times\"\nskew = \"-2h\"\n", checks: []check{
			withEvent(curlFailsArgs([]string{"--cert-status", "--tls-max", "1.2"}, 91, expired), staplesTimed("its nextUpdate 2h0m0s in the past")),
			goGets("/hello"),
		}},
	})
}

// staplesTimed checks the event of curl --cert-status refusing an
// ocsp_times staple: client_rejected_silently, naming the staple's times,
// with no BIG-IP line (its side of the handshake worked).
func staplesTimed(times string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != "client_rejected_silently" || !strings.Contains(e.Summary, "stapled with "+times+": consistent with a client that checks staples") ||
			!strings.Contains(e.ClientSaw, "curl: (91) OCSP response has expired") || len(e.BigIP) != 0 || !e.ClientTLS.Done {
			t.Errorf("diagnosis %q, summary %q, client saw %q, BIG-IP %q; want client_rejected_silently naming %q: %s",
				e.Diagnosis, e.Summary, e.ClientSaw, e.BigIP, times, e)
		}
	}
}

// TestHTTPDate shifts the Date of the response (http_date): curl -v reads
// it two hours behind the backend's and exits 0.
func TestHTTPDate(t *testing.T) {
	t.Parallel()
	runCases(t, []faultCase{
		{name: "http_date_behind", symptom: "no error expected", rule: "action = \"http_date\"\nskew = \"-2h\"\n", checks: []check{
			curlDate(-2 * time.Hour),
		}},
	})
}

// curlDate runs curl -v and checks the Date it printed is the time of the
// request shifted by skew (the backend stamps the real time).
func curlDate(skew time.Duration) check {
	return check{run: func(t *testing.T, x *env) string {
		before := time.Now().Truncate(time.Second)
		r := x.curl(t, clientTimeout, labHost, "/hello", "-v")
		after := time.Now()
		r.want(t, 0)
		var date string
		for line := range strings.Lines(r.stderr) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "< Date: "); ok {
				date = v
			}
		}
		got, err := http.ParseTime(date)
		t.Logf("curl -v: < Date: %s", date)
		if err != nil || got.Before(before.Add(skew)) || got.After(after.Add(skew)) {
			t.Errorf("curl -v read Date %q (%v), want the request's time shifted by %s", date, err, skew)
		}
		return r.client()
	}}
}

// curlResetAfterHandshake expects curl to meet the reset that follows a
// completed handshake: read as it waits for the answer (56), or, when the
// reset wins the race with curl 7.88's getpeername after the handshake,
// 55 "getpeername() failed with errno 107" (CI saw both for one rule).
func curlResetAfterHandshake() check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, "/hello")
		r.wantOneOf(t, []int{56, 55}, "Recv failure: Connection reset by peer", "getpeername() failed with errno 107")
		return r.client()
	}}
}
