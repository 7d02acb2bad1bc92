package faultse2e

import (
	"crypto/tls"
	"strings"
	"testing"
)

// TestALPNDowngrade runs an HTTP/1.1-only proxy (alpn_downgrade) with real
// clients, terminating and inspecting: curl --http2 and a Go client that
// offers h2 and http/1.1 get http/1.1 and their page, no error; a client
// that offers only h2 (Go, openssl s_client -alpn h2) is refused with alert
// 120, explained as the rule's doing. The refusal of h2 alone (the
// catalog's refuse = ["h2"]) is alpn_refuse with alpn = "h2", in
// TestTLSPolicy.
func TestALPNDowngrade(t *testing.T) {
	t.Parallel()
	h2only := func(c *tls.Config) { c.NextProtos = []string{"h2"} }
	const rule = "action = \"alpn_downgrade\"\n"
	runCases(t, []faultCase{
		{name: "downgrade_terminate", symptom: "no error expected", rule: rule, checks: []check{
			curlALPN("http/1.1", "--http2"), goALPN("http/1.1"),
		}},
		{name: "downgrade_inspect", upstream: "inspect", symptom: "no error expected", rule: rule, checks: []check{
			curlALPN("http/1.1", "--http2"), goALPN("http/1.1"),
		}},
		{name: "downgrade_h2_only", symptom: "tls alert 120 no_application_protocol", rule: rule, stop: "alpn_downgrade", event: downgradeRefused, checks: []check{
			goFails("remote error: tls: no application protocol", h2only),
			sslFailsArgs([]string{"-alpn", "h2"}, "tlsv1 alert no application protocol"),
		}},
		{name: "downgrade_inspect_h2_only", upstream: "inspect", symptom: "tls alert 120", rule: rule, stop: "alpn_downgrade", event: downgradeRefused, checks: []check{
			goFails("remote error: tls: no application protocol", h2only),
		}},
	})
}

// curlALPN expects curl (with args, e.g. --http2) to fetch /hello and to
// report the server accepting protocol want.
func curlALPN(want string, args ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, "/hello", append([]string{"-v"}, args...)...)
		r.want(t, 0)
		wantBody(t, "curl", r.body, "/hello")
		if !strings.Contains(r.stderr, "ALPN: server accepted "+want) {
			t.Errorf("curl -v does not show ALPN: server accepted %s:\n%s", want, r.stderr)
		}
		return r.client()
	}}
}

// goALPN expects a Go client offering h2 and http/1.1 to negotiate want.
func goALPN(want string) check {
	return check{run: func(t *testing.T, x *env) string {
		cfg := x.config(labHost)
		cfg.NextProtos = []string{"h2", "http/1.1"}
		c, local, err := goDial(t, x.addr(), cfg, clientTimeout)
		if err != nil {
			t.Errorf("Go handshake: %v", err)
			return local
		}
		defer c.Close()
		if got := c.ConnectionState().NegotiatedProtocol; got != want {
			t.Errorf("Go negotiated %q, want %q", got, want)
		}
		return local
	}}
}

// downgradeRefused checks the event of an h2-only client refused by an
// alpn_downgrade rule: alert 120 sent, and the cause an HTTP/1.1-only proxy.
func downgradeRefused(t *testing.T, e *connEvent) {
	t.Helper()
	alertSent(120)(t, e)
	if !strings.Contains(e.Cause, "speaks only HTTP/1.1 with its clients") || !strings.Contains(e.Cause, "This client offered h2.") {
		t.Errorf("cause %q: want an HTTP/1.1-only proxy refusing an h2-only client: %s", e.Cause, e)
	}
}
