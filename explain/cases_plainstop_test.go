package explain

// plainStopCases: stops at the request and response stages (and an MTU
// stall) on a plaintext connection. No TLS handshake ran, so nothing may
// say it came after one, or point at a ClientHello or `curl -v`'s
// handshake lines; the request and its relay are what came before.
func plainStopCases() []diagCase {
	plainAt := func(mode string) *Outcome {
		o := httpOn(mode, "plain")
		o.BytesUp = int64(len(o.FirstBytes))
		return o
	}
	resetResp := stopped(plainAt("plaintext"), "reset", firing("waf-resp", "reset", "response", "both", 0.5, symResetStream))
	resetReq := stopped(plainAt("auto"), "reset", firing("waf-req", "reset", "request", "both", 0.5, symResetStream))
	resetReq.BytesUp = 0
	closeResp := stopped(plainAt("plaintext"), "close", firing("lb-empty", "close", "response", "both", 0.4, symEOFStream))
	bhResp := stopped(plainAt("plaintext"), "blackhole", firing("ips-drop", "blackhole", "response", "both", 0.9, symTimeoutData))
	// An MTU rule armed at server_flight: the listener records that it
	// acted on the response, and words its symptom for plain HTTP.
	mtuResp := stopped(plainAt("plaintext"), "mtu", acted(firing("vpn-mtu", "mtu", "server_flight", "s2c", 0.3, symMTUPlain), "response"))
	mtuResp.BytesDown = 1200
	tlsWords := []string{"handshake", "ClientHello", "TLS-inspecting"}
	return append(plainEarlyStopCases(), []diagCase{
		{name: "fault_reset_response_plain", o: resetResp, code: CodeFaultInjected, saw: symResetStream,
			contains: []string{"injected by rule waf-resp: reset at the response, after the request was relayed",
				"when a plaintext connection is reset at the response, after the request was relayed, the reset comes from", "WAF or IPS matching the request"},
			absent: tlsWords},
		{name: "fault_reset_request_plain", o: resetReq, code: CodeFaultInjected, saw: symResetStream,
			contains: []string{"injected by rule waf-req: reset as the request arrived", "a request the server never received",
				"curl -v http://192.168.20.230:443/"},
			absent: tlsWords},
		{name: "fault_close_response_plain", o: closeResp, code: CodeFaultInjected, saw: symEOFStream,
			contains: []string{"close (FIN) at the response, after the request was relayed", "Empty reply from server"},
			absent:   tlsWords},
		{name: "fault_blackhole_response_plain", o: bhResp, code: CodeFaultInjected, saw: symTimeoutData,
			contains: []string{"goes silent at the response, after the request was relayed", "ping -M do -s 1472"},
			absent:   tlsWords},
		{name: "fault_mtu_plain", o: mtuResp, code: CodeFaultInjected,
			saw: "The request goes out, then the response stalls",
			contains: []string{"the plaintext request fit in small packets", "1200 bytes",
				"injected by rule vpn-mtu: full-size segments lost (PMTUD black hole) at the response, after the request was relayed"},
			absent: append(tlsWords, "Client hello")},
	}...)
}

// Symptoms faults.Symptom words for a client that sent plain HTTP (or, at
// accept, a plaintext listener's client), copied as in cases_fault_test.go.
const (
	symResetPlainAccept = "connection reset before any response: curl (56) Recv failure: Connection reset by peer, or (7) Failed to connect … Couldn't connect to server when the RST beats curl's connect; Go connection reset by peer; Chrome ERR_CONNECTION_RESET"
	symResetPlain       = "connection reset before any response: curl (56) Recv failure: Connection reset by peer; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	symEOFPlain         = "connection closed (EOF) before any response: curl (52) Empty reply from server; Go EOF; Chrome ERR_EMPTY_RESPONSE"
	symTimeoutPlain     = "timeout (silent drop), no response: curl (28) Operation timed out after … milliseconds with 0 bytes received; Go context deadline exceeded or i/o timeout; Chrome ERR_TIMED_OUT"
)

// plainEarlyStopCases: stops at accept and on the client's first bytes
// when those are plain HTTP (an auto or plaintext listener). Nothing may
// point at SNI, a ClientHello that never came, a TLS handshake or an
// https:// URL: the client sent a request and waits for its response. At
// accept nothing was read, but a plaintext listener's client speaks plain
// HTTP too.
func plainEarlyStopCases() []diagCase {
	first := func(mode string) *Outcome {
		o := httpOn(mode, "plain")
		return o
	}
	tlsWords := []string{"SNI", "server_name", "JA3", "TLS handshake", "https://", "(35)", "ClientHello the server never received", "openssl s_client"}
	resetHello := stopped(first("auto"), "reset", firing("waf", "reset", "client_hello", "both", 0.2, symResetPlain))
	closeHello := stopped(first("plaintext"), "close", firing("lb", "close", "client_hello", "both", 0.2, symEOFPlain))
	bhHello := stopped(first("auto"), "blackhole", firing("ips", "blackhole", "client_hello", "both", 0.2, symTimeoutPlain))
	atAccept := func(action, sym string) *Outcome {
		o := base("plaintext")
		o.PeekEnd = PeerSilent
		return stopped(o, action, firing("fw", action, "accept", "both", 0.2, sym))
	}
	// Without a recorded symptom the entry's own client hint shows.
	resetAccept := atAccept("reset", "")
	closeAccept := atAccept("close", "")
	bhAccept := atAccept("blackhole", symTimeoutPlain)
	// An auto listener's client may speak either: a stop at accept, before
	// a byte was read, names both, whatever the firing's symptom said.
	anyAccept := func(action, sym string) *Outcome {
		o := base("auto")
		o.PeekEnd = PeerSilent
		return stopped(o, action, firing("fw", action, "accept", "both", 0.2, sym))
	}
	return []diagCase{
		{name: "fault_reset_accept_auto", o: anyAccept("reset", symResetHS), code: CodeFaultInjected,
			saw:      "A TLS client (https://): connection reset before the client sent anything",
			contains: []string{"A plain HTTP client (http://): connection reset before any response", "a ClientHello or request the server never received", "RST beats the client's connect() or its first bytes (loopback"}},
		{name: "fault_close_accept_auto", o: anyAccept("close", ""), code: CodeFaultInjected,
			saw:      "A plain HTTP client (http://): connection closed before any response",
			contains: []string{"SSL_ERROR_SYSCALL", "(52) Empty reply from server", "for plain HTTP"}},
		{name: "fault_reset_client_hello_plain", o: resetHello, code: CodeFaultInjected, saw: "(56) Recv failure: Connection reset by peer",
			contains: []string{"injected by rule waf: reset after the client's first bytes (plaintext, not a ClientHello)", "WAF or IPS matching the request",
				"curl -v http://192.168.20.230:443/", "a request the server never received"},
			absent: tlsWords},
		{name: "fault_close_client_hello_plain", o: closeHello, code: CodeFaultInjected, saw: "(52) Empty reply from server",
			contains: []string{"close (FIN) after the client's first bytes", "Empty reply from server"},
			absent:   tlsWords},
		{name: "fault_blackhole_client_hello_plain", o: bhHello, code: CodeFaultInjected, saw: "with 0 bytes received",
			contains: []string{"blackhole (silent hold) after the client's first bytes", "drops the flow once it has read the request"},
			absent:   tlsWords},
		{name: "fault_reset_accept_plain", o: resetAccept, code: CodeFaultInjected, saw: "(7) Failed to connect",
			contains: []string{"reset at accept, before the client sent anything", "a request the server never received", "(56) Recv failure"},
			absent:   tlsWords},
		{name: "fault_close_accept_plain", o: closeAccept, code: CodeFaultInjected, saw: "(52) Empty reply from server",
			contains: []string{"close (FIN) at accept", "curl -v http://192.168.20.230:443/"},
			absent:   tlsWords},
		{name: "fault_blackhole_accept_plain", o: bhAccept, code: CodeFaultInjected, saw: "with 0 bytes received",
			contains: []string{"blackhole (silent hold) at accept", "ping -M do -s 1472"},
			absent:   tlsWords},
	}
}
