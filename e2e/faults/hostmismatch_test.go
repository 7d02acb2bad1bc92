package faultse2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHostMismatch runs an sni_policy with host_mismatch = 421 with real
// clients on a terminating listener: a request whose Host names another
// server than the SNI gets 421 Misdirected Request from tlsgate and never
// reaches the backend (curl exits 0, or 22 with -f; Go gets the status with
// no error); a request for the SNI's own name passes, and the rule, which
// fires only when it answers, is not listed for it.
func TestHostMismatch(t *testing.T) {
	t.Parallel()
	other := []string{"-H", "Host: other.test"}
	runCases(t, []faultCase{
		{name: "host_mismatch", symptom: "http status 421 Misdirected Request", rule: "action = \"sni_policy\"\nhost_mismatch = 421\n",
			event: misdirected, checks: []check{
				curlStatus(421, "does not match the Server Name Indication (SNI) in use for this connection (lab.test)", other...),
				curlFailsArgs(append([]string{"-f"}, other...), 22, "The requested URL returned error: 421"),
				goGetHost("other.test:443", 421),
				quiet(curlGets("/hello")),
				quiet(goGets("/hello")),
			}},
	})
}

// TestHostMismatchInspect is TestHostMismatch on an inspect listener: the
// rule answers 421 after both legs are up, and the event's texts say so
// (the request never reached the real server, the client got the 421), not
// inspect's own "relayed between the two legs" and "a working connection".
// A request for the SNI's own name is relayed to the real server.
func TestHostMismatchInspect(t *testing.T) {
	t.Parallel()
	other := []string{"-H", "Host: other.test"}
	runCases(t, []faultCase{
		{name: "host_mismatch_inspect", upstream: "inspect", symptom: "http status 421 Misdirected Request", rule: "action = \"sni_policy\"\nhost_mismatch = 421\n",
			event: misdirectedInspect, checks: []check{
				curlStatus(421, "does not match the Server Name Indication (SNI) in use for this connection (lab.test)", other...),
				goGetHost("other.test:443", 421),
				{quiet: true, run: curlGets("/hello").run, event: hostCheckedInspect},
			}},
	})
}

// misdirectedInspect is misdirected on inspect: both legs up, and the
// inspect texts of a request tlsgate answered itself.
func misdirectedInspect(t *testing.T, e *connEvent) {
	t.Helper()
	if e.Diagnosis != "ok" || !strings.Contains(e.Summary, "injected by rule "+e.Listener+" (sni_policy at request") || !strings.Contains(e.raw, `"bytes_up":0,`) {
		t.Errorf("diagnosis %q summary %q; want ok naming the rule, with no byte to the real server: %s", e.Diagnosis, e.Summary, e)
	}
	if e.Route != "inspect" || !strings.Contains(e.Summary, "server[TLS 1.3") ||
		!strings.Contains(e.Cause, "Its first request never reached the real server: tlsgate's host check answered it 421") ||
		!strings.Contains(e.ClientSaw, "then 421 Misdirected Request for the first request instead of the real server's answer") ||
		strings.Contains(e.Cause, "relayed between the two legs") {
		t.Errorf("route %q summary %q cause %q client_saw %q; want inspect's 421 texts: %s", e.Route, e.Summary, e.Cause, e.ClientSaw, e)
	}
}

// hostCheckedInspect checks the event of a request the host check let
// through on inspect: an ok inspected connection, relayed to the real
// server (its event is brief; the explain goldens hold the checks' words).
func hostCheckedInspect(t *testing.T, e *connEvent) {
	t.Helper()
	if e.Route != "inspect" || e.Diagnosis != "ok" || !strings.Contains(e.Summary, "server[TLS 1.3") || strings.Contains(e.raw, `"bytes_up":0,`) {
		t.Errorf("route %q diagnosis %q summary %q; want an inspected ok connection relayed to the real server: %s", e.Route, e.Diagnosis, e.Summary, e)
	}
}

// misdirected checks the event of a 421: a working TLS connection
// (diagnosis ok) that names the rule, whose request never reached the
// backend.
func misdirected(t *testing.T, e *connEvent) {
	t.Helper()
	if e.Diagnosis != "ok" || !strings.Contains(e.Summary, "injected by rule host_mismatch (sni_policy at request") ||
		!strings.Contains(e.Cause, "421 Misdirected Request") || !strings.Contains(e.ClientSaw, "421") {
		t.Errorf("diagnosis %q, summary %q, cause %q, client_saw %q; want ok naming the rule and the 421: %s", e.Diagnosis, e.Summary, e.Cause, e.ClientSaw, e)
	}
	if !strings.Contains(e.raw, `"bytes_up":0,`) {
		t.Errorf("the request reached the backend: %s", e)
	}
}

// curlStatus expects curl (with args) to exit 0 with status and a body
// holding text.
func curlStatus(status int, text string, args ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, "/hello", args...)
		r.want(t, 0)
		if r.status != status || !strings.Contains(string(r.body), text) {
			t.Errorf("curl status %d body %q, want %d with %q", r.status, r.body, status, text)
		}
		return r.client()
	}}
}

// goGetHost expects Go's net/http, with the SNI lab.test and the Host
// header host, to get status with no error.
func goGetHost(host string, status int) check {
	return check{run: func(t *testing.T, x *env) string {
		var local string
		tr := &http.Transport{DisableKeepAlives: true, TLSClientConfig: x.config(labHost),
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, x.addr())
				if err == nil {
					local = c.LocalAddr().String()
				}
				return c, err
			}}
		defer tr.CloseIdleConnections()
		req, err := http.NewRequest("GET", x.url(labHost, "/hello"), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := (&http.Client{Transport: tr, Timeout: clientTimeout}).Do(req)
		if err != nil {
			t.Errorf("Go GET with Host %s: %v", host, err)
			return local
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("Go GET with Host %s: status %s, want %d", host, resp.Status, status)
		}
		return local
	}}
}
