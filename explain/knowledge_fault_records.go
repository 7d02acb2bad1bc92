package explain

// Client-symptom texts of a record damaged in flight (observed with curl
// 7.88.1 on OpenSSL 3.0.19, Go 1.26 and Python 3.11 against a Go server,
// TLS 1.3 and TLS 1.2 with AES-GCM).
const (
	sawFaultCorruptS2C = "the client's own decryption fails on the damaged record: curl `curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000119:SSL routines::decryption failed or bad record mac, errno 0` under TLS 1.3 (`error:1C800066:Provider routines::cipher operation failed` under TLS 1.2 with AES-GCM), openssl s_client `decryption failed or bad record mac`, Go `local error: tls: bad record MAC`, Python `[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac`. The handshake itself succeeded."
	sawFaultCorruptC2S = "the server's alert 20 bad_record_mac, sent because it could not decrypt the client's record: curl `curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A0003FC:SSL routines::sslv3 alert bad record mac, errno 0`, openssl s_client `sslv3 alert bad record mac … SSL alert number 20`, Go `remote error: tls: bad record MAC`, Python `[SSL: SSLV3_ALERT_BAD_RECORD_MAC] sslv3 alert bad record mac`, Chrome ERR_SSL_BAD_RECORD_MAC_ALERT. The handshake itself succeeded."
)

// Checks for data damaged in flight: how an operator finds the device
// that changes bytes.
const (
	checkCorruptRetry   = "Repeat the same request a few dozen times (`for i in $(seq 30); do curl -sS -o /dev/null --cacert {lab_ca} {curl_target}; done`): damage on a path fails at random and more often the more data moves, never by name, certificate or client."
	checkCorruptCompare = "Capture on both sides of the suspected device at the same time (`tcpdump -ni any -s0 -w side.pcap host {client_ip} and port {vport}`) and compare the payload of the same TCP segment (same sequence number) in the two captures: `tshark -r side.pcap -Y 'tls.record.content_type == 23' -T fields -e tcp.seq -e tls.app_data`. A byte that differs was changed in between; TCP's checksum is too weak to catch every change, and NICs that offload it compute it after the damage."
	checkCorruptCounter = "Read the error counters along the path (`ip -s link`, `ethtool -S <iface> | grep -iE 'err|crc'`, CRC and FCS errors on switch ports), and retry with checksum and segmentation offload off on the hosts (`ethtool -K <iface> rx off tx off tso off gro off`)."
)

// recordKnowledge covers a record damaged in flight (record_corrupt): the
// endpoint that decrypts it aborts with bad_record_mac. The variants are
// the direction, since the client prints its own error for the server's
// data and the server's alert for its own.
func recordKnowledge() map[string]entry {
	const device = "On a real network a record that cannot be decrypted after a handshake that worked means its bytes changed on the way: a faulty NIC, cable or switch port whose damage passed TCP's weak checksum (or was hidden by checksum offload), a broken offload engine, or a middlebox that rewrites payload it should only pass (a WAN optimiser, an IPS normalising data, a proxy with a buffer bug). TLS catches what TCP missed: the record's authentication tag no longer matches, so the endpoint aborts with bad_record_mac. Nothing is wrong with the certificate, the versions or the ciphers, and the same request often works when repeated or over another path."
	return map[string]entry{
		CodeFaultInjected + "/record_corrupt_s2c": {
			cause:     device + " This time one bit of the server's first record after the handshake changed on its way to the client, which could not decrypt it.",
			checks:    []string{checkCorruptRetry, checkCorruptCompare, checkCorruptCounter, checkFaultOff},
			clientSaw: sawFaultCorruptS2C,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "client_error"},
		},
		CodeFaultInjected + "/record_corrupt_c2s": {
			cause:     device + " This time one bit of the client's first record after the handshake changed on its way to the server, which could not decrypt it and answered with alert 20 bad_record_mac: the client reads the server's verdict, not a fault of its own.",
			checks:    []string{checkCorruptRetry, checkCorruptCompare, checkCorruptCounter, checkFaultOff},
			clientSaw: sawFaultCorruptC2S,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "client_error"},
		},
	}
}
