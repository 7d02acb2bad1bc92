package explain

// checkBackendOffer compares the backend's settings with what the server
// leg offers, which no config key changes.
// backendEarlyNoBigIP says why a backend that ended the connection before
// answering shows no BIG-IP line: the reference has none verified for a
// server-side close (01230140 needs tm.rstcause.log, and its reason texts
// are unconfirmed), and no ID is invented.
const backendEarlyNoBigIP = "A BIG-IP logs no SSL error for a pool member that closes or resets a connection it accepted (only reset-cause logging, `tm.rstcause.log`, would write a `01230140` line, whose reason text is not documented), so no BIG-IP line is shown."

const checkBackendOffer = "Compare the versions and ciphers the backend accepts with what tlsgate offers it: crypto/tls client defaults (TLS 1.2 and 1.3, Go's default suites), since [listener.server_ssl] sets only ca, server_name, verify, cert and key."

// upstreamKnowledge covers the PROXY header in front, the backend behind,
// and admission limits.
func upstreamKnowledge() map[string]entry {
	return map[string]entry{
		CodeProxyMissing: {
			summary: "listener {listener} expects a PROXY {proxy_policy} header from {client}, got {kind_desc} ({first_hex})",
			cause: "Listener {listener} expects a PROXY protocol {proxy_policy} header before anything else, but the first bytes are {kind_desc} ({first_hex}). " +
				"The load balancer in front (AWS NLB with proxy protocol v2 on the target group, HAProxy send-proxy, …) is not adding the header, or the client bypasses it and connects directly.",
			checks: []string{
				"Turn on PROXY protocol {proxy_policy} on the sender in front of {virtual}: HAProxy `send-proxy` writes v1 and `send-proxy-v2` v2; nginx `proxy_protocol on` writes v1 only; an AWS NLB target group writes v2 only (behind an NLB, set proxy_protocol = \"v2\" on listener {listener}).",
				"If clients connect directly, set proxy_protocol = \"\" (or \"optional\") on listener {listener}.",
				"Health checks often connect directly too: they need the header as well, or an optional policy.",
			},
			clientSaw: "tlsgate resets the connection (RST) as soon as the first bytes show no header, before TLS starts: curl prints `curl: (35) Recv failure: Connection reset by peer` (a plain HTTP client `curl: (56) Recv failure: Connection reset by peer`), Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET. A load balancer in front sees its server close the connection before any answer: HAProxy in TCP mode logs termination state `SD` and closes its own client, whose curl prints `curl: (52) Empty reply from server` (`curl: (35) … SSL_ERROR_SYSCALL` over https); in HTTP mode it logs `SH--` and answers 502 Bad Gateway.",
			evidence:  []string{"first_bytes", "kind", "proxy"},
		},
		// A client-ssl virtual reads the header as the first bytes of TLS:
		// not a handshake record, so not SSL, as for plaintext HTTP on the
		// same port (the group is shown on TLS listeners only).
		CodeProxyUnexpected: {group: groupNotSSL,
			summary: "unexpected PROXY v{proxy_got} header from {client} on listener {listener}",
			cause:   "The connection starts with a PROXY protocol v{proxy_got} header but listener {listener} expects none. The load balancer in front adds PROXY protocol (NLB target group attribute, HAProxy send-proxy/send-proxy-v2) while tlsgate is not configured for it, so the header would be read as the start of TLS or HTTP.{proxy_not_ssl}",
			checks: []string{
				"If the header comes from a trusted load balancer, set proxy_protocol = \"v{proxy_got}\" on listener {listener}.",
				"Or turn PROXY protocol off on the load balancer.",
			},
			clientSaw: "tlsgate resets the connection (RST) as soon as it reads the header, before TLS starts. Whoever holds the connection, the load balancer or the client behind it, sees a reset: curl `curl: (35) Recv failure: Connection reset by peer` (a plain HTTP client `curl: (56) Recv failure: Connection reset by peer`), Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET. A load balancer in front sees its server close the connection before any answer: HAProxy in TCP mode logs termination state `SD` and closes its own client, whose curl prints `curl: (52) Empty reply from server` (`curl: (35) … SSL_ERROR_SYSCALL` over https); in HTTP mode it logs `SH--` and answers 502 Bad Gateway.",
			evidence:  []string{"first_bytes", "proxy"},
		},
		CodeProxyMalformed: {
			summary: "bad PROXY header from {client} on listener {listener}: {proxy_err}",
			cause:   "A PROXY protocol header was expected ({proxy_policy}) but it is malformed: {proxy_err}.",
			checks: []string{
				"Check the load balancer sends the configured version: v1 is text `PROXY TCP4 … \\r\\n`, v2 starts with the 12-byte signature 0d 0a 0d 0a 00 0d 0a 51 55 49 54 0a.",
				"Check that nothing in the path rewrites the first bytes.",
			},
			clientSaw: "tlsgate resets the connection (RST) before TLS starts. A load balancer in front sees its server close the connection before any answer: HAProxy in TCP mode logs termination state `SD` and closes its own client, whose curl prints `curl: (52) Empty reply from server` (`curl: (35) … SSL_ERROR_SYSCALL` over https); in HTTP mode it logs `SH--` and answers 502 Bad Gateway.",
			evidence:  []string{"first_bytes", "kind", "proxy"},
		},
		CodeProxyMalformed + "/version_mismatch": {
			summary: "PROXY v{proxy_got} header from {client}, listener {listener} expects {proxy_policy}",
			cause: "The load balancer sends PROXY protocol v{proxy_got} but listener {listener} is configured for {proxy_policy}. " +
				"The header itself is well formed: only the version differs, so tlsgate refuses it rather than guess (the spec forbids accepting a version not configured).",
			checks: []string{
				"Set proxy_protocol = \"v{proxy_got}\" on listener {listener} (or \"optional\", which takes both versions), or change the load balancer to {proxy_policy}.",
				"On the sender: HAProxy `send-proxy` writes v1, `send-proxy-v2` (and `send-proxy-v2-ssl`, `send-proxy-v2-ssl-cn`) v2; nginx `proxy_protocol on` writes v1 only; an AWS NLB writes v2 only.",
			},
		},

		CodeIdleTimeout: {
			summary: "tlsgate reset the connection of {client} after {idle_timeout} without a byte either way (idle_timeout of listener {listener})",
			cause: "The relay between {client} and backend {backend} worked, then carried no byte in either direction for {idle_timeout}, the idle_timeout of listener {listener}, so tlsgate reset both sides. " +
				"A BIG-IP does the same when its TCP profile's idle timeout (300 s by default) expires, and so do firewalls and NAT devices with their own timers. " +
				"The application keeps a connection open and quiet for longer than the path allows: connection pools, long polls, WebSockets, database sessions.",
			checks: []string{
				"If the application idles on purpose, raise idle_timeout on listener {listener} above its longest quiet period, and the idle timers of every firewall and load balancer in the path with it.",
				"Or have the application speak sooner: application pings more often than every {idle_timeout} (a pool's validation query, HTTP/2 PING, WebSocket ping). TCP keep-alive probes carry no data, so they do not reset this timer (firewalls and NAT devices do see them).",
				"Match the client's error time: a reset on the first use of a connection after a quiet period is this timer.",
			},
			clientSaw: "Nothing while it stays quiet; the next use of the connection fails with a reset: curl `(56) Recv failure: Connection reset by peer`, Go `read: connection reset by peer` or `write: broken pipe`, database drivers 'connection reset' or 'server closed the connection unexpectedly' on the next query.",
			evidence:  []string{"idle", "backend"},
		},
		CodeBackendReset: {
			summary: "backend {backend} reset the connection of {client} mid-stream (up {up} B, down {down} B)",
			cause: "The relay between {client} and backend {backend} was working when a TCP reset came from the backend's side: from the backend itself, or from a device between tlsgate and it. " +
				"tlsgate passed it on by resetting the client's side. Typical causes: the backend application crashed or restarted, it closed a socket with unread data (which sends RST), or a firewall or NAT device on the server side dropped the flow after its own idle timer.",
			checks: []string{
				"Read the backend's own log at this moment: a crash, a restart, or an error that closed the connection.",
				"Look for firewalls or NAT devices between tlsgate and {backend} with idle timers shorter than the connection's quiet periods.",
				"Capture on the backend side (`tcpdump -ni any host {backend_host} and 'tcp[tcpflags] & tcp-rst != 0'`) to see which address sent the RST.",
			},
			clientSaw: "{backend_reset_saw}",
			evidence:  []string{"relay_end", "backend", "backend_endpoints"},
		},
		CodeBackendClosedEarly: {
			summary: "backend {backend} closed the connection of {client} (FIN) before it sent a byte: the client's {up} B got no answer",
			cause: "tlsgate connected to backend {backend} and relayed what the client {client} sent ({up_bytes}), and the backend ended the connection with a FIN without sending back a single byte. " +
				"tlsgate passed the close on, so the client got an end of stream where its answer belonged; when the backend then reset what tlsgate relayed after its close, tlsgate passed that reset on too. Typical causes: the backend application accepts and closes at once (it is overloaded, refuses the client's address, or crashed on the request), a listener in the backend's process that is not the expected service, or a proxy behind it whose own backend is down. " +
				backendEarlyNoBigIP,
			checks: []string{
				"Read the backend's own log for a connection from tlsgate's address {backend_local} at this moment: a refusal, an error on the request, a crash.",
				"Ask the backend directly, without tlsgate, from this host: the same empty reply there is the backend's own behaviour.",
				"Capture on the backend side (`tcpdump -ni any host {backend_host} and 'tcp[tcpflags] & (tcp-fin|tcp-rst) != 0'`) to see which address closed first.",
			},
			clientSaw: "{backend_closed_early_saw}",
			evidence:  []string{"relay_end", "backend", "backend_endpoints"},
		},
		CodeBackendClosedEarly + "/reset": {
			summary: "backend {backend} reset the connection of {client} before it sent a byte (up {up} B, down 0 B)",
			cause: "tlsgate connected to backend {backend}, and a TCP reset came from the backend's side before the backend had sent back a single byte: the client's request ({up_bytes} relayed) got no answer. " +
				"tlsgate passed the reset on to the client. Typical causes: the backend application accepts and resets at once (a full accept backlog, a server that closes with the request unread, a crash), a host firewall or a connection limit on the backend that resets, or a backend that closed at once and reset the request tlsgate then wrote to it. " +
				backendEarlyNoBigIP,
			checks: []string{
				"Read the backend's own log for a connection from tlsgate's address {backend_local} at this moment: a refusal, a connection limit, a crash or a restart.",
				"Ask the backend directly, without tlsgate, from this host: the same reset there is the backend's own behaviour.",
				"Capture on the backend side (`tcpdump -ni any host {backend_host} and 'tcp[tcpflags] & tcp-rst != 0'`) to see which address sent the RST.",
			},
			clientSaw: "{backend_closed_early_saw}",
		},
		CodeOK + "/client_reset": {
			summary: "{mode} sni={sni} {tls} ja4={ja4} up={up}B down={down}B in {duration}, ended by the client's reset",
			cause: "The relay between {client} and backend {backend} worked; the client ended it with a TCP reset instead of a FIN, and tlsgate reset the backend's side in turn. " +
				"Clients do this when they close a socket with unread data, or give up on a request (a timeout, a cancel); an IPS or firewall in front can do it for them.",
			checks: []string{
				"Nothing to fix unless the client reports an error. If it does, read that error, and compare how long the exchange ran ({duration}) with the client's timeouts.",
				"Look for devices in front of tlsgate (IPS, firewall, another load balancer) that inject resets.",
			},
			clientSaw: "What made it reset (its own close, timeout or cancel): {up_bytes} sent, {down_bytes} received. Nothing came from tlsgate.",
			evidence:  []string{"relay_end", "sni", "alpn_offered", "ja4"},
		},
		CodeShutdownCut: {
			summary: "tlsgate closed the connection of {client} on listener {listener}: its shutdown grace ran out (up {up} B, down {down} B in {duration})",
			cause: "tlsgate was stopping (SIGINT or SIGTERM) and waited for live connections up to [shutdown] grace; this one was still open when the grace ran out, so tlsgate closed it. " +
				"Neither the client nor the backend did anything wrong. A BIG-IP failover or a pool member taken down without draining cuts connections the same way.",
			checks: []string{
				"If long connections must survive a restart, raise [shutdown] grace, or drain first: take tlsgate out of rotation (load balancer, DNS) and stop it once its connections have ended.",
				"Clients that reconnect by themselves (HTTP clients, database pools) recover; look for errors only in those that do not.",
			},
			clientSaw: "The connection ends in the middle: curl `(56) Recv failure: Connection reset by peer` or `(52) Empty reply from server`; a client still in its handshake sees the handshake fail.",
			evidence:  []string{"peek", "backend"},
		},
		CodeAcceptFailed: {
			summary: "tlsgate reset the connection of {client} on listener {listener} ({listener_addr}) without serving it: {accept_err}",
			cause: "The kernel completed the TCP handshake and tlsgate accepted the connection, but could not serve it ({accept_err}), so it reset it. " +
				"The client did nothing wrong. The usual cause is a process out of file descriptors (EMFILE, \"too many open files\"): each connection takes one for the client and one for the backend, and tlsgate briefly needs one more to hand a socket its event loop (or a refuse rule) accepted to the connection.",
			checks: []string{
				"Compare tlsgate's open descriptors with its limit: `ls /proc/$(pidof tlsgate)/fd | wc -l` and `grep 'open files' /proc/$(pidof tlsgate)/limits`; raise the limit (`ulimit -n`, systemd LimitNOFILE=) or keep max_connections (listener {listener} and every other listener, summed) below half of it: each connection holds two.",
				"Look for what holds so many connections open at this time: `ss -Htn state established '( sport = :{vport} )' | wc -l`, and slow or stuck backends that keep them.",
			},
			clientSaw: sawResetEarly,
			evidence:  []string{"accept_err", "listen_addr", "first_bytes"},
		},
		CodeBackendRefused: {
			summary: "backend {backend} refused the connection for {client}",
			cause:   "tlsgate could not connect to the backend {backend}: connection refused. Nothing listens on that address and port (pool member down, service stopped, wrong port), or a host firewall rejects it.",
			checks: []string{
				"On the backend host, check the service runs and listens on that port (`ss -ltnp`).",
				"Check the backend address of listener {listener}.",
				"Check firewall rules between tlsgate and the backend.",
			},
			clientSaw: sawBackend,
			evidence:  []string{"backend", "backend_error"},
		},
		CodeBackendTimeout: {
			summary: "connecting to backend {backend} timed out for {client}",
			cause:   "tlsgate got no answer from the backend {backend} within the dial timeout: the host is down, there is no route, or a firewall drops the SYNs silently.",
			checks: []string{
				"Check the backend host is up and reachable from tlsgate (`nc -vz` to the backend address).",
				"Check routes and firewalls that drop rather than reject.",
			},
			clientSaw: sawBackend,
			evidence:  []string{"backend", "backend_error"},
		},
		CodeBackendError: {
			summary:   "connecting to backend {backend} failed for {client}: {dial_err}",
			cause:     "tlsgate could not connect to the backend {backend}: {dial_err}. Typical: a name that does not resolve, no route to the host, or a local resource limit.",
			checks:    []string{"Check the backend address of listener {listener} resolves and is reachable from tlsgate."},
			clientSaw: sawBackend,
			evidence:  []string{"backend", "backend_error"},
		},
		CodeBackendTLSFailed: {group: groupServerSide,
			summary: "TLS handshake to backend {backend_remote} failed: {backend_tls_err}",
			cause: "tlsgate's TLS handshake towards the backend failed: {backend_tls_err}. " +
				"This is the server side: in the BIG-IP line the left side ({backend_local}) is tlsgate's own address (on BIG-IP the self IP or SNAT address) and the right side ({backend_remote}) is the pool member, not the client.",
			checks: []string{
				"Check the backend port speaks TLS: `openssl s_client -connect {backend} </dev/null`.",
				checkBackendOffer,
			},
			clientSaw: sawBackend,
			evidence:  []string{"backend_endpoints", "backend_tls_error", "backend_cert"},
		},
		CodeBackendTLSFailed + "/plain_backend": {
			cause: "The backend answered tlsgate's ClientHello with non-TLS bytes: it speaks plaintext on that port, and a server-ssl profile towards a plain port gives exactly this. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{"Remove [listener.server_ssl] from listener {listener}, or point backend at the backend's TLS port."},
		},
		CodeBackendTLSFailed + "/plain_backend_inspect": {
			cause: "The backend answered tlsgate's ClientHello with non-TLS bytes: it speaks plaintext on that port. " +
				"An inspect listener always speaks TLS to the server, with or without a [listener.server_ssl] table, since it copies the real server's certificate and hands its ALPN choice back to the client: a plaintext port cannot be inspected. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Point backend of listener {listener} at the server's TLS port (443, not 80).",
				"If the service speaks only plaintext, put a listener with mode = \"terminate\" and no [listener.server_ssl] table in front of it instead: TLS to the client, plaintext to the backend.",
			},
		},
		// An alert is TLS: the base entry's "does the port speak TLS" would
		// send the operator the wrong way.
		CodeBackendTLSFailed + "/alert": {
			cause: "The backend rejected tlsgate's handshake with alert {backend_alert}: it does not accept what tlsgate offered (version, ciphers, SNI, or a client certificate it requires). " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"The backend answered with a TLS alert, so the port is a TLS one and the refusal is its policy: its own log says what it refused (a Go server `tls: no cipher suite supported by both client and server`, OpenSSL `no shared cipher`).",
				checkBackendOffer,
			},
		},
		CodeBackendTLSFailed + "/version": {
			cause: "The backend refused tlsgate's ClientHello with alert {backend_alert}: it accepts none of the versions tlsgate's server leg offers (TLS 1.2 and 1.3, crypto/tls's client defaults), so it speaks only versions older than TLS 1.2 (TLS 1.1, 1.0 or SSLv3). Ciphers and certificates were never reached. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Confirm the backend's versions: `openssl s_client -connect {backend} -tls1_2 </dev/null` fails as tlsgate did, and `openssl s_client -connect {backend} -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null` (or `-tls1`) connects.",
				"Enable TLS 1.2 or 1.3 on the backend: tlsgate's server leg offers only those, and [listener.server_ssl] has no version key (TLS 1.0 and 1.1 are deprecated, RFC 8996).",
			},
		},
		CodeBackendTLSFailed + "/client_cert": {
			cause: "The backend asked tlsgate for a client certificate (a CertificateRequest in its handshake: it wants mutual TLS) and tlsgate sent none, " +
				"so the backend refused the leg with alert {backend_alert}. Versions and ciphers were settled before the request, so they are not the problem. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Give listener {listener} a client certificate the backend trusts: server_ssl.cert and server_ssl.key (BIG-IP: the server-ssl profile's cert and key). tlsgate sends it only when it chains to a CA the backend's request names.",
				"See which CAs the backend accepts: `openssl s_client -connect {backend} </dev/null` lists them under `Acceptable client certificate CA names`.",
			},
		},
		// Alert 120 is ALPN's own (RFC 7301 §3.2, bigip-log.md §3.3):
		// versions and ciphers were fine, the protocol lists were not.
		CodeBackendTLSFailed + "/alpn": {
			cause: "The backend answered tlsgate's ClientHello with alert {backend_alert}: it speaks none of the application protocols (ALPN, RFC 7301) offered to it. " +
				"An inspecting listener forwards the client's own ALPN list to the server leg unchanged, so that the backend's choice can be handed back to the client: the client offered {alpn_list}, and the backend accepts none of it. " +
				"The usual pair: a client that offers only h2 (gRPC clients do) and a backend that speaks only http/1.1, or the reverse. Versions, ciphers and certificates were not the problem. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Ask the backend what it speaks: `openssl s_client -connect {backend} -alpn {backend_alpn} </dev/null` ends in `tlsv1 alert no application protocol` like tlsgate's attempt; then offer one protocol at a time (`-alpn http/1.1`, `-alpn h2`): one it speaks prints `ALPN protocol: …`.",
				"If the backend speaks only HTTP/1.1, have the client offer it: `curl --http1.1 https://{sni_or_host}:{vport}/` goes through tlsgate; a gRPC client needs a backend that speaks h2.",
				"Or enable the protocol the client needs on the backend (HTTP/2 in its TLS settings), so the lists overlap.",
			},
			clientSaw: "{backend_saw} The client never sees the alert: it reaches only the server leg. Straight to the backend the same client would get alert 120 itself: curl `curl: (35) … tlsv1 alert no application protocol`, Go `remote error: tls: no application protocol`.",
			evidence:  []string{"backend_endpoints", "backend_tls_error", "alpn_offered", "backend_alpn", "sni", "ja4"},
		},
		CodeBackendTLSFailed + "/alpn_unoffered": {
			cause: "The backend answered tlsgate's ClientHello with alert {backend_alert}, the ALPN alert (RFC 7301), although tlsgate offered it no application protocol on the server leg: the backend insists on ALPN (an h2-only or gRPC server that refuses a client without it). " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Ask the backend what it speaks: `openssl s_client -connect {backend} -alpn h2 </dev/null` and `-alpn http/1.1` print `ALPN protocol: …` for one it accepts.",
				"Point listener {listener} at a backend port that accepts TLS without ALPN, or use inspect mode, which forwards the client's ALPN list.",
			},
			evidence: []string{"backend_endpoints", "backend_tls_error", "alpn_offered", "backend_alpn"},
		},
		// The connect race on a server-ssl leg (upstream.ResetAfterConnect):
		// nothing of TLS was offered, so the base entry's checks of
		// versions and ciphers would send the operator the wrong way.
		CodeBackendTLSFailed + "/reset_before_hello": {
			summary: "backend {backend_remote} ended the connection right after accepting it, before tlsgate's ClientHello was sent",
			cause: "The backend {backend_remote} accepted tlsgate's TCP connection and ended it at once, {before_hello_end}, before tlsgate's ClientHello left: by the time tlsgate saw its connect complete, the connection was already gone. " +
				"No TLS was ever offered to it, so versions, ciphers, SNI and certificates are not the problem, and whatever the backend sent first (see the error below) came before it had read anything from tlsgate. " +
				"A server does this when it refuses the connection itself rather than the TLS offer: it is at its connection or worker limit, it is shutting down or restarting, an access list or tcpwrappers-style filter on it accepts and then resets tlsgate's address, or the port belongs to another service that drops connections immediately. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Connect to the backend from tlsgate's host: `openssl s_client -connect {backend} </dev/null`. A backend that resets on accept makes it fail with `write:errno=104` (or `errno=32` after its close) having read 0 bytes; one that answers with a certificate was only refusing connections for a while (a limit or a restart).",
				"Read the backend's own log and limits for that moment (maximum connections or workers, a restart, an access rule for tlsgate's source address {backend_local_host}): the refusal is there, not in TLS.",
				"Capture tlsgate's side (`tcpdump -ni any host {backend_host} and port {backend_port}`): the handshake SYN, SYN-ACK, ACK, then the backend's RST (after a few bytes, or its FIN), and no ClientHello from tlsgate.",
			},
			evidence: []string{"backend_endpoints", "backend_before_hello", "backend_tls_error"},
		},
		CodeBackendTLSFailed + "/timeout": {
			cause: "The backend did not complete the TLS handshake in time: it may speak plaintext and wait for a request, or the path drops the exchange. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
		},
		CodeBackendTLSVerify: {group: groupServerSide,
			summary: "backend {backend_remote} certificate rejected: {verify}",
			cause: "tlsgate does not trust the backend's certificate: {verify}. " +
				"This is the server side: in the BIG-IP line the left side ({backend_local}) is tlsgate's own address (on BIG-IP the self IP or SNAT address) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Put the CA that issued the backend's certificate into server_ssl.ca of listener {listener} (a PEM bundle; empty means the system pool).",
				"Set server_ssl.server_name to a name on the backend certificate.",
				"Inspect it: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -issuer -dates`.",
			},
			clientSaw: sawBackend,
			evidence:  []string{"backend_endpoints", "backend_verify", "backend_tls_error", "backend_cert"},
		},
		// A date or name failure is not fixed by trusting another CA, so
		// these variants lead with the dates or the name.
		CodeBackendTLSVerify + "/expired": {
			cause: "The backend's certificate has expired (or tlsgate's clock is wrong): {verify}. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Read the backend certificate's dates: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -dates`; if notAfter has passed, renew the certificate on the backend.",
				"If the dates are right, check tlsgate's clock (`date -u`, NTP): verification uses tlsgate's time.",
				"Only for a lab backend: server_ssl.verify = false on listener {listener} accepts it anyway.",
			},
		},
		CodeBackendTLSVerify + "/not_yet_valid": {
			cause: "The backend's certificate is not valid yet (or a clock is wrong): {verify}. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Check tlsgate's clock (`date -u`, NTP): a clock behind the certificate's notBefore gives exactly this.",
				"Read the backend certificate's dates: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -dates`; a certificate issued by a host whose clock runs ahead starts in the future.",
			},
		},
		CodeBackendTLSVerify + "/unknown_authority": {
			cause: "The backend's certificate is signed by an unknown authority: its CA is not in server_ssl.ca (or the system pool, when server_ssl.ca is empty), or the backend does not send its intermediate. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			// The name is not in question here, so no server_name check:
			// changing it cannot make an unknown issuer trusted.
			checks: []string{
				"Put the CA that issued the backend's certificate into server_ssl.ca of listener {listener} (a PEM bundle; empty means the system pool).",
				"See which issuer the backend names and whether it sends its intermediate: `openssl s_client -connect {backend} -showcerts </dev/null` (one certificate under `Certificate chain` with an intermediate issuer means the backend must add the intermediate).",
			},
		},
		CodeBackendTLSVerify + "/hostname": {
			cause: "The backend's certificate does not carry the name tlsgate verifies (hostname mismatch): {verify}. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"Set server_ssl.server_name on listener {listener} to a name the backend certificate carries (empty: the client's SNI, else the backend's host).",
				"List the names it carries: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -ext subjectAltName`.",
				"Or reissue the backend certificate with the name tlsgate uses.",
			},
		},
		CodeBackendTLSVerify + "/hostname_nosni": {
			cause: "The client sent no SNI (it dialled an address, not a name) and server_ssl.server_name is not set, so tlsgate checked the backend's certificate against the backend's own address, {verify_name}, which the certificate does not carry: {verify}. " +
				"The certificate may be right for the names it is for: a client that sends one of them gets through. " +
				"In the BIG-IP line the left side ({backend_local}) is tlsgate's own address (BIG-IP self IP or SNAT) and the right side ({backend_remote}) is the pool member.",
			checks: []string{
				"List the names the backend's certificate carries: `openssl s_client -connect {backend} </dev/null | openssl x509 -noout -subject -ext subjectAltName`.",
				"Have the client dial one of those names, so that it sends it as SNI (curl: `--resolve NAME:{vport}:ADDRESS https://NAME:{vport}/`); a client that dials an address sends none.",
				"Or set server_ssl.server_name on listener {listener} to one of them: tlsgate then sends and checks that name for every client, whatever SNI it sent.",
			},
		},

		CodeMaxConnections: {
			summary: "listener {listener} at max_connections; refused {client}",
			cause:   "Listener {listener} is at its max_connections limit, so the new connection was refused before anything was read.",
			checks: []string{
				"Raise max_connections on listener {listener}, or find who holds connections open (idle clients, a load test).",
			},
			// Measured with curl 7.88, OpenSSL 3.0 and Go: tlsgate completes
			// the TCP handshake and resets at once, and whether the RST beats
			// the client's first send decides which error it prints.
			clientSaw: "A reset (RST) right after the TCP handshake completes, before any byte is read. curl often prints `(7) Failed to connect to … Couldn't connect to server`, which looks like a closed port but is not (the port accepted the connection), or else `(35) Send failure: Connection reset by peer` / `(35) Recv failure: Connection reset by peer` (`(56)` for http://); openssl s_client prints `CONNECTED(…)` then `write:errno=104`; Go prints `dial tcp …: connect: connection reset by peer`.",
			evidence:  []string{"route"},
		},
	}
}
