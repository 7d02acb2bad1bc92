package faultse2e

import (
	"crypto/tls"
	"strings"
	"testing"
)

// TestRecordCorrupt runs a bit-flipping middlebox (record_corrupt) with
// real clients: on a terminating listener, where tlsgate's own TLS is the
// server, and on a passthrough one, where the real backend is. A flip in
// the server's data makes the client's own decryption fail; one in the
// client's data makes the server fail and answer with alert 20. Either
// way the handshake completed, and the event names the rule as the cause,
// with where it acted.
func TestRecordCorrupt(t *testing.T) {
	t.Parallel()
	tls12 := func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }
	const (
		s2cCurl13 = "error:0A000119:SSL routines::decryption failed or bad record mac"
		s2cCurl12 = "error:1C800066:Provider routines::cipher operation failed"
		s2cGo     = "local error: tls: bad record MAC"
		c2sCurl   = "error:0A0003FC:SSL routines::sslv3 alert bad record mac"
		c2sGo     = "remote error: tls: bad record MAC"
	)
	runCases(t, []faultCase{
		{name: "corrupt_s2c", symptom: "bad record MAC, one bit flipped in the server's", rule: "action = \"record_corrupt\"\n",
			stop: "record_corrupt", event: corrupted("response", "the server's first record"), checks: []check{
				curlFails(56, s2cCurl13),
				curlFailsArgs([]string{"--tls-max", "1.2"}, 56, s2cCurl12),
				goGetFails("/hello", s2cGo),
				goGetFailsWith("/hello", s2cGo, tls12),
				pyFails("DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
			}},
		{name: "corrupt_c2s", symptom: "bad record MAC, one bit flipped in the client's", rule: "action = \"record_corrupt\"\ndirection = \"c2s\"\n",
			stop: "record_corrupt", event: corrupted("request", "the client's first record"), checks: []check{
				curlFails(56, c2sCurl),
				curlFailsArgs([]string{"--tls-max", "1.2"}, 56, c2sCurl),
				goGetFails("/hello", c2sGo),
				pyFails("SSLV3_ALERT_BAD_RECORD_MAC"),
			}},
		// Passed through, the real server decrypts: no keys are needed
		// to break a session, and the handshake's end is read from the
		// records (TLS 1.3 encrypts it in the same record type).
		{name: "corrupt_pass_s2c", pass: true, symptom: "bad record MAC", rule: "action = \"record_corrupt\"\n",
			stop: "record_corrupt", event: corrupted("response", "the server's first record"), checks: []check{
				curlFails(56, s2cCurl13),
				goGetFailsWith("/hello", s2cGo, tls12),
			}},
		{name: "corrupt_pass_c2s", pass: true, symptom: "bad record MAC", rule: "action = \"record_corrupt\"\ndirection = \"c2s\"\n",
			stop: "record_corrupt", event: corrupted("request", "the client's first record"), checks: []check{
				curlFails(56, c2sCurl),
				goGetFails("/hello", c2sGo),
			}},
		// probability 0: the draw never lets it fire, and the clients get
		// their pages.
		{name: "corrupt_never", rule: "action = \"record_corrupt\"\nprobability = 0.0\n", checks: []check{
			quiet(curlGets("/hello")), quiet(goGets("/hello")),
		}},
	})
}

// corrupted checks a record_corrupt event: the firing says where it
// acted, and the cause says whose record was hit.
func corrupted(acted, whose string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		if !strings.Contains(e.raw, `"acted":"`+acted+`"`) {
			t.Errorf("firing not recorded as acted at %s: %s", acted, e)
		}
		if !strings.Contains(e.Cause, whose) || !strings.Contains(e.Cause, "bad_record_mac") {
			t.Errorf("cause %q does not say %q was damaged: %s", e.Cause, whose, e)
		}
		if !e.ClientTLS.Done && e.Route != "fault_record_corrupt" {
			t.Errorf("route %q: %s", e.Route, e)
		}
	}
}
