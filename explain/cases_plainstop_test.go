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
	return []diagCase{
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
	}
}
