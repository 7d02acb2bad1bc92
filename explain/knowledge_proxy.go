package explain

// proxyKnowledge covers what a listener that takes PROXY headers refuses
// beyond the plain missing, unexpected and malformed header: the codes'
// own entries live in upstreamKnowledge, these are their variants.
func proxyKnowledge() map[string]entry {
	return map[string]entry{
		CodeHealthCheck: {ok: true,
			summary: "health check from {peer} on {listener}: PROXY v2 LOCAL header, then FIN without data",
			cause: "{peer} sent a PROXY protocol v2 header with the LOCAL command (no client addresses: the connection is the sender's own) and closed without sending a byte. " +
				"That is a load balancer's health check: HAProxy's `check-send-proxy`, or the TCP checks of AWS NLB and other balancers that speak PROXY v2, open a connection, send the header, and close. " +
				"Nothing failed: BIG-IP logs nothing for a health monitor's connection to a virtual server either, so no BIG-IP line is shown.",
			checks:    []string{"Nothing to fix. If the checks should test TLS too, make them TLS checks (HAProxy `check-ssl`) so a broken certificate marks the server down."},
			clientSaw: "The check saw the connection accepted and closed it itself: the server counts as up.",
			evidence:  []string{"proxy", "peek"},
		},
		CodeHealthCheck + "/reset": {
			summary: "health check from {peer} on {listener}: PROXY v2 LOCAL header, then RST without data",
			cause: "{peer} sent a PROXY protocol v2 header with the LOCAL command (no client addresses: the connection is the sender's own) and reset the connection without sending a byte. " +
				"That is a load balancer's health check: HAProxy's `check-send-proxy` ends its checks with a reset, and the TCP checks of AWS NLB and other balancers that speak PROXY v2 open, send the header, and close. " +
				"Nothing failed: BIG-IP logs nothing for a health monitor's connection to a virtual server either, so no BIG-IP line is shown.",
		},
		// HAProxy sends `PROXY UNKNOWN\r\n` for its own connections when
		// it speaks v1 (send-proxy with check-send-proxy), as v2 senders
		// use LOCAL; the spec tells receivers to ignore any addresses after
		// UNKNOWN.
		CodeHealthCheck + "/v1": {
			summary: "health check from {peer} on {listener}: PROXY v1 UNKNOWN header, then FIN without data",
			cause: "{peer} sent a PROXY protocol v1 header with the protocol UNKNOWN (`PROXY UNKNOWN`: no client addresses, the connection is the sender's own) and closed without sending a byte. " +
				"That is a load balancer's health check: HAProxy's `check-send-proxy` on a server with `send-proxy` (v1), and other balancers and monitors that speak PROXY v1, open a connection, send the header, and close. " +
				"Nothing failed: BIG-IP logs nothing for a health monitor's connection to a virtual server either, so no BIG-IP line is shown.",
		},
		CodeHealthCheck + "/v1_reset": {
			summary: "health check from {peer} on {listener}: PROXY v1 UNKNOWN header, then RST without data",
			cause: "{peer} sent a PROXY protocol v1 header with the protocol UNKNOWN (`PROXY UNKNOWN`: no client addresses, the connection is the sender's own) and reset the connection without sending a byte. " +
				"That is a load balancer's health check: HAProxy's `check-send-proxy` on a server with `send-proxy` (v1) ends its checks with a reset, and other balancers and monitors that speak PROXY v1 open, send the header, and close. " +
				"Nothing failed: BIG-IP logs nothing for a health monitor's connection to a virtual server either, so no BIG-IP line is shown.",
		},
		CodeClientSilent + "/proxy_required": {
			summary: "client {client} connected to {listener} ({listener_at}) and sent nothing within {peek_timeout}, not even the PROXY {proxy_policy} header the listener requires",
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
		CodeProxyMalformed + "/two_headers": {
			summary: "two PROXY headers from {peer} on listener {listener}: first {proxy_first}, then {proxy_second}",
			cause: "The connection from {peer} began with a PROXY header ({proxy_first}) and right after it came a second one ({proxy_second}). A connection carries exactly one header; tlsgate refuses the second rather than relay it to the backend as the client's data, where a backend that reads PROXY itself would take it for the client's address. " +
				"Two causes are common. Two proxies in a chain both add a header: an outer load balancer or CDN sends one, and an inner proxy that does not consume it (an L4 load balancer forwarding bytes as they are) puts its own in front, so the first header names the outer proxy as the client and the second the real client. " +
				"Or a client writes a header of its own through a load balancer that adds the real one: the first header names the real client, the second the address it claims to be.",
			checks: []string{
				"Look at the first header's source: if it is one of your proxies, two hops add PROXY protocol. Have the inner one consume the outer one's header and send a single one with the original addresses (HAProxy `accept-proxy` on its bind line, with `send-proxy` towards tlsgate), or turn PROXY protocol off on one hop.",
				"If the first header's source is an ordinary client, that client sent the second header itself: a test tool (`curl --haproxy-protocol`) aimed through the load balancer, or an attempt to spoof its address. Nothing was relayed.",
				"Whatever sends the bytes after the first header must not begin them with `PROXY ` or the v2 signature 0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a.",
			},
			clientSaw: "tlsgate resets the connection (RST) after the second header, before anything reaches the backend: curl prints `curl: (56) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, and a proxy in between logs a reset from its server.",
		},
	}
}
