package e2e

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
)

// Cases 4, 5 and 6: ClientHellos the client-ssl profile must refuse, each
// with the BIG-IP group that names the reason.
func TestHandshakeRefusals(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	term := fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "min13", TOML: term + "[listener.client_ssl]\nmin_version = \"1.3\"\n"},
		{Name: "default", TOML: term},
		{Name: "max12", TOML: term + "[listener.client_ssl]\nmax_version = \"1.2\"\n"},
		{Name: "nocipher", TOML: term + "[listener.client_ssl]\nmax_version = \"1.2\"\n" +
			"ciphers = [\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\"]\n"},
		{Name: "sni", TOML: term + "[listener.client_ssl]\nsni_require = true\n"},
		// RSA suites only, but the minted leaves are ECDSA: a suite both
		// sides list, which the certificate cannot serve.
		{Name: "rsacipher", TOML: term + "[listener.client_ssl]\nmax_version = \"1.2\"\n" +
			"ciphers = [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]\n"},
	}})

	// alertProtocolVersion is how OpenSSL reports alert 70 (client-symptoms.md §5).
	const alertProtocolVersion = "alert protocol version"

	t.Run("too_old_openssl_tls12_vs_min13", func(t *testing.T) {
		code, out := runOpenSSL(t, g.Addr("min13"), "-tls1_2")
		if code == 0 || !strings.Contains(out, alertProtocolVersion) {
			t.Errorf("openssl exit %d, want failure with %q:\n%s", code, alertProtocolVersion, out)
		}
		e := g.onlyEvent(t, "min13")
		wantCode(t, e, "ssl_version_too_old")
		wantLines(t, e, lineUnsupportedVersion, handshakeFailed(e.Client, g.Addr("min13")))
		clientPort(t, e)
		if e.ClientTLS.AlertSent != 70 || fmt.Sprint(e.VersionsOffered) != "[TLS 1.2]" {
			t.Errorf("alert_sent %d versions %v, want 70 and [TLS 1.2]", e.ClientTLS.AlertSent, e.VersionsOffered)
		}
	})

	// No client on this machine can still speak SSL: OpenSSL 3 and Go have
	// dropped it. These hellos are built the way SSLv3-only and SSLv2
	// clients built theirs (see sslv3Hello and sslv2Hello).
	t.Run("sslv3_hello", func(t *testing.T) {
		_, local, err := rawRequest(t, g.Addr("default"), sslv3Hello())
		closedByServer(t, err)
		e := g.eventFrom(t, "default", local)
		wantCode(t, e, "ssl_version_too_old")
		wantLines(t, e, lineUnsupportedVersion, handshakeFailed(local, g.Addr("default")))
		if fmt.Sprint(e.VersionsOffered) != "[SSLv3]" {
			t.Errorf("versions offered %v, want [SSLv3]", e.VersionsOffered)
		}
	})

	t.Run("sslv2_hello", func(t *testing.T) {
		_, local, err := rawRequest(t, g.Addr("default"), sslv2Hello())
		closedByServer(t, err)
		e := g.eventFrom(t, "default", local)
		wantCode(t, e, "ssl_version_too_old")
		wantLines(t, e, lineUnsupportedVersion, handshakeFailed(local, g.Addr("default")))
		if e.Kind != "sslv2" {
			t.Errorf("kind %q, want sslv2", e.Kind)
		}
	})

	t.Run("too_old_go_tls11_vs_default", func(t *testing.T) {
		c, local, err := goTLS(t, g.Addr("default"), &tls.Config{
			ServerName: "127.0.0.1", MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
			InsecureSkipVerify: true, // the refusal comes before any certificate
		})
		if c != nil {
			c.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "protocol version not supported") {
			t.Errorf("Go handshake error %v, want alert 70 protocol version not supported", err)
		}
		e := g.eventFrom(t, "default", local)
		wantCode(t, e, "ssl_version_too_old")
		wantLines(t, e, lineUnsupportedVersion, handshakeFailed(local, g.Addr("default")))
	})

	t.Run("too_new_openssl_tls13_vs_max12", func(t *testing.T) {
		code, out := runOpenSSL(t, g.Addr("max12"), "-tls1_3")
		if code == 0 || !strings.Contains(out, alertProtocolVersion) {
			t.Errorf("openssl exit %d, want failure with %q:\n%s", code, alertProtocolVersion, out)
		}
		e := g.onlyEvent(t, "max12")
		wantCode(t, e, "ssl_version_too_new")
		wantLines(t, e, lineUnsupportedVersion, handshakeFailed(e.Client, g.Addr("max12")))
		if fmt.Sprint(e.VersionsOffered) != "[TLS 1.3]" {
			t.Errorf("versions offered %v, want [TLS 1.3]", e.VersionsOffered)
		}
	})

	t.Run("no_shared_cipher_curl", func(t *testing.T) {
		addr := g.Addr("nocipher")
		r := runCurl(t, "--cacert", g.CAPEM(), "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", "https://"+addr+"/")
		r.wantExit(t, 35)
		if !strings.Contains(r.stderr, "alert handshake failure") {
			t.Errorf("curl stderr %q, want alert handshake failure", r.stderr)
		}
		client := r.client(t)
		e := g.eventFrom(t, "nocipher", client)
		wantCode(t, e, "no_shared_cipher")
		wantLines(t, e, lineNoSharedCiphers, noSharedPeers(client, addr), handshakeFailed(client, addr))
		if got := e.Evidence["ciphers_offered"]; !strings.Contains(got, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") {
			t.Errorf("evidence ciphers_offered %q", got)
		}
		if got := e.Evidence["ciphers_ours"]; !strings.Contains(got, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256") {
			t.Errorf("evidence ciphers_ours %q", got)
		}
	})

	t.Run("no_shared_cipher_key_type_curl", func(t *testing.T) {
		addr := g.Addr("rsacipher")
		r := runCurl(t, "--cacert", g.CAPEM(), "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256", "https://"+addr+"/")
		r.wantExit(t, 35)
		client := r.client(t)
		e := g.eventFrom(t, "rsacipher", client)
		wantCode(t, e, "no_shared_cipher")
		wantLines(t, e, lineNoSharedCiphers, noSharedPeers(client, addr), handshakeFailed(client, addr))
		want := "offered suites on listener rsacipher's list (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), but they need an RSA certificate and the listener serves an ECDSA one"
		if !strings.Contains(e.Summary, want) {
			t.Errorf("summary %q, want it to say %q", e.Summary, want)
		}
	})

	t.Run("sni_required_openssl_noservername", func(t *testing.T) {
		code, out := runOpenSSL(t, g.Addr("sni"), "-noservername")
		if code == 0 || !strings.Contains(out, "alert handshake failure") {
			t.Errorf("openssl exit %d, want failure with alert handshake failure:\n%s", code, out)
		}
		e := g.onlyEvent(t, "sni")
		wantCode(t, e, "sni_missing")
		wantLines(t, e, handshakeFailed(e.Client, g.Addr("sni")))
		if e.SNI != "" || e.ClientTLS.AlertSent != 40 {
			t.Errorf("sni %q alert_sent %d, want none and 40", e.SNI, e.ClientTLS.AlertSent)
		}
	})

	t.Run("sni_required_openssl_with_name", func(t *testing.T) {
		code, out := runOpenSSL(t, g.Addr("sni"), "-servername", "lab.test", "-CAfile", g.CAPEM(), "-verify_return_error")
		if code != 0 || !strings.Contains(out, "Verify return code: 0 (ok)") {
			t.Errorf("openssl exit %d, want a verified handshake:\n%s", code, out)
		}
		e := g.waitEvent(t, "sni", "SNI lab.test", func(e *connEvent) bool { return e.SNI == "lab.test" })
		wantCode(t, e, "ok")
		wantSessionLines(t, e, "TLSv1.3")
	})
	g.stop(t)
}

// sslv3Hello is an SSLv3 ClientHello as SSLv3-only clients sent it: record
// and client version 3.0, RSA suites, no extensions.
func sslv3Hello() string {
	body := []byte{0x03, 0x00}                                          // client_version SSL 3.0
	body = append(body, []byte(strings.Repeat("r", 32))...)             // random
	body = append(body, 0x00)                                           // no session ID
	body = append(body, 0x00, 0x06, 0x00, 0x0a, 0x00, 0x05, 0x00, 0x04) // 3DES-SHA, RC4-SHA, RC4-MD5
	body = append(body, 0x01, 0x00)                                     // compression: null
	hs := append([]byte{0x01, 0x00, byte(len(body) >> 8), byte(len(body))}, body...)
	return string(append([]byte{0x16, 0x03, 0x00, byte(len(hs) >> 8), byte(len(hs))}, hs...))
}

// sslv2Hello is an SSLv2-format ClientHello offering SSL 2.0 only.
func sslv2Hello() string {
	specs := []byte{0x01, 0x00, 0x80, 0x07, 0x00, 0xc0, 0x03, 0x00, 0x80, 0x06, 0x00, 0x40, 0x02, 0x00, 0x80, 0x04, 0x00, 0x80, 0x00, 0x00, 0x0a}
	msg := []byte{0x01, 0x00, 0x02, 0x00, byte(len(specs)), 0x00, 0x00, 0x00, 0x10}
	msg = append(msg, specs...)
	msg = append(msg, []byte(strings.Repeat("c", 16))...) // challenge
	return string(append([]byte{0x80 | byte(len(msg)>>8), byte(len(msg))}, msg...))
}
