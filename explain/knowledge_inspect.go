package explain

// Client-symptom texts of the inspect-mode entries (client-symptoms.md §5, §6, §8.1).
const (
	sawResetEarly        = "tlsgate reset the connection before any TLS: across a network curl prints `curl: (35) Recv failure: Connection reset by peer` (`curl: (56) Recv failure: …` for http://) and Go `read: connection reset by peer`; where the RST beats the client's connect() or first bytes (loopback, a LAN) curl prints `curl: (7) Failed to connect to … Couldn't connect to server` or `curl: (35) Send failure: Connection reset by peer`, Go `dial … connect: connection reset by peer` or `write: connection reset by peer`; browsers ERR_CONNECTION_RESET."
	sawCert116           = "Under TLS 1.3 the server checks the client certificate after the client's Finished, so the client sees a completed handshake and then alert 116 certificate_required on its first read: curl 7.88 prints `curl: (56) OpenSSL SSL_read: … tlsv13 alert certificate required, errno 0` (newer curl exits 98, CURLE_SSL_CLIENTCERT); Go's Handshake() returns nil and the first Read returns `remote error: tls: certificate required`; Java `Received fatal alert: certificate_required`; Chrome ERR_BAD_SSL_CLIENT_AUTH_CERT."
	sawCert40            = "Under TLS 1.2 tlsgate answers with alert 40 handshake_failure inside the handshake: curl prints `curl: (35) … sslv3 alert handshake failure`, Go `remote error: tls: handshake failure`, Java `Received fatal alert: handshake_failure`."
	checkInspectWarnings = "Read the warnings, if any: each names a way this interception is weaker than a direct connection."
	checkInspectDirect   = "To see what the client gets without tlsgate: `openssl s_client -connect {dest}{servername_opt} </dev/null` from a host that is not intercepted."
	checkDoctor          = "Run `tlsgate doctor transparent --mode {transparent} {doctor_where}`: it checks the rules, routes, sysctls and capabilities this mode needs and prints the command that fixes each."
)

// inspectKnowledge covers transparent interception, the inspect-mode
// successes, and the trust failures an intercepting listener meets: a
// client that hangs up on the lab certificate, and client certificates.
func inspectKnowledge() map[string]entry {
	inspected := entry{
		summary: "{mode} sni={sni} client[{client_brief}] server[{server_brief}]{http_brief} ja4={ja4} up={up}B down={down}B in {duration}",
		cause: "tlsgate decrypted this connection: it {upstream_trust}, then terminated the client with a lab-CA leaf for {sni_or_host}{mimic_note}, and relayed between the two legs. " +
			"The client accepted that leaf, so it trusts the lab CA.",
		checks:    []string{checkInspectWarnings, checkInspectDirect},
		clientSaw: "A working connection to {sni_or_host} with a certificate issued by the lab CA (Organization \"tlsgate lab CA\", short validity), not by the real server's CA: curl's -v output shows `*  issuer: O=tlsgate lab CA; CN=tlsgate lab CA`.",
		evidence:  []string{"client_leg", "server_leg", "server_verify", "server_cert", "sni", "alpn_offered", "ja3", "ja4", "mimicked", "transparent", "orig_dst", "bypass", "http_exchanges"},
	}
	// No answer to the client's request: the two legs' story, the
	// no-answer checks and symptom (the warning says why).
	inspectedNoAnswer := inspected
	inspectedNoAnswer.checks = []string{checkInspectWarnings, checkNoAnswerWait, checkNoAnswerHalf}
	inspectedNoAnswer.clientSaw = sawNoAnswer
	// The same over h2 (ALPN mirrored from the backend), read from the
	// frames' headers.
	inspectedNoAnswerH2 := inspected
	inspectedNoAnswerH2.checks = []string{checkInspectWarnings, checkNoAnswerH2Log, checkNoAnswerH2Inspect}
	inspectedNoAnswerH2.clientSaw = sawNoAnswerH2
	// An sni_policy with host_mismatch on an inspect listener: the
	// inspect entry (a variant replaces the code's fields, not another
	// variant's), with what the host check did.
	hostChecked := inspected
	hostChecked.checks = []string{checkHostChecked, checkInspectWarnings, checkInspectDirect}
	hostMismatch := inspected
	hostMismatch.cause = "tlsgate decrypted this connection: it {upstream_trust}, then terminated the client with a lab-CA leaf for {sni_or_host}{mimic_note}; the client accepted that leaf, so it trusts the lab CA. " +
		"Its first request never reached the real server: tlsgate's host check answered it 421 and closed the connection."
	hostMismatch.checks = []string{checkHostMismatch, checkHostMismatchFix, checkInspectWarnings}
	hostMismatch.clientSaw = "A completed handshake with a lab-CA leaf for {sni_or_host}, then 421 Misdirected Request for the first request instead of the real server's answer ({up_bytes} sent, {down_bytes} received): " + saw421
	// A client that completed the handshake and sent nothing: still ok
	// (monitors do it), with what to check when a user reports an error.
	quiet := entry{
		cause: "The handshake with tlsgate succeeded, but the client never sent a request and closed. " +
			"curl does exactly this when the certificate does not match the name it asked for: it checks the host name only after the handshake and sends no alert. " +
			"A TLS health monitor that only tests the handshake (an HTTPS monitor with no send string, a TCP+TLS check) looks the same. BIG-IP logs no SSL error for it: the handshake itself worked.",
		checks: []string{
			"Compare the name the client used ({sni_or_host}) with the certificate's SANs: `openssl s_client -connect <vs>:{vport} -servername {sni_or_host} </dev/null | openssl x509 -noout -ext subjectAltName`.",
			"If it is a monitor, give it a send string (e.g. `GET / HTTP/1.1`) so it tests the service, not only TLS.",
			"Read the client's own error: curl prints it without -v (`curl: (60) SSL: no alternative certificate subject name matches target host name '{sni_or_host}'`), and with -v the certificate's `subject:` and `issuer:` lines before it.",
		},
		clientSaw: "curl: `curl: (60) SSL: no alternative certificate subject name matches target host name '{sni_or_host}'`; Go `x509: certificate is valid for …, not {sni_or_host}`; browsers NET::ERR_CERT_COMMON_NAME_INVALID. A monitor shows nothing.",
		evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja4"},
	}
	// The same on an inspect listener with both legs up: its summary
	// shows both legs, as every inspected success does.
	inspectQuiet := quiet
	inspectQuiet.summary = inspected.summary
	inspectQuiet.evidence = []string{"client_leg", "server_leg", "server_verify", "server_cert", "sni", "alpn_offered", "ja4", "mimicked", "transparent", "orig_dst", "bypass"}
	return map[string]entry{
		CodeOK + "/inspect":               inspected,
		CodeOK + "/inspect_host_checked":  hostChecked,
		CodeOK + "/inspect_host_mismatch": hostMismatch,
		CodeOK + "/inspect_no_answer":     inspectedNoAnswer,
		CodeOK + "/inspect_h2_no_answer":  inspectedNoAnswerH2,
		CodeOK + "/bypass": {
			summary:   "{mode} sni={sni} bypassed (not decrypted): {bypass}; spliced to {dest} ja4={ja4} up={up}B down={down}B in {duration}",
			cause:     "A bypass rule of listener {listener} matched ({bypass}), so tlsgate spliced the encrypted bytes to {dest} without decrypting them: the client negotiated TLS with the real server itself.",
			checks:    []string{"To inspect this traffic, remove the matching entry from bypass on listener {listener}."},
			clientSaw: "The real server's own certificate; nothing of tlsgate's.",
			evidence:  []string{"bypass", "sni", "versions_offered", "alpn_offered", "ja3", "ja4", "transparent", "orig_dst", "backend"},
		},

		CodeNoOriginalDst: {
			summary: "no original destination for {client} on transparent listener {listener} ({transparent}); connection refused",
			cause: "Listener {listener} is transparent (transparent = \"{transparent}\"), so every connection must carry the address the client really dialled, and this one does not: {orig_dst_err}. " +
				"The original destination is known only on the host that rewrote it: a DNAT done on another box (a router, a load balancer, a container host) changed the address before the packet arrived here, so conntrack on this host has nothing to report. " +
				"The other causes: the client dialled tlsgate's port ({listen_addr}) directly, or no REDIRECT/TPROXY rule on this host matched the flow (wrong port, interface or chain), so it arrived untouched. tlsgate refuses rather than guess where to relay.",
			checks: []string{
				checkDoctor,
				"List the NAT rules here: `iptables -t nat -S` (and `ip6tables -t nat -S` or `nft list ruleset`). A REDIRECT to port {listen_port} must match this traffic: in PREROUTING for other hosts' clients, in OUTPUT for local ones.",
				"Check that conntrack saw the rewrite: `conntrack -L -p tcp --orig-src {client_ip}` shows the original destination with replies from port {listen_port}; no rewritten entry means no rule on this host touched the flow.",
				"If a router or load balancer in front DNATs to this host, the original address is lost there: route the traffic through this host unchanged and REDIRECT here, or use a listener with a fixed backend and no transparent mode.",
				"Clients must dial the real server, not {listen_addr}: the redirect brings them here.",
			},
			clientSaw: sawResetEarly,
			evidence:  []string{"transparent", "orig_dst_err", "listen_addr"},
		},
		CodeNoOriginalDst + "/tproxy": {
			cause: "Listener {listener} uses TPROXY (transparent = \"tproxy\"): the destination is the accepted socket's own local address, and it could not be read: {orig_dst_err}. " +
				"TPROXY delivers a flow with its original destination only when a mangle PREROUTING TPROXY rule marks it and a policy route (`ip rule add fwmark … lookup …` with `ip route add local 0.0.0.0/0 dev lo table …`) hands it to the IP_TRANSPARENT listener; a DNAT done on another box loses the original destination before it gets here.",
		},
		CodeTransparentLoop: {
			summary: "original destination {orig_dst} of {client} is tlsgate's own listener {listener}; refused to loop",
			cause: "The original destination {orig_dst} is tlsgate itself (listener {listener} on {listen_addr}). Relaying there would make tlsgate connect to itself, be intercepted again and repeat until file descriptors run out, so it refused. " +
				"Two set-ups cause it: an OUTPUT-chain REDIRECT with no owner exclusion, which also catches tlsgate's own connection to the real server and sends it back in; or a client aimed at the listener's port directly instead of at the real server.",
			checks: []string{
				"Exclude tlsgate's own traffic from the OUTPUT redirect: add `-m owner ! --uid-owner <tlsgate user>` to the REDIRECT rule, or insert `iptables -t nat -I OUTPUT -m owner --uid-owner <tlsgate user> -j RETURN` before it (nft: `meta skuid != <uid>`).",
				"Do not aim clients at {listen_addr} (port {listen_port}): they dial the real server and the redirect brings them here.",
				checkDoctor,
			},
			clientSaw: sawResetEarly,
			evidence:  []string{"transparent", "orig_dst", "listen_addr"},
		},

		CodeOK + "/quiet":         quiet,
		CodeOK + "/inspect_quiet": inspectQuiet,
		CodeClientRejectedSilently: {group: groupSummary,
			summary: "client {client} saw tlsgate's certificate for {sni_or_host} and closed the connection (FIN) without an alert",
			cause: "tlsgate had sent its handshake flight (ServerHello and its certificate for {sni_or_host}); the client then hung up without sending any TLS alert. " +
				"A client that rejects a certificate usually says why with an alert (48 unknown_ca, 42 bad_certificate …). Hanging up silently is what certificate pinning does (mobile apps, updaters, some desktop apps accept only the real server's key, so trusting the lab CA does not help), and what some clients do when they do not trust the issuing CA.",
			tail: "{late_fin}{streak}",
			checks: []string{
				checkCA,
				"If the client still hangs up with the lab CA trusted, it pins the real server's certificate: add {sni_or_host} to bypass on listener {listener} so it is spliced, not decrypted.",
				"Compare with curl from the same machine: `curl -v https://{sni_or_host}/` works once the lab CA is trusted; if curl works and the app does not, the app pins.",
			},
			clientSaw: "The app's own error, often only \"no connection\": a pinning failure (Chrome ERR_SSL_PINNED_KEY_NOT_IN_CERT_CHAIN, Firefox MOZILLA_PKIX_ERROR_KEY_PINNING_FAILURE, curl --pinnedpubkey `curl: (90) SSL: public key does not match pinned public key`) or an untrusted-issuer error.",
			evidence:  []string{"sni", "client_error", "fail_streak", "versions_offered", "alpn_offered", "ja3", "ja4", "mimicked", "orig_dst"},
		},
		CodeClientRejectedSilently + "/reset": {
			summary: "client {client} saw tlsgate's certificate for {sni_or_host} and reset the connection (RST) without an alert",
		},

		CodeClientCertMissing: {group: groupSummary,
			summary: "client {client} sent no client certificate; listener {listener} requires one (tlsgate sent alert {cert_alert})",
			cause: "Listener {listener} requires a client certificate (client_cert = \"require\"; BIG-IP peer-cert-mode require) and the client sent none, so tlsgate ended the handshake with alert {cert_alert}. " +
				"Either the client was given no certificate (curl needs --cert and --key), or, for a Go client, its certificate is not issued by a CA the listener advertises, and Go then sends no certificate at all.",
			checks: []string{
				"Give the client a certificate and key issued by a CA in listener {listener}'s client_ca (the lab CA when client_ca is empty; `tlsgate lab` writes one, issued by its CA, beside the CA file): `curl --cacert {lab_ca} --cert {client_cert} --key {client_key} {curl_target}`.",
				"For a Go client, check that its certificate chains to a CA the listener advertises: Go sends none rather than one the server would refuse.",
				"If client certificates should be optional, set client_cert = \"request\" on listener {listener}.",
			},
			clientSaw: sawCert116 + " " + sawCert40,
			evidence:  []string{"client_error", "cert_alert", "leg_version", "sni", "versions_offered", "ja4"},
		},
		CodeClientCertMissing + "/tls13": {clientSaw: sawCert116},
		CodeClientCertMissing + "/tls12": {clientSaw: sawCert40},

		CodeClientCertRejected: {group: groupSummary,
			summary: "client {client}'s certificate rejected by listener {listener} (tlsgate sent alert {cert_alert}): {err}",
			cause:   "The client presented a certificate that tlsgate could not verify against listener {listener}'s client_ca (the lab CA when client_ca is empty): {err}. tlsgate ended the handshake with alert {cert_alert}.",
			checks: []string{
				"Inspect the client certificate: `openssl x509 -in client.pem -noout -subject -issuer -dates -ext extendedKeyUsage`.",
				"Put the issuing CA into client_ca of listener {listener}, and have the client send its intermediate too.",
				"Check the clocks on the client and on tlsgate.",
			},
			clientSaw: "{cert_alert_saw} Chrome shows ERR_BAD_SSL_CLIENT_AUTH_CERT.",
			evidence:  []string{"client_error", "cert_alert", "leg_version", "sni", "ja4"},
		},
		CodeClientCertRejected + "/unknown_authority": {
			cause: "The client's certificate is issued by a CA listener {listener} does not trust (not in client_ca, or the client did not send its intermediate): {err}. tlsgate ended the handshake with alert {cert_alert}.",
		},
		CodeClientCertRejected + "/expired": {
			cause: "The client's certificate has expired, or a clock is wrong: {err}. tlsgate ended the handshake with alert {cert_alert}.",
		},
		CodeClientCertRejected + "/not_yet_valid": {
			cause: "The client's certificate is not valid yet, or a clock is wrong: {err}. tlsgate ended the handshake with alert {cert_alert} (Go sends certificate_expired for both ends of the validity period).",
		},
		CodeClientCertRejected + "/key_usage": {
			cause: "The client's certificate is not meant for client authentication: its extended key usage lacks clientAuth (a server certificate reused as a client certificate is the usual case): {err}. tlsgate ended the handshake with alert {cert_alert}.",
		},
		CodeClientCertMissing + "/auth_fault": {
			summary: "client {client} sent no client certificate; fault rule {auth_rule} requires one (tlsgate sent alert {cert_alert})",
			cause: "Fault rule {auth_rule} (client_auth) asked the client for a certificate from {auth_cas} and the client sent none, so tlsgate refused it with alert {cert_alert}{auth_alert_note}. " +
				"Either the client was given no certificate (curl needs --cert and --key), or, for a Go client, its certificate is not issued by a CA the rule advertises, and Go then sends no certificate at all.",
			checks: []string{
				"Give the client a certificate and key issued by {auth_cas}: `curl --cert client.pem --key client-key.pem https://{sni_or_host}:{vport}/`.",
				"For a Go client, check that its certificate chains to a CA the rule advertises: Go sends none rather than one the server would refuse.",
				"On a real server this is a client-ssl profile with peer-cert-mode require (nginx: ssl_verify_client on); here it was injected on purpose: `tlsgate fault disable{admin_opt} {auth_rule}` stops it for new connections.",
			},
			clientSaw: "{cert_alert_saw} Chrome shows ERR_BAD_SSL_CLIENT_AUTH_CERT.",
		},
		CodeClientCertRejected + "/auth_fault": {
			summary: "client {client}'s certificate refused by fault rule {auth_rule} (tlsgate sent alert {cert_alert}): {err}",
			cause:   "The client presented a certificate, and fault rule {auth_rule} (client_auth) refused it: the rule accepts only certificates chained to {auth_cas}, and this one failed: {err}. tlsgate ended the handshake with alert {cert_alert}{auth_alert_note}.",
			checks: []string{
				"Inspect the client certificate: `openssl x509 -in client.pem -noout -subject -issuer -dates -ext extendedKeyUsage`.",
				"Have the client use a certificate issued by {auth_cas} (with its intermediate), or add the client's CA to the rule's accept_cas.",
				"On a real server this is a client-ssl profile's trusted CA list (nginx: ssl_client_certificate); here it was injected on purpose: `tlsgate fault disable{admin_opt} {auth_rule}` stops it for new connections.",
			},
			clientSaw: "{cert_alert_saw} Chrome shows ERR_BAD_SSL_CLIENT_AUTH_CERT.",
		},
	}
}

// warningTexts holds the words of each warning an inspected connection can
// carry (issue 3: verification off, a version downgrade, a weaker cipher).
func warningTexts() map[string]string {
	return map[string]string{
		warnVerifyOff: "upstream verification is off: tlsgate would accept any server certificate, so the client's trust is not carried through " +
			"(listener {listener} has server_ssl.verify = false; {dest} was not checked)",
		warnDowngrade: "TLS {client_ver_short} → {server_ver_short} downgrade between the legs: the client has {client_version} with tlsgate, " +
			"but tlsgate reached {dest} with {server_version}; the client believes it has {client_version} end to end",
		warnOfferDowngrade: "TLS 1.3 → {server_ver_short} downgrade between the legs: the client offered TLS 1.3, but the server leg to {dest} negotiated {server_version} " +
			"(tlsgate offers the server TLS 1.2 and 1.3, as [listener.server_ssl] has no version setting, so {dest} itself stops at {server_version}; a direct client gets the same)",
		warnWeakerCipher: "weaker cipher on the server leg: {server_cipher} ({server_cipher_class}) although the client offered {best_offered} ({best_offered_class})",
		warnHelloTooLarge: "the ClientHello is larger than tlsgate parses ({hello_err}), so its SNI, ALPN, JA3 and JA4 were not read: " +
			"routing by name and fault rules keyed on them did not see this connection",
		warnRelayedUnread: "the client sent {kind_desc} ({first_hex}), not a ClientHello tlsgate could read{hello_err_why}, and listener {listener} passed it through to {backend} as it came: " +
			"the backend answered it, not tlsgate, so no SNI, ALPN, JA3 or JA4 was read and a refusal, if any, is the backend's",
		warnHelloTooLargeRead: "the ClientHello is larger than tlsgate parses ({hello_err}): crypto/tls read it for the handshake (SNI {sni}), but tlsgate's parser did not, " +
			"so no ALPN offer, JA3 or JA4 was read, and routing by name and fault rules keyed on SNI, JA3 or JA4, decided before the handshake, did not see this connection",
		warnHelloTooLargeBypass: "the ClientHello is larger than tlsgate parses ({hello_err}): crypto/tls read its SNI {sni} to match bypass, and tlsgate relayed the bytes it had read unchanged, " +
			"so no ALPN offer, JA3 or JA4 was read, and fault rules keyed on SNI, JA3 or JA4, decided before the hello was read, did not see this connection",
		warnHelloUnread: "the client's first bytes ({kind_desc}, {first_hex}) were no ClientHello tlsgate could read{hello_err_why}; yet crypto/tls completed the handshake on them (SNI {sni}): " +
			"tlsgate's parser read no ALPN offer, JA3 or JA4, and fault rules keyed on SNI, JA3 or JA4, decided before the handshake, did not see this connection",
		warnClientFINUnanswered: "no answer: the client sent {bytes_up} ({unanswered_request}) and closed its sending side (FIN) {client_fin_after} after connecting, then {backend} closed without a byte, so nothing came back. " +
			"Either the client stopped waiting (its timeout, or a user or application that cancelled), " +
			"or it half-closes once it has sent (nc -N, a send-and-close check) and the backend takes that FIN for the client leaving " +
			"(nginx proxying with proxy_ignore_client_abort off, its default, closes the request and logs 499); the time to the FIN tells which",
		warnClientFINUnansweredPass: "no answer, as far as the TLS records show: after the handshake the client sent {exchange_requests} that can hold a request ({exchange_request_bytes}) and {pass_client_end}, then {backend} closed with no record after them that can hold an answer. " +
			"tlsgate passed this TLS through and decrypts none of it, so it knows neither what was asked nor whether the backend meant to answer: only the records' types and sizes (an answer of 2 bytes in a record of its own would read as an alert, and a session ticket sent after the request as an answer). " +
			"Either the client stopped waiting (its timeout, or a user or application that cancelled), or it half-closes once it has sent and the backend takes that FIN for the client leaving; the time to the FIN tells which",
		warnH2Unanswered: warnTextNoAnswerH2,
		warnClientFINCutShort: "no answer to a request cut short: the client sent {bytes_up} ({unanswered_request}) and closed its sending side (FIN) {client_fin_after} after connecting, before its header ended (no empty line after the headers), " +
			"so {backend} had no whole request to answer and closed without a byte. Check what sends the request: a client or script that writes it in pieces and half-closes too early, or a device in the path that cuts it",
	}
}
