package explain

import (
	"crypto/tls"
	"net/netip"

	"github.com/tlsgate/tlsgate/sniff"
)

// Fixtures of a transparently intercepted client: it dialled the real
// server (the SSLO lab's example.com address); REDIRECT brought it to
// tlsgate's port 8443; tlsgate dialled out from 10.0.0.2.
var (
	testOrigDst  = netip.MustParseAddrPort("93.184.216.34:443")
	testListen   = netip.MustParseAddrPort("192.168.20.230:8443")
	testUpLocal  = netip.MustParseAddrPort("10.0.0.2:40112")
	testUpstream = []string{
		`subject="CN=lab.test" issuer="CN=Lab Issuing CA" not_after=2026-06-01T00:00:00Z`,
		`subject="CN=Lab Issuing CA" issuer="CN=Lab Root CA" not_after=2030-01-01T00:00:00Z`,
	}
)

// intercepted is an inspect-mode Outcome on a REDIRECT listener whose
// server leg completed (TLS 1.3, verified) and whose client leg was tried.
func intercepted(h *sniff.ClientHello) *Outcome {
	o := withHello(base("inspect"), h)
	o.Route, o.Transparent, o.OrigDst, o.Virtual = "inspect", "redirect", testOrigDst, testListen
	o.ClientTLS.Local = testListen
	o.Backend = Backend{Addr: testOrigDst.String(), Attempted: true, Local: testUpLocal, Remote: testOrigDst,
		TLS: Leg{Attempted: true, Done: true, Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
			ALPN: "http/1.1", ServerName: h.ServerName, Group: "X25519MLKEM768", AlertSent: -1, AlertRecv: -1,
			Local: testUpLocal, Remote: testOrigDst, PeerCert: testUpstream}}
	o.JA3 = "cd08e31494f9531f560d64c695473da9"
	return o
}

// inspectedOK completes the client leg of intercepted.
func inspectedOK(h *sniff.ClientHello, v, suite uint16) *Outcome {
	o := intercepted(h)
	c := &o.ClientTLS
	c.Done, c.Version, c.CipherSuite, c.ALPN, c.ServerName, c.Group = true, v, suite, "http/1.1", h.ServerName, "X25519MLKEM768"
	if v < tls.VersionTLS13 {
		c.Group = "X25519" // the hybrid ML-KEM groups exist only in TLS 1.3
	}
	o.BytesUp, o.BytesDown = 742, 18234
	return o
}

func inspectCases() []diagCase {
	noDst := base("inspect")
	// The destination is looked up before anything is read: no bytes, Kind
	// still its zero value, exactly as the listener leaves it.
	noDst.Route, noDst.Transparent, noDst.Virtual = "no_original_dst", "redirect", testListen
	noDst.OrigDstErr = "transparent: no original destination for 192.168.99.86:32962 -> 192.168.20.230:8443: conntrack has no IPv4 entry (SO_ORIGINAL_DST: no such file or directory); the connection was not redirected on this host, or NAT happened on another machine"
	noDstTP := base("inspect")
	noDstTP.Route, noDstTP.Transparent, noDstTP.Virtual = "no_original_dst", "tproxy", testListen
	noDstTP.OrigDstErr = "transparent: connection has no TCP socket underneath"

	loop := base("inspect")
	loop.Route, loop.Transparent, loop.Virtual, loop.OrigDst = "transparent_loop", "redirect", testListen, testListen

	silent := failed(intercepted(modernHello()), "EOF")
	silent.ClientTLS.ServerFlightSent, silent.FailStreak, silent.Mimicked = true, 3, true
	silentReset := failed(intercepted(modernHello()), "read tcp 192.168.20.230:8443->192.168.99.86:32962: read: connection reset by peer")
	silentReset.ClientTLS.ServerFlightSent, silentReset.FailStreak = true, 1

	alert48Streak := failed(intercepted(modernHello()), "remote error: tls: unknown certificate authority")
	alert48Streak.ClientTLS.AlertRecv, alert48Streak.ClientTLS.ServerFlightSent, alert48Streak.FailStreak = 48, true, 2

	certMissing13 := failed(withHello(base("terminate"), modernHello()), "tls: client didn't provide a certificate")
	certMissing12 := failed(withHello(base("terminate"), modernHello()), "tls: client didn't provide a certificate")
	certMissing12.ClientTLS.MaxVersion = tls.VersionTLS12
	// The lab's mtls-required: its curl names the client pair tlsgate lab
	// writes beside its CA, and that CA, so it runs as printed.
	certMissingLab := *certMissing12
	certMissingLab.CAFile = "/tmp/lab/ca/ca.pem"
	certUnknownCA := failed(withHello(base("terminate"), modernHello()), "tls: failed to verify certificate: x509: certificate signed by unknown authority")
	certExpired := failed(withHello(base("terminate"), modernHello()),
		"tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-02-01T08:12:14Z is after 2025-01-01T00:00:00Z")
	certExpired.ClientTLS.MaxVersion = tls.VersionTLS12
	certEKU := failed(withHello(base("inspect"), modernHello()), "tls: failed to verify certificate: x509: certificate specifies an incompatible key usage")

	okInspect := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	okInspect.Mimicked = true
	okInspect.HTTP1 = []HTTPExchange{
		{Method: "GET", Target: "/", Host: "lab.test", Proto: "HTTP/1.1", Status: 200, RespBytes: 1234},
		{Method: "POST", Target: "/api/login", Host: "lab.test", Proto: "HTTP/1.1", Status: 302, ReqBytes: 48},
		{Method: "GET", Target: "/ws", Host: "lab.test", Proto: "HTTP/1.1", Status: 101, Upgraded: true},
	}
	okInspect.HTTPDropped = 2

	// Verification off, TLS 1.2 upstream, and ECDHE-CBC where the client
	// offered ECDHE-GCM: all three warnings.
	weak := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	weak.Backend.TLS.VerifySkipped, weak.Backend.TLS.Verify = true, "not checked (verify = false)"
	weak.Backend.TLS.Version, weak.Backend.TLS.CipherSuite, weak.Backend.TLS.Group = tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "X25519"

	// tlsgate's client leg is capped at 1.2 too: no leg mismatch, but the
	// client offered 1.3 and did not get it.
	offered := inspectedOK(modernHello(), tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
	offered.Backend.TLS.Version, offered.Backend.TLS.CipherSuite, offered.Backend.TLS.Group = tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "X25519"

	// A TLS 1.2-only client offering ECDHE-GCM; the server picks static RSA.
	staticRSA := inspectedOK(legacyHello(0x0303, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256),
		tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
	staticRSA.Backend.TLS.Version, staticRSA.Backend.TLS.CipherSuite, staticRSA.Backend.TLS.Group = tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_GCM_SHA256, ""

	bypass := withHello(base("inspect"), modernHello())
	bypass.ClientTLS.Attempted = false
	bypass.Route, bypass.Bypass, bypass.Transparent, bypass.OrigDst = "bypass", "SNI lab.test matches bypass *.test", "tproxy", testOrigDst
	bypass.Virtual = testOrigDst
	bypass.Backend = Backend{Addr: testOrigDst.String(), Attempted: true, Local: testUpLocal, Remote: testOrigDst, TLS: Leg{AlertSent: -1, AlertRecv: -1}}
	bypass.BytesUp, bypass.BytesDown = 1890, 5120
	// The same bypass for a hello beyond sniff's cap: crypto/tls read the
	// SNI, and the bytes it read were relayed unchanged.
	bigBypass := *bypass
	bigBypass.Hello, bigBypass.JA3, bigBypass.JA4 = nil, "", ""
	bigBypass.HelloErr, bigBypass.HelloTooLarge = "sniff: client hello: handshake length 21611 exceeds the 16384-byte cap at offset 6", true
	bigBypass.ClientTLS = Leg{ServerName: "lab.test", HelloRead: true, AlertSent: -1, AlertRecv: -1}
	bigBypass.Bypass = "SNI lab.test matches bypass *.test, read by crypto/tls: the ClientHello is beyond tlsgate's 16384-byte parse cap, and the 21620 bytes read were relayed unchanged, nothing decrypted"

	// A client bypassed by its address, without SNI, on a listener whose
	// client-ssl requires SNI: the profile applies to what is decrypted,
	// and the real server answered the splice.
	bypassHello := modernHello()
	bypassHello.ServerName = ""
	bypassNoSNI := withHello(base("inspect"), bypassHello)
	bypassNoSNI.ClientTLS.Attempted, bypassNoSNI.SNIRequired = false, true
	bypassNoSNI.Route, bypassNoSNI.Bypass = "bypass", "address 192.168.99.86 is in bypass"
	bypassNoSNI.Backend = Backend{Addr: "10.0.0.7:8443", Attempted: true, Local: testUpLocal, Remote: netip.MustParseAddrPort("10.0.0.7:8443"), TLS: Leg{AlertSent: -1, AlertRecv: -1}}
	bypassNoSNI.BytesUp, bypassNoSNI.BytesDown = 1890, 5120

	plainOnInspect := httpOn("inspect", "non_ssl_reset")

	upVerify := intercepted(modernHello())
	upVerify.ClientTLS = Leg{AlertSent: -1, AlertRecv: -1}
	upVerify.Backend.TLS = Leg{Attempted: true, AlertSent: 42, AlertRecv: -1, Local: testUpLocal, Remote: testOrigDst,
		Err:    "tls: failed to verify certificate: x509: certificate is valid for other.test, not lab.test",
		Verify: "x509: certificate is valid for other.test, not lab.test"}

	termMTLS := withHello(base("terminate"), modernHello())
	c := &termMTLS.ClientTLS
	c.Done, c.Version, c.CipherSuite, c.Group, c.Mutual = true, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "CurveP256", true
	termMTLS.Backend = Backend{Addr: "10.0.0.7:8443", Attempted: true,
		TLS: Leg{Attempted: true, Done: true, Version: tls.VersionTLS12, CipherSuite: tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			Group: "X25519", AlertSent: -1, AlertRecv: -1,
			Local: netip.MustParseAddrPort("10.0.0.2:40200"), Remote: netip.MustParseAddrPort("10.0.0.7:8443")}}
	termMTLS.BytesUp, termMTLS.BytesDown = 78, 240

	// A client that completes the handshake and leaves without a byte: what
	// curl does on a name mismatch, and what handshake-only monitors do.
	quiet := withHello(base("terminate"), modernHello())
	quiet.Route = "terminate"
	quiet.ClientTLS.Done, quiet.ClientTLS.Version, quiet.ClientTLS.CipherSuite = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256

	// `curl --cacert tgca/ca.pem https://127.0.0.1:34201/` through a
	// non-transparent inspect listener with backend 127.0.0.1:34101 and
	// no server_ssl.server_name: no SNI on either leg (TLS sends none for
	// an IP), the backend's certificate checked for its host, and the
	// leaf minted for the address the client dialled.
	noSNIHello := modernHello()
	noSNIHello.ServerName = ""
	noSNI := inspectedOK(noSNIHello, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	noSNI.Transparent, noSNI.OrigDst = "", netip.AddrPort{}
	noSNI.Virtual = netip.MustParseAddrPort("127.0.0.1:34201")
	noSNI.ClientTLS.Local = noSNI.Virtual
	upNoSNI := netip.MustParseAddrPort("127.0.0.1:34101")
	noSNI.Backend.Addr, noSNI.Backend.Remote, noSNI.Backend.TLS.Remote = upNoSNI.String(), upNoSNI, upNoSNI
	upLocalNoSNI := netip.MustParseAddrPort("127.0.0.1:41022")
	noSNI.Backend.Local, noSNI.Backend.TLS.Local = upLocalNoSNI, upLocalNoSNI
	noSNI.Backend.TLS.VerifyName, noSNI.LeafName = "127.0.0.1", "127.0.0.1"

	// The client offers only h2 and the real server speaks only
	// http/1.1: it refuses tlsgate's forwarded list with alert 120.
	h2Only := modernHello()
	h2Only.ALPN = []string{"h2"}
	alpn := intercepted(h2Only)
	alpn.ClientTLS = Leg{AlertSent: -1, AlertRecv: -1}
	alpn.Backend.TLS = Leg{Attempted: true, AlertSent: -1, AlertRecv: 120, Local: testUpLocal, Remote: testOrigDst,
		Err: "remote error: tls: no application protocol", ServerName: "lab.test", VerifyName: "lab.test", ALPNOffered: []string{"h2"}}
	// The same alert to a server leg that offered no ALPN at all.
	alpnNone := withHello(base("terminate"), modernHello())
	alpnNone.ClientTLS.Done, alpnNone.ClientTLS.Version = true, tls.VersionTLS13
	alpnNone.Backend = Backend{Addr: "10.0.0.7:8443", Attempted: true,
		TLS: Leg{Attempted: true, AlertSent: -1, AlertRecv: 120, Err: "remote error: tls: no application protocol",
			Local: netip.MustParseAddrPort("10.0.0.2:40200"), Remote: netip.MustParseAddrPort("10.0.0.7:8443")}}

	summaryOrig := "01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 93.184.216.34:443"
	details := func(left, right, entity, rest string) string {
		return "(no ID):6: SSL Handshake details for TCP " + left + " -> " + right + " entity: " + entity + " SID: " + sessionID(42, 0, entity) + " " + rest
	}
	return []diagCase{
		{name: "no_original_dst", o: noDst, code: CodeNoOriginalDst,
			contains: []string{"DNAT done on another box", "conntrack has no IPv4 entry", "tlsgate doctor transparent --mode redirect --port 8443",
				"iptables -t nat -S", "conntrack -L -p tcp --orig-src 192.168.99.86", "Connection reset by peer",
				// A client that dialled the listener on loopback sees a failed connect.
				"(loopback, a LAN) curl prints `curl: (7) Failed to connect to … Couldn't connect to server`"}},
		{name: "no_original_dst_tproxy", o: noDstTP, code: CodeNoOriginalDst,
			contains: []string{"TPROXY", "IP_TRANSPARENT", "--mode tproxy"}},
		{name: "transparent_loop", o: loop, code: CodeTransparentLoop,
			contains: []string{"192.168.20.230:8443 is tlsgate itself", "-m owner ! --uid-owner <tlsgate user>", "OUTPUT", "port 8443",
				"across a network curl prints `curl: (35) Recv failure", "`curl: (7) Failed to connect to … Couldn't connect to server`"}},
		{name: "client_rejected_silently", o: silent, code: CodeClientRejectedSilently, lines: []string{summaryOrig},
			contains: []string{"closed the connection (FIN) without an alert", "pinning",
				"3 failures in a row from this client type (JA4 t13d0607h2_0f2cb44170f4_5c4c70b73fa0) for this host (SNI lab.test).",
				"fail_streak=3 in a row", "mimicked=yes", "orig_dst=93.184.216.34:443", "bypass on listener web", "curl: (90)"}},
		{name: "client_rejected_silently_reset", o: silentReset, code: CodeClientRejectedSilently, lines: []string{summaryOrig},
			contains: []string{"reset the connection (RST) without an alert"}, absent: []string{"failures in a row"}},
		{name: "client_alert_48_streak", o: alert48Streak, code: CodeClientAlert, lines: []string{summaryOrig},
			contains: []string{"48 unknown_ca", "2 failures in a row from this client type"}},
		{name: "client_cert_missing_tls13", o: certMissing13, code: CodeClientCertMissing, lines: []string{lineSummary},
			contains: []string{"116 certificate_required", "curl: (56) OpenSSL SSL_read: … tlsv13 alert certificate required", "Handshake() returns nil", "--cert"},
			absent:   []string{"sslv3 alert handshake failure"}},
		{name: "client_cert_missing_tls12", o: certMissing12, code: CodeClientCertMissing, lines: []string{lineSummary},
			contains: []string{"40 handshake_failure", "curl: (35) … sslv3 alert handshake failure", "leg_version=TLS 1.2"},
			absent:   []string{"tlsv13"}},
		{name: "client_cert_missing_lab", o: &certMissingLab, code: CodeClientCertMissing, lines: []string{lineSummary},
			contains: []string{"`curl --cacert /tmp/lab/ca/ca.pem --cert /tmp/lab/ca/client.pem --key /tmp/lab/ca/client-key.pem --resolve lab.test:443:192.168.20.230 https://lab.test:443/`"}},
		{name: "client_cert_rejected_unknown_ca", o: certUnknownCA, code: CodeClientCertRejected, lines: []string{lineSummary},
			contains: []string{"48 unknown_ca", "does not trust", "curl: (56) OpenSSL SSL_read: … tlsv1 alert unknown ca", "ERR_BAD_SSL_CLIENT_AUTH_CERT"}},
		{name: "client_cert_rejected_expired", o: certExpired, code: CodeClientCertRejected, lines: []string{lineSummary},
			contains: []string{"45 certificate_expired", "has expired", "curl: (60) SSL certificate verification failed", "remote error: tls: expired certificate"}},
		{name: "client_cert_rejected_key_usage", o: certEKU, code: CodeClientCertRejected, lines: []string{lineSummary},
			contains: []string{"42 bad_certificate", "clientAuth"}},
		{name: "ok_inspect", o: okInspect, code: CodeOK, ok: true,
			lines: []string{
				details("192.168.99.86:32962", "93.184.216.34:443", "client", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
				details("10.0.0.2:40112", "93.184.216.34:443", "server", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
			},
			contains: []string{
				"inspect sni=lab.test client[TLS 1.3 TLS_AES_128_GCM_SHA256 http/1.1] server[TLS 1.3 TLS_AES_128_GCM_SHA256 http/1.1 verified] http=5 ja4=",
				"copies the real server's subject and SANs", "verified the real server 93.184.216.34:443's certificate for lab.test",
				"GET lab.test/ → 200 (req 0 B, resp 1234 B); POST lab.test/api/login → 302 (req 48 B, resp 0 B); GET lab.test/ws → 101 (req 0 B, resp 0 B) upgraded; (+2 more not kept)",
				`server_cert=subject="CN=lab.test" issuer="CN=Lab Issuing CA"`, "server_verify=verified for lab.test",
				"transparent=redirect", "orig_dst=93.184.216.34:443", "ja3=cd08e31494f9531f560d64c695473da9"}},
		{name: "ok_inspect_no_sni", o: noSNI, code: CodeOK, ok: true,
			lines: []string{
				details("192.168.99.86:32962", "127.0.0.1:34201", "client", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
				details("127.0.0.1:41022", "127.0.0.1:34101", "server", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
			},
			contains: []string{"verified the real server 127.0.0.1:34101's certificate for 127.0.0.1, then terminated the client with a lab-CA leaf for 127.0.0.1",
				"`openssl s_client -connect 127.0.0.1:34101 </dev/null` from a host", "A working connection to 127.0.0.1 with", "server_verify=verified for 127.0.0.1"},
			absent: []string{"for (none)", "<name on the certificate>", "-servername"}},
		{name: "ok_inspect_weakened", o: weak, code: CodeOK, ok: true, warnings: 3,
			lines: []string{
				details("192.168.99.86:32962", "93.184.216.34:443", "client", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
				details("10.0.0.2:40112", "93.184.216.34:443", "server", "version: TLSv1.2 cipher-suite: ECDHE-RSA-AES128-SHA key-exchange: X25519 mutual-authentication: false"),
			},
			contains: []string{
				"server[TLS 1.2 ECDHE-RSA-AES128-SHA http/1.1 unverified]",
				"upstream verification is off: tlsgate would accept any server certificate, so the client's trust is not carried through",
				"TLS 1.3 → 1.2 downgrade between the legs",
				"weaker cipher on the server leg: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (ECDHE with CBC) although the client offered TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE with an AEAD cipher)",
				"server_verify=skipped", "without verifying its certificate"}},
		{name: "ok_inspect_offer_downgrade", o: offered, code: CodeOK, ok: true, warnings: 1,
			lines: []string{
				details("192.168.99.86:32962", "93.184.216.34:443", "client", "version: TLSv1.2 cipher-suite: ECDHE-RSA-AES128-GCM-SHA256 key-exchange: X25519 mutual-authentication: false"),
				details("10.0.0.2:40112", "93.184.216.34:443", "server", "version: TLSv1.2 cipher-suite: ECDHE-RSA-AES128-GCM-SHA256 key-exchange: X25519 mutual-authentication: false"),
			},
			contains: []string{"TLS 1.3 → 1.2 downgrade between the legs: the client offered TLS 1.3"}},
		{name: "ok_inspect_static_rsa", o: staticRSA, code: CodeOK, ok: true, warnings: 1,
			lines: []string{
				details("192.168.99.86:32962", "93.184.216.34:443", "client", "version: TLSv1.2 cipher-suite: ECDHE-RSA-AES128-GCM-SHA256 key-exchange: X25519 mutual-authentication: false"),
				details("10.0.0.2:40112", "93.184.216.34:443", "server", "version: TLSv1.2 cipher-suite: AES128-GCM-SHA256 key-exchange: RSA mutual-authentication: false"),
			},
			contains: []string{"weaker cipher on the server leg: TLS_RSA_WITH_AES_128_GCM_SHA256 (static RSA key exchange, no forward secrecy)"},
			absent:   []string{"downgrade"}},
		{name: "ok_bypass", o: bypass, code: CodeOK, ok: true,
			contains: []string{"inspect sni=lab.test bypassed (not decrypted): SNI lab.test matches bypass *.test; spliced to 93.184.216.34:443",
				"bypass=SNI lab.test matches bypass *.test", "transparent=tproxy", "real server's own certificate"},
			absent: []string{"mimicked"}},
		{name: "ok_bypass_hello_beyond_cap", o: &bigBypass, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"inspect sni=lab.test bypassed (not decrypted): SNI lab.test matches bypass *.test, read by crypto/tls: the ClientHello is beyond",
				"crypto/tls read its SNI lab.test to match bypass", "real server's own certificate"},
			absent: []string{"routing by name", "so its SNI, ALPN"}},
		{name: "ok_bypass_sni_required", o: bypassNoSNI, code: CodeOK, ok: true,
			contains: []string{"inspect sni=(none) bypassed (not decrypted): address 192.168.99.86 is in bypass; spliced to 10.0.0.7:8443"},
			absent:   []string{"01260013", "SNI", "alert 40"}},
		{name: "ok_quiet_after_handshake", o: quiet, code: CodeOK, ok: true,
			lines:    []string{details("192.168.99.86:32962", "192.168.20.230:443", "client", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false")},
			contains: []string{"no alternative certificate subject name matches", "send string"}},
		{name: "ok_terminate_mtls_server_ssl", o: termMTLS, code: CodeOK, ok: true,
			lines: []string{
				details("192.168.99.86:32962", "192.168.20.230:443", "client", "version: TLSv1.2 cipher-suite: ECDHE-ECDSA-CHACHA20-POLY1305 key-exchange: secp256r1 mutual-authentication: true"),
				details("10.0.0.2:40200", "10.0.0.7:8443", "server", "version: TLSv1.2 cipher-suite: ECDHE-RSA-AES256-GCM-SHA384 key-exchange: X25519 mutual-authentication: false"),
			}},
		{name: "plaintext_on_inspect", o: plainOnInspect, code: CodePlaintextOnTLS, lines: []string{lineNotSSL, lineSummary}},
		{name: "backend_tls_failed_alpn", o: alpn, code: CodeBackendTLSFailed,
			lines: []string{"01260013:4: SSL Handshake failed for TCP 10.0.0.2:40112 -> 93.184.216.34:443"},
			contains: []string{"alert 120 no_application_protocol", "ALPN", "the client offered h2, and the backend accepts none of it",
				"`openssl s_client -connect 93.184.216.34:443 -alpn h2 </dev/null`", "curl --http1.1", "backend_alpn=h2", "alpn_offered=h2"},
			absent: []string{"version, ciphers, SNI", "Compare the versions and ciphers"},
			saw:    "In inspect mode tlsgate sets up the server leg before it answers the client"},
		{name: "backend_tls_failed_alpn_unoffered", o: alpnNone, code: CodeBackendTLSFailed,
			lines:    []string{"01260013:4: SSL Handshake failed for TCP 10.0.0.2:40200 -> 10.0.0.7:8443"},
			contains: []string{"alert 120 no_application_protocol", "offered it no application protocol", "-alpn h2"},
			absent:   []string{"version, ciphers, SNI", "client offered"}},
		{name: "backend_tls_verify_inspect", o: upVerify, code: CodeBackendTLSVerify,
			lines:    []string{"01260013:4: SSL Handshake failed for TCP 10.0.0.2:40112 -> 93.184.216.34:443"},
			contains: []string{"In inspect mode", "hostname mismatch", "orig_dst=93.184.216.34:443"}},
	}
}
