package explain

// Symptoms as faults.Symptom words them for the cut rules below.
const (
	symTruncBody     = "truncated body: curl (18) transfer closed with N bytes remaining to read; Go unexpected EOF; Chrome ERR_CONTENT_LENGTH_MISMATCH or ERR_INCOMPLETE_CHUNKED_ENCODING"
	symTimeoutFIN    = "timeout mid-stream (silent drop): curl (28) Operation timed out; Go i/o timeout at the client's deadline; Chrome ERR_TIMED_OUT; after 300ms: EOF (FIN), which a client still waiting reports as curl (52) Empty reply from server (or (18) transfer closed with N bytes remaining when part of a body came first); Go EOF or unexpected EOF"
	symEOFFlightPass = symEOFFlight
)

// cutCases: a byte wrapper cut or stalled the stream, and the listener
// recorded it as the stop (FaultApplied), as it does for triggers. Each is
// diagnosed as the fault, with what the client got, never as ok.
func cutCases() []diagCase {
	cut := func(o *Outcome, applied string, fr FaultFiring, up, down int64) *Outcome {
		o.BytesUp, o.BytesDown = up, down
		return stopped(o, applied, fr)
	}
	truncResp := cut(handshaken(), "truncate", then(firing("tr", "truncate", "response", "s2c", 0.1, symTruncBody), "fin"), 81, 1000)
	limitResp := cut(handshaken(), "limit_data", firing("ld", "limit_data", "response", "s2c", 0.2, symTruncBody), 81, 1000)
	timeoutResp := cut(handshaken(), "timeout", firing("to", "timeout", "response", "s2c", 0.3, symTimeoutFIN), 81, 0)
	idleRST := cut(handshaken(), "idle_timeout", then(firing("nat-expiry", "idle_timeout", "idle", "both", 0.4, symIdleRST), "rst"), 160, 312)
	// The MTU stall after a handshake that fit: 205 bytes of the response
	// (its headers) reached the client whole.
	mtuData := cut(handshaken(), "mtu", acted(firing("pmtu", "mtu", "server_flight", "s2c", 0.5, symMTUData), "response"), 81, 205)
	// On a passthrough listener nothing says where the stall fell: the
	// listener records no stage and keeps the planned symptom.
	mtuPass := cut(base("passthrough"), "mtu", firing("pmtu", "mtu", "server_flight", "s2c", 0.5, symMTU), 517, 981)
	withHello(mtuPass, modernHello()).ClientTLS.Attempted = false
	truncPass := cut(base("passthrough"), "truncate", then(firing("cut-pass", "truncate", "server_flight", "s2c", 0.6, symEOFFlightPass), "fin"), 517, 60)
	withHello(truncPass, modernHello()).ClientTLS.Attempted = false
	oneWay := cut(base("passthrough"), "blackhole", firing("drop-down", "blackhole", "server_flight", "s2c", 0.7, symTimeoutHS), 517, 0)
	withHello(oneWay, modernHello()).ClientTLS.Attempted = false

	return []diagCase{
		{name: "fault_cut_truncate_response", o: truncResp, code: CodeFaultInjected, saw: "curl (18) transfer closed",
			contains: []string{"injected by rule tr: stream cut short (truncate) at the response", "The client got 1000 bytes of decrypted data, then a FIN",
				"Content-Length", "tlsgate fault disable tr"}},
		{name: "fault_cut_limit_data_response", o: limitResp, code: CodeFaultInjected, saw: "curl (18) transfer closed",
			contains: []string{"injected by rule ld: connection closed at its byte budget (limit_data) at the response", "byte budget", "1000 bytes of decrypted data"}},
		{name: "fault_cut_timeout_response", o: timeoutResp, code: CodeFaultInjected, saw: "curl (52) Empty reply from server",
			contains: []string{"injected by rule to: stream swallowed (timeout) at the response", "The client got 0 bytes of decrypted data"}},
		{name: "fault_cut_idle_timeout", o: idleRST, code: CodeFaultInjected, saw: "curl (56) Recv failure: Connection reset by peer",
			contains: []string{"injected by rule nat-expiry: state expired after a quiet spell (idle_timeout) while the connection was idle", "the client got a reset (RST)", "IdleConnTimeout"}},
		{name: "fault_cut_mtu_after_handshake", o: mtuData, code: CodeFaultInjected,
			saw: "with N out of M bytes received",
			contains: []string{"injected by rule pmtu: full-size segments lost (PMTUD black hole) at the response",
				"the client got only 205 bytes of decrypted data", "ping -M do -s 1472 192.168.20.230"}},
		{name: "fault_cut_mtu_passthrough", o: mtuPass, code: CodeFaultInjected, saw: symMTU,
			contains: []string{"full-size segments lost (PMTUD black hole) after ClientHello", "The client got 981 bytes, then nothing"}},
		{name: "fault_cut_truncate_passthrough", o: truncPass, code: CodeFaultInjected, saw: symEOFFlight,
			contains: []string{"stream cut short (truncate) after ClientHello", "The client got 60 bytes, then a FIN"}},
		{name: "fault_cut_one_way_blackhole", o: oneWay, code: CodeFaultInjected, saw: symTimeoutHS,
			contains: []string{"injected by rule drop-down: one-way blackhole toward the client after ClientHello", "tlsgate fault disable drop-down"}},
	}
}
