package explain

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// faultWrapperCases: faults that did not end the connection themselves.
// Each keeps the code the client's behaviour earns, and names the rule.
func faultWrapperCases() []diagCase {
	latAccept := firing("slow-accept", "latency", "accept", "c2s", 0.1, symLatency)
	timeoutErr := "read tcp 192.168.20.230:443->192.168.99.86:32962: i/o timeout"

	// A PMTUD black hole stalls tlsgate's certificate flight; the client
	// never answers. The MTU symptom beats the quiet latency one.
	mtu := failed(withHello(base("terminate"), modernHello()), timeoutErr)
	mtu.ClientTLS.ServerFlightSent = true
	fired(mtu, latAccept, acted(firing("pmtu", "mtu", "server_flight", "s2c", 0.33, symMTUFlight), "server_flight"))
	bhDown := failed(withHello(base("terminate"), modernHello()), timeoutErr)
	fired(bhDown, firing("drop-down", "blackhole", "server_flight", "s2c", 0.34, symTimeoutHS))
	tmo := failed(withHello(base("terminate"), modernHello()), timeoutErr)
	fired(tmo, firing("swallow", "timeout", "server_flight", "s2c", 0.35, symTimeoutHS))

	// A cut flight: the client hangs up without an alert, which without
	// the fault would read as a silent rejection of the certificate.
	truncFIN := failed(withHello(base("terminate"), modernHello()), "EOF")
	truncFIN.ClientTLS.ServerFlightSent = true
	fired(truncFIN, then(firing("cut-flight", "truncate", "server_flight", "s2c", 0.36, symEOFFlight), "fin"))
	truncRST := failed(withHello(base("terminate"), modernHello()), "write tcp 192.168.20.230:443->192.168.99.86:32962: faults: injected reset: connection reset by peer")
	truncRST.ClientTLS.ServerFlightSent = true
	fired(truncRST, then(firing("cut-flight-rst", "truncate", "server_flight", "s2c", 0.37, symResetHS), "rst"))
	limit := failed(intercepted(modernHello()), "EOF")
	limit.ClientTLS.ServerFlightSent, limit.FailStreak = true, 2
	fired(limit, firing("budget", "limit_data", "server_flight", "s2c", 0.38, symEOFFlight))
	// Fragmenting does not damage the flight: a silent rejection stays one.
	fragSilent := failed(intercepted(modernHello()), "EOF")
	fragSilent.ClientTLS.ServerFlightSent = true
	fired(fragSilent, firing("tiny-records", "fragment", "server_flight", "s2c", 0.39, symFragment))

	okLatency := fired(handshaken(), firing("slow-resp", "latency", "response", "s2c", 0.4, symLatency))
	okLatency.BytesUp, okLatency.BytesDown = 517, 4096
	okBlock := fired(handshaken(), firing("waf-403", "block_page", "request", "s2c", 0.41, symBlock))
	okBlock.HTTP1 = []HTTPExchange{{Method: "GET", Target: "/login", Host: "lab.test", Proto: "HTTP/1.1", Status: 403, RespBytes: 312}}
	okReset := fired(handshaken(), firing("rst-resp", "reset", "response", "s2c", 0.43, symResetStream))
	okIdle := fired(handshaken(), firing("nat-expiry", "idle_timeout", "idle", "both", 0.44, symIdleRST))
	okSlicer := fired(handshaken(), firing("dpi-test", "slicer", "server_flight", "s2c", 0.45, symSlicer))
	// An idle alert whose period never passed: the client left first, so
	// nothing was injected and the connection stays a normal one.
	okIdleAlert := fired(handshaken(), firing("lb-idle", "alert", "idle", "", 0.52, symClearIdle))
	okIdleAlert.BytesUp, okIdleAlert.BytesDown = 78, 312

	silent := base("terminate")
	silent.Kind, silent.PeekEnd = sniff.Empty, PeerSilent
	fired(silent, latAccept)

	// Chains served by a fault: the client's alert is the normal diagnosis,
	// and its own client hint is already specific.
	chainExp := failed(withHello(base("terminate"), modernHello()), "remote error: tls: expired certificate")
	chainExp.ClientTLS.AlertRecv, chainExp.ClientTLS.MaxVersion, chainExp.ClientTLS.ServerFlightSent = 45, tls.VersionTLS12, true
	fired(chainExp, chain(firing("old-cert", "chain", "client_hello", "s2c", 0.46, symChainExp), "expired", 0))
	chainSelf := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	chainSelf.ClientTLS.AlertRecv, chainSelf.ClientTLS.ServerFlightSent = 42, true
	fired(chainSelf, chain(firing("self", "chain", "client_hello", "s2c", 0.47, symChainSelf), "self_signed", 0))
	chainMAC := failed(withHello(base("terminate"), modernHello()), "local error: tls: bad record MAC")
	chainMAC.ClientTLS.AlertSent, chainMAC.ClientTLS.ServerFlightSent = 20, true
	fired(chainMAC, chain(firing("self13", "chain", "client_hello", "s2c", 0.48, symChainSelf), "self_signed", 0))

	// An untrusted root served by a rule: OpenSSL's alert 48 is the
	// rule's doing, not a lab CA missing from the client.
	chain48 := failed(withHello(base("terminate"), modernHello()), "remote error: tls: unknown certificate authority")
	chain48.ClientTLS.AlertRecv, chain48.ClientTLS.MaxVersion, chain48.ClientTLS.ServerFlightSent = 48, tls.VersionTLS12, true
	fired(chain48, chain(firing("foreign-root", "chain", "client_hello", "s2c", 0.53, symChainRoot), "untrusted_root_with_root", 0))
	// A good chain 30 days in the past: a client whose clock is ahead.
	clockAhead := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	clockAhead.ClientTLS.AlertRecv, clockAhead.ClientTLS.ServerFlightSent = 42, true
	fired(clockAhead, chain(firing("clock-ahead-30d", "chain", "client_hello", "s2c", 0.54, symChainSkew), "", -30*24*time.Hour))
	// The same rules on a listener serving its configured certificate:
	// the rule's lab-CA chain replaced it, issuer and all.
	chain48Configured := failed(withHello(base("terminate"), modernHello()), "remote error: tls: unknown certificate authority")
	chain48Configured.ClientTLS.AlertRecv, chain48Configured.ClientTLS.MaxVersion, chain48Configured.ClientTLS.ServerFlightSent = 48, tls.VersionTLS12, true
	chain48Configured.ClientTLS.ReplacedCertSubject = "CN=lab.test"
	fired(chain48Configured, chain(firing("foreign-root", "chain", "client_hello", "s2c", 0.53, symChainRoot), "untrusted_root_with_root", 0))
	clockAheadConfigured := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	clockAheadConfigured.ClientTLS.AlertRecv, clockAheadConfigured.ClientTLS.ServerFlightSent = 42, true
	clockAheadConfigured.ClientTLS.ReplacedCertSubject = "CN=lab.test"
	fired(clockAheadConfigured, chain(firing("clock-ahead-30d", "chain", "client_hello", "s2c", 0.54, symChainSkew), "", -30*24*time.Hour))
	// 30 days in the future, to curl under TLS 1.3: bad record MAC.
	clockBehind := failed(withHello(base("terminate"), modernHello()), "local error: tls: bad record MAC")
	clockBehind.ClientTLS.AlertSent, clockBehind.ClientTLS.ServerFlightSent = 20, true
	fired(clockBehind, chain(firing("clock-behind-30d", "chain", "client_hello", "s2c", 0.55, symChainSkew), "", 30*24*time.Hour))
	// A PMTUD black hole the client gave up on: its FIN ends the handshake.
	mtuFIN := failed(withHello(base("terminate"), modernHello()), "EOF")
	mtuFIN.ClientTLS.ServerFlightSent = true
	fired(mtuFIN, acted(firing("pmtu", "mtu", "server_flight", "s2c", 0.56, symMTUFlight), "server_flight"))

	// Version and cipher policies go through crypto/tls with the listener's
	// profile narrowed, which the listener records on the leg.
	verOld := failed(withHello(base("terminate"), legacyHello(0x0303)), "tls: client offered only unsupported versions: [303 302 301]")
	verOld.ClientTLS.MinVersion = tls.VersionTLS13
	fired(verOld, firing("tls13-only", "version", "client_hello", "both", 0.49, symVersion))
	verNew := failed(withHello(base("terminate"), modernHello()), "tls: client offered only unsupported versions: [304 303]")
	verNew.ClientTLS.MinVersion, verNew.ClientTLS.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
	fired(verNew, firing("tls10-box", "version", "client_hello", "both", 0.5, symVersion))
	cipher := failed(withHello(base("terminate"), legacyHello(0x0303, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)),
		"tls: no cipher suite supported by both client and server; client offered: [c02f]")
	cipher.ClientTLS.OurCiphers, cipher.ClientTLS.MaxVersion = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}, tls.VersionTLS12
	fired(cipher, firing("cbc-only", "cipher", "client_hello", "both", 0.51, symCipher))

	return []diagCase{
		{name: "fault_wrap_mtu_timeout", o: mtu, code: CodeHandshakeTimeout, lines: []string{lineSummary}, saw: symMTUFlight,
			contains: []string{"TLS handshake with client 192.168.99.86:32962 timed out; injected by rule slow-accept (latency at accept); injected by rule pmtu (mtu at server_flight)",
				"Injected by rule pmtu (mtu at server_flight): on a real network this is a PMTUD black hole",
				"fault=pmtu mtu at server_flight expect=timeout (PMTUD black hole)"}},
		{name: "fault_wrap_blackhole_timeout", o: bhDown, code: CodeHandshakeTimeout, lines: []string{lineSummary}, saw: symTimeoutHS,
			contains: []string{"injected by rule drop-down (blackhole at server_flight)", "one-way silent drop"}},
		{name: "fault_wrap_timeout_action", o: tmo, code: CodeHandshakeTimeout, lines: []string{lineSummary}, saw: symTimeoutHS,
			contains: []string{"injected by rule swallow (timeout at server_flight)"}},
		{name: "fault_wrap_truncate_fin", o: truncFIN, code: CodeClientClosedEarly, lines: []string{lineSummary}, saw: symEOFFlight,
			absent:   []string{"port scanner", "Find out what 192.168.99.86 is"},
			contains: []string{"injected by rule cut-flight (truncate at server_flight)", "cuts a flight short"}},
		{name: "fault_wrap_truncate_rst", o: truncRST, code: CodeClientResetEarly, lines: []string{lineSummary}, saw: symResetHS,
			contains: []string{"injected by rule cut-flight-rst (truncate at server_flight)"}},
		{name: "fault_wrap_limit_data_inspect", o: limit, code: CodeClientClosedEarly,
			lines: []string{"01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 93.184.216.34:443"}, saw: symEOFFlight,
			contains: []string{"injected by rule budget (limit_data at server_flight)", "byte budget"}},
		{name: "fault_wrap_fragment_rejected_silently", o: fragSilent, code: CodeClientRejectedSilently,
			lines:    []string{"01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 93.184.216.34:443"},
			contains: []string{"injected by rule tiny-records (fragment at server_flight)", "curl: (90)"}},
		{name: "fault_wrap_ok_latency", o: okLatency, code: CodeOK, ok: true, saw: symLatency,
			lines:    []string{okDetailsLine()},
			contains: []string{"up=517B down=4096B in 2ms; injected by rule slow-resp (latency at response)", "congested uplink"}},
		{name: "fault_wrap_ok_block_page", o: okBlock, code: CodeOK, ok: true, saw: symBlock,
			lines:    []string{okDetailsLine()},
			contains: []string{"injected by rule waf-403 (block_page at request)", "F5 ASM", "GET lab.test/login → 403"}},
		{name: "fault_wrap_ok_reset_response", o: okReset, code: CodeOK, ok: true, saw: symResetStream,
			lines:    []string{okDetailsLine()},
			contains: []string{"injected by rule rst-resp (reset at response)"}},
		{name: "fault_wrap_ok_idle_timeout", o: okIdle, code: CodeOK, ok: true, saw: symIdleRST,
			lines:    []string{okDetailsLine()},
			contains: []string{"injected by rule nat-expiry (idle_timeout at idle)", "idle timer"}},
		{name: "fault_wrap_ok_slicer", o: okSlicer, code: CodeOK, ok: true, saw: symSlicer,
			lines:    []string{okDetailsLine()},
			contains: []string{"injected by rule dpi-test (slicer at server_flight)"}},
		{name: "fault_wrap_ok_alert_idle_not_sent", o: okIdleAlert, code: CodeOK, ok: true, saw: symClearIdle,
			lines:    []string{okDetailsLine()},
			contains: []string{"injected by rule lb-idle (alert at idle)", "Rule lb-idle fired (alert at idle); where it takes effect"}},
		{name: "fault_wrap_client_silent", o: silent, code: CodeClientSilent, lines: []string{lineSummary}, saw: symLatency,
			contains: []string{"sent nothing within 5s; injected by rule slow-accept (latency at accept)"}},
		{name: "fault_wrap_chain_expired_alert45", o: chainExp, code: CodeClientAlert, lines: []string{lineSummary},
			saw: "curl (60) SSL certificate problem: certificate has expired",
			contains: []string{"45 certificate_expired", "injected by rule old-cert (chain at client_hello)", "bad certificate chain",
				"fault=old-cert chain at client_hello expect=certificate rejected, expired"}},
		{name: "fault_wrap_chain_self_signed_alert42", o: chainSelf, code: CodeClientAlert, lines: []string{lineSummary},
			saw: "curl (60) SSL certificate problem: self-signed certificate", contains: []string{"injected by rule self (chain at client_hello)",
				"chain = \"self_signed\"", "18 (self-signed certificate)", "whether or not the client trusts the lab CA"}, absent: []string{"--cacert"}},
		{name: "fault_wrap_chain_bad_record_mac", o: chainMAC, code: CodeHandshakeFailed, lines: []string{lineSummary},
			saw: "curl (60) SSL certificate problem: self-signed certificate", contains: []string{"unencrypted", "injected by rule self13 (chain at client_hello)", "--tls-max 1.2"}},
		{name: "fault_wrap_chain_untrusted_root_alert48", o: chain48, code: CodeClientAlert, lines: []string{lineSummary},
			saw:      "self-signed certificate in certificate chain",
			contains: []string{"19 (self-signed certificate in certificate chain)", "untrusted_root_with_root", "tlsgate fault disable foreign-root"},
			absent:   []string{"--cacert", "not in the client's trust store"}},
		{name: "fault_wrap_clock_ahead_alert42", o: clockAhead, code: CodeClientAlert, lines: []string{lineSummary},
			saw:      "certificate has expired",
			contains: []string{"as expired", "shifted by 720h0m0s", "clock is ahead", "date -u", "NTP"},
			absent:   []string{"bad certificate chain", "--cacert"}},
		{name: "fault_wrap_chain_untrusted_root_alert48_configured", o: chain48Configured, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"instead of listener web's configured certificate (client_ssl cert, CN=lab.test; a rule's chain is tlsgate's own, from the lab CA or a deliberately foreign one, so the issuer changed too)"},
			absent:   []string{"lab-CA chain it served"}},
		{name: "fault_wrap_clock_ahead_alert42_configured", o: clockAheadConfigured, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"shifted by 720h0m0s", "the issuer changed too: the rule replaced listener web's configured certificate (client_ssl cert, CN=lab.test) with this lab-CA one"}},
		{name: "fault_wrap_clock_behind_bad_record_mac", o: clockBehind, code: CodeHandshakeFailed, lines: []string{lineSummary},
			saw:      "curl: (60) SSL certificate problem: certificate is not yet valid",
			contains: []string{"not yet valid", "clock is behind", "unencrypted", "date -u"},
			absent:   []string{"bad certificate chain", "--cacert"}},
		{name: "fault_wrap_mtu_closed", o: mtuFIN, code: CodeClientClosedEarly, lines: []string{lineSummary}, saw: symMTUFlight,
			contains: []string{"ping -M do -s 1472 192.168.20.230", "PMTUD black hole", "rule pmtu"},
			absent:   []string{"port scanner", "Find out what 192.168.99.86 is"}},
		{name: "fault_wrap_version_too_old", o: verOld, code: CodeVersionTooOld, lines: []string{lineVersion, lineSummary}, saw: sawAlert70,
			contains: []string{"TLS 1.3 to TLS 1.3", "injected by rule tls13-only (version at client_hello)", "accepts only some protocol versions"}},
		{name: "fault_wrap_version_too_new", o: verNew, code: CodeVersionTooNew, lines: []string{lineVersion, lineSummary}, saw: sawAlert70,
			contains: []string{"TLS 1.0 to TLS 1.0", "injected by rule tls10-box (version at client_hello)"}},
		{name: "fault_wrap_no_shared_cipher", o: cipher, code: CodeNoSharedCipher, lines: []string{lineCiphers, lineNoShared, lineSummary},
			saw:      "sslv3 alert handshake failure",
			contains: []string{"injected by rule cbc-only (cipher at client_hello)", "restricted cipher list", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (at TLS 1.2)"}},
	}
}

// okDetailsLine is the session line of handshaken's client leg.
func okDetailsLine() string {
	return "(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
		sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"
}

// TestFlightCutBigIPLine: a device in the path that cuts (or holds) the
// server's handshake flight leaves BIG-IP a lone 01260013, no 01260009
// reason: BIG-IP sent its whole flight and did not fail, but its side of
// the handshake ended unfinished when the client gave up or
// handshake-timeout ran out (bigip-log.md §2, §5). The explanation says so,
// so that the line is not read as BIG-IP's own failure; it used to leave
// the line unexplained.
func TestFlightCutBigIPLine(t *testing.T) {
	want := map[string]string{
		LangEN: "BIG-IP would log only the 01260013 summary, with no 01260009 reason, although it did not fail",
		LangJA: "BIG-IP 自身は失敗していないが、01260009 の理由の行はなく 01260013 のサマリだけを記録する",
	}
	var flights []*Outcome
	for _, c := range faultWrapperCases() {
		switch c.name {
		case "fault_wrap_truncate_fin", "fault_wrap_truncate_rst", "fault_wrap_mtu_closed", "fault_wrap_limit_data_inspect":
			flights = append(flights, c.o)
		}
	}
	if len(flights) != 4 {
		t.Fatalf("found %d of the 4 flight cases", len(flights))
	}
	for _, o := range flights {
		for _, lang := range Langs() {
			d := DiagnoseLang(o, lang)
			if len(d.BigIP) != 1 || d.BigIP[0].ID != "01260013" {
				t.Errorf("%s %s: BIG-IP lines %v, want the lone 01260013 summary", lang, d.Code, d.BigIP)
			}
			if !strings.Contains(d.Cause, want[lang]) {
				t.Errorf("%s %s: cause without %q:\n%s", lang, d.Code, want[lang], d.Cause)
			}
		}
	}
}
