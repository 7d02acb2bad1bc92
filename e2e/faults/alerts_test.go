package faultse2e

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"
)

// Texts of a record-layer error: a client that reads an alert in the clear
// inside an encrypted session takes it for a forged record. Go says bad
// record MAC; OpenSSL 3.0 says bad record type under TLS 1.3, and under
// TLS 1.2 with AES-GCM fails to open the 2-byte record (invalid aad); other
// versions and ciphers word it as a decryption failure.
var (
	goRecordErr   = "bad record MAC"
	curlRecordErr = []string{"bad record type", "invalid aad", "bad record mac", "decryption failed"}
)

// TestAlertsMidSession covers alerts injected beneath the TLS session
// after the handshake: at handshake_done (a stop), at request, at
// response, and at idle (wrappers that end the connection like a stop and
// are logged as one). Each client must show a record-layer error, and the
// event must name the rule, the alert and the stage.
func TestAlertsMidSession(t *testing.T) {
	t.Parallel()
	curlRecord := func() check { return curlFails(56, curlRecordErr...) }
	runCases(t, []faultCase{
		{name: "alert_handshake_done", symptom: "tls alert injected in the clear right after the handshake",
			rule: "action = \"alert\"\nalert = 40\nstage = \"handshake_done\"\n", stop: "alert", event: alertAt(40, "handshake_done"),
			checks: []check{curlRecord(), goGetFails("/hello", goRecordErr)}},
		{name: "alert_request", symptom: "tls alert injected in the clear as the client's request starts",
			rule: "action = \"alert\"\nalert = 49\nstage = \"request\"\n", stop: "alert", event: alertAt(49, "request"),
			checks: []check{curlRecord(), goGetFails("/hello", goRecordErr), curlRecordTLS12()}},
		{name: "alert_response", symptom: "tls alert injected in the clear in place of the server's response",
			rule: "action = \"alert\"\nalert = \"internal_error\"\nstage = \"response\"\n", stop: "alert", event: alertAt(80, "response"),
			checks: []check{curlRecord(), goGetFails("/hello", goRecordErr), sslReadFails()}},
		{name: "alert_response_rst", symptom: "tls alert injected in the clear in place of the server's response",
			rule: "action = \"alert\"\nalert = 40\nstage = \"response\"\nthen = \"rst\"\n", stop: "alert", event: alertAt(40, "response"),
			checks: []check{goGetFails("/hello", goRecordErr)}},
		{name: "alert_idle", symptom: "tls alert injected in the clear after 300ms with no traffic either way",
			rule: "action = \"alert\"\nalert = 40\nstage = \"idle\"\ntimeout = \"300ms\"\n", stop: "alert", event: alertAt(40, "idle"),
			checks: []check{goWaitsForAlert(false), goWaitsForAlert(true)}},
	})
}

// alertAt checks the event names the alert sent, the firing's stage, and
// a diagnosis that names the alert rather than calling the connection
// normal.
func alertAt(code int, stage string) func(*testing.T, *connEvent) {
	return func(t *testing.T, e *connEvent) {
		t.Helper()
		alertSent(code)(t, e)
		fs := e.firings()
		if len(fs) != 1 || fs[0].Stage != stage {
			t.Errorf("firings %+v, want one at stage %s", fs, stage)
		}
		if e.OK || !strings.Contains(e.ClientSaw, "bad record MAC") {
			t.Errorf("ok %v client_saw %q, want a failure naming the record-layer error", e.OK, e.ClientSaw)
		}
	}
}

// curlRecordTLS12 is curl capped at TLS 1.2, where OpenSSL tries to
// decrypt the clear record.
func curlRecordTLS12() check {
	return curlFailsArgs([]string{"--tls-max", "1.2"}, 56, curlRecordErr...)
}

// sslReadFails sends a request through openssl s_client and expects the
// read to fail on the record, after a completed handshake.
func sslReadFails() check {
	return check{run: func(t *testing.T, x *env) string {
		r := runOpenSSLInput(t, clientTimeout, x.addr(), httpGet(labHost, "/hello", false), x.sClient(labHost, "-ign_eof")...)
		r.wantFail(t, curlRecordErr...)
		return ""
	}}
}

// goWaitsForAlert completes a handshake (and, with request, one keep-alive
// exchange), then only reads: after the idle timeout the alert arrives and
// the read fails with a record-layer error. The read deadline bounds a
// broken run; the wait itself is the fault's trigger.
func goWaitsForAlert(request bool) check {
	return check{run: func(t *testing.T, x *env) string {
		tc, local, err := goDial(t, x.addr(), x.config(labHost), clientTimeout)
		if err != nil {
			t.Fatalf("Go handshake: %v", err)
		}
		defer tc.Close()
		_ = tc.SetDeadline(time.Now().Add(clientTimeout))
		br := bufio.NewReader(tc)
		if request {
			if _, err := io.WriteString(tc, httpGet(labHost, "/hello", true)); err != nil {
				t.Fatalf("request: %v", err)
			}
			_, body, err := readResponse(br)
			if err != nil {
				t.Fatalf("response before the idle period: %v", err)
			}
			wantBody(t, "Go", body, "/hello")
		}
		n, err := br.Read(make([]byte, 64))
		if n != 0 {
			t.Errorf("read %d bytes while idle, want none", n)
		}
		wantGo(t, err, goRecordErr)
		return local
	}}
}
