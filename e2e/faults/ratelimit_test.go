package faultse2e

import (
	"strconv"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// TestRateLimit drives a rate_limit rule with real curl, by count, not by
// time: a bucket of 3 that refills once an hour admits the first three
// connections (each reaches the backend and gets its body) and answers
// the fourth itself with 429, Retry-After and x-envoy-ratelimited, as
// Envoy's local rate limit does. The hour-long window keeps a slow run
// from seeing a refill. A status of 503 answers with that instead; Go's
// client gets the answer with no error.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	admitted := quiet(curlGets("/hello"))
	runCases(t, []faultCase{
		{name: "rate_limit", symptom: "http status 429", rule: "action = \"rate_limit\"\nrate = 3\nwindow = \"1h\"\n", checks: []check{
			admitted, admitted, admitted,
			withEvent(curlLimited(429), limitedEvent("rate_limit")),
			withEvent(curlLimited(429), limitedEvent("rate_limit")),
		}},
		{name: "rate_limit_503", symptom: "http status 503", rule: "action = \"rate_limit\"\nrate = 1\nwindow = \"1h\"\nstatus = 503\n", checks: []check{
			admitted, curlLimited(503), goGetStatus(503),
		}},
		// Plain HTTP that non_ssl = "allow" lets in: the same bucket,
		// answered on the plain path as an abort is.
		{name: "rate_limit_plain", plainAllow: true, symptom: "http status 429", rule: "action = \"rate_limit\"\nrate = 1\nwindow = \"1h\"\n", checks: []check{
			quiet(plainCurl(200)), plainCurl(429),
		}},
	})
}

// plainCurl expects curl's plain http:// request to the TLS listener to
// get status: the backend's body, or the rate limit's answer.
func plainCurl(status int) check {
	return check{run: func(t *testing.T, x *env) string {
		port := x.g.port(x.lis)
		r := runCurl(t, clientTimeout, "--resolve", labHost+":"+port+":127.0.0.1", "http://"+labHost+":"+port+"/hello")
		r.want(t, 0)
		switch {
		case r.status != status:
			t.Errorf("curl http:// status %d, want %d; headers:\n%s", r.status, status, r.headers)
		case status == 200:
			wantBody(t, "curl", r.body, "/hello")
		case string(r.body) != "local_rate_limited" || !strings.Contains(strings.ToLower(r.headers), "x-envoy-ratelimited: true\r\n"):
			t.Errorf("curl http:// body %q headers %q, want Envoy's answer", r.body, r.headers)
		}
		return r.client()
	}}
}

// curlLimited expects curl to exit 0 with status, Envoy's body and
// headers, and a Retry-After within the hour's window.
func curlLimited(status int) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, "/hello")
		r.want(t, 0)
		h := strings.ToLower(r.headers)
		retry, _, _ := strings.Cut(strings.SplitN(h+"retry-after:", "retry-after:", 2)[1], "\r\n")
		secs, err := strconv.Atoi(strings.TrimSpace(retry))
		if r.status != status || string(r.body) != "local_rate_limited" || !strings.Contains(h, "x-envoy-ratelimited: true\r\n") ||
			err != nil || secs < 1 || secs > 3600 {
			t.Errorf("curl status %d body %q headers %q; want %d, local_rate_limited, x-envoy-ratelimited: true and Retry-After 1..3600", r.status, r.body, r.headers, status)
		}
		return r.client()
	}}
}

// goGetStatus expects Go's net/http to get status with no error: an HTTP
// answer, not a TLS failure.
func goGetStatus(status int) check {
	return check{run: func(t *testing.T, x *env) string {
		resp, body, local, err := tg.Get(x.addr(), x.url(labHost, "/hello"), x.config(labHost), clientTimeout)
		if err != nil || resp.StatusCode != status || string(body) != "local_rate_limited" {
			t.Errorf("Go GET: %v, body %q; want %d local_rate_limited", err, body, status)
		}
		return local
	}}
}

// limitedEvent checks the event of a connection over the rate: a working
// connection, the rule named, the request answered in the backend's place.
func limitedEvent(rule string) func(t *testing.T, e *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if e.Diagnosis != "ok" || !strings.Contains(e.Summary, "injected by rule "+rule+" (rate_limit at request)") ||
			!strings.Contains(e.Cause, "Envoy's local rate limit") || !strings.Contains(e.raw, `"status":429`) {
			t.Errorf("diagnosis %q, summary %q, cause %q; want ok naming rule %s and the 429 it answered: %s", e.Diagnosis, e.Summary, e.Cause, rule, e)
		}
	}
}
