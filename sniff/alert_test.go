package sniff

import (
	"fmt"
	"testing"
)

func TestParseAlert(t *testing.T) {
	capture := readHello(t, "alert-openssl-unknown-ca.bin")
	tests := []struct {
		name        string
		in          []byte
		level, desc uint8
		ok          bool
	}{
		// Captured: OpenSSL 3.0 (-verify_return_error) refusing a
		// self-signed TLS 1.3 server sends hello, then 15 03 03 00 02 02 30.
		{"openssl unknown_ca after hello", capture, 2, 48, true},
		{"bare alert", []byte{21, 3, 3, 0, 2, 2, 40}, 2, 40, true},
		{"warning close_notify", []byte{21, 3, 1, 0, 2, 1, 0}, 1, 0, true},
		{"after ccs", []byte{20, 3, 3, 0, 1, 1, 21, 3, 3, 0, 2, 2, 70}, 2, 70, true},
		{"encrypted alert is longer", []byte{21, 3, 3, 0, 3, 2, 40, 0}, 0, 0, false},
		{"tls1.3 encrypted record", []byte{23, 3, 3, 0, 2, 2, 40}, 0, 0, false},
		{"bad level", []byte{21, 3, 3, 0, 2, 9, 40}, 0, 0, false},
		{"truncated", []byte{21, 3, 3, 0, 2, 2}, 0, 0, false},
		{"hello truncated before alert", capture[:100], 0, 0, false},
		{"not tls", []byte("GET / HTTP/1.1\r\n"), 0, 0, false},
		{"empty", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			level, desc, ok := ParseAlert(tt.in)
			if level != tt.level || desc != tt.desc || ok != tt.ok {
				t.Errorf("ParseAlert = %d, %d, %v; want %d, %d, %v", level, desc, ok, tt.level, tt.desc, tt.ok)
			}
		})
	}
}

func TestAlertName(t *testing.T) {
	// The full table of bigip-log.md §3.3, plus 121 ech_required (RFC 9849).
	want := map[uint8]string{
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
		121: "ech_required",
	}
	for d := range 256 {
		got := AlertName(uint8(d))
		if name, ok := want[uint8(d)]; ok {
			if got != name {
				t.Errorf("AlertName(%d) = %q, want %q", d, got, name)
			}
		} else if got != fmt.Sprintf("alert(%d)", d) {
			t.Errorf("AlertName(%d) = %q for an unassigned value", d, got)
		}
	}
}

func TestOpenSSLAlertReason(t *testing.T) {
	// What curl 7.88.1 on OpenSSL 3.0.19 printed after "SSL routines::" for a
	// server that answered its ClientHello with only this alert
	// (client-symptoms.md §3 rows 5-9 and §5 for 40, 42, 48, 49, 70, 71,
	// 80, 112, 116; the rest observed the same way).
	want := map[uint8]string{
		10: "sslv3 alert unexpected message", 20: "sslv3 alert bad record mac", 21: "tlsv1 alert decryption failed",
		22: "tlsv1 alert record overflow", 30: "sslv3 alert decompression failure", 40: "sslv3 alert handshake failure",
		41: "sslv3 alert no certificate", 42: "sslv3 alert bad certificate", 43: "sslv3 alert unsupported certificate",
		44: "sslv3 alert certificate revoked", 45: "sslv3 alert certificate expired", 46: "sslv3 alert certificate unknown",
		47: "sslv3 alert illegal parameter", 48: "tlsv1 alert unknown ca", 49: "tlsv1 alert access denied",
		50: "tlsv1 alert decode error", 51: "tlsv1 alert decrypt error", 60: "tlsv1 alert export restriction",
		70: "tlsv1 alert protocol version", 71: "tlsv1 alert insufficient security", 80: "tlsv1 alert internal error",
		86: "tlsv1 alert inappropriate fallback", 109: "tlsv13 alert missing extension", 110: "tlsv1 unsupported extension",
		111: "tlsv1 certificate unobtainable", 112: "tlsv1 unrecognized name", 113: "tlsv1 bad certificate status response",
		114: "tlsv1 bad certificate hash value", 115: "tlsv1 alert unknown psk identity",
		116: "tlsv13 alert certificate required", 120: "tlsv1 alert no application protocol",
	}
	// Warning-level alerts (0, 90, 100) and 121 have none: OpenSSL reports
	// what follows them, or "reason(1121)".
	for d := range 256 {
		if got := OpenSSLAlertReason(uint8(d)); got != want[uint8(d)] {
			t.Errorf("OpenSSLAlertReason(%d) = %q, want %q", d, got, want[uint8(d)])
		}
	}
}

func TestVersionName(t *testing.T) {
	tests := []struct {
		v    uint16
		want string
	}{
		{0x0002, "SSLv2"}, {0x0300, "SSLv3"}, {0x0301, "TLSv1"}, {0x0302, "TLSv1.1"},
		{0x0303, "TLSv1.2"}, {0x0304, "TLSv1.3"}, {0x1a1a, "GREASE(0x1a1a)"},
		{0x7f1c, "0x7f1c"}, {0xfefd, "0xfefd"}, {0, "0x0000"},
	}
	for _, tt := range tests {
		if got := VersionName(tt.v); got != tt.want {
			t.Errorf("VersionName(%#04x) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestFirstRecordAlert(t *testing.T) {
	tests := []struct {
		name        string
		in          []byte
		version     uint16
		level, desc uint8
		ok          bool
	}{
		// Seen from OpenSSL 3.0.19 s_server: -min_protocol TLSv1.2
		// against s_client -tls1_1 (70), its default security level
		// against -tls1_1 (80), -tls1_2 with no suite in common (40),
		// -servername_fatal for another name (112).
		{"openssl protocol_version", []byte{0x15, 0x03, 0x02, 0x00, 0x02, 0x02, 0x46}, 0x0302, 2, 70, true},
		{"openssl internal_error", []byte{0x15, 0x03, 0x02, 0x00, 0x02, 0x02, 0x50}, 0x0302, 2, 80, true},
		{"openssl handshake_failure", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}, 0x0303, 2, 40, true},
		{"openssl unrecognized_name", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70}, 0x0303, 2, 112, true},
		// Go writes records before a version is chosen as TLS 1.0.
		{"go protocol_version", []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46}, 0x0301, 2, 70, true},
		{"bigip version 0.0", []byte{0x15, 0x00, 0x00, 0x00, 0x02, 0x02, 0x28}, 0, 2, 40, true},
		{"ssl3 record", []byte{0x15, 0x03, 0x00, 0x00, 0x02, 0x02, 0x28}, 0x0300, 2, 40, true},
		{"tls1.3 record version", []byte{0x15, 0x03, 0x04, 0x00, 0x02, 0x02, 0x28}, 0x0304, 2, 40, true},
		{"warning", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x70}, 0x0303, 1, 112, true},
		{"alert then more", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, 0x16, 0x03, 0x03}, 0x0303, 2, 40, true},
		{"server hello", []byte{0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76}, 0, 0, 0, false},
		{"encrypted alert is longer", []byte{0x15, 0x03, 0x03, 0x00, 0x1a, 0x02, 0x28}, 0, 0, 0, false},
		{"length above 255", []byte{0x15, 0x03, 0x03, 0x01, 0x02, 0x02, 0x28}, 0, 0, 0, false},
		{"bad level", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x03, 0x28}, 0, 0, 0, false},
		{"unknown version", []byte{0x15, 0x03, 0x05, 0x00, 0x02, 0x02, 0x28}, 0, 0, 0, false},
		{"major 3 only", []byte{0x15, 0x03, 0xff, 0x00, 0x02, 0x02, 0x28}, 0, 0, 0, false},
		{"version 0.1", []byte{0x15, 0x00, 0x01, 0x00, 0x02, 0x02, 0x28}, 0, 0, 0, false},
		{"dtls", []byte{0x15, 0xfe, 0xfd, 0x00, 0x02, 0x02, 0x28}, 0, 0, 0, false},
		{"six bytes", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02}, 0, 0, 0, false},
		{"plaintext", []byte("HTTP/1.1 400 Bad Request\r\n"), 0, 0, 0, false},
		{"empty", nil, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, level, desc, ok := FirstRecordAlert(tt.in)
			if v != tt.version || level != tt.level || desc != tt.desc || ok != tt.ok {
				t.Errorf("FirstRecordAlert(% x) = %#04x, %d, %d, %v; want %#04x, %d, %d, %v",
					tt.in, v, level, desc, ok, tt.version, tt.level, tt.desc, tt.ok)
			}
		})
	}
}

func TestRecordTypeName(t *testing.T) {
	for _, tc := range []struct {
		t    uint8
		want string
	}{{20, "change_cipher_spec"}, {21, "alert"}, {22, "handshake"}, {23, "application_data"}, {24, "heartbeat"}, {25, "type 25"}} {
		if got := RecordTypeName(tc.t); got != tc.want {
			t.Errorf("RecordTypeName(%d) = %q, want %q", tc.t, got, tc.want)
		}
	}
}
