package explain

// sawResetAtPeek is what a client reads when a TLS listener resets it at
// the peek deadline (listener chooseAbort): an RST, not a FIN.
const sawResetAtPeek = "tlsgate reset the connection (RST) at the peek deadline: a client still reading gets `Connection reset by peer` (curl `curl: (35) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, Python `ConnectionResetError: [Errno 104] Connection reset by peer`). A client whose own timer is shorter gives up first."

// undecidedKnowledge words how a connection ended when the client stopped
// before its first bytes decided anything (detect_undecided.go): the end
// that really came, and the timeout that really ended it.
func undecidedKnowledge() map[string]entry {
	return map[string]entry{
		CodeHandshakeTimeout + "/partial_reset": {
			summary: "client {client} sent {first_bytes} of a first message and then stalled; tlsgate reset the connection at the peek deadline",
			cause: "The client sent {first_bytes} ({kind_desc}) and nothing more within {peek_timeout}. Bytes this few name no protocol: neither a TLS hello to hand to a handshake nor plaintext for the non_ssl action, so at the peek deadline tlsgate reset the connection (RST), as it does for a client that sends nothing. " +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"Check firewalls and IPS between the client and {virtual}.",
			},
			clientSaw: sawResetAtPeek,
		},
		CodeHandshakeTimeout + "/partial_handshake": {
			summary: "client {client} sent {first_bytes} of a first message and then stalled; the handshake timeout ({handshake_timeout}) ended the connection after {duration}",
			cause: "The client sent {first_bytes} ({kind_desc}) and nothing more. At the peek deadline ({peek_timeout}) tlsgate handed what had come to its TLS handshake, which waited for the rest of the ClientHello; none came, and the listener's handshake_timeout of {handshake_timeout}, counted from the accept, ended the connection after {duration}, as BIG-IP's client-ssl handshake-timeout does. " +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"Check firewalls and IPS between the client and {virtual}.",
				"If stalled clients pile up, a shorter handshake_timeout on listener {listener} ends them sooner (BIG-IP: the client-ssl profile's handshake-timeout).",
			},
			clientSaw: "tlsgate closed the connection (FIN) when its handshake timeout ({handshake_timeout}) passed: curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`, openssl s_client `…:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:…`, Go `EOF`. A client whose own timer is shorter gives up first: curl `curl: (28) SSL connection timeout`, Go `net/http: TLS handshake timeout`.",
			evidence:  []string{"peek", "first_bytes", "handshake_timeout", "client_error"},
		},
		CodeClientClosedEarly + "/partial_late": {
			summary: "client {client} sent {first_bytes} of a first message, stalled past the peek deadline, and closed the connection (FIN) after {duration}, before the handshake timeout",
			cause: "The client sent {first_bytes} ({kind_desc}) and nothing more within the peek timeout of {peek_timeout}. tlsgate then handed what had come to its TLS handshake, which waited for the rest of the ClientHello (handshake_timeout {handshake_timeout}); instead the client closed its side (FIN) after {duration}. No timeout of tlsgate's ended the connection: the client gave up (its own timer) or is a probe that sends a few bytes and leaves. " +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"For a real client, read its own error output: it says why it gave up.",
				"Check firewalls and IPS between the client and {virtual}.",
			},
			clientSaw: "Nothing from tlsgate before the client closed; tlsgate then reset its side (RST), which only a client still reading sees.",
			evidence:  []string{"peek", "first_bytes", "handshake_timeout", "client_error"},
		},
		CodeClientResetEarly + "/partial_late": {
			summary: "client {client} sent {first_bytes} of a first message, stalled past the peek deadline, and reset the connection (RST) after {duration}, before the handshake timeout",
			cause: "The client sent {first_bytes} ({kind_desc}) and nothing more within the peek timeout of {peek_timeout}. tlsgate then handed what had come to its TLS handshake, which waited for the rest of the ClientHello (handshake_timeout {handshake_timeout}); instead the connection was reset (RST) after {duration}. No timeout of tlsgate's ended it: the client gave up abruptly, or a device in the path injected the reset. " +
				"{stall_why}",
			checks: []string{
				"{stall_check}",
				"Check for a firewall or IPS between the client and {virtual} that injects resets.",
				"For a real client, read its own error output.",
			},
			clientSaw: "Nothing from tlsgate: the reset came from the client side (or a device in the path) while tlsgate's handshake still waited for the rest of the hello.",
			evidence:  []string{"peek", "first_bytes", "handshake_timeout", "client_error"},
		},

		CodePlaintextOnTLS + "/client_reset_unanswered": {
			summary: "plaintext {kind} from {client} on TLS listener {listener} ({listener_at}); the client reset the connection (RST) before tlsgate answered: no non_ssl answer ({non_ssl}) was sent",
			cause: "The client sent {first_bytes} ({kind_desc}) to a listener that expects TLS, then reset the connection (RST) after {duration}, before its request line was complete. " +
				"non_ssl = {non_ssl} answers a request (http400 with a readable 400 page, redirect with a 301 to https://), so tlsgate was still waiting for the request line, up to the peek timeout of {peek_timeout}, when the reset came, and sent nothing. " +
				"The bytes still show the mistake, plaintext sent to a TLS port (an http:// URL pointed at an HTTPS port, a health monitor sending plain HTTP); a client that resets this early gave up or was stopped: a probe or scanner, its own short timeout, or a device in the path injecting resets.",
			checks: []string{
				"Check the URL the client uses: it must be {https_url}{vip_which}, not http://.",
				"Find out what {client_ip} is and why it reset after {duration}: a probe or scanner, a client with a short timeout, or a firewall or IPS between it and {virtual} that injects resets.",
			},
			clientSaw: "Nothing from tlsgate: the client reset the connection itself before its request line was complete, so no HTTP 400 or redirect was sent. A real client's own message says why it gave up.",
			evidence:  []string{"first_bytes", "kind", "http_request", "peek", "non_ssl_action"},
		},

		CodeClientResetEarly + "/after_proxy": {
			summary: "{peer} sent a valid PROXY v{proxy_got} header for client {client}, then reset the connection (RST) before any data",
			cause: "A valid PROXY protocol v{proxy_got} header came from {peer}, the load balancer or proxy in front, naming client {client}; then the connection was reset (RST) before a byte of that client's data. " +
				"A load balancer sends the header as soon as it connects to tlsgate, before its client has said anything, so the reset came from that side before the client spoke: the client gave up or was refused and the load balancer reset its server side too, the load balancer's own timeout, or a health check that sends a header naming a client and then resets. " +
				"It is not a TCP half-open monitor or a port scan aimed at tlsgate: those send no PROXY header.",
			checks: []string{
				"Look in the log of {peer} (the load balancer) for the connection from {client}: it says which side ended it and why.",
				"If {peer}'s health checks send a PROXY header, have them send a LOCAL one (no client addresses), which tlsgate logs as a health check.",
				"Check for a firewall or IPS between {peer} and {virtual} that injects resets.",
			},
			clientSaw: "Nothing from tlsgate: the reset came from the load balancer's side (or its client) before any data, and tlsgate sent nothing.",
			evidence:  []string{"proxy", "peek"},
		},
		CodeClientClosedEarly + "/after_proxy": {
			summary: "{peer} sent a valid PROXY v{proxy_got} header for client {client}, then closed the connection (FIN) before any data",
			cause: "A valid PROXY protocol v{proxy_got} header came from {peer}, the load balancer or proxy in front, naming client {client}; then the connection was closed (FIN) before a byte of that client's data. " +
				"A load balancer sends the header as soon as it connects to tlsgate, before its client has said anything, so the close came from that side before the client spoke: the client left and the load balancer closed its server side too, the load balancer's own timeout, or a health check that sends a header naming a client and then closes. " +
				"It is not a TCP monitor or a port scan aimed at tlsgate: those send no PROXY header.",
			checks: []string{
				"Look in the log of {peer} (the load balancer) for the connection from {client}: it says which side ended it and why.",
				"If {peer}'s health checks send a PROXY header, have them send a LOCAL one (no client addresses), which tlsgate logs as a health check.",
			},
			clientSaw: "Nothing from tlsgate: the close came from the load balancer's side (or its client) before any data, and tlsgate sent nothing.",
			evidence:  []string{"proxy", "peek"},
		},
	}
}
