package explain

// configuredKnowledge covers a client that gave up without an alert on a
// listener serving its configured certificate (client_ssl cert and key),
// and on a terminating listener minting from the lab CA, which has no
// bypass to offer.
// The general texts send the operator to the lab CA (`tlsgate ca export`),
// which signed nothing there: these name the certificate and its issuer,
// as the configured variants of alerts 42, 46 and 48 do.
func configuredKnowledge() map[string]entry {
	const (
		served = "The certificate listener {listener} serves is its configured one (client_ssl cert), {our_cert_subject}, issued by {our_cert_issuer}, not a leaf minted by the lab CA."
		chain  = "See the chain the listener serves: `openssl s_client -connect {virtual} -servername {sni_or_host} -showcerts </dev/null`. If the client does not trust its issuer ({our_cert_issuer}), give it that CA's certificate, not the lab CA (`tlsgate ca export` does not help here): `curl --cacert <that CA's file> https://{sni_or_host}:{vport}/`; if it does, put the missing intermediate after the leaf in the client_ssl.cert file."
		silent = "tlsgate had sent its handshake flight (ServerHello and listener {listener}'s configured certificate, client_ssl cert, {our_cert_subject}, issued by {our_cert_issuer}); the client then hung up without sending any TLS alert. " +
			"A client that rejects a certificate usually says why with an alert (48 unknown_ca, 42 bad_certificate …). Hanging up silently is what some clients do when they do not trust the issuing CA, here {our_cert_issuer}, not the lab CA, which signed nothing on this listener; and what certificate pinning does (an app that accepts only the key it was built with)."
	)
	silentChecks := []string{
		chain,
		"Check that the name the client dials is on the certificate (SNI {sni}) and that it is in date: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -subject -ext subjectAltName -dates`.",
		"If the client still hangs up once it trusts {our_cert_issuer}, it pins another certificate or key (the production server's): give it the one it pins, or run the client verbosely to see its own reason.",
	}
	mintedChecks := []string{
		checkCA,
		"If the client still hangs up with the lab CA trusted, it pins another certificate or key (the production server's): serve that certificate on listener {listener} (client_ssl cert and key), or send the client to a passthrough listener so it sees the backend's own certificate. Only an inspect listener has a bypass list.",
		"Compare with curl from the same machine: `curl -v --cacert {lab_ca} {curl_target}` works once the lab CA is trusted; if curl works and the app does not, the app pins.",
	}
	silentEvidence := []string{"our_cert", "sni", "client_error", "fail_streak", "versions_offered", "alpn_offered", "ja3", "ja4"}
	return map[string]entry{
		CodeClientClosedEarly + "/configured": {
			cause: "The client closed the connection (FIN) during the handshake, after its ClientHello. Common sources: a TCP health monitor, a port scanner, or a client that gave up (its own timeout, or it rejected the certificate and closed without sending an alert). " + served,
			checks: []string{
				"Find out what {client_ip} is: a monitor, a scanner, or a real client?",
				"For a real client, read its own error output: it usually says why it gave up. If that is certificate trust, the issuer it lacks is {our_cert_issuer}. " + chain,
				"If it is a TCP monitor, filter these entries; if it should test TLS, make it an HTTPS monitor.",
			},
			evidence: []string{"peek", "first_bytes", "our_cert", "sni", "versions_offered", "ja4", "client_error"},
		},
		CodeClientRejectedSilently + "/configured": {
			cause:    silent,
			checks:   silentChecks,
			evidence: silentEvidence,
		},
		CodeClientRejectedSilently + "/reset_configured": {
			summary:  "client {client} saw tlsgate's certificate for {sni_or_host} and reset the connection (RST) without an alert",
			cause:    silent,
			checks:   silentChecks,
			evidence: silentEvidence,
		},
		// A terminate (or auto) listener minting from the lab CA: the lab
		// CA advice holds, but there is no bypass to suggest.
		CodeClientRejectedSilently + "/terminate": {
			checks: mintedChecks,
		},
		CodeClientRejectedSilently + "/reset_terminate": {
			summary: "client {client} saw tlsgate's certificate for {sni_or_host} and reset the connection (RST) without an alert",
			checks:  mintedChecks,
		},
	}
}
