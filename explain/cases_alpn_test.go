package explain

import "crypto/tls"

// Symptoms faults.Symptom gives an alpn_downgrade rule: planned, and once
// it refused a client (copied: explain depends on sniff alone).
const (
	symDowngrade        = "no error expected for clients that also offer http/1.1: h2 is stripped and they negotiate http/1.1 instead: curl -v prints ALPN: server accepted http/1.1 (with --http2 too); Go resp.Proto HTTP/1.1; only clients that need h2 notice; tls alert 120 no_application_protocol for a client that offers only h2 (gRPC), since the proxy speaks only http/1.1: curl (35) … tlsv1 alert no application protocol; Go remote error: tls: no application protocol; Chrome ERR_SSL_PROTOCOL_ERROR"
	symDowngradeRefused = "tls alert 120 no_application_protocol for a client that offers only h2 (gRPC), since the proxy speaks only http/1.1: curl (35) … tlsv1 alert no application protocol; Go remote error: tls: no application protocol; Chrome ERR_SSL_PROTOCOL_ERROR"
)

// alpnCases: an HTTP/1.1-only proxy (alpn_downgrade) refusing an h2-only
// client, and the connection of a client that fell back.
func alpnCases() []diagCase {
	h2only := modernHello()
	h2only.ALPN = []string{"h2"}
	refused := withHello(base("terminate"), h2only)
	refused.ClientTLS = Leg{Attempted: true, AlertSent: 120, AlertRecv: -1, MinVersion: tls.VersionTLS12,
		Err: "tls: client requested unsupported application protocols ([h2])"}
	stopped(refused, "alpn_downgrade", acted(firing("h11-proxy", "alpn_downgrade", "client_hello", "", 0.2, symDowngradeRefused), "client_hello"))

	fellBack := withHello(base("terminate"), modernHello())
	c := &fellBack.ClientTLS
	c.Done, c.Version, c.CipherSuite, c.ALPN, c.Group = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, "http/1.1", "X25519"
	fellBack.Backend.Addr, fellBack.Backend.Attempted, fellBack.BytesUp, fellBack.BytesDown = "10.0.0.7:8080", true, 78, 241
	fired(fellBack, firing("h11-proxy", "alpn_downgrade", "client_hello", "", 0.2, symDowngrade))

	return []diagCase{
		{name: "fault_alpn_downgrade_h2_only", o: refused, code: CodeFaultInjected, saw: symDowngradeRefused,
			contains: []string{"injected by rule h11-proxy: alert 120 no_application_protocol from an HTTP/1.1-only proxy stripping h2 after ClientHello",
				"This client offered h2.", "-alpn h2", "HTTP/2 profile", "BIG-IP logs nothing for it"}},
		{name: "fault_alpn_downgrade_fell_back", o: fellBack, code: CodeOK, ok: true,
			lines:    []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519 mutual-authentication: false"},
			contains: []string{"injected by rule h11-proxy (alpn_downgrade at client_hello", "speaks only HTTP/1.1 with its clients", "ALPN: server accepted http/1.1"}},
	}
}
