package faultse2e

import (
	"crypto/tls"
	"testing"
)

// Texts that name an error class in each client (client-symptoms.md §3).
// Each list holds the wordings of the supported versions of one class.
var (
	curlReset = []string{"Connection reset by peer"}
	curlEOF   = []string{"SSL_ERROR_SYSCALL", "unexpected eof while reading"}
	curlHold  = []string{"timed out"}
	sslReset  = []string{"errno=104", "Connection reset by peer"}
	sslEOF    = []string{"unexpected eof while reading", "SSL_ERROR_SYSCALL"}
	pyReset   = []string{"ConnectionResetError"}
	pyEOF     = []string{"SSLEOFError", "UNEXPECTED_EOF_WHILE_READING"}
	pyHold    = []string{"TimeoutError", "timed out"}
)

// TestStops covers the actions that end a connection before or during the
// handshake (a stop at accept or client_hello, or a wrapper that cuts the
// server's flight): reset, close, blackhole, timeout, truncate, limit_data,
// mtu, plaintext_reply, ssl3_server_hello, unoffered_cipher and
// large_hello, on terminating listeners and, where the server's own flight
// matters, passthrough ones.
func TestStops(t *testing.T) {
	t.Parallel()
	runCases(t, []faultCase{
		{name: "reset", symptom: "connection reset", rule: "action = \"reset\"\n", stop: "reset", checks: []check{
			curlFails(35, curlReset...), sslFails(sslReset...), goFails("reset", nil), pyFails(pyReset...),
		}},
		{name: "reset_accept", symptom: "connection reset", rule: "action = \"reset\"\nstage = \"accept\"\n", stop: "reset", checks: []check{
			// The RST can reach the client before its connect() returns
			// (curl (7) Couldn't connect, Go dial: connection reset), or
			// answer its ClientHello (curl (35) Send/Recv failure).
			curlResetAtAccept(), goFails("reset", nil),
		}},
		{name: "reset_pass", symptom: "connection reset", pass: true, rule: "action = \"reset\"\n", stop: "reset", checks: []check{
			curlFails(35, curlReset...), goFails("reset", nil),
		}},
		{name: "close", symptom: "connection closed (EOF)", rule: "action = \"close\"\n", stop: "close", checks: []check{
			curlFails(35, curlEOF...), sslFails(sslEOF...), goFails("eof", nil), pyFails(pyEOF...),
		}},
		{name: "close_half", symptom: "connection closed (EOF)", rule: "action = \"close\"\ndirection = \"s2c\"\n", stop: "close", checks: []check{
			curlFails(35, curlEOF...), goFails("eof", nil),
		}},
		{name: "blackhole", symptom: "timeout", rule: "action = \"blackhole\"\n", stop: "blackhole", checks: []check{
			curlFails(28, curlHold...), sslHangs(), goFails("timeout", nil), pyFails(pyHold...),
		}},
		{name: "blackhole_rst", rule: "action = \"blackhole\"\ndelay = \"200ms\"\nthen = \"rst\"\n", stop: "blackhole", checks: []check{
			curlFails(35, curlReset...), goFails("reset", nil),
		}},
		{name: "timeout", symptom: "timeout", rule: "action = \"timeout\"\n", checks: []check{
			curlFails(28, curlHold...), goFails("timeout", nil),
		}},
		{name: "timeout_fin", rule: "action = \"timeout\"\ntimeout = \"300ms\"\n", checks: []check{
			curlFails(35, curlEOF...), goFails("eof", nil),
		}},
		{name: "truncate_fin", symptom: "connection closed (EOF)", rule: "action = \"truncate\"\nbytes = 100\nthen = \"fin\"\n", checks: []check{
			curlFails(35, curlEOF...), sslFails(sslEOF...), goFails("eof", nil), pyFails(pyEOF...),
		}},
		{name: "truncate_rst", symptom: "connection reset", rule: "action = \"truncate\"\nbytes = 100\nthen = \"rst\"\n", checks: []check{
			curlFails(35, curlReset...), goFails("reset", nil),
		}},
		{name: "truncate_hold", symptom: "timeout", rule: "action = \"truncate\"\nbytes = 100\n", checks: []check{
			curlFails(28, curlHold...), sslHangs(), goFails("timeout", nil),
		}},
		// On a passthrough listener no handshake of tlsgate's explains the
		// cut: it is recorded as the stop it was.
		{name: "truncate_pass", symptom: "connection closed (EOF)", pass: true, rule: "action = \"truncate\"\nbytes = 60\nthen = \"fin\"\n", stop: "truncate", checks: []check{
			curlFails(35, curlEOF...), goFails("eof", nil),
		}},
		{name: "limit_data", symptom: "connection closed (EOF)", rule: "action = \"limit_data\"\nbytes = 100\n", checks: []check{
			curlFails(35, curlEOF...), goFails("eof", nil), pyFails(pyEOF...),
		}},
		// A 576-byte path MTU: the ServerHello flight needs a full-size
		// segment, so the handshake stalls like a silent drop.
		{name: "mtu_handshake", symptom: "timeout", rule: "action = \"mtu\"\nmtu = 576\n", checks: []check{
			curlFails(28, curlHold...), sslHangs(), goFails("timeout", nil), pyFails(pyHold...),
		}},
		{name: "mtu_pass", symptom: "timeout", pass: true, rule: "action = \"mtu\"\nmtu = 576\n", stop: "mtu", checks: []check{
			curlFails(28, curlHold...), goFails("timeout", nil),
		}},
		{name: "plaintext_reply", symptom: "wrong version number", rule: "action = \"plaintext_reply\"\n", stop: "plaintext_reply", checks: []check{
			curlFails(35, "wrong version number"), sslFails("wrong version number"),
			goFails("first record does not look like a TLS handshake", nil),
			goGetFails("/hello", "server gave HTTP response to HTTPS client"),
			pyFails("WRONG_VERSION_NUMBER"),
		}},
		{name: "ssl3_server_hello", symptom: "handshake refused", rule: "action = \"ssl3_server_hello\"\n", stop: "ssl3_server_hello", checks: []check{
			curlFails(35, "unsupported protocol"), sslFails("unsupported protocol"),
			goFails("server selected unsupported protocol version 300", nil), pyFails("UNSUPPORTED_PROTOCOL"),
		}},
		{name: "unoffered_cipher", symptom: "handshake refused", rule: "action = \"unoffered_cipher\"\n", stop: "unoffered_cipher", checks: []check{
			curlFails(35, "unknown cipher returned"), sslFails("unknown cipher returned"),
			goFails("server chose an unconfigured cipher suite", nil), pyFails("UNKNOWN_CIPHER_RETURNED"),
		}},
		// A first-packet-only middlebox: Go's default ClientHello carries an
		// X25519MLKEM768 key share (about 1.5 kB) and is reset; curl's
		// OpenSSL 3.0 hello, Python's, and Go's without the post-quantum
		// group are small and pass.
		{name: "large_hello", symptom: "connection reset", rule: "action = \"large_hello\"\nhello_min_size = 1000\n", stop: "large_hello", checks: []check{
			goFails("reset", nil),
			quiet(curlGets("/hello")),
			quiet(pyGets("/hello")),
			quiet(goHandshakes(classicCurves)),
			goFails("reset", nil),
		}},
	})
}

// curlResetAtAccept expects curl to fail with a reset: exit 35 naming it,
// or exit 7 when the RST won the race with connect().
func curlResetAtAccept() check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, "/hello")
		r.wantOneOf(t, []int{35, 7}, append(curlReset, "Couldn't connect to server")...)
		return r.client()
	}}
}

// goHandshakes expects a Go handshake, with mod applied to the config, to
// succeed.
func goHandshakes(mod func(*tls.Config)) check {
	return check{run: func(t *testing.T, x *env) string {
		cfg := x.config(labHost)
		if mod != nil {
			mod(cfg)
		}
		c, local, err := goDial(t, x.addr(), cfg, clientTimeout)
		if err != nil {
			t.Errorf("Go handshake: %v", err)
			return local
		}
		c.Close()
		return local
	}}
}
