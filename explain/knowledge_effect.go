package explain

// effectKnowledge covers failures a fault rule shaped without ending the
// connection itself (detect_fault_effect.go): the client's behaviour keeps
// its code, and the variant says it answered the fault.
func effectKnowledge() map[string]entry {
	const fixRule = "To get a clean handshake again: `tlsgate fault disable{admin_opt} {effect_rule}`."
	// Without the rule tlsgate staples nothing, and a client that asks
	// for a staple refuses its absence: the fault is gone, not the (91).
	const fixStaple = "To stop stapling it: `tlsgate fault disable{admin_opt} {effect_rule}`. tlsgate staples nothing of its own, so curl --cert-status then fails with `curl: (91) No OCSP response received` instead, and curl without it connects."
	// The openssl commands send the SNI the client sent (or none), trust
	// the lab CA and check the name the client checks, so that the one
	// verify error left is the chain's own, as the text says.
	chainCheck := "See what was served: `openssl s_client -connect {virtual}{sni_flag} -CAfile {lab_ca}{verify_name_opt} -showcerts </dev/null` reports verify error {chain_verify} for this chain, although it trusts the lab CA: the expected result of rule {effect_rule}, whether or not the client trusts the lab CA.{chain_look}"
	clockCheck := "Compare the client's clock with the certificate's dates: `date -u` on the client, and `openssl s_client -connect {virtual}{sni_flag} </dev/null | openssl x509 -noout -dates`; in the real case fix the client's clock (NTP), not the certificate."
	clockOthers := "When a few clients report '{clock_state}' while everyone else connects, suspect their clocks first."
	// The probe's step 7 names the same staple by its own code: the
	// explanation gives it, so the two outputs can be matched.
	const ocspProbe = "From the client's side, `tlsgate probe {virtual} --sni {sni_or_host} --cacert {lab_ca} --steps 7` (the lab CA, so that the chain verifies) flags the same staple in step 7 as a warning with code `{ocsp_probe_code}` (the code is in its `--json` output)."
	ocspCheck := "See the staple: `openssl s_client -connect {virtual}{sni_flag} -CAfile {lab_ca} -status </dev/null` prints the OCSP response tlsgate stapled (`Cert Status:` …, with its `This Update` and `Next Update`), signed by the lab CA: the expected result of rule {effect_rule}. The chain itself verifies. " + ocspProbe
	// The verbose commands trust the lab CA, so that curl reaches the
	// fault instead of stopping at the lab CA with (60).
	verboseCheck := "Run the client verbosely (`curl -v --cacert {lab_ca} {curl_target}`): after the handshake lines it prints its own reason."
	verboseOCSPCheck := "Run the client verbosely, asking for the staple (`curl -v --cert-status --cacert {lab_ca} {curl_target}`): after the handshake lines it prints its own reason."
	const (
		chainSilentSummary = "client {client} {silent_end}: it rejected the certificate fault rule {effect_rule} served (chain = \"{chain_name}\")"
		clockSilentSummary = "client {client} {silent_end}: it rejected the certificate fault rule {effect_rule} served with its dates shifted by {skew} ({clock_state} to the client)"
		chainSilentSaw     = "For this chain (client-symptoms.md §4) curl prints {chain_curl}; what rule {effect_rule} expects of clients: {effect_symptom}"
		silentDoneCause    = "The TLS handshake completed, and the client closed (close_notify or a plain FIN, no alert) before sending a byte of application data. That is how a client that checks the certificate after the handshake rejects it: curl (OpenSSL) compares the host name only once the handshake is done, then hangs up. (A client that only tests the handshake, such as `openssl s_client </dev/null` or a TLS monitor, closes the same way without judging the certificate.)"
		// A device between BIG-IP and the client that cuts, holds or loses
		// the server's handshake flight (truncate, limit_data, blackhole,
		// timeout, mtu at server_flight) is no BIG-IP failure, yet BIG-IP
		// does log one: it read the ClientHello and sent its whole flight,
		// and its side of the handshake then ends unfinished, on the
		// client's FIN or RST (or the device's), or when handshake-timeout
		// (10 s by default) runs out. bigip-log.md gives both a lone
		// 01260013 with no cipher or version reason (§2, and §5 "Handshake
		// timeout"), so the code's 01260013 group stays, and the cause says
		// why. Unlike a reset or drop of the ClientHello, where BIG-IP saw
		// no handshake and "logs nothing for it".
		flightBigIP = " BIG-IP would log only the 01260013 summary, with no 01260009 reason, although it did not fail: it sent its whole flight, and its side of the handshake then ended unfinished, when the client's FIN or RST (or the device's) reached it or when the profile's handshake-timeout (10 s by default) ran out."
		// A client that completed the handshake and left without a byte
		// may have refused the staple (curl --cert-status does exactly
		// this) or not have judged it at all (openssl s_client -status
		// </dev/null prints it, verifies ok and closes the same way): the
		// bytes cannot tell them apart, so the words say "consistent
		// with", never "it refused".
		ocspMaybe   = "consistent with a client that checks staples refusing it, e.g. curl --cert-status (91), but a client that only tests the handshake (openssl s_client -status </dev/null, a monitor) leaves the same way"
		ocspSummary = "client {client} {silent_end}, with the OCSP response fault rule {effect_rule} stapled (chain = \"{chain_name}\"): " + ocspMaybe
		// One that hung up during the handshake, without an alert, left in
		// a way no staple check does: OpenSSL's and Go's checks during the
		// handshake send an alert, and curl --cert-status finishes it
		// first.
		ocspFlightMaybe   = "the staple may or may not be why, since a client that checks staples refuses one with an alert during the handshake, or after finishing it as curl --cert-status (91) does"
		ocspFlightSummary = "client {client} {silent_end}, after the OCSP response fault rule {effect_rule} stapled (chain = \"{chain_name}\"): " + ocspFlightMaybe
		ocspDoneCause     = "The TLS handshake completed, and the client closed (close_notify or a plain FIN, no alert) before sending a byte of application data. That is consistent with a client that checks staples: curl --cert-status refuses a stapled OCSP response this way (91), as it checks the staple only once the handshake is done. It is no proof: a client that only tests the handshake (`openssl s_client -status </dev/null`, a TLS monitor) accepts the staple and closes the same way, so the staple may or may not be why, and the client's own output says which."
		ocspFlightCause   = "tlsgate had sent its handshake flight, the certificate with the OCSP response stapled to it, and the client hung up without any TLS alert before finishing the handshake. No client known to check staples refuses one that way: OpenSSL's and Go's checks during the handshake send an alert (Go's 42 bad_certificate), and curl --cert-status finishes the handshake first. So the staple may or may not be why: a client that gave up, crashed, or sent its hello and its FIN without reading the answer ends the same way."
		ocspSaw           = "curl prints {chain_curl}; what rule {effect_rule} expects of clients: {effect_symptom}"
		ocspMade          = " The certificate itself was good: fault rule {effect_rule} served a lab-CA leaf with an OCSP response stapled to it, signed by the lab CA, that says {ocsp_state}. Only a client that asks for the staple and checks it (curl --cert-status) refuses that; clients that check no revocation (Go, curl without --cert-status, browsers facing a private CA) connect to the same server, so one client failing while the others work is what a revoked certificate looks like.{replaced_note}"
		silentFlightCause = "tlsgate had sent its handshake flight with the certificate, and the client hung up without any TLS alert before finishing the handshake. That is how a client that rejects a certificate without saying why does it (apps that pin keys, some stacks on an untrusted issuer)."
	)
	// An ocsp_times rule: the leaf and the staple's status are good, the
	// staple's times are not current by the client's clock.
	ocspClockCheck := "Compare the staple's times with the clock: `openssl s_client -connect {virtual}{sni_flag} -CAfile {lab_ca} -status </dev/null` prints the stapled response's `This Update` and `Next Update`, and `date -u` the client's time. A This Update in the future, or a Next Update in the past, by more than OpenSSL's five minutes of leeway is what the client refused: the expected result of rule {effect_rule}. In the real case check the clocks (NTP) of the OCSP responder and of the server that staples, not the certificate. " + ocspProbe
	const (
		ocspClockSummary       = "client {client} {silent_end}, with the OCSP response fault rule {effect_rule} stapled with {ocsp_clock}: " + ocspMaybe
		ocspClockFlightSummary = "client {client} {silent_end}, after the OCSP response fault rule {effect_rule} stapled with {ocsp_clock}: " + ocspFlightMaybe
		ocspClockSaw           = "curl prints `curl: (91) OCSP response has expired` with `--cert-status`, in either direction (without it curl connects); what rule {effect_rule} expects of clients: {effect_symptom}"
		ocspClockMade          = " The certificate itself was good, and so was its status: fault rule {effect_rule} served a lab-CA leaf with a \"good\" OCSP response stapled to it, signed by the lab CA, with {ocsp_clock}, as from {ocsp_clock_real}. A client that checks the staple (curl --cert-status) refuses a response that is not current by its own clock; clients that check no revocation (Go, curl without --cert-status, browsers facing a private CA) connect to the same server.{replaced_note}"
	)
	return map[string]entry{
		CodeClientAlert + "/ocsp_clock_fault": {
			cause:     "The client refused the certificate with alert {alert} after reading the OCSP response tlsgate stapled (a Go client that checks the staple in VerifyConnection sends 42 bad_certificate)." + ocspClockMade,
			checks:    []string{ocspClockCheck, fixStaple},
			clientSaw: ocspClockSaw,
		},
		CodeHandshakeFailed + "/ocsp_clock_fault": {
			cause:     "Go reported `bad record MAC`: an OpenSSL client rejected the handshake under TLS 1.3 and sent its alert unencrypted, which Go cannot read (client-symptoms.md §8.4)." + ocspClockMade,
			checks:    []string{ocspClockCheck, "Cap the client at TLS 1.2 (`curl --tls-max 1.2`) to make its real alert appear in tlsgate's log.", fixStaple},
			clientSaw: ocspClockSaw,
		},
		// curl --cert-status judges the staple once the handshake is
		// done and hangs up without an alert: BIG-IP's side worked.
		CodeClientRejectedSilently + "/ocsp_clock_fault": {group: groupNoError,
			summary:   ocspClockSummary,
			cause:     ocspDoneCause + ocspClockMade + " BIG-IP would log no SSL error for it, since its side of the handshake worked.",
			checks:    []string{ocspClockCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspClockSaw,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientRejectedSilently + "/ocsp_clock_fault_flight": {
			summary:   ocspClockFlightSummary,
			cause:     ocspFlightCause + ocspClockMade,
			checks:    []string{ocspClockCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspClockSaw,
			evidence:  []string{"sni", "client_error", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientAlert + "/chain_fault": {
			cause:  "The client refused the certificate with alert {alert}, which is what fault rule {effect_rule} set out to cause: {chain_instead} it served a deliberately bad one (chain = \"{chain_name}\"), which OpenSSL clients report as verify error {chain_verify}. The client's trust store is not the question: trusting the lab CA does not make this chain valid, and adding anything to the client would hide the fault being practised.",
			checks: []string{chainCheck, fixRule},
		},
		CodeClientAlert + "/revocation_fault": {
			cause:     "The client refused the certificate with alert {alert} after reading the OCSP response tlsgate stapled." + ocspMade,
			checks:    []string{ocspCheck, fixStaple},
			clientSaw: ocspSaw,
		},
		CodeHandshakeFailed + "/revocation_fault": {
			cause:     "Go reported `bad record MAC`: an OpenSSL client rejected the handshake under TLS 1.3 and sent its alert unencrypted, which Go cannot read (client-symptoms.md §8.4)." + ocspMade,
			checks:    []string{ocspCheck, "Cap the client at TLS 1.2 (`curl --tls-max 1.2`) to make its real alert appear in tlsgate's log.", fixStaple},
			clientSaw: ocspSaw,
		},
		// curl --cert-status judges the staple once the handshake is
		// done and hangs up without an alert: BIG-IP's side worked.
		CodeClientRejectedSilently + "/revocation_fault": {group: groupNoError,
			summary:   ocspSummary,
			cause:     ocspDoneCause + ocspMade + " BIG-IP would log no SSL error for it, since its side of the handshake worked.",
			checks:    []string{ocspCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspSaw,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientRejectedSilently + "/revocation_fault_flight": {
			summary:   ocspFlightSummary,
			cause:     ocspFlightCause + ocspMade,
			checks:    []string{ocspCheck, verboseOCSPCheck, fixStaple},
			clientSaw: ocspSaw,
			evidence:  []string{"sni", "client_error", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientAlert + "/clock_fault": {
			cause:     "The client rejected the certificate as {clock_state} (alert {alert}), and fault rule {effect_rule} made it so: it minted a good lab-CA certificate with its validity window shifted by {skew}, which is byte for byte what a client whose clock is {clock_dir} by {skew} sees. In the real case the certificate is fine and the fix is the client's clock.{replaced_note}",
			checks:    []string{clockCheck, clockOthers, fixRule},
			clientSaw: "{clock_saw}",
		},
		CodeHandshakeFailed + "/chain_fault": {
			cause:  "Go reported `bad record MAC`: an OpenSSL client (curl, Python) rejected the certificate under TLS 1.3 and sent its alert unencrypted, which Go cannot read (client-symptoms.md §8.4). The certificate was bad on purpose: fault rule {effect_rule} served chain = \"{chain_name}\", which OpenSSL reports as verify error {chain_verify}; trusting the lab CA does not change that.",
			checks: []string{chainCheck, "Cap the client at TLS 1.2 (`curl --tls-max 1.2`) to make its real alert appear in tlsgate's log.", fixRule},
		},
		CodeHandshakeFailed + "/clock_fault": {
			cause:     "Go reported `bad record MAC`: an OpenSSL client (curl, Python) rejected the certificate under TLS 1.3 and sent its alert unencrypted (client-symptoms.md §8.4). Fault rule {effect_rule} shifted the certificate's validity by {skew}, so to the client it is {clock_state}: what a client whose clock is {clock_dir} by {skew} sees. In the real case the fix is the client's clock.{replaced_note}",
			checks:    []string{clockCheck, clockOthers, fixRule},
			clientSaw: "{clock_saw}",
		},
		// The handshake worked, so BIG-IP's side logs no SSL error: the
		// client rejected the certificate after it.
		CodeClientRejectedSilently + "/chain_fault": {group: groupNoError,
			summary:   chainSilentSummary,
			cause:     silentDoneCause + " The certificate was bad on purpose: fault rule {effect_rule} served chain = \"{chain_name}\" {chain_instead}, which OpenSSL clients report as verify error {chain_verify}. The client's trust store is not the question: trusting the lab CA does not make this chain valid. BIG-IP would log no SSL error for it, since its side of the handshake worked.",
			checks:    []string{chainCheck, verboseCheck, fixRule},
			clientSaw: chainSilentSaw,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientRejectedSilently + "/clock_fault": {group: groupNoError,
			summary:   clockSilentSummary,
			cause:     silentDoneCause + " Fault rule {effect_rule} made the certificate so: it minted a good lab-CA certificate with its validity window shifted by {skew}, which is byte for byte what a client whose clock is {clock_dir} by {skew} sees; to it the certificate is {clock_state}. In the real case the certificate is fine and the fix is the client's clock.{replaced_note} BIG-IP would log no SSL error for it, since its side of the handshake worked.",
			checks:    []string{clockCheck, clockOthers, verboseCheck, fixRule},
			clientSaw: "{clock_saw}",
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja4"},
		},
		// The client left during the handshake, once tlsgate's certificate
		// flight was out: BIG-IP logs the failed handshake, as for any
		// client that hangs up on a certificate (the code's group).
		CodeClientRejectedSilently + "/chain_fault_flight": {
			summary:   chainSilentSummary,
			cause:     silentFlightCause + " The certificate was bad on purpose: fault rule {effect_rule} served chain = \"{chain_name}\" {chain_instead}, which OpenSSL clients report as verify error {chain_verify}. The client's trust store is not the question: trusting the lab CA does not make this chain valid.",
			checks:    []string{chainCheck, verboseCheck, fixRule},
			clientSaw: chainSilentSaw,
			evidence:  []string{"sni", "client_error", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientRejectedSilently + "/clock_fault_flight": {
			summary:   clockSilentSummary,
			cause:     silentFlightCause + " Fault rule {effect_rule} made the certificate so: it minted a good lab-CA certificate with its validity window shifted by {skew}, which is byte for byte what a client whose clock is {clock_dir} by {skew} sees; to it the certificate is {clock_state}. In the real case the certificate is fine and the fix is the client's clock.{replaced_note}",
			checks:    []string{clockCheck, clockOthers, verboseCheck, fixRule},
			clientSaw: "{clock_saw}",
			evidence:  []string{"sni", "client_error", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeClientClosedEarly + "/flight_cut": {
			summary: "fault rule {effect_rule} cut tlsgate's handshake flight to {client} short, and the connection closed before the handshake completed",
			cause:   "Not the client's doing: fault rule {effect_rule} ({effect_action} {effect_stage}) let only part of tlsgate's handshake flight (ServerHello, certificate) reach the client and then ended the connection toward it, so the client read a truncated flight and the end of the stream. The close tlsgate saw answered its own." + flightBigIP,
			checks: []string{
				"Nothing to look for at {client_ip}: this is the expected result of rule {effect_rule}. " + fixRule,
				"On a real network a flight cut short points at a middlebox between server and client: capture on both sides of it and compare the bytes of the certificate flight.",
			},
		},
		CodeClientResetEarly + "/flight_cut": {
			summary: "fault rule {effect_rule} cut tlsgate's handshake flight to {client} short and reset the connection",
			cause:   "Not the client's doing: fault rule {effect_rule} ({effect_action} {effect_stage}) let only part of tlsgate's handshake flight (ServerHello, certificate) reach the client and then reset the connection (RST) itself." + flightBigIP,
			checks: []string{
				"Nothing to look for at {client_ip}: this is the expected result of rule {effect_rule}. " + fixRule,
				"On a real network a flight cut short by a reset points at a firewall or IPS between server and client: capture on both sides to see which address sent the RST.",
			},
		},
		CodeClientClosedEarly + "/flight_stalled": {
			summary: "client {client} gave up waiting for tlsgate's handshake flight, which fault rule {effect_rule} held back",
			cause:   "Fault rule {effect_rule} ({effect_action} {effect_stage}) kept tlsgate's handshake flight (ServerHello, certificate) from reaching the client, so the client waited, hit its own timeout and closed. It is no monitor or scanner: it never got an answer to its ClientHello." + flightBigIP,
			checks: []string{
				"On a real network: check firewalls and stateful devices between the client and {virtual} that drop traffic in one direction (asymmetric routing, lost state).",
				fixRule,
			},
		},
		CodeClientClosedEarly + "/flight_mtu": {
			summary: "client {client} gave up waiting for tlsgate's certificate flight, lost in a PMTUD black hole (fault rule {effect_rule})",
			cause:   "Fault rule {effect_rule} imitated a PMTUD black hole: the full-size segments of tlsgate's handshake flight (the certificate) vanished while small packets passed, so the client waited for the certificate, hit its own timeout and closed." + flightBigIP,
			checks: []string{
				"Test the path MTU from the client: `ping -M do -s 1472 {virtual_host}` should pass; if only smaller sizes do, clamp the TCP MSS on the tunnel or let ICMP type 3 code 4 through.",
				"Other signs: small responses work, and long RSA chains fail where short ECDSA chains pass; `curl -v --max-time 10 --cacert {lab_ca} {curl_target}` stops after `Client hello (1)` and gives up with `curl: (28)`.",
				fixRule,
			},
		},
	}
}
