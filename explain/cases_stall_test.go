package explain

import (
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// stalledRelay is a passthrough connection whose client sent three bytes
// of a hello and stalled: at the peek deadline the listener relayed them,
// and the connection lived on for took, as the listener records it.
func stalledRelay(end End, took time.Duration) *Outcome {
	o := answered(nil, nil, 0)
	o.Kind, o.PeekEnd, o.FirstBytes, o.FirstLen = sniff.TLSHandshake, PeerPartial, tlsBytes[:3], 3
	o.HelloErr = "sniff: need more bytes: client hello: 3 bytes of stream, handshake header not complete"
	o.BytesUp, o.End, o.Duration, o.IdleTimeout = 3, end, took, 300*time.Second
	return o
}

// stallCases are clients that stalled part-way through their first
// message: what the listener did at the peek deadline, and what ended
// the connection, as it happened.
func stallCases() []diagCase {
	idle := stalledRelay(EndIdleTimeout, 305*time.Second)
	closed := stalledRelay("", 60*time.Second)
	refused := stalledRelay("", 10*time.Second)
	refused.Backend.HelloAlert, refused.BytesDown = RecordAlert{Version: 0x0303, Level: 2, Desc: 50}, 7
	// The client half-closed at 5s and the backend (openssl s_server)
	// answered that FIN with decode_error: the client ended it.
	clientFIN := stalledRelay("", 5010*time.Millisecond)
	clientFIN.Backend.HelloAlert, clientFIN.BytesDown = RecordAlert{Version: 0x0303, Level: 2, Desc: 50}, 7
	clientFIN.FirstFIN, clientFIN.FirstFINAfter = SideClient, 5002*time.Millisecond
	// The backend's own handshake timer closed first, silently.
	backendFIN := stalledRelay("", 60*time.Second)
	backendFIN.FirstFIN, backendFIN.FirstFINAfter = SideBackend, 60*time.Second
	// The rest of the hello came after the deadline, and the backend
	// completed the handshake with the client: no stall to report.
	resumed := stalledRelay("", 2*time.Second)
	resumed.BytesUp, resumed.BytesDown = 517, 4096
	// The same on a terminating listener: crypto/tls read the rest of
	// the hello after the peek gave up on it, and completed.
	resumedTerm := failed(withHello(base("terminate"), modernHello()), "")
	resumedTerm.Hello, resumedTerm.JA4 = nil, ""
	resumedTerm.PeekEnd, resumedTerm.FirstBytes, resumedTerm.FirstLen = PeerPartial, tlsBytes[:3], 3
	resumedTerm.HelloErr = "sniff: need more bytes: client hello: 3 bytes of stream, handshake header not complete"
	c := &resumedTerm.ClientTLS
	c.Done, c.Version, c.CipherSuite, c.Group, c.ServerName = true, 0x0304, 0x1301, "X25519", "lab.test"
	resumedTerm.Backend.Addr, resumedTerm.Backend.Attempted = "10.0.0.7:8080", true
	resumedTerm.BytesUp, resumedTerm.BytesDown = 78, 512
	// Two bytes of a record header, then the same stall: the listener
	// relays them (or terminates them) like three, and they are worded
	// as the TLS they began, not as too few to tell.
	prefix := stalledRelay("", 60*time.Second)
	prefix.Kind, prefix.FirstBytes, prefix.FirstLen, prefix.BytesUp, prefix.HelloErr = sniff.Unknown, tlsBytes[:2], 2, 2, ""
	// An inspect listener's bypass relays a stalled hello as passthrough
	// does: no handshake of tlsgate's timed out, and BIG-IP logs none.
	bypassed := stalledRelay("", 60*time.Second)
	bypassed.Mode, bypassed.Route, bypassed.Bypass = "inspect", "bypass", "client 192.168.99.86 is in bypass 192.168.99.0/24"
	prefixTerm := base("terminate")
	prefixTerm.Kind, prefixTerm.PeekEnd, prefixTerm.FirstBytes = sniff.Unknown, PeerPartial, tlsBytes[:2]
	byteTerm := base("terminate")
	byteTerm.Kind, byteTerm.PeekEnd, byteTerm.FirstBytes = sniff.Unknown, PeerPartial, tlsBytes[:1]
	return []diagCase{
		{name: "handshake_timeout_relayed_idle", o: idle, code: CodeHandshakeTimeout,
			contains: []string{"sent 3 bytes of a first message and stalled", "relayed to 10.0.0.7:8443 at the peek deadline", "ended after 5m5s",
				"idle_timeout of 5m0s reset both sides", "handshake_timeout bounds only handshakes tlsgate terminates"},
			absent: []string{"nothing more within 5s."}},
		{name: "handshake_timeout_relayed_closed", o: closed, code: CodeHandshakeTimeout,
			contains: []string{"ended after 1m0s", "closed (FIN)", "backend's own handshake timeout"}},
		{name: "handshake_timeout_relayed_refused", o: refused, code: CodeHandshakeTimeout,
			contains: []string{"answered with alert 50 decode_error"}},
		{name: "handshake_timeout_relayed_client_fin", o: clientFIN, code: CodeHandshakeTimeout,
			contains: []string{"ended when the client closed its side (FIN) after 5.002s; the backend then answered with alert 50 decode_error and closed"},
			absent:   []string{"and the connection closed", "backend's own handshake timeout or by the client giving up"}},
		{name: "handshake_timeout_relayed_backend_fin", o: backendFIN, code: CodeHandshakeTimeout,
			contains: []string{"the backend closed (FIN) first, after 1m0s: its own handshake timeout, or it gave up on the partial hello; the client then closed"},
			absent:   []string{"or by the client giving up"}},
		{name: "handshake_timeout_relayed_prefix", o: prefix, code: CodeHandshakeTimeout,
			contains: []string{"sent 2 bytes of a first message and stalled", "relayed to 10.0.0.7:8443 at the peek deadline", "the start of a TLS record header"},
			absent:   []string{"too few to tell"}},
		{name: "handshake_timeout_partial_prefix", o: prefixTerm, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"sent 2 bytes of a first message and then stalled", "the start of a TLS record header"},
			absent:   []string{"too few to tell"}},
		{name: "handshake_timeout_partial_byte", o: byteTerm, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"sent 1 byte of a first message and then stalled", "The client sent 1 byte ("}, absent: []string{"1 bytes"}},
		{name: "handshake_timeout_relayed_bypass", o: bypassed, code: CodeHandshakeTimeout,
			contains: []string{"relayed to 10.0.0.7:8443 at the peek deadline", "passes this connection's TLS through unread (bypass: client 192.168.99.86 is in bypass 192.168.99.0/24)"}},
		{name: "ok_passthrough_stall_resumed", o: resumed, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"passed it through to 10.0.0.7:8443"}},
		{name: "ok_terminate_stall_resumed", o: resumedTerm, code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
				sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519 mutual-authentication: false"},
			contains: []string{"crypto/tls completed the handshake"}},
	}
}
