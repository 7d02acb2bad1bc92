package explain

import (
	"crypto/tls"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// refusedHello is a passthrough connection whose backend answered the
// client's hello h with alert desc in a record of the given version, as
// the listener records it: 7 bytes down, nothing after.
func refusedHello(h *sniff.ClientHello, version uint16, desc uint8) *Outcome {
	o := base("passthrough")
	o.Route = "passthrough"
	o.Kind, o.Hello, o.FirstBytes = sniff.TLSHandshake, h, tlsBytes
	o.JA4 = "t12d1209h1_d34a8e72043a_b39be8c56a14"
	o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8443", true
	o.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40112")
	o.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	o.Backend.HelloAlert = RecordAlert{Version: version, Level: 2, Desc: desc}
	o.BytesUp, o.BytesDown = 517, int64(sniff.AlertRecordLen)
	return o
}

// answered is a passthrough connection whose backend answered the client's
// hello h (nil: a hello tlsgate could not read) with head and down bytes
// in all, as the listener records it.
func answered(h *sniff.ClientHello, head []byte, down int64) *Outcome {
	o := refusedHello(h, 0, 0)
	if h == nil {
		o.JA4 = ""
	}
	o.Backend.HelloAlert = RecordAlert{}
	o.Backend.AnswerLen = copy(o.Backend.AnswerHead[:], head)
	o.BytesDown = down
	return o
}

// tls12Hello is what `curl --tls-max 1.2 --ciphers X` and OpenSSL clients
// capped at TLS 1.2 send: legacy_version only, no supported_versions.
func tls12Hello(suites ...uint16) *sniff.ClientHello {
	h := legacyHello(tls.VersionTLS12, suites...)
	h.ServerName = "lab.test"
	return h
}

// passthroughCases are backends that refused a relayed hello.
func passthroughCases() []diagCase {
	// openssl s_client -tls1_1 against s_server -min_protocol TLSv1.2.
	floor := refusedHello(legacyHello(tls.VersionTLS11), tls.VersionTLS11, 70)
	// The same client against OpenSSL 3's default security level.
	floor80 := refusedHello(legacyHello(tls.VersionTLS11), tls.VersionTLS11, 80)
	// A TLS 1.2 client against a TLS 1.3-only backend (Go writes its
	// records as TLS 1.0 before a version is chosen).
	floor13 := refusedHello(tls12Hello(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256), tls.VersionTLS10, 70)
	// A TLS 1.3-only client against a backend capped at TLS 1.2.
	only13 := modernHello()
	only13.SupportedVersions = []uint16{0x0304}
	ceiling := refusedHello(only13, tls.VersionTLS12, 70)
	// curl --tls-max 1.2 --ciphers ECDHE-ECDSA-AES256-GCM-SHA384 against
	// a backend that takes only ECDHE-ECDSA-AES128-SHA.
	cipher := refusedHello(tls12Hello(tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, 0x00ff), tls.VersionTLS12, 40)
	// BIG-IP answers with 40 in a record of version 0.0.
	bigip := refusedHello(legacyHello(tls.VersionTLS10), 0, 40)
	sni := refusedHello(modernHello(), tls.VersionTLS12, 112)
	noSNI := modernHello()
	noSNI.ServerName = ""
	sniNone := refusedHello(noSNI, tls.VersionTLS12, 112)
	alpn := refusedHello(modernHello(), tls.VersionTLS12, 120)
	// An alert no hello explains.
	other := refusedHello(modernHello(), tls.VersionTLS12, 80)
	// auto mode's TLS route is a passthrough too.
	auto := refusedHello(legacyHello(tls.VersionTLS11), tls.VersionTLS11, 70)
	auto.Mode = "auto"
	// A warning alert followed by the ServerHello is no refusal.
	warned := refusedHello(modernHello(), tls.VersionTLS12, 112)
	warned.Backend.HelloAlert.Level = 1
	warned.BytesDown = 4096
	// A warning alert and then the close is a refusal, but clients read
	// it as a close: Java's fatal-alert words do not apply.
	warnedOnly := refusedHello(modernHello(), tls.VersionTLS12, 112)
	warnedOnly.Backend.HelloAlert.Level = 1
	warned80 := refusedHello(modernHello(), tls.VersionTLS12, 80)
	warned80.Backend.HelloAlert.Level = 1
	// A backend that closed on the hello without a byte (nginx with no
	// certificate for the name), and one that stayed silent until the
	// client gave up. A client that reset the connection right after its
	// hello left the backend no time to answer: no refusal of the backend.
	closed := answered(modernHello(), nil, 0)
	silent := answered(modernHello(), nil, 0)
	silent.Duration = 3 * time.Second
	clientReset := answered(modernHello(), nil, 0)
	clientReset.End = EndClientReset
	// Passthrough in front of a plaintext HTTP port: Go's server answers
	// the hello's bytes with a 400.
	plainHTTP := answered(modernHello(), []byte("HTTP/1.1 400 Bad Request\r\n"), 103)
	// curl resets once it has read `wrong version number` from the
	// plaintext answer, leaving the rest unread: still the backend's fault.
	plainHTTPReset := answered(modernHello(), []byte("HTTP/1.1 400 Bad Request\r\n"), 103)
	plainHTTPReset.End = EndClientReset
	// An SSH server's banner comes before anything the client sends.
	ssh := answered(modernHello(), []byte("SSH-2.0-OpenSSH_9.2p1\r\n"), 23)
	// A ServerHello, and a hello tlsgate could not read (relayed as it
	// came) that the backend closed on: neither is this refusal.
	serverHello := answered(modernHello(), []byte{0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00}, 2400)
	unread := answered(nil, nil, 0)
	unread.HelloErr = "sniff: client hello: handshake type is 2, not client_hello (1) at offset 5"
	// A 40 KB hello, beyond the parse cap, that the backend answered.
	beyondCap := answered(nil, []byte{0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00}, 976)
	beyondCap.HelloErr, beyondCap.HelloTooLarge, beyondCap.BytesUp = sniff.ErrTooLarge.Error(), true, 40277

	return []diagCase{
		{name: "backend_rejected_hello_version_floor", o: floor, code: CodeBackendRejectedHello,
			contains: []string{"alert 70 protocol_version", "at most TLS 1.1", "passes TLS through", "tlsgate decrypts nothing",
				"`openssl s_client -connect 10.0.0.7:8443 -servername old.lab.test -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null`",
				"offer TLS 1.2 or later", "curl `--tlsv1.2`", "no BIG-IP line is shown", "RFC 8996",
				"15 03 02 00 02 02 46 = alert fatal 70 protocol_version, record version TLS 1.1"},
			saw: "`curl: (35) … tlsv1 alert protocol version`"},
		{name: "backend_rejected_hello_version_floor_80", o: floor80, code: CodeBackendRejectedHello,
			contains: []string{"alert 80 internal_error", "at most TLS 1.1", "internal_error (80)", "@SECLEVEL=0"},
			saw:      "tlsv1 alert internal error"},
		{name: "backend_rejected_hello_version_floor_tls12", o: floor13, code: CodeBackendRejectedHello,
			contains: []string{"at most TLS 1.2", "offer TLS 1.3 or later", "curl `--tlsv1.3`", " -tls1_2 </dev/null"},
			absent:   []string{"RFC 8996", "also needs `@SECLEVEL=0`"}},
		{name: "backend_rejected_hello_version_ceiling", o: ceiling, code: CodeBackendRejectedHello,
			contains: []string{"below TLS 1.3, the lowest the client offers", "-tls1_3 </dev/null", "MaxProtocol"}},
		{name: "backend_rejected_hello_cipher", o: cipher, code: CodeBackendRejectedHello,
			contains: []string{"alert 40 handshake_failure", "none of the 1 cipher suite the client offers is on the backend's list",
				"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ssl_ciphers"},
			saw: "sslv3 alert handshake failure"},
		{name: "backend_rejected_hello_bigip_v00", o: bigip, code: CodeBackendRejectedHello,
			contains: []string{"at most TLS 1.0", "handshake_failure (40)", "record version 0x0000"}},
		{name: "backend_rejected_hello_sni", o: sni, code: CodeBackendRejectedHello,
			contains: []string{"does not serve the name lab.test", "-servername lab.test </dev/null"},
			saw:      "tlsv1 unrecognized name"},
		{name: "backend_rejected_hello_sni_none", o: sniNone, code: CodeBackendRejectedHello,
			contains: []string{"sent no SNI", "-noservername", "--resolve <name>:443:192.168.20.230"}},
		{name: "backend_rejected_hello_alpn", o: alpn, code: CodeBackendRejectedHello,
			contains: []string{"(h2, http/1.1)", "-alpn h2"}},
		{name: "backend_rejected_hello_other", o: other, code: CodeBackendRejectedHello,
			contains: []string{"alert 80 internal_error", "does not say why", "from tlsgate's address 10.0.0.2:40112"},
			absent:   []string{"-tls1_", "at most"}},
		{name: "backend_rejected_hello_auto", o: auto, code: CodeBackendRejectedHello,
			contains: []string{"at most TLS 1.1"}},
		{name: "ok_backend_warning_alert", o: warned, code: CodeOK, ok: true},
		{name: "backend_rejected_hello_sni_warning", o: warnedOnly, code: CodeBackendRejectedHello,
			contains: []string{"at warning level, and then the connection closed", "SSL_ERROR_SYSCALL", "unexpected eof while reading", "Go `EOF`",
				"warning unrecognized_name", "alert warning 112 unrecognized_name"},
			absent: []string{"Received fatal alert", "remote error: tls:", "tlsv1 unrecognized name", "SSL alert number"},
			saw:    "Java `javax.net.ssl.SSLHandshakeException: received handshake warning: unrecognized_name`"},
		{name: "backend_rejected_hello_other_warning", o: warned80, code: CodeBackendRejectedHello,
			absent: []string{"Received fatal alert", "remote error: tls:", "received handshake warning"},
			saw:    "Java `javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake`"},
		{name: "backend_no_server_hello_closed", o: closed, code: CodeBackendNoServerHello,
			contains: []string{"sent nothing in answer to the ClientHello", "not one byte", "ssl_certificate", "no BIG-IP line is shown",
				"`openssl s_client -connect 10.0.0.7:8443 -servername lab.test </dev/null`", "10.0.0.2:40112"},
			saw: "SSL_ERROR_SYSCALL"},
		{name: "backend_no_server_hello_silent", o: silent, code: CodeBackendNoServerHello,
			contains: []string{"3s later", "gave up"}, saw: "curl: (28)"},
		{name: "backend_no_server_hello_plain_http", o: plainHTTP, code: CodeBackendNoServerHello,
			contains: []string{"bytes that are not TLS (48 54 54 50 2f 31 2e 31 |HTTP/1.1|)", "plaintext HTTP port", "mode = \"terminate\"", "curl -v http://10.0.0.7:8443/"},
			saw:      "wrong version number"},
		{name: "backend_no_server_hello_plain_http_client_reset", o: plainHTTPReset, code: CodeBackendNoServerHello,
			contains: []string{"bytes that are not TLS (48 54 54 50 2f 31 2e 31 |HTTP/1.1|)"}, saw: "wrong version number"},
		{name: "backend_no_server_hello_ssh_banner", o: ssh, code: CodeBackendNoServerHello, contains: []string{"|SSH-2.0-|", "banner"}},
		{name: "ok_passthrough_server_hello", o: serverHello, code: CodeOK, ok: true},
		{name: "ok_passthrough_client_reset_after_hello", o: clientReset, code: CodeOK, ok: true},
		{name: "ok_passthrough_unread_hello_unanswered", o: unread, code: CodeOK, ok: true, warnings: 1,
			// The parse error is the one evidence of what was wrong with the
			// hello; the warning used to drop it.
			contains: []string{"passthrough sni=(none) tls, no ClientHello read (not terminated) ja4=(none)",
				"not a ClientHello tlsgate could read: sniff: client hello: handshake type is 2, not client_hello (1) at offset 5"}, absent: []string{"plaintext"}},
		{name: "ok_passthrough_hello_beyond_cap", o: beyondCap, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"passthrough sni=(none) tls, no ClientHello read (not terminated) ja4=(none) up=40277B"}, absent: []string{"plaintext"}},
	}
}

// TestBackendHelloNoHello: a refusal of a hello tlsgate could not read
// (beyond its parse cap) is still the backend's, in words that claim
// nothing about versions nobody saw.
func TestBackendHelloNoHello(t *testing.T) {
	o := refusedHello(nil, tls.VersionTLS12, 70)
	o.HelloErr, o.HelloTooLarge = sniff.ErrTooLarge.Error(), true
	for _, lang := range []string{LangEN, LangJA} {
		d := DiagnoseLang(o, lang)
		text := render(d)
		if d.Code != CodeBackendRejectedHello || len(d.BigIP) != 0 {
			t.Errorf("%s: code %s, BIG-IP %v; want %s and no line", lang, d.Code, d.BigIP, CodeBackendRejectedHello)
		}
		for _, bad := range []string{"none", "-tls1_3", "{"} {
			if strings.Contains(d.Cause+strings.Join(d.Checks, " "), bad) {
				t.Errorf("%s: %q in a diagnosis without a hello:\n%s", lang, bad, text)
			}
		}
	}
}

// TestHelloAlertVariant pins which alert and offer get which words.
func TestHelloAlertVariant(t *testing.T) {
	modern, tls13 := modernHello(), modernHello()
	tls13.SupportedVersions = []uint16{0x0304}
	old := legacyHello(tls.VersionTLS11)
	tests := []struct {
		h    *sniff.ClientHello
		desc uint8
		want string
	}{
		{old, 70, "version_floor"}, {old, 40, "version_floor"}, {old, 80, "version_floor"},
		{tls12Hello(), 70, "version_floor"}, {tls12Hello(), 40, "cipher"}, {tls12Hello(), 80, ""},
		{modern, 70, "version_ceiling"}, {tls13, 70, "version_ceiling"},
		{modern, 40, "cipher"}, {modern, 71, "cipher"}, {old, 71, "cipher"},
		{modern, 112, "sni"}, {modern, 120, "alpn"}, {modern, 80, ""}, {modern, 86, ""}, {modern, 47, ""},
		{nil, 70, ""},
	}
	for _, tt := range tests {
		o := refusedHello(tt.h, tls.VersionTLS12, tt.desc)
		if got := deriveFacts(o).helloAlertVariant(); got != tt.want {
			t.Errorf("alert %d, hello %v: variant %q, want %q", tt.desc, tt.h != nil, got, tt.want)
		}
	}
}
