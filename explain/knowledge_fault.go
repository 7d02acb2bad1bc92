package explain

import "strings"

// Checks shared by the fault_injected variants: how an operator would track
// the real device down, and how to switch the injected one off.
const (
	checkFaultOff = "This one was broken on purpose: `tlsgate fault ls{admin_opt}` shows rule {fault_rule} and its fire count; `tlsgate fault disable{admin_opt} {fault_rule}` (or `tlsgate fault rm{admin_opt} {fault_rule}`) stops it for new connections."
	checkCapture  = "Capture on both sides of the suspected device at the same time (`tcpdump -ni any -w side.pcap host {client_ip} and port {vport}`, once next to the client and once next to the server): a packet the server never sent, or a ClientHello the server never received, was made or eaten by the device in between."
	checkRSTTTL   = "In the client-side capture, compare the RST's IP TTL (and IP ID) with the server's own packets: an injected RST usually arrives with a different TTL because it comes from fewer hops away."
	checkSNI      = "Compare with and without SNI: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null` against `openssl s_client -connect {virtual} -noservername </dev/null`, and another name with `curl -v --cacert {lab_ca} --resolve other.example:{vport}:{virtual_host} https://other.example:{vport}/`; only the named one failing means a device filters on SNI."
	// checkSNIHang is checkSNI where the hello goes unanswered: each
	// command is bounded, so the operator sees the hang end in seconds
	// instead of a prompt that never comes back.
	checkSNIHang = "Compare with and without SNI, each bounded because an unanswered hello waits forever: `timeout 10 openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null` against `timeout 10 openssl s_client -connect {virtual} -noservername </dev/null` (exit status 124: no answer in 10 s), and another name with `curl -v --max-time 10 --cacert {lab_ca} --resolve other.example:{vport}:{virtual_host} https://other.example:{vport}/`; only the named one failing means a device filters on SNI."
	checkSteps   = "Probe from the client's side, step by step: `tlsgate probe {virtual} --sni {sni_or_host}` walks TCP connect, the answer to the ClientHello, versions, ciphers, SNI, the chain, a large hello and a stalled flight, and names the first step that fails. By hand: `nc -vz {virtual_host} {vport}`, then a hello without SNI, with SNI, and a small one (curl with `--curves X25519`)."
	checkStacks  = "Try other TLS stacks against the same name (curl, a Go client, Python): a failure for only some stacks points at a JA3/JA4 fingerprint block."
	// checkCapturePlain is checkCapture for a plaintext connection: no
	// ClientHello to lose.
	checkCapturePlain = "Capture on both sides of the suspected device at the same time (`tcpdump -ni any -w side.pcap host {client_ip} and port {vport}`, once next to the client and once next to the server): a packet the server never sent, or a request the server never received, was made or eaten by the device in between."
	// checkCurlPlain is checkCurlV for a client that speaks plain HTTP.
	checkCurlPlain = "Run `curl -v http://{virtual_host}:{vport}/`: the last lines before the error show how far it got (connected, request sent, nothing back)."
	// checkCaptureAny and checkCurlAny are checkCapture and checkCurlV
	// for an auto listener's client, which may speak either.
	checkCaptureAny = "Capture on both sides of the suspected device at the same time (`tcpdump -ni any -w side.pcap host {client_ip} and port {vport}`, once next to the client and once next to the server): a packet the server never sent, or a ClientHello or request the server never received, was made or eaten by the device in between."
	checkCurlAny    = "Repeat it with the scheme the client uses: `curl -v --cacert {lab_ca} {curl_target}` for TLS, `curl -v http://{virtual_host}:{vport}/` for plain HTTP; the last lines before the error show how far it got."
	checkCurlV      = "Run `curl -v --cacert {lab_ca} {curl_target}`: the last line before the error shows how far the handshake got."
	checkMsg        = "Watch the handshake record by record: `openssl s_client -connect {virtual} -servername {sni_or_host} -msg </dev/null` prints each message and alert with its direction."
)

// Client-symptom texts of the fault_injected variants (client-symptoms.md
// §2, §3 rows 1–4, §5, §6), used when the listener recorded no firing
// symptom.
const (
	sawFaultResetAccept      = "connection reset before the client sent anything: across a network curl `curl: (35) Recv failure: Connection reset by peer` and Go `read: connection reset by peer`; where the RST beats the client's connect() or ClientHello (loopback, a LAN) curl `curl: (7) Failed to connect to … Couldn't connect to server` or `curl: (35) Send failure: Connection reset by peer`, Go `dial … connect: connection reset by peer` or `write: connection reset by peer`; openssl s_client `write:errno=104`, Python `ConnectionResetError: [Errno 104] Connection reset by peer`, Chrome ERR_CONNECTION_RESET."
	sawFaultResetHS          = "connection reset during the handshake: curl `curl: (35) Recv failure: Connection reset by peer`, openssl s_client `write:errno=104`, Go `read: connection reset by peer`, Python `ConnectionResetError: [Errno 104] Connection reset by peer`, Chrome ERR_CONNECTION_RESET."
	sawFaultResetData        = "connection reset after the handshake: curl `curl: (56) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET."
	sawFaultEOFHS            = "connection closed (EOF) during the handshake: curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`, openssl s_client `unexpected eof while reading`, Go `EOF`, Python `SSLEOFError: … EOF occurred in violation of protocol`, Chrome ERR_CONNECTION_CLOSED."
	sawFaultResetPlain       = "connection reset: curl `curl: (56) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET."
	sawFaultTimeoutPlain     = "no answer: curl `curl: (28) Operation timed out after … milliseconds with 0 bytes received`, Go `context deadline exceeded` or `i/o timeout`, Chrome ERR_TIMED_OUT."
	sawFaultResetAcceptPlain = "connection reset before any response: curl `curl: (56) Recv failure: Connection reset by peer`, or `curl: (7) Failed to connect to … Couldn't connect to server` when the reset beats curl's connect; Go `connection reset by peer`; Chrome ERR_CONNECTION_RESET."
	sawFaultEOFAcceptPlain   = "connection closed before any response: curl `curl: (52) Empty reply from server`, or `curl: (56) Recv failure: Connection reset by peer` when the request reaches the socket already closed; Go `EOF`; Chrome ERR_EMPTY_RESPONSE."
	sawFaultEOFData          = "connection closed before any response: curl `curl: (52) Empty reply from server`, Go `EOF` (net/http retries an idempotent request once, then reports it), Chrome ERR_EMPTY_RESPONSE."
	sawFaultPlain            = "wrong version number: curl `curl: (35) … error:0A00010B:SSL routines::wrong version number`, Go `tls: first record does not look like a TLS handshake` (net/http `http: server gave HTTP response to HTTPS client`), Python `[SSL: WRONG_VERSION_NUMBER] wrong version number`, Firefox SSL_ERROR_RX_RECORD_TOO_LONG, Chrome ERR_SSL_PROTOCOL_ERROR."
	sawFaultSSL3             = "curl `curl: (35) … error:0A000102:SSL routines::unsupported protocol`, Go `tls: server selected unsupported protocol version 300`, Java `The server selected protocol version SSL30 is not accepted by client preferences [TLS13, TLS12]`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH."
	sawFaultUnoffered        = "curl `curl: (35) … error:0A0000F8:SSL routines::unknown cipher returned`, Go `tls: server chose an unconfigured cipher suite`, Java `Server selected improper ciphersuite …`, Chrome ERR_SSL_PROTOCOL_ERROR."
	sawFaultLarge            = "Only clients whose ClientHello spans more than one segment fail (post-quantum key shares: Go 1.24 and later, Chrome 124 and later): a reset (`curl: (35) Recv failure: Connection reset by peer`, Chrome ERR_CONNECTION_RESET) or a timeout, while clients with a small hello connect."
	sawFaultIntolerance      = "Only clients that offer a version above what the device tolerates fail (TLS 1.3, which curl, openssl, Go and browsers offer by default, against a TLS 1.2 device): a reset (`curl: (35) Recv failure: Connection reset by peer`, openssl s_client `write:errno=104`, Go `read: connection reset by peer`, Chrome ERR_CONNECTION_RESET) or an EOF (`curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`, openssl s_client `unexpected eof while reading`, Go `EOF`, Chrome ERR_CONNECTION_CLOSED); the same client capped at the tolerated version (`curl --tls-max 1.2`, `openssl s_client -tls1_2`) connects."
	sawFaultClearAlert       = "a record-layer error, not the alert: Go `local error: tls: bad record MAC`; curl `curl: (56) OpenSSL SSL_read: … bad record type` under TLS 1.3 (`… invalid aad` under TLS 1.2 with AES-GCM); openssl s_client the same error on read. The handshake itself succeeded."
	sawAlert40               = "tlsgate answers with alert 40 handshake_failure: curl prints `curl: (35) … sslv3 alert handshake failure`, Go `remote error: tls: handshake failure`, Java `Received fatal alert: handshake_failure`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH."
)

// faultKnowledge covers connections a fault rule ended on purpose. Each
// variant says first what a real network would have shown and which real
// device does this, then (in the code's tail) that this time it was
// injected. The checks are how an operator would find the real device.
// BIG-IP lines: none, because BIG-IP did not fail, a device in the path
// did; only a version or cipher policy refusal imitates a BIG-IP refusal
// and carries its verified group.
func faultKnowledge() map[string]entry {
	m := map[string]entry{
		CodeFaultInjected: {
			summary:   "injected by rule {fault_rule}: {fault_what} {fault_stage}",
			cause:     "On a real network this looks like a device in the path (a firewall, an IPS, a WAF or a load balancer) ending the connection {fault_stage}.",
			tail:      " Here it was injected by rule {fault_rule} ({fault_action} at {fault_stage_name}{fault_draw}): nothing in the path failed, tlsgate did this on purpose.{fault_bigip}{fault_reply}{fault_others}",
			checks:    []string{checkCapture, checkSteps, checkCurlV, checkFaultOff},
			clientSaw: "Whatever a client prints when a device in the path ends the connection {fault_stage}: a reset, an EOF, a timeout or an alert.",
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja4", "fault_alert_sent", "client_reply", "client_error"},
		},

		CodeFaultInjected + "/reset_accept": {
			cause: "On a real network a reset right after the TCP handshake, before the client sent a byte, comes from a firewall that rejects with a TCP RST after the connection was accepted (iptables `REJECT --reject-with tcp-reset` behind a proxy), a load balancer or proxy over its connection or rate limit, or an L4 proxy whose backend is down. The TCP handshake worked, so across a network the client sees a reset, not `connection refused`; but when the RST beats the client's connect() or its ClientHello (loopback, a LAN), curl reports a failed connect in the words of a closed port, `curl: (7) Failed to connect … Couldn't connect to server`, and Go `dial … connect: connection reset by peer`.",
			checks: []string{checkCapture, checkRSTTTL,
				"Check connection limits, rate limits and per-client policies on the firewalls and load balancers in front of {virtual} for {client_ip}.",
				checkFaultOff},
			clientSaw: sawFaultResetAccept,
		},
		CodeFaultInjected + "/reset_client_hello": {
			cause:     "On a real network a RST right after the ClientHello is the signature of an SNI or fingerprint block: a WAF, an IPS, a next-generation firewall or an ISP filter reads the server_name (SNI {sni}) or the JA3/JA4 in the first packet and tears the connection down with a RST, often towards both ends. The server never sees the hello.",
			checks:    []string{checkCapture, checkRSTTTL, checkSNI, checkStacks, checkFaultOff},
			clientSaw: sawFaultResetHS,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja3", "ja4", "hello_size", "client_error"},
		},
		CodeFaultInjected + "/reset_handshake_done": {
			cause: "On a real network a reset right after a completed handshake comes from a device that decided after seeing more: a TLS-inspecting firewall or IPS that checked the certificate or the first request, a load balancer whose pool has no member left, or a server process that aborted the connection.",
			checks: []string{checkCapture, checkRSTTTL,
				"Send a request and watch where it stops: curl prints `curl: (56) Recv failure: Connection reset by peer` once the reset arrives; with -v its output shows the completed handshake before that.",
				"Check the inspection and pool status of the devices in front of {virtual}.",
				checkFaultOff},
			clientSaw: sawFaultResetData,
		},

		// Plaintext: no handshake came first, so the device read the
		// request (or the response) in the clear.
		CodeFaultInjected + "/reset_plain": {
			cause: "On a real network, when a plaintext connection is reset {fault_stage}, the reset comes from a device that decided on what it read in the clear: a WAF or IPS matching the request (its URL, headers or body) or the response, a proxy or load balancer whose pool has no member left, or a server process that aborted the connection.",
			checks: []string{checkCapturePlain, checkRSTTTL,
				"Send the request and watch where it stops: `curl -v http://{virtual_host}:{vport}/` prints the request it sent (-v output), then `curl: (56) Recv failure: Connection reset by peer` once the reset arrives.",
				"Check the WAF or IPS policy and the pool status of the devices in front of {virtual}.",
				checkFaultOff},
			clientSaw: sawFaultResetPlain,
		},
		CodeFaultInjected + "/close_plain": {
			cause: "On a real network, when a plaintext connection is closed {fault_stage}, the close comes from a proxy or load balancer that could not reach its pool, a WAF that drops requests with a FIN, or a server that closes at once.",
			checks: []string{checkCapturePlain,
				"Check the pool members and the logs of the proxy or load balancer in front of {virtual}.",
				"Send the request and watch where it stops: `curl -v http://{virtual_host}:{vport}/` prints the request it sent (-v output), then `curl: (52) Empty reply from server` when the close arrives first.",
				checkFaultOff},
			clientSaw: sawFaultEOFData,
		},
		CodeFaultInjected + "/blackhole_plain": {
			cause: "On a real network a plaintext exchange that goes silent {fault_stage} comes from a stateful firewall or IPS that drops the flow once it has read the request, NAT state lost in between, or a path that loses the larger packets (a PMTUD black hole).",
			checks: []string{checkCapturePlain,
				"Test the path MTU: `ping -M do -s 1472 {virtual_host}`; if it fails and smaller sizes pass, clamp the MSS or fix the tunnel MTU.",
				"Time it: `curl -v --max-time 10 http://{virtual_host}:{vport}/` prints the request, then waits for an answer that never comes.",
				checkFaultOff},
			clientSaw: sawFaultTimeoutPlain,
		},

		CodeFaultInjected + "/close_accept": {
			cause: "On a real network an accept-then-close before any byte comes from an L4 proxy or load balancer that accepted the connection but could not reach its backend (the `curl: (52) Empty reply from server` of Toxiproxy issue 265), a server at its connection limit, or a policy that closes instead of resetting.",
			checks: []string{checkCapture,
				"Check the backend health and connection limits of the proxy or load balancer in front of {virtual}.",
				checkCurlV, checkFaultOff},
			clientSaw: sawFaultEOFHS,
		},
		CodeFaultInjected + "/close_client_hello": {
			cause:     "On a real network a FIN right after the ClientHello comes from a server or load balancer that closes on a name it does not serve (SNI {sni}), a middlebox intolerant of something in the hello (TLS 1.3, an unknown extension, its size), or a TLS proxy whose upstream connect failed.",
			checks:    []string{checkCapture, checkSNI, checkSteps, checkFaultOff},
			clientSaw: sawFaultEOFHS,
		},
		CodeFaultInjected + "/close_handshake_done": {
			cause: "On a real network a close right after a completed handshake comes from a TLS-terminating proxy or load balancer that then cannot reach its pool, an authorization check after the handshake, or a server that closes idle connections at once.",
			checks: []string{checkCapture,
				"Check the pool members and the logs of the proxy or load balancer terminating TLS for {sni_or_host}.",
				checkCurlV, checkFaultOff},
			clientSaw: sawFaultEOFData,
		},

		CodeFaultInjected + "/blackhole_accept": {
			cause: "On a real network packets that vanish after a completed TCP handshake come from a stateful firewall that passed the SYN but drops the data (asymmetric routing, state lost after a failover), an IPS in drop mode, or a route that loses the larger packets.",
			checks: []string{checkCapture,
				"Check the routing both ways between {client_ip} and {virtual_host}: replies that take another path than requests break stateful firewalls.",
				"Test the path MTU: `ping -M do -s 1472 {virtual_host}` should pass.",
				checkFaultOff},
			clientSaw: sawTimeout,
		},
		CodeFaultInjected + "/blackhole_client_hello": {
			cause:     "On a real network a ClientHello that is never answered comes from an IPS or DPI device that drops it silently (the Great Firewall drops and then blocks the 3-tuple for minutes), a firewall policy that matches the SNI ({sni}) with a drop action instead of a reset, or a large-ClientHello or MTU problem on the way to the server.",
			checks:    []string{checkCapture, checkSNIHang, checkSteps, checkStacks, checkFaultOff},
			clientSaw: sawTimeout,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "ja3", "ja4", "hello_size", "client_error"},
		},
		CodeFaultInjected + "/blackhole_handshake_done": {
			cause: "On a real network data that stops flowing right after a completed handshake comes from a DLP or IPS device inspecting the decrypted stream that drops it, a PMTUD black hole that eats the first full-size packets, or NAT state lost in between.",
			checks: []string{checkCapture,
				"Test the path MTU: `ping -M do -s 1472 {virtual_host}`; if it fails and smaller sizes pass, clamp the MSS or fix the tunnel MTU.",
				checkCurlV, checkFaultOff},
			clientSaw: sawTimeout,
		},

		CodeFaultInjected + "/alert": {
			cause:     "On a real network a fatal alert {fault_stage} comes from a load balancer, WAF or policy engine that refuses with TLS instead of a reset: policy engines send 40 handshake_failure or 49 access_denied, strict-SNI servers 112 unrecognized_name. The alert was {fault_alert_sent}. Chrome shows alerts 42–46, 48, 49 and 116 from a server as ERR_BAD_SSL_CLIENT_AUTH_CERT, which blames the client certificate even when a WAF sent them.",
			checks:    []string{checkMsg, checkCapture, checkSNI, checkStacks, checkFaultOff},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/alert_in_clear": {
			cause: "On a real network an alert that arrives in the clear {fault_stage}, inside a session that is already encrypted, was written by a device in the path that is not the TLS endpoint: a firewall, IPS or inspection device tearing the session down on a verdict (on the first request, the response, or policy), or a load balancer that lost the connection. It holds no session keys, so it cannot encrypt the alert; the client takes the clear record for a forged one and reports a record-layer error instead of the alert. This time it sent {fault_alert_sent}.",
			checks: []string{checkCapture,
				"In the client-side capture, look for a TLS alert record with a 2-byte body after the handshake: `tshark -r side.pcap -Y 'tls.record.content_type == 21 && tls.record.length == 2'`. A real endpoint's alerts after the handshake are encrypted and longer; a clear one was written by a device in between, and its IP TTL usually differs from the server's packets.",
				checkCurlV, checkFaultOff},
			clientSaw: sawFaultClearAlert,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "fault_alert_sent", "client_error"},
		},
		CodeFaultInjected + "/alert_idle": {
			cause: "On a real network an alert in the clear after a quiet spell comes from a load balancer, proxy or firewall in the path whose idle timer closed a keep-alive connection (BIG-IP's TCP profile defaults to 300 s, cloud load balancers often to 60 s) and that tears it down with an alert of its own, outside the session: it holds no keys for it, so the client cannot read the alert and reports a record-layer error on its next read, typically when it reuses a pooled connection. This time it sent {fault_alert_sent}.",
			checks: []string{
				"Compare how long the failing connection sat idle with the idle timeouts of every device in the path; keep the client's own idle limit below the shortest one (Go `http.Transport.IdleConnTimeout`, a connection pool's max idle time), or send keep-alives more often.",
				"In the client-side capture, the alert is a clear TLS record with a 2-byte body after a gap with no packets either way: `tshark -r side.pcap -Y 'tls.record.content_type == 21 && tls.record.length == 2'`.",
				checkCapture, checkFaultOff},
			clientSaw: sawFaultClearAlert,
			evidence:  []string{"sni", "versions_offered", "alpn_offered", "fault_alert_sent", "client_error"},
		},
		CodeFaultInjected + "/sni_policy": {
			cause: "On a real network this is a strict SNI policy: a server or load balancer (BIG-IP with sni-require, nginx with ssl_reject_handshake, a CDN edge) that does not serve the name in the ClientHello (SNI {sni}), or got none, answers with {fault_alert_sent} instead of a default certificate. Clients send no SNI when they connect to an IP literal (https://{virtual_host}/).",
			checks: []string{checkSNI,
				"Connect by the name the server expects, not by IP: `curl --resolve name:{vport}:{virtual_host} https://name:{vport}/`.",
				checkMsg, checkFaultOff},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/alpn_refuse": {
			cause: "On a real network this is an ALPN refusal: a server or proxy that supports none of the protocols the client offered ({alpn_list}) answers with {fault_alert_sent}, e.g. an h2-only gRPC endpoint reached by an HTTP/1.1-only client, or a proxy that refuses h2.",
			checks: []string{
				"Try each protocol alone: `curl -v --http1.1 …` and `curl -v --http2 …`, or `openssl s_client -connect {virtual} -alpn h2 </dev/null` and `-alpn http/1.1`.",
				checkMsg, checkFaultOff},
			clientSaw: "{fault_alert_saw}",
		},
		CodeFaultInjected + "/plaintext_reply": {
			cause: "On a real network a plain HTTP answer where a ServerHello belongs comes from a captive portal (hotel or airport Wi-Fi answering every port-443 connection with its login page), an explicit proxy's error page, or a listener routed to a plaintext port. The client reads `HTTP/1.1 …` as a TLS record header and reports a wrong version number.",
			checks: []string{
				"Read the page itself: `curl -v http://{virtual_host}:{vport}/` shows the portal or error page in clear text.",
				"Check for a captive portal or a proxy on the client's network (a browser shows the login page, and a plain-HTTP site such as neverssl.com is redirected to it).",
				checkCapture, checkFaultOff},
			clientSaw: sawFaultPlain,
		},
		CodeFaultInjected + "/ssl3_server_hello": {
			cause: "On a real network an SSLv3 ServerHello comes from a legacy server or appliance that speaks nothing newer (old embedded devices, printers, management controllers, ancient load balancers). Every modern client refuses SSLv3 (POODLE) and answers with alert 70 protocol_version.",
			checks: []string{checkMsg,
				"List what the server speaks: `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`.",
				"Upgrade the device's firmware, or put a TLS terminator in front of it.",
				checkFaultOff},
			clientSaw: sawFaultSSL3,
		},
		CodeFaultInjected + "/unoffered_cipher": {
			cause: "On a real network a ServerHello with a cipher suite the client never offered comes from a buggy or misconfigured TLS stack forcing one suite regardless of the hello (RC4-MD5, an export suite), or a middlebox rewriting the ServerHello. The client aborts: OpenSSL and Java with alert 47 illegal_parameter, Go with 40 handshake_failure.",
			checks: []string{checkMsg,
				"Compare the suite in the ServerHello with the client's offer (ciphers offered, below).",
				"Check for a device that rewrites the handshake: capture on both sides and compare the ServerHello bytes.",
				checkFaultOff},
			clientSaw: sawFaultUnoffered,
			evidence:  []string{"sni", "ciphers_offered", "versions_offered", "ja4", "client_reply", "client_error"},
		},
		// Byte wrappers that cut or stalled the stream: the listener records
		// one as the stop once it did.
		CodeFaultInjected + "/truncate": {
			cause: "On a real network a stream cut short {fault_stage} comes from a device that ends a flow part-way: a proxy or IPS stopping a transfer on a verdict (DLP, a file-size or content rule), a load balancer failing over mid-response, or a server that died while writing. The client got {down_reached}, then {fault_then}.",
			checks: []string{checkCapture,
				"See where it stops: `curl -v -o /dev/null --cacert {lab_ca} {curl_target}…` shows the `< Content-Length:` header in its -v output, and curl's closing error how many bytes were missing (over plain HTTP `curl: (18) transfer closed with N bytes remaining to read`); a cut at the same offset every time points at a byte budget or a size rule, one that varies at a verdict or a failover.",
				checkFaultOff},
			clientSaw: "curl `curl: (18) transfer closed with N bytes remaining to read` for a body cut short (`(52) Empty reply from server` when nothing of the response came, `(28)` when the stream is held rather than closed); Go `unexpected EOF`; Chrome ERR_CONTENT_LENGTH_MISMATCH.",
		},
		CodeFaultInjected + "/limit_data": {
			cause: "On a real network a connection closed after a fixed number of bytes {fault_stage} comes from a proxy or middlebox with a byte budget: a quota or DLP device, a proxy's response-size limit, a captive portal's free allowance. The client got {down_reached}, then the connection closed both ways.",
			checks: []string{checkCapture,
				"Fetch something larger and something smaller than the cut (`curl -v -o /dev/null …/small` and `…/large`): small ones working and every large one ending at the same byte count is a budget.",
				checkFaultOff},
			clientSaw: "curl `curl: (18) transfer closed with N bytes remaining to read` (`(52) Empty reply from server` when the budget ran out before the response); Go `unexpected EOF`; Chrome ERR_CONTENT_LENGTH_MISMATCH.",
		},
		CodeFaultInjected + "/timeout": {
			cause: "On a real network traffic that vanishes {fault_stage}, with the connection closed later or never, comes from a device that holds a flow and gives up: a proxy whose upstream timed out, an IPS holding a flow for inspection, a load balancer's response timer. The client got {down_reached}.",
			checks: []string{checkCapture,
				"Time it: a close after the same quiet interval every time (`time curl …`) is a device's timer; compare it with the proxy and load balancer timeouts in the path.",
				checkFaultOff},
			clientSaw: "A wait, then: curl `curl: (52) Empty reply from server` when the connection closed before any response (`(28) Operation timed out` when the client's own timeout came first); Go `EOF` or its deadline's `i/o timeout`; Chrome ERR_EMPTY_RESPONSE or ERR_TIMED_OUT.",
		},
		CodeFaultInjected + "/idle_timeout": {
			cause: "On a real network a connection that fails on its first packet after a quiet spell comes from a NAT or stateful firewall whose idle timer expired the connection's state (cloud NAT gateways after a few minutes, BIG-IP's TCP profile after 300 s): the next packet finds no state, and the client got {fault_then}. Clients that reuse pooled keep-alive connections meet it first.",
			checks: []string{
				"Compare how long the connection sat idle with the idle timeouts of every NAT, firewall and load balancer in the path; keep the client's own idle limit below the shortest (Go `http.Transport.IdleConnTimeout`), or enable TCP keepalives shorter than it.",
				checkCapture, checkFaultOff},
			clientSaw: "On the first request after the quiet spell: curl `curl: (56) Recv failure: Connection reset by peer` (or `(52) Empty reply from server` when it is closed); Go `connection reset by peer`, or `EOF` on a reused pooled connection.",
		},
		CodeFaultInjected + "/mtu": {
			cause: "On a real network this is a PMTUD black hole: a tunnel (VPN, GRE, IPsec, PPPoE) with an MTU below 1500 while ICMP type 3 code 4 (fragmentation needed) is filtered, so full-size segments vanish while small ones pass. The client got {down_reached}, then nothing: it waits until its own timeout.",
			checks: []string{
				"Test the path MTU from the client: `ping -M do -s 1472 {virtual_host}` should pass; if only smaller sizes do, clamp the TCP MSS on the tunnel (or in the BIG-IP tcp profile) or let ICMP type 3 code 4 through.",
				"Other signs: small responses work while large ones hang; long RSA chains fail where short ECDSA chains pass.",
				checkFaultOff},
			clientSaw: sawTimeout,
		},
		CodeFaultInjected + "/mtu_data": {ownSaw: true,
			cause: "On a real network this is a PMTUD black hole: a tunnel (VPN, GRE, IPsec, PPPoE) with an MTU below 1500 while ICMP type 3 code 4 (fragmentation needed) is filtered, so full-size segments vanish while small ones pass. Here the TLS handshake fit in small packets and completed; the first full-size segment after it vanished, so of the response the client got only {down_reached} (what reached it whole; tlsgate sent more), then nothing, until its own timeout.",
			checks: []string{
				"Test the path MTU from the client: `ping -M do -s 1472 {virtual_host}` should pass; if only smaller sizes do, clamp the TCP MSS on the tunnel (or in the BIG-IP tcp profile) or let ICMP type 3 code 4 through.",
				"Fetch a small and a large object (`curl -v -o /dev/null …/small` and `…/large`): the small one works and the large one hangs, after the response headers (the `< HTTP/1.1 200 OK` lines of the -v output) or before them.",
				checkFaultOff},
			clientSaw: "The handshake completes, then the response stalls: curl `curl: (28) Operation timed out after … milliseconds with N out of M bytes received` (`with 0 bytes received` when not even the headers fit), and with -v curl shows the whole handshake and the request first; Go `context deadline exceeded` or `i/o timeout` while awaiting headers or reading the body; Chrome ERR_TIMED_OUT.",
		},

		CodeFaultInjected + "/mtu_plain": {ownSaw: true,
			cause: "On a real network this is a PMTUD black hole: a tunnel (VPN, GRE, IPsec, PPPoE) with an MTU below 1500 while ICMP type 3 code 4 (fragmentation needed) is filtered, so full-size segments vanish while small ones pass. Here the plaintext request fit in small packets; the first full-size segment after it vanished, so of the response the client got only {down_reached} (what reached it whole; tlsgate sent more), then nothing, until its own timeout.",
			checks: []string{
				"Test the path MTU from the client: `ping -M do -s 1472 {virtual_host}` should pass; if only smaller sizes do, clamp the TCP MSS on the tunnel (or in the BIG-IP tcp profile) or let ICMP type 3 code 4 through.",
				"Fetch a small and a large object (`curl -v -o /dev/null http://{virtual_host}:{vport}/small` and `…/large`): the small one works and the large one hangs, after the response headers (the `< HTTP/1.1 200 OK` lines of the -v output) or before them.",
				checkFaultOff},
			clientSaw: "The request goes out, then the response stalls: curl `curl: (28) Operation timed out after … milliseconds with N out of M bytes received` (`with 0 bytes received` when not even the headers fit); Go `context deadline exceeded` or `i/o timeout` while awaiting headers or reading the body; Chrome ERR_TIMED_OUT.",
		},

		CodeFaultInjected + "/large_hello": {
			cause: "On a real network this is large-ClientHello intolerance: a firewall or IPS that parses only the first segment of the hello. A post-quantum ClientHello (an X25519MLKEM768 key share makes it about 1.6 KB) spans two TCP segments, so the device loses the SNI and resets or drops the connection; only new clients (Go 1.24 and later, Chrome 124 and later) fail, older ones work. This hello was {hello_size}.",
			checks: []string{
				"Retry with a small hello: `curl --curves X25519 …`, or a Go client with CurvePreferences = X25519; if that works, the size of the hello is the trigger.",
				"In a capture, the ClientHello spans two segments and the reset or silence follows the first one.",
				"Upgrade the middlebox, or turn off its TLS inspection for this traffic.",
				checkFaultOff},
			clientSaw: sawFaultLarge,
			evidence:  []string{"sni", "hello_size", "versions_offered", "ja4", "client_error"},
		},

		CodeFaultInjected + "/version_intolerance": {
			cause: "On a real network this is TLS version intolerance: a firewall, IPS, load balancer or old server TLS stack that chokes on a ClientHello offering a version newer than it knows, here anything above {fault_tolerated} (the client offered {fault_refused_versions}), and closes or resets the connection without an alert instead of answering with the highest version it has, as the standard asks. Old devices did this to TLS 1.1 and 1.2; it is why TLS 1.3 keeps the hello's legacy_version at 1.2 and announces itself only in the supported_versions extension, and a device that reads that extension and still chokes breaks only the clients that offer 1.3. The client got {fault_closed}, with no ServerHello and no alert.",
			checks: []string{
				"Retry capped at {fault_tolerated}: `curl -v --tls-max {fault_tls_max} --cacert {lab_ca} {curl_target}` and `openssl s_client -connect {virtual} -servername {sni_or_host} {fault_openssl_tls} </dev/null`; if the capped client connects while the default one fails, the version it offers is the trigger.{fault_old_cap}",
				"In a capture, the ClientHello (offering {fault_refused_versions}, in supported_versions or, from a client without that extension, as its legacy_version) is answered by a FIN or RST, with no ServerHello and no alert: a server that only lacked the version would answer with its own highest one, or with alert 70 protocol_version.",
				"Update the device's firmware or turn off its TLS inspection for this traffic; capping clients at {fault_tolerated} is only a stopgap.",
				checkFaultOff},
			clientSaw: sawFaultIntolerance,
			evidence:  []string{"sni", "versions_offered", "ja4", "client_error"},
		},

		CodeFaultInjected + "/tls_policy": {
			cause: "On a real network a server or load balancer profile that refuses the client's offer answers with {fault_alert_sent} right after the ClientHello.",
			checks: []string{checkMsg,
				"Compare the client's offered versions and suites (below) with what the server accepts: `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`.",
				checkFaultOff},
			clientSaw: "{fault_alert_saw}",
			evidence:  evHello(),
		},
		CodeFaultInjected + "/tls_policy_version": {group: groupVersion,
			cause: "On a real network this is a server or load balancer whose profile accepts none of the versions the client offers ({offered_versions}), e.g. a hardened profile without TLS 1.2 or a legacy one without TLS 1.3; it answers with alert 70 protocol_version, and a BIG-IP logs it as `unsupported version` (the lines above).",
			checks: []string{
				"Check what the server accepts: `openssl s_client -connect {virtual} -tls1_2 </dev/null` and `-tls1_3`, or `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`.",
				"Align the client's versions with the server's profile (BIG-IP: the no-tlsv1… options of the client-ssl profile).",
				checkFaultOff},
			clientSaw: sawAlert70,
		},
		// A cipher rule of TLS 1.2 suites refused a client above TLS 1.2
		// on passthrough: the suites capped the version, and the rule is
		// what to change.
		CodeFaultInjected + "/tls_policy_cipher_cap": {group: groupVersion,
			cause: "On a real network this is a server or load balancer restricted to TLS 1.2 cipher suites (FIPS-only or hardened) with TLS 1.3 off, facing a client that offers only {offered_versions}; it answers with alert 70 protocol_version, and a BIG-IP logs it as `unsupported version` (the lines above). Here fault rule {ceiling_cipher_rule} allows only TLS 1.2 suites ({ceiling_ciphers}), which caps the version at TLS 1.2 as a side effect: crypto/tls cannot restrict TLS 1.3 suites.",
			checks: []string{
				"Change fault rule {ceiling_cipher_rule}: its ciphers ({ceiling_ciphers}) keep TLS 1.3 off, and no max_version lifts that. Take the ciphers out of it, narrow it to clients that offer nothing above TLS 1.2 (its max_offered_version selector at \"1.2\"), or let the client offer TLS 1.2.",
				checkFaultOff},
			clientSaw: sawAlert70,
		},
		// A group refusal gets the no shared ciphers group too: bigip-log.md
		// records no message of its own for a group mismatch, and BIG-IP
		// likely picks the group while it selects the suite (inferred, hence
		// the hedged text).
		CodeFaultInjected + "/tls_policy_group": {group: groupCiphers,
			cause: "On a real network this is a server or load balancer that allows only some key exchange groups ({groups_ours}; a FIPS-only or hardened profile limited to NIST curves, or one that insists on a post-quantum hybrid) facing a client that offers none of them ({groups_offered}). Versions and suites would do; it answers with alert 40 handshake_failure, and a BIG-IP most likely logs it as `no shared ciphers` (the lines above), since it appears to pick the group while it selects the suite.",
			checks: []string{
				"Test one group at a time: `openssl s_client -connect {virtual}{servername_opt} -groups X25519 </dev/null`, then `-groups P-256`: the ones that complete are the server's.",
				"Allow a group the client offers on the server (BIG-IP: the curves of the client-ssl profile's cipher group or string), or make the client offer one of {groups_ours} (`curl --curves P-384`).",
				checkFaultOff},
			clientSaw: sawAlert40,
			evidence:  []string{"groups_offered", "groups_ours", "versions_offered", "sni", "ja4", "fault_alert_sent", "client_reply"},
		},
		CodeFaultInjected + "/tls_policy_cipher": {group: groupCiphers,
			cause: "On a real network this is a server or load balancer with a restricted cipher list (FIPS-only, hardened, or legacy) that shares no suite with the {offered_suites} the client offered; it answers with alert 40 handshake_failure, and a BIG-IP logs it as `no shared ciphers` (the lines above).",
			checks: []string{
				"Test one suite at a time: `openssl s_client -connect {virtual} -cipher <name> </dev/null`, or list them with `nmap --script ssl-enum-ciphers -p {vport} {virtual_host}`.",
				"Enable a suite the client offers on the server (BIG-IP: the client-ssl `ciphers` string), or update the client.",
				checkFaultOff},
			clientSaw: sawAlert40,
			evidence:  []string{"ciphers_offered", "versions_offered", "sni", "ja4", "fault_alert_sent", "client_reply"},
		},
	}
	// A stop at accept on a plaintext listener: the same devices, but the
	// client speaks plain HTTP, so the capture looks for a request and the
	// client shows what an HTTP client prints, not a handshake's error.
	swap := map[string]string{checkCapture: checkCapturePlain, checkCurlV: checkCurlPlain}
	for stop, saw := range map[string]string{"reset": sawFaultResetAcceptPlain, "close": sawFaultEOFAcceptPlain, "blackhole": sawFaultTimeoutPlain} {
		k := CodeFaultInjected + "/" + stop + "_accept"
		m[k+"_plain"] = forPlainClient(m[k], saw, swap)
	}
	// A stop at accept on an auto listener: nothing was read, and its
	// clients speak TLS or plain HTTP, so the texts name both, and the
	// entry's client hint beats the firing's single one.
	swapAny := map[string]string{checkCapture: checkCaptureAny, checkCurlV: checkCurlAny}
	for stop, saw := range map[string][2]string{
		"reset":     {sawFaultResetAccept, sawFaultResetAcceptPlain},
		"close":     {sawFaultEOFHS, sawFaultEOFAcceptPlain},
		"blackhole": {sawTimeout, sawFaultTimeoutPlain},
	} {
		k := CodeFaultInjected + "/" + stop + "_accept"
		e := forPlainClient(m[k], "An auto listener takes TLS and plain HTTP, and this stop came before the client sent a byte, so which one it spoke is unknown. A TLS client (https://): "+saw[0]+" A plain HTTP client (http://): "+saw[1], swapAny)
		e.cause, e.ownSaw = strings.Replace(e.cause, "its ClientHello", "its first bytes", 1), true
		m[k+"_any"] = e
	}
	return m
}

// forPlainClient is e for a client that speaks plain HTTP: its checks with
// swap's plain ones in place of those about a handshake, and saw as what
// the client printed.
func forPlainClient(e entry, saw string, swap map[string]string) entry {
	checks := make([]string, len(e.checks))
	for i, c := range e.checks {
		if p, ok := swap[c]; ok {
			c = p
		}
		checks[i] = c
	}
	e.checks, e.clientSaw = checks, saw
	return e
}
