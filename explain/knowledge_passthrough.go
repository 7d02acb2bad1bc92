package explain

// Texts shared by the entries of a backend that refused the hello.
const (
	// passthroughRefused says whose refusal it is: in passthrough the
	// client's handshake is with the backend, not with tlsgate.
	passthroughRefused = "{passes_tls}: tlsgate decrypts nothing, and the client's handshake is with the backend itself. " +
		"The backend {backend} answered the client's ClientHello with alert {hello_alert} instead of a ServerHello: it refused the hello, and tlsgate relayed the refusal to the client unchanged. "
	// passthroughNoBigIP is honest about the missing BIG-IP group.
	passthroughNoBigIP = " A BIG-IP passthrough virtual server (no client-ssl or server-ssl profile) takes no part in the handshake either and logs no SSL error for it, so no BIG-IP line is shown; " +
		"ssldump shows the refusal as an `S>C Alert` (its level and value) where the ServerHello belongs."
	passthroughSaw = "The backend's alert reached the client as it was sent{hello_alert_level}: {hello_alert_saw}."
	// passthroughNoAnswer opens the entries of a backend that sent no
	// ServerHello at all.
	passthroughNoAnswer = "{passes_tls}: tlsgate decrypts nothing, and the client's handshake is with the backend itself. " +
		"tlsgate relayed the client's ClientHello to {backend}, "
	// passthroughClosedAfter opens the entries of a backend that
	// completed the handshake and then ended the connection unanswered.
	passthroughClosedAfter = "{passes_tls}: tlsgate decrypts nothing, and the client's TLS session is with the backend itself. " +
		"The backend {backend} completed the TLS handshake with the client {client}, the client then sent its request (encrypted application data, {up_bytes} relayed in all), and the backend "
	// passthroughClosedAfterWhy lists the usual causes and the limit of
	// what a relay reads from record headers.
	passthroughClosedAfterWhy = "Typical causes: the backend application crashed or threw on the request, a TLS-terminating backend (a proxy, an ingress) whose own upstream is down or refused it, or an application that closes on a Host, SNI or path it does not serve. " +
		"tlsgate tells this from the records' headers alone: the client's request records went up, and nothing came back from the backend after them but, at most, its close (a TLS alert, or under TLS 1.3 a record of an encrypted alert's size) before its FIN or reset."
	passthroughClosedAfterNoBigIP = " A BIG-IP passthrough virtual server (no client-ssl or server-ssl profile) decrypts nothing either and logs no error when a pool member closes or resets a connection after its handshake (only reset-cause logging, `tm.rstcause.log`, would write a `01230140` line, whose reason text is not documented), so no BIG-IP line is shown."
	passthroughNoAnswerNoBigIP    = " A BIG-IP passthrough virtual server (no client-ssl or server-ssl profile) takes no part in the handshake either and logs no SSL error for it, so no BIG-IP line is shown."
)

// passthroughClosedAfterChecks are what to check first when a backend
// completed the handshake and then closed without answering.
var passthroughClosedAfterChecks = []string{
	"Read the backend application's own log at this moment, for the connection from tlsgate's address {backend_local}: an exception, a crash or restart, or an error from its own upstream.",
	"Check whether the backend closes on this name or request: ask it directly, without tlsgate, with the same SNI and Host (`curl -vk --resolve {sni}:{backend_port}:{backend_host} https://{sni}:{backend_port}/<path>`); the same empty reply there is the backend's own behaviour, and another Host or path that works points at its routing.",
	"If the backend is itself a TLS-terminating proxy, check its upstream: it completes the client's handshake before it knows whether it can reach its own backend.",
}

// passthroughKnowledge covers a passthrough backend that refused the
// client's ClientHello. BIG-IP has no line for it (groupNone): the
// virtual server only forwards the bytes.
func passthroughKnowledge() map[string]entry {
	return map[string]entry{
		CodeBackendRejectedHello: {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}; {relayed_by} relayed the refusal",
			cause:   passthroughRefused + "The alert alone does not say why; the client's offer below and the backend's own log do." + passthroughNoBigIP,
			checks: []string{
				"Ask the backend directly, without tlsgate, with the client's versions: `openssl s_client -connect {backend}{servername_opt}{sclient_offer} </dev/null`. The same alert means the backend's TLS settings refuse this hello; tlsgate only relayed it.{sclient_offer_note}",
				"Read the backend's own log for the connection from tlsgate's address {backend_local}: servers log why they refused a handshake.",
				"Compare the client's offer below (versions, cipher suites, SNI, ALPN) with the backend's TLS settings.",
			},
			clientSaw: passthroughSaw,
			evidence:  []string{"hello_alert", "backend", "backend_endpoints", "sni", "versions_offered", "ciphers_offered", "alpn_offered", "ja4"},
		},
		CodeBackendRejectedHello + "/version_floor": {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}: the client offers at most {max_offered}, below the backend's minimum version",
			cause: passthroughRefused + "The client offers {offered_versions}, and the backend's minimum version is higher: it accepts nothing the client offers. " +
				"Current servers refuse TLS 1.0 and 1.1 by default (OpenSSL 3 at its default security level, Go's crypto/tls since Go 1.22), and some accept only TLS 1.3. " +
				"Servers word this refusal differently: protocol_version (70) is the standard alert; OpenSSL 3 at its default security level answers a TLS 1.0 or 1.1 hello with internal_error (80), as it allows those versions only at `@SECLEVEL=0`; BIG-IP and others answer handshake_failure (40)." +
				passthroughNoBigIP,
			checks: []string{
				"Confirm without tlsgate: `openssl s_client -connect {backend}{servername_opt}{sclient_offer} </dev/null` gets the same alert from the backend, while `openssl s_client -connect {backend}{servername_opt} </dev/null` (TLS 1.2 and 1.3) gets a ServerHello: the version is the difference.{sclient_offer_note}",
				"Preferably, upgrade or reconfigure the client to offer {next_version} or later: {next_version_flags}.",
				"Only if this client must be served as it is: lower the backend's minimum version to {max_offered} (nginx `ssl_protocols`, Apache `SSLProtocol`, OpenSSL `MinProtocol`, Go `tls.Config.MinVersion`).{seclevel_note}{legacy_risk}",
			},
		},
		CodeBackendRejectedHello + "/version_ceiling": {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}: its highest version is below {min_offered}, the lowest the client offers",
			cause: passthroughRefused + "The client offers {offered_versions}, and the backend accepts nothing that high: its highest version is below {min_offered}. " +
				"Typical: a TLS 1.3-only client (curl --tlsv1.3, a hardened Go or Java configuration) against a backend capped at TLS 1.2, or a legacy backend that speaks only TLS 1.0 or 1.1, which current clients no longer offer." +
				passthroughNoBigIP,
			checks: []string{
				"Confirm without tlsgate: `openssl s_client -connect {backend}{servername_opt}{sclient_min_offered} </dev/null` gets the same alert; `-tls1_2`, then `-tls1_1 -cipher DEFAULT@SECLEVEL=0`, finds the highest version the backend speaks.{sclient_min_note}",
				"Enable {min_offered} on the backend (nginx `ssl_protocols`, Apache `SSLProtocol`, OpenSSL `MaxProtocol`, Go `tls.Config.MaxVersion`), or upgrade a legacy backend.",
				"Or let the client offer the backend's version as well (curl `--tls-max`, openssl s_client `-tls1_2`, Java `-Djdk.tls.client.protocols`).",
			},
		},
		CodeBackendRejectedHello + "/cipher": {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}: most likely none of the {offered_cipher_suites} the client offers is on the backend's list",
			cause: passthroughRefused + "The client offers {offered_versions}, versions current backends accept, so the usual reason for this alert before the ServerHello is the cipher suites: " +
				"none of the {offered_suites} the client offers (listed below) is on the backend's list, or, with insufficient_security (71), all of them are too weak for its policy. " +
				"Less often: no key-exchange group in common (the client's supported_groups), no signature algorithm that fits the backend's certificate, a server that answers every refusal with handshake_failure (BIG-IP's generic alert, a version it does not speak included), or a policy that refuses this SNI or client fingerprint." +
				passthroughNoBigIP,
			checks: []string{
				"Find what the backend accepts, without tlsgate: `openssl s_client -connect {backend}{servername_opt} -tls1_2 </dev/null` prints the suite it picks from OpenSSL's default list (`Cipher is …`), and `-cipher <name>` (`-ciphersuites` for TLS 1.3) tests one of the client's suites at a time.",
				"Add a suite the client offers to the backend's list (nginx `ssl_ciphers`, Apache `SSLCipherSuite`, OpenSSL `CipherString`), or update the client so it offers ECDHE with AES-GCM or ChaCha20-Poly1305.",
				"Below TLS 1.3 a suite also needs the backend's key type: ECDHE_ECDSA suites an ECDSA certificate, ECDHE_RSA and RSA suites an RSA one.",
			},
		},
		CodeBackendRejectedHello + "/sni": {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}: it does not serve the name {sni}",
			cause: passthroughRefused + "unrecognized_name (RFC 6066 §3) answers the server name: the client asked for {sni}, and the backend has no certificate or virtual host for that name and refuses rather than serve a default one. " +
				"Typical: a name missing from the backend's server blocks (nginx `server_name`, Apache `ServerName`/`ServerAlias`), a client using an alias or an old name, or a strict-SNI setting that refuses unknown names." +
				passthroughNoBigIP,
			checks: []string{
				"Ask the backend for that name without tlsgate: `openssl s_client -connect {backend} -servername {sni} </dev/null` gets the same alert; a name the backend serves gets a ServerHello.",
				"Add {sni} to the backend's names (a server block and a certificate for it), or have the client use a name the backend serves.",
			},
		},
		CodeBackendRejectedHello + "/sni_none": {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}: the client sent no SNI",
			cause: passthroughRefused + "unrecognized_name (RFC 6066 §3) answers the server name, and the client sent none: clients send no SNI when the URL holds an IP address, and this backend refuses a hello without one instead of serving a default certificate." +
				passthroughNoBigIP,
			checks: []string{
				"Confirm without tlsgate: `openssl s_client -connect {backend} -noservername </dev/null` gets the same alert, and `-servername <name>` with a name the backend serves gets a ServerHello.",
				"Have the client use the host name, not the IP address (curl `--resolve <name>:{vport}:{virtual_host} https://<name>:{vport}/` keeps the address and sends the name), or give the backend a default certificate for clients without SNI.",
			},
		},
		// An SSLv2-only hello: no server today speaks SSLv2, and no
		// openssl s_client can send one, so the check is what runs.
		CodeBackendRejectedHello + "/sslv2": {
			summary: "backend {backend} refused the SSLv2 ClientHello of {client} with alert {hello_alert}: the client offers only SSLv2, which no current server accepts",
			cause: passthroughRefused + "The client sent an SSLv2-format ClientHello offering SSLv2 alone (version 0x0002): no TLS version at all. " +
				"SSLv2 is prohibited (RFC 6176) and gone from every current TLS stack (OpenSSL since 1.1.0, Go, Java, nginx, BIG-IP), so the backend accepts nothing the client offers; OpenSSL answers protocol_version (70). " +
				"Today such a hello comes from a scanner testing for SSLv2 (sslscan, testssl.sh, nmap's sslv2 script) far more often than from a client, or from a stack old enough to predate TLS." +
				passthroughNoBigIP,
			checks: []string{
				"Find out what {client_ip} is: a scanner checking whether SSLv2 is still accepted expects exactly this refusal, and nothing needs fixing.",
				"For a real client, make it send a TLS-format ClientHello offering TLS 1.2 or later: turn off its SSLv2 compatibility (Java: remove SSLv2Hello from the enabled protocols; OpenSSL 1.0.x: `SSL_OP_NO_SSLv2`), or upgrade a stack that cannot.",
				"The client's offer cannot be replayed with openssl s_client, which has sent no SSLv2 hello since OpenSSL 1.1.0; to see the lowest version the backend takes, run `openssl s_client -connect {backend}{servername_opt} -tls1 -cipher DEFAULT@SECLEVEL=0 </dev/null`, then `-tls1_2`.",
			},
			clientSaw: "The backend's alert {hello_alert} reached the client as it was sent, then the close: a scanner testing for SSLv2 reads it as SSLv2 refused, an SSLv2-only client fails its handshake. Nothing came from tlsgate itself.",
		},
		// A record of another type as the client's first bytes: no hello
		// was offered, so none was refused; the backend's alert answers
		// the stray record.
		CodeBackendRejectedHello + "/no_hello": {
			summary: "client {client} opened with {client_record} instead of a ClientHello; backend {backend} rejected it with alert {hello_alert}, and {relayed_by} relayed the rejection",
			cause: "{passes_tls}: tlsgate decrypts nothing and relays the client's first bytes to the backend as they come. " +
				"The client's first bytes are {client_record}, not a handshake record: it offered no ClientHello, so no version, cipher or name was refused. " +
				"The backend {backend} answered with alert {hello_alert}, as a TLS server does when a connection begins with anything but a ClientHello (OpenSSL sends unexpected_message, 10), and tlsgate relayed it unchanged. " +
				"A TLS client always opens with a ClientHello, so this is a scanner or fuzzer probing how servers react to stray records, a test tool, or a program writing bytes of another protocol whose first byte happens to be 20 to 24." +
				passthroughNoBigIP,
			checks: []string{
				"Find out what {client_ip} is (a scanner, a fuzzer, a test tool) and what it meant to send: `tcpdump -ni any -X host {client_ip} and port {vport}` shows its bytes.",
				"The backend is not at fault: any TLS server refuses a connection that begins this way, so its TLS settings need no change.",
			},
			clientSaw: "The backend's alert {hello_alert} in the clear, relayed unchanged, then the close. Nothing came from tlsgate itself.",
			evidence:  []string{"first_bytes", "hello_alert", "backend", "backend_endpoints"},
		},
		// A hello cut short by the client's FIN is relayed as it is
		// (choose routes bytes that began TLS whatever ended the peek):
		// the backend's answer is to the cut, and no certificate was
		// sent, so neither it nor the lab CA is the question.
		CodeClientClosedEarly + "/relayed": {group: groupNoError,
			summary: "client {client} sent {first_bytes} of a ClientHello and closed its side (FIN); {relayed_by} relayed the partial hello to {backend} after that FIN, and {cut_end}",
			cause: "The client sent {first_bytes} ({kind_desc}), a ClientHello cut short, and closed its side of the connection (FIN) without the rest. " +
				"{passes_tls}, and the handshake is the backend's: tlsgate relayed the partial hello to {backend} after the client's FIN, as a passthrough virtual server forwards what arrives, and passed the FIN on. " +
				"A server cannot finish a hello whose stream has ended, so what came back ({cut_end}) answers the cut, not anything the client offered: OpenSSL answers a record cut off by the end of the stream with alert 50 decode_error, other servers just close. No ServerHello and no certificate was sent. " +
				"A TLS client sends its whole hello before it half-closes; a hello cut off by a FIN comes from a scanner or fuzzer, a test tool or script that writes part of a hello and shuts its side, or a client killed mid-send." +
				passthroughNoAnswerNoBigIP,
			checks: []string{
				"Find out what {client_ip} is (a scanner, a fuzzer, a test tool or script) and why it stops after {first_bytes}: `tcpdump -ni any host {client_ip} and port {vport}` shows where its hello ends.",
				"If it is a script of yours, let it write the whole ClientHello and read the answer before it closes its side (no `shutdown(SHUT_WR)` or `nc -N` after part of a hello).",
				"The backend is not at fault: its answer is to the cut hello, and its TLS settings need no change.",
			},
			clientSaw: "What the backend sent back, relayed unchanged to the client, whose receiving side was still open: {cut_saw}. Nothing came from tlsgate itself.",
			evidence:  []string{"peek", "first_bytes", "backend", "backend_endpoints", "relay_end", "hello_alert", "backend_answer"},
		},
		CodeBackendNoServerHello: {
			summary: "backend {backend} sent nothing in answer to the ClientHello of {client}, no ServerHello and no alert, before the connection ended; {relayed_by} relayed nothing back",
			cause: passthroughNoAnswer + "and the backend sent back not one byte before the connection ended, {duration} later: no ServerHello, no alert. " +
				"Either it closed the connection on the hello (a TLS server with no certificate for the name asked, such as an nginx server block without `ssl_certificate`; " +
				"a server or filter that drops handshakes it will not serve), or it waited for something else until the client gave up (a plaintext service that needs more bytes before it answers, a server that hangs)." +
				passthroughNoAnswerNoBigIP,
			checks: []string{
				"Ask the backend directly, without tlsgate: `openssl s_client -connect {backend}{servername_opt} </dev/null`. `unexpected eof while reading` or a hang there is the backend's own behaviour; a ServerHello means the difference is in what the client offers (below).",
				"Read the backend's own log for the connection from tlsgate's address {backend_local}, and check that {backend} is its TLS port and that it serves the name {sni}.",
				"If the backend is meant to get plaintext, let tlsgate end TLS: mode = \"terminate\" on listener {listener} (BIG-IP: a client-ssl profile on the virtual server).",
			},
			clientSaw: "When the backend closed: curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL`, openssl s_client `unexpected eof while reading`, Go `EOF`. When it stayed silent: curl `curl: (28) … timed out`, Go `net/http: TLS handshake timeout`.",
			evidence:  []string{"backend", "backend_endpoints", "idle", "sni", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeBackendClosedEarly + "/after_handshake": {
			summary: "backend {backend} completed the TLS handshake with {client}, then closed the connection (FIN) without answering the request; {relayed_by} passed the close on",
			cause: passthroughClosedAfter + "ended the connection with a FIN without sending back a record that can hold an answer. " +
				"The backend completed the TLS handshake, then closed without answering the request: the client got the end of the stream where its answer belonged. " +
				passthroughClosedAfterWhy + passthroughClosedAfterNoBigIP,
			checks: passthroughClosedAfterChecks,
			clientSaw: "The end of the stream where the answer belonged (the same with TLS 1.2 and 1.3): curl `curl: (52) Empty reply from server` (curl with OpenSSL 3.0, with or without the backend's close_notify; curl with OpenSSL 3.2 or later may print `(56) OpenSSL SSL_read: SSL_ERROR_SYSCALL, errno 0` for a backend that skips close_notify), Go net/http `EOF`, browsers ERR_EMPTY_RESPONSE. " +
				"When the backend then reset the client's next bytes, curl may print `curl: (56) Recv failure: Connection reset by peer` instead.",
			evidence: []string{"exchange", "relay_end", "backend", "backend_endpoints", "sni", "alpn_offered", "ja4"},
		},
		CodeBackendClosedEarly + "/after_handshake_reset": {
			summary: "backend {backend} completed the TLS handshake with {client}, then reset the connection without answering the request; {relayed_by} passed the reset on",
			cause: passthroughClosedAfter + "reset the connection without sending back a record that can hold an answer. " +
				"The backend completed the TLS handshake, then closed without answering the request, with a TCP reset (an application that closes its socket with the request unread, or one that set SO_LINGER 0, resets instead of sending a FIN). " +
				passthroughClosedAfterWhy + passthroughClosedAfterNoBigIP,
			checks:    passthroughClosedAfterChecks,
			clientSaw: "A reset where the answer belonged (the same with TLS 1.2 and 1.3): curl `curl: (56) Recv failure: Connection reset by peer`, Go net/http `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
			evidence:  []string{"exchange", "relay_end", "backend", "backend_endpoints", "sni", "alpn_offered", "ja4"},
		},
		CodeBackendNoServerHello + "/reset": {
			summary: "backend {backend} reset the connection of {client} without answering its ClientHello, no ServerHello and no alert; {relayed_by} passed the reset on",
			cause: passthroughNoAnswer + "and a TCP reset came back from the backend's side before a single byte of answer: no ServerHello, no alert. " +
				"Either the backend resets connections it will not serve (a full accept backlog, a connection limit, a host firewall, a filter that drops handshakes), or it closed at once and reset the hello that reached its closed socket; a server that crashed on the hello does the same." +
				passthroughNoAnswerNoBigIP,
			clientSaw: "curl `curl: (35) Recv failure: Connection reset by peer` (or `(35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL` when the backend's close reached it first), openssl s_client `errno=104`, Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET.",
		},
		CodeBackendNoServerHello + "/not_tls": {
			summary: "backend {backend} answered the ClientHello of {client} with bytes that are not TLS ({backend_answer}): it does not speak TLS there; {relayed_by} relayed them",
			cause: passthroughNoAnswer + "and the backend answered with {backend_answer} where a TLS record (its ServerHello) belongs: it does not speak TLS on {backend}. " +
				"Typical: a passthrough listener in front of a plaintext HTTP port (an `HTTP/1.1 400 Bad Request` answers the hello's binary bytes), or a server-first service (SSH, SMTP, FTP) whose banner comes first." +
				passthroughNoAnswerNoBigIP,
			checks: []string{
				"See what {backend} speaks, without tlsgate: `curl -v http://{backend}/` answers if it is plain HTTP; `openssl s_client -connect {backend} </dev/null` fails with `wrong version number`, as the client did.",
				"If the backend speaks plaintext by design, let tlsgate end TLS: mode = \"terminate\" on listener {listener} (BIG-IP: a client-ssl profile on the virtual server and no server-ssl). Otherwise point backend at the backend's TLS port.",
			},
			clientSaw: "curl prints `curl: (35) … wrong version number`; openssl s_client `wrong version number`; Go `tls: first record does not look like a TLS handshake`; Chrome ERR_SSL_PROTOCOL_ERROR.",
			evidence:  []string{"backend_answer", "backend", "backend_endpoints", "sni", "versions_offered", "ja4"},
		},
		CodeBackendRejectedHello + "/alpn": {
			summary: "backend {backend} refused the ClientHello of {client} with alert {hello_alert}: it speaks none of the protocols the client offered ({alpn_list})",
			cause: passthroughRefused + "no_application_protocol (RFC 7301 §3.2) answers ALPN: the client offered {alpn_list}, and the backend speaks none of them. " +
				"Typical: an h2-only client (gRPC) against an HTTP/1.1-only backend, or the reverse." +
				passthroughNoBigIP,
			checks: []string{
				"Ask the backend what it speaks: `openssl s_client -connect {backend}{servername_opt} -alpn h2 </dev/null` and `-alpn http/1.1` print `ALPN protocol: …` for one it accepts.",
				"Have the client offer a protocol the backend speaks (`curl --http1.1`), or enable the client's protocol on the backend.",
			},
		},
	}
}
