package explain

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

func TestAlertName(t *testing.T) {
	// The full RFC table (bigip-log.md §3.3) plus ech_required.
	want := map[int]string{
		0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed_RESERVED",
		22: "record_overflow", 30: "decompression_failure_RESERVED", 40: "handshake_failure",
		41: "no_certificate_RESERVED", 42: "bad_certificate", 43: "unsupported_certificate",
		44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
		47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
		51: "decrypt_error", 60: "export_restriction_RESERVED", 70: "protocol_version",
		71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
		90: "user_canceled", 100: "no_renegotiation", 109: "missing_extension",
		110: "unsupported_extension", 111: "certificate_unobtainable_RESERVED", 112: "unrecognized_name",
		113: "bad_certificate_status_response", 114: "bad_certificate_hash_value_RESERVED",
		115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol",
		121: "ech_required", 99: "alert(99)", -1: "alert(-1)", 255: "alert(255)",
	}
	for n, name := range want {
		if got := AlertName(n); got != name {
			t.Errorf("AlertName(%d) = %q, want %q", n, got, name)
		}
	}
}

func TestAlertFromError(t *testing.T) {
	tests := []struct {
		err  string
		want int
	}{
		{"remote error: tls: unknown certificate authority", 48},
		{"remote error: tls: unknown certificate", 46},
		{"remote error: tls: bad certificate", 42},
		{"remote error: tls: expired certificate", 45},
		{"remote error: tls: handshake failure", 40},
		{"remote error: tls: protocol version not supported", 70},
		{"remote error: tls: unrecognized name", 112},
		{"remote error: tls: certificate required", 116},
		{"remote error: tls: insufficient security level", 71},
		{"remote error: tls: access denied", 49},
		{"remote error: tls: internal error", 80},
		{"remote error: tls: close notify", 0},
		{"remote error: tls: alert(99)", 99},
		{`Get "https://lab.test/": remote error: tls: unknown certificate authority`, 48},
		{"read tcp 1.2.3.4:5->6.7.8.9:443: remote error: tls: bad record MAC", 20},
		{"local error: tls: bad record MAC", -1},
		{"error:0A000418:SSL routines::tlsv1 alert unknown ca:ssl/record/rec_layer_s3.c:1586:SSL alert number 48", 48},
		{"javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure", 40},
		{"Received fatal alert: certificate_unknown", 46},
		{"EOF", -1},
		{"", -1},
		{"remote error: tls: ", -1},
		{"remote error: tls: alert(", -1},
		{"SSL alert number x", -1},
	}
	for _, tc := range tests {
		if got := AlertFromError(tc.err); got != tc.want {
			t.Errorf("AlertFromError(%q) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestVersionName(t *testing.T) {
	tests := map[uint16]string{
		0: "none", 0x0002: "SSLv2", 0x0300: "SSLv3", tls.VersionTLS10: "TLS 1.0", tls.VersionTLS11: "TLS 1.1",
		tls.VersionTLS12: "TLS 1.2", tls.VersionTLS13: "TLS 1.3", 0x0a0a: "GREASE 0x0a0a", 0xfafa: "GREASE 0xfafa",
		0x7f1c: "TLS 1.3 draft 28", 0x0305: "0x0305", 0x0a1a: "0x0a1a",
	}
	for v, want := range tests {
		if got := VersionName(v); got != want {
			t.Errorf("VersionName(%#04x) = %q, want %q", v, got, want)
		}
	}
}

func TestHexASCII(t *testing.T) {
	tests := []struct {
		in   []byte
		max  int
		want string
	}{
		{nil, 32, "(none)"},
		{[]byte("GET /"), 32, "47 45 54 20 2f |GET /|"},
		{[]byte{0x16, 0x03, 0x01, 0x00}, 32, "16 03 01 00 |....|"},
		{[]byte("abcdef"), 4, "61 62 63 64 |abcd| (+2 more bytes)"},
	}
	for _, tc := range tests {
		if got := HexASCII(tc.in, tc.max); got != tc.want {
			t.Errorf("HexASCII(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClassifyErr(t *testing.T) {
	tests := map[string]string{
		"":    errNone,
		"EOF": errEOF,
		"read tcp 1.2.3.4:443->5.6.7.8:1: read: connection reset by peer":                  errReset,
		"write tcp …: write: broken pipe":                                                  errReset,
		"read tcp …: i/o timeout":                                                          errTimeout,
		"context deadline exceeded":                                                        errTimeout,
		"unexpected EOF":                                                                   errEOF,
		"tls: client offered only unsupported versions: [301]":                             errVersion,
		"tls: no cipher suite supported by both client and server":                         errCipher,
		"tls: unsupported SSLv2 handshake received":                                        errSSLv2,
		"local error: tls: bad record MAC":                                                 errBadRecordMAC,
		"tls: first record does not look like a TLS handshake":                             errNotTLS,
		"dial tcp 10.0.0.7:8443: connect: connection refused":                              errRefused,
		"tls: failed to verify certificate: x509: certificate signed by unknown authority": errX509,
		"tls: unexpected message":                                                          errOther,
	}
	for in, want := range tests {
		if got := classifyErr(in); got != want {
			t.Errorf("classifyErr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCipherIntersection checks the computed table against Go's choices:
// TLS 1.3 suites are always on in Go, whatever OurCiphers says.
func TestCipherIntersection(t *testing.T) {
	h := modernHello()
	o := withHello(base("terminate"), h)
	o.ClientTLS.OurCiphers = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
	f := deriveFacts(o)
	if f.negotiable != tls.VersionTLS13 || len(f.shared) != 3 {
		t.Errorf("negotiable=%s shared=%s", VersionName(f.negotiable), f.cipherList(f.shared, valueList))
	}
	for _, s := range f.suites {
		if IsGREASE(s) || s == scsvRenegotiation {
			t.Errorf("offered list kept GREASE/SCSV %#04x", s)
		}
	}
	if !strings.Contains(f.cipherList(f.ours, valueList), "TLS_AES_128_GCM_SHA256") {
		t.Errorf("ours at 1.3 = %s", f.cipherList(f.ours, valueList))
	}
}

func FuzzAlertFromError(f *testing.F) {
	f.Add("remote error: tls: unknown certificate authority")
	f.Add("SSL alert number 112")
	f.Add("Received fatal alert: protocol_version")
	f.Fuzz(func(t *testing.T, s string) {
		n := AlertFromError(s)
		if n < -1 || n > 255 {
			t.Fatalf("AlertFromError(%q) = %d out of range", s, n)
		}
	})
}

// FuzzDiagnose feeds arbitrary first bytes and error texts through every
// listener mode: Diagnose must never panic and always name a code. The
// high bits of end switch on the interception facts: server flight sent,
// a transparent destination, a completed client leg (with an inspected
// server leg in inspect mode).
func FuzzDiagnose(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\n"), "", uint8(1), uint8(0), uint8(0))
	f.Add([]byte{0x16, 0x03, 0x01}, "remote error: tls: bad certificate", uint8(2), uint8(1), uint8(0))
	f.Add([]byte{}, "EOF", uint8(9), uint8(2), uint8(2))
	modes := []string{"passthrough", "terminate", "plaintext", "auto", "", "inspect"}
	f.Fuzz(func(t *testing.T, first []byte, errText string, kind, mode, end uint8) {
		o := base(modes[int(mode)%len(modes)])
		o.FirstBytes, o.Kind, o.PeekEnd = first, sniff.Kind(kind%10), PeerEnd(end%5)
		o.ClientTLS.Attempted, o.ClientTLS.Err = errText != "", errText
		o.Backend.TLS.Err = errText
		if o.Kind == sniff.TLSHandshake {
			o.Hello = legacyHello(uint16(len(first))<<8 | uint16(kind))
		}
		flags := end / 5
		o.ClientTLS.ServerFlightSent, o.FailStreak = flags&1 != 0, int(kind)
		if flags&2 != 0 {
			o.Transparent, o.OrigDst = "redirect", testOrigDst
		}
		if flags&4 != 0 && errText == "" {
			o.ClientTLS.Attempted, o.ClientTLS.Done = true, true
			o.ClientTLS.Version, o.ClientTLS.CipherSuite = uint16(0x0300+int(kind)%5), uint16(len(first))
			if o.Mode == "inspect" {
				o.Route = "inspect"
				o.Backend.TLS = Leg{Attempted: true, Done: true, Version: uint16(0x0301 + int(mode)%4), CipherSuite: uint16(kind) << 8,
					VerifySkipped: flags&8 != 0, Local: testUpLocal, Remote: testOrigDst, AlertSent: -1, AlertRecv: -1}
			}
		}
		d := Diagnose(o)
		if d.Code == "" || d.Summary == "" || d.Cause == "" {
			t.Fatalf("incomplete diagnosis %+v", d)
		}
		for _, l := range d.BigIP {
			if (l.ID == "") != d.OK {
				t.Fatalf("line %+v on a diagnosis with ok=%v", l, d.OK)
			}
		}
		// Warnings qualify a connection that worked (an inspect that
		// weakened TLS, a hello relayed or completed unread): never a
		// failure, whose cause says it all.
		if len(d.Warnings) > 0 && !d.OK {
			t.Fatalf("warnings %q on %s", d.Warnings, d.Code)
		}
	})
}
