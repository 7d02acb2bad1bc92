package explain

// proxyKnowledge covers what a listener that takes PROXY headers refuses
// beyond the plain missing, unexpected and malformed header: the codes'
// own entries live in upstreamKnowledge, these are their variants.
func proxyKnowledge() map[string]entry {
	return map[string]entry{
		CodeClientSilent + "/proxy_required": {
			summary: "client {client} connected to {listener} ({virtual}) and sent nothing within {peek_timeout}, not even the PROXY {proxy_policy} header the listener requires",
			cause: "Listener {listener} requires a PROXY protocol {proxy_policy} header before anything else, and a load balancer that adds one sends it as soon as it connects, before any byte of its client. " +
				"Silence therefore means nothing in front added a header: a health check of the load balancer that connects without one (HAProxy sends none on checks to another port unless `check-send-proxy` is set), a TCP monitor or scanner, or a client that bypasses the load balancer and connects directly, such as a server-first protocol (SSH, SMTP, MySQL) waiting for a banner. " +
				"tlsgate does not relay it: without the header there is no client address to pass on, and one made up from the socket would name {client_ip} as the client.",
			checks: []string{
				"Find out what {client_ip} is: the load balancer itself (a health check), a monitor, or a client that should not reach port {vport} directly.",
				"For the load balancer's health checks, have them send the PROXY header too (HAProxy `check-send-proxy`), or point them at a port without proxy_protocol.",
				"If clients must connect directly, give them a listener without proxy_protocol, or set proxy_protocol = \"optional\" on listener {listener}.",
			},
			clientSaw: "tlsgate resets the connection (RST) after {peek_timeout} without relaying it: a TCP health check sees the connection accepted and then reset, a banner-first client `Connection reset by peer` after waiting for a greeting.",
		},
	}
}
