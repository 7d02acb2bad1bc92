package explain

import "crypto/tls"

// symHost is the symptom faults.Symptom gives an sni_policy with
// host_mismatch (copied: explain depends on sniff alone).
const symHost = "http status 421 Misdirected Request when the request's Host names another server than the TLS server name (SNI), not a TLS error: curl exits 0 and prints the 421 page, or (22) The requested URL returned error: 421 with -f; Go resp.StatusCode == 421 with err == nil"

// hostCases: a request whose Host is not the SNI, answered 421 by an
// sni_policy with host_mismatch. The TLS connection worked, so it is
// explained as working, with the rule and what it imitates beside it.
func hostCases() []diagCase {
	o := withHello(base("terminate"), modernHello())
	c := &o.ClientTLS
	c.Done, c.Version, c.CipherSuite, c.Group = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, "X25519"
	o.Backend.Addr, o.Backend.Attempted, o.BytesUp, o.BytesDown = "10.0.0.7:8080", true, 0, 316
	fired(o, firing("sni-host", "sni_policy", "request", "", 0.3, symHost))
	// The same rule on a connection whose first request named the SNI:
	// it did not fire, and the log says what it compared and what not.
	passed := withHello(base("terminate"), modernHello())
	pc := &passed.ClientTLS
	pc.Done, pc.Version, pc.CipherSuite, pc.Group = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, "X25519"
	passed.Backend.Addr, passed.Backend.Attempted, passed.BytesUp, passed.BytesDown = "10.0.0.7:8080", true, 78, 1204
	passed.HostChecked, passed.HostCheckedName = "sni-host", "lab.test"
	// The same two on an inspect listener: both legs up, the request
	// compared before it was relayed to the real server.
	inspMis := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	inspMis.BytesUp, inspMis.BytesDown = 0, 316
	fired(inspMis, firing("sni-host", "sni_policy", "request", "", 0.3, symHost))
	inspPassed := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	inspPassed.HostChecked, inspPassed.HostCheckedName = "sni-host", "lab.test"
	// An unverified server leg: inspect's warnings still apply.
	inspPassed.Backend.TLS.VerifySkipped = true
	details := func(left, right, entity, rest string) string {
		return "(no ID):6: SSL Handshake details for TCP " + left + " -> " + right + " entity: " + entity + " SID: " + sessionID(42, 0, entity) + " " + rest
	}
	inspLines := []string{
		details("192.168.99.86:32962", "93.184.216.34:443", "client", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
		details("10.0.0.2:40112", "93.184.216.34:443", "server", "version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"),
	}
	return []diagCase{
		{name: "ok_inspect_host_checked", o: inspPassed, code: CodeOK, ok: true, lines: inspLines, warnings: 1,
			contains: []string{"rule sni-host (sni_policy with host_mismatch) compared the first request's Host (lab.test) with the SNI (lab.test), they matched", "Later requests on this connection were not compared",
				"relayed between the two legs", "Read the warnings"}},
		{name: "fault_sni_policy_host_mismatch_inspect", o: inspMis, code: CodeOK, ok: true, lines: inspLines,
			contains: []string{"terminated the client with a lab-CA leaf for lab.test", "Its first request never reached the real server: tlsgate's host check answered it 421",
				"injected by rule sni-host (sni_policy at request", "compares only the first request of a connection", "Read the warnings"},
			saw:    "with a lab-CA leaf for lab.test, then 421 Misdirected Request for the first request instead of the real server's answer",
			absent: []string{"relayed between the two legs", "A working connection"}},
		{name: "ok_host_checked", o: passed, code: CodeOK, ok: true,
			lines:    []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519 mutual-authentication: false"},
			contains: []string{"rule sni-host (sni_policy with host_mismatch) compared the first request's Host (lab.test) with the SNI (lab.test), they matched", "Later requests on this connection were not compared"}},
		{name: "fault_sni_policy_host_mismatch", o: o, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519 mutual-authentication: false"},
			contains: []string{"injected by rule sni-host (sni_policy at request", "answers 421 Misdirected Request when a request's Host names another site", "never reached the backend", "http status 421",
				"compares only the first request of a connection", "Later requests on a connection are never compared"},
			saw:    "then 421 Misdirected Request for the first request",
			absent: []string{"Nothing to fix", "A normal connection"}},
	}
}
