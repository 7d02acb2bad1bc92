package explain

import (
	"crypto/tls"
	"net/netip"
	"time"
)

// Symptoms faults.Symptom gives proxy_skew rules (copied: explain depends
// on sniff alone).
const (
	symProxyPlanned = "connection reset by the proxy, whose own clock on the upstream leg is 72h0m0s ahead (a good certificate looks expired to it): it rejects the server's certificate (x509: certificate has expired or is not yet valid) and resets the client: in inspect mode before the client's handshake, curl (35) Recv failure: Connection reset by peer; with server_ssl after it, curl (56) Recv failure: Connection reset by peer; Go read: connection reset by peer; only when the shift takes the time past the certificate's validity window"
	symProxyAhead   = "connection reset by the proxy, whose own clock on the upstream leg is 72h0m0s ahead (a good certificate looks expired to it): it rejects the server's certificate (x509: certificate has expired or is not yet valid) and resets the client before answering its ClientHello (inspect mode dials the server first): curl (35) Recv failure: Connection reset by peer; openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	symProxyBehind  = "connection reset by the proxy, whose own clock on the upstream leg is 2h0m0s behind (a new certificate looks not yet valid to it): it rejects the server's certificate (x509: certificate has expired or is not yet valid) and resets the client after its handshake with the proxy, with no response (server_ssl dials the server then): curl (56) Recv failure: Connection reset by peer; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
)

// clockCases: tlsgate's own clock shifted on the upstream leg (proxy_skew).
// Inspect mode fails before the client's handshake; a terminating listener
// with server_ssl after it. A shift the certificate's window absorbs
// leaves a working connection, with the rule beside it.
func clockCases() []diagCase {
	ahead := intercepted(modernHello())
	ahead.ClientTLS = Leg{AlertSent: -1, AlertRecv: -1}
	ahead.Backend.TLS = Leg{Attempted: true, AlertSent: 42, AlertRecv: -1, Local: testUpLocal, Remote: testOrigDst,
		Err:    "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-02-04T08:12:14Z is after 2026-02-02T00:00:00Z",
		Verify: "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-02-04T08:12:14Z is after 2026-02-02T00:00:00Z"}
	stopped(ahead, "proxy_skew", acted(skewed(firing("proxy-clock", "proxy_skew", "client_hello", "", 0.4, symProxyAhead), 72*time.Hour), "client_hello"))

	behind := withHello(base("terminate"), modernHello())
	behind.ClientTLS.Done, behind.ClientTLS.Version, behind.ClientTLS.CipherSuite = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256
	behind.Backend = Backend{Addr: "10.0.0.7:8443", Attempted: true,
		Local: netip.MustParseAddrPort("10.0.0.2:40114"), Remote: netip.MustParseAddrPort("10.0.0.7:8443"),
		TLS: Leg{Attempted: true, AlertSent: 42, AlertRecv: -1,
			Local: netip.MustParseAddrPort("10.0.0.2:40114"), Remote: netip.MustParseAddrPort("10.0.0.7:8443"),
			Err:    "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-02-01T06:12:14Z is before 2026-02-01T07:00:00Z",
			Verify: "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-02-01T06:12:14Z is before 2026-02-01T07:00:00Z"}}
	stopped(behind, "proxy_skew", acted(skewed(firing("ntp-lost", "proxy_skew", "client_hello", "", 0.4, symProxyBehind), -2*time.Hour), "handshake_done"))

	absorbed := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	fired(absorbed, skewed(firing("proxy-clock", "proxy_skew", "client_hello", "", 0.4, symProxyPlanned), 72*time.Hour))

	// The origin behind that proxy, in the same process: the alert 42 it
	// gets is the proxy's shifted clock speaking.
	origin := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	origin.ClientTLS.AlertRecv = 42
	origin.PeerSkew = PeerSkew{Listener: "proxy-clock-skew", Rule: "proxy-clock-ahead", Skew: 30 * 24 * time.Hour}

	const serverSide = "01260013:4: SSL Handshake failed for TCP "
	return []diagCase{
		{name: "client_alert_peer_skew", o: origin, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"this tlsgate's own upstream leg of listener proxy-clock-skew", "runs 720h0m0s ahead", "looked expired", "ntpq -p",
				"tlsgate's own upstream leg of listener proxy-clock-skew, its clock shifted 720h0m0s by rule proxy-clock-ahead"},
			absent: []string{"signed by unknown authority"}},
		{name: "fault_proxy_skew_ahead", o: ahead, code: CodeFaultInjected, saw: symProxyAhead,
			lines: []string{serverSide + testUpLocal.String() + " -> " + testOrigDst.String()},
			contains: []string{"injected by rule proxy-clock: the proxy's own clock shifted on its upstream leg",
				"whose own clock is wrong", "ran 72h0m0s ahead", "looked expired", "(proxy_skew at client_hello)", "-dates", "ntpq -p"},
			absent: []string{"BIG-IP logs nothing"}},
		{name: "fault_proxy_skew_behind", o: behind, code: CodeFaultInjected, saw: symProxyBehind,
			lines: []string{serverSide + "10.0.0.2:40114 -> 10.0.0.7:8443"},
			contains: []string{"injected by rule ntp-lost: the proxy's own clock shifted on its upstream leg, so it rejected the server's certificate after the TLS handshake",
				"ran 2h0m0s behind", "not yet valid", "is before"}},
		{name: "fault_proxy_skew_absorbed", o: absorbed, code: CodeOK, ok: true, lines: []string{
			"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 93.184.216.34:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false",
			"(no ID):6: SSL Handshake details for TCP 10.0.0.2:40112 -> 93.184.216.34:443 entity: server SID: 25c1ee14d3df2bec version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"},
			contains: []string{"injected by rule proxy-clock (proxy_skew at client_hello", "whose own clock is wrong"}},
	}
}

// skewed sets the clock shift of a firing.
func skewed(fr FaultFiring, d time.Duration) FaultFiring {
	fr.Skew = d
	return fr
}
