package faultse2e

import (
	"strings"
	"testing"
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
				curlFails(56, "Recv failure: Connection reset by peer"),
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
