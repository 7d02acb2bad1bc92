package explain

// Symptoms faults.Symptom gives a record_corrupt rule once the listener saw
// where it acted (copied, not imported: explain depends on sniff alone).
const (
	symCorruptS2C = "bad record MAC, one bit flipped in the server's first record after the handshake: the client cannot decrypt it: curl (56) OpenSSL SSL_read: … error:0A000119:SSL routines::decryption failed or bad record mac under TLS 1.3 (… error:1C800066:Provider routines::cipher operation failed under TLS 1.2 AES-GCM); openssl s_client decryption failed or bad record mac; Go local error: tls: bad record MAC; Python [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]"
	symCorruptC2S = "bad record MAC, one bit flipped in the client's first record after the handshake: the server cannot decrypt it and answers with alert 20 bad_record_mac: curl (56) OpenSSL SSL_read: … error:0A0003FC:SSL routines::sslv3 alert bad record mac; openssl s_client sslv3 alert bad record mac (SSL alert number 20); Go remote error: tls: bad record MAC; Python [SSL: SSLV3_ALERT_BAD_RECORD_MAC]; Chrome ERR_SSL_BAD_RECORD_MAC_ALERT"
)

// recordCases: a record damaged in flight, as the listener records it once
// the flip happened (it fires only when it acts): the server's data on a
// terminating listener, the client's on a passthrough one, and a flip in
// the client's data that the listener recorded without where it acted
// (the rule's direction decides).
func recordCases() []diagCase {
	s2c := stopped(handshaken(), "record_corrupt",
		acted(probable(firing("bitflip", "record_corrupt", "handshake_done", "s2c", 0.07, symCorruptS2C), 0.25), "response"))
	s2c.BytesUp, s2c.BytesDown = 83, 122

	pass := stopped(withHello(base("passthrough"), modernHello()), "record_corrupt",
		acted(firing("bitflip-up", "record_corrupt", "handshake_done", "both", 0.3, symCorruptC2S), "request"))
	pass.ClientTLS.Attempted = false
	pass.BytesUp, pass.BytesDown = 686, 993

	unplaced := stopped(handshaken(), "record_corrupt", firing("bitflip-c2s", "record_corrupt", "handshake_done", "c2s", 0.5, symCorruptC2S))

	const noBigIP = "BIG-IP logs nothing for it"
	return []diagCase{
		{name: "fault_record_corrupt_s2c", o: s2c, code: CodeFaultInjected, saw: symCorruptS2C,
			contains: []string{"injected by rule bitflip: one bit flipped in an encrypted record at the response",
				"the server's first record after the handshake changed on its way to the client",
				"(record_corrupt at handshake_done, draw 0.07)", noBigIP, "tls.app_data", "ethtool", "tlsgate fault disable bitflip"}},
		{name: "fault_record_corrupt_pass_c2s", o: pass, code: CodeFaultInjected, saw: symCorruptC2S,
			contains: []string{"injected by rule bitflip-up: one bit flipped in an encrypted record at the request",
				"the client's first record after the handshake changed on its way to the server", "alert 20 bad_record_mac"}},
		{name: "fault_record_corrupt_unplaced", o: unplaced, code: CodeFaultInjected, saw: symCorruptC2S,
			contains: []string{"injected by rule bitflip-c2s: one bit flipped in an encrypted record after the TLS handshake",
				"the client's first record"}},
	}
}
