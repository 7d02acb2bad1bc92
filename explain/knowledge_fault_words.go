package explain

// Words of the fault explanations that are not a whole knowledge entry:
// what a stop did, where, what a real network would have shown for a
// wrapper fault, and the sentences that attach an injected fault to any
// diagnosis. Templates, like the entries.

// Keys of faultSentences.
const (
	sentSummary   = "summary"    // appended to a summary, one per firing
	sentCause     = "cause"      // appended to a cause, one per firing
	sentReply     = "reply"      // the client answered a stop with an alert
	sentOthers    = "others"     // other firings next to a stop
	sentNoBigIP   = "no_bigip"   // a stop BIG-IP would not log
	sentEvidence  = "evidence"   // one evidence line per firing
	sentFiring    = "firing"     // one firing, inside sentSummary and sentOthers
	sentRealOther = "real_other" // an action with no entry in faultReal
	sentMaySee    = "may_see"    // a fault's symptom next to a success
)

// faultSentences holds the sentences that mention injected faults. The
// {fr_*} names are one firing's fields (see firingVars).
func faultSentences() map[string]string {
	return map[string]string{
		sentFiring:    "rule {fr_rule} ({fr_action} at {fr_stage}{fr_draw})",
		sentSummary:   "injected by {fr_firing}",
		sentCause:     " Injected by {fr_firing}: on a real network this is {fr_real}.",
		sentReply:     " The client answered with alert {client_reply}: its TLS stack refused what it got.",
		sentOthers:    " Also fired on this connection: {fr_list}.",
		sentNoBigIP:   " BIG-IP logs nothing for it: BIG-IP did not fail, a device in the path did.",
		sentEvidence:  "{fr_rule} {fr_action} at {fr_stage}{fr_draw_kv} expect={fr_symptom}",
		sentRealOther: "what a device in the path doing {fr_action} would cause",
		sentMaySee:    " Rule {fr_rule} fired ({fr_action} at {fr_stage}); where it takes effect, the client shows: {fr_symptom}",
	}
}

// faultWhat says what a stop did, for "injected by rule X: <what> <stage>".
// A key "action/direction" is more specific than "action".
func faultWhat() map[string]string {
	return map[string]string{
		"reset":             "reset",
		"close":             "close (FIN)",
		"close/s2c":         "half-close (FIN toward the client)",
		"blackhole":         "blackhole (silent hold)",
		"alert":             "{fault_alert_sent}",
		"sni_policy":        "strict SNI policy, {fault_alert_sent}",
		"alpn_refuse":       "ALPN refusal, {fault_alert_sent}",
		"plaintext_reply":   "plaintext HTTP reply",
		"connect_policy":    "CONNECT {connect_authority} refused with {connect_status}",
		"ssl3_server_hello": "SSLv3 ServerHello",
		"unoffered_cipher":  "ServerHello with a cipher suite the client never offered",
		"large_hello":       "large-ClientHello intolerance",
		"tls_policy":        "TLS policy refusal, {fault_alert_sent}",
		// Byte wrappers that cut or stalled the stream.
		"truncate":       "stream cut short (truncate)",
		"limit_data":     "connection closed at its byte budget (limit_data)",
		"timeout":        "stream swallowed (timeout)",
		"idle_timeout":   "state expired after a quiet spell (idle_timeout)",
		"mtu":            "full-size segments lost (PMTUD black hole)",
		"blackhole/s2c":  "one-way blackhole toward the client",
		"blackhole/c2s":  "one-way blackhole toward the server",
		"record_corrupt": "one bit flipped in an encrypted record",
		"proxy_skew":     "the proxy's own clock shifted on its upstream leg, so it rejected the server's certificate",
		"alpn_downgrade": "{fault_alert_sent} from an HTTP/1.1-only proxy stripping h2",
		// A hello closed for the versions it offers.
		"version_intolerance": "TLS version intolerance (a ClientHello offering more than {fault_tolerated}, closed unanswered)",
	}
}

// faultStagePhrase words a stage for prose: "reset after ClientHello".
func faultStagePhrase() map[string]string {
	return map[string]string{
		"accept":       "at accept, before the client sent anything",
		"client_hello": "after ClientHello",
		// The client_hello stage fires on the first bytes, TLS or not.
		"client_hello/plain": "after the client's first bytes (plaintext, not a ClientHello)",
		"server_flight":      "in the server's handshake flight",
		"handshake_done":     "after the TLS handshake",
		"request":            "at the request",
		"response":           "at the response",
		// No handshake came before them on plaintext.
		"request/plain":  "as the request arrived",
		"response/plain": "at the response, after the request was relayed",
		"idle":           "while the connection was idle",
	}
}

// faultReal says which real-world device or path problem each action
// imitates (failure-catalog.md §2), for faults that did not end the
// connection themselves.
func faultReal() map[string]string {
	return map[string]string{
		"reset":                "a firewall, IPS or load balancer injecting a TCP reset",
		"close":                "a server or proxy closing the connection (FIN)",
		"blackhole":            "a one-way silent drop: asymmetric routing, or a stateful firewall that lost the connection's state",
		"latency":              "a slow path: a congested uplink, a long-haul or satellite link, a VPN hairpin, or a slow inspection device",
		"bandwidth":            "a throttled or saturated link, or a traffic shaper",
		"slicer":               "a path that delivers data in small pieces (a low MSS or a re-segmenting middlebox)",
		"fragment":             "TCP segments or TLS records split small, which compliant clients reassemble and naive DPI and parsers do not",
		"slow_close":           "a server or proxy that delays its FIN (a lingering close)",
		"limit_data":           "a proxy or middlebox that cuts the connection after a byte budget",
		"timeout":              "a device that swallows the traffic and closes later (a proxy timeout)",
		"mtu":                  "a PMTUD black hole: a tunnel (VPN, GRE, IPsec, PPPoE) with an MTU below 1500 and ICMP fragmentation-needed filtered, so full-size segments vanish while small ones pass",
		"truncate":             "a middlebox that cuts a flight short (the certificate flight or a response body)",
		"first_byte_delay":     "a slow connection setup (a distant or overloaded server)",
		"idle_timeout":         "a NAT or firewall whose idle timer expired the connection's state",
		"block_page":           "a WAF that terminates TLS and answers with an HTTP block page (F5 ASM `The requested URL was rejected`, AWS WAF 403, Cloudflare 403 or 429): not a TLS error",
		"rewrite":              "a proxy rewriting responses (HSTS stripped, Via added, text in the page replaced)",
		"chain":                "a server serving a bad certificate chain (expired, wrong host, self-signed, missing intermediate …), or a TLS-inspecting proxy re-signing with a CA the client does not trust",
		"chain/clock_ahead":    "a client whose clock is ahead: the server's certificate is fine but looks expired to it, and the fix is the client's clock (NTP), not the certificate",
		"chain/clock_behind":   "a client whose clock is behind: a freshly issued certificate looks not yet valid to it, and the fix is the client's clock (NTP), not the certificate",
		"chain/not_yet_valid":  "a certificate used before its notBefore: issued by a host whose clock runs ahead, or checked by a client whose clock is behind",
		"chain/revoked":        "a server still using a certificate its CA revoked (the OCSP response says revoked): only clients that check revocation (curl --cert-status and the like) refuse it, while Go, curl without --cert-status and browsers facing a private CA connect",
		"chain/ocsp_unknown":   "a server whose certificate its CA's OCSP responder does not know (status unknown): only clients that check revocation refuse it, the rest connect",
		"chain/ocsp_expired":   "a server stapling a stale OCSP response (past its nextUpdate, typically because it cannot reach the responder): only clients that check revocation refuse it, the rest connect",
		"version":              "a server or load balancer profile that accepts only some protocol versions",
		"cipher":               "a server or load balancer profile with a restricted cipher list (FIPS-only or hardened)",
		"alert":                "a load balancer, WAF or policy engine refusing with a TLS alert",
		"alert/handshake_done": "a firewall, IPS or inspection device tearing down a session it cannot read with an alert in the clear",
		"alert/request":        "a firewall, IPS or inspection device tearing down a session it cannot read with an alert in the clear",
		"alert/response":       "a firewall, IPS or inspection device tearing down a session it cannot read with an alert in the clear",
		"alert/idle":           "a load balancer or firewall closing an idle keep-alive connection with an alert in the clear",
		"sni_policy":           "a strict-SNI server or load balancer refusing an unknown or missing name",
		"sni_policy/request":   "a server or load balancer that answers 421 Misdirected Request when a request's Host names another site than the connection's TLS server name (SNI), as Apache httpd, nginx and Envoy do: a client that reused a connection for another name, or a proxy that rewrote Host but not SNI; the request never reached the backend, and a new connection for that name works",
		"alpn_refuse":          "a server refusing every offered ALPN protocol",
		"plaintext_reply":      "a captive portal or proxy error page answering in plain HTTP",
		"large_hello":          "a middlebox that parses only the first segment of a large (post-quantum) ClientHello",
		"large_hello/fail_open": "a middlebox that gives up on a ClientHello spanning more than one segment and lets it through unread (fail-open): " +
			"its SNI and fingerprint policy never sees such clients, so a block that stops clients with a small hello lets post-quantum ones (Go 1.24 and later, Chrome 124 and later) through",
		"ssl3_server_hello": "a legacy SSLv3-only server",
		"unoffered_cipher":  "a server choosing a cipher suite the client never offered",
		"abort":             "a proxy or service mesh answering requests itself with an error instead of the backend (Envoy's fault filter abort; for gRPC an HTTP 200 carrying grpc-status): not a TLS error, and the backend never sees the request",
		"connect_policy":    "an explicit proxy (Squid, a corporate gateway) refusing the CONNECT before any TLS: 403 from its ACL, 407 when it wants credentials, 502 when it cannot reach the host; the server is never reached",
		"rate_limit":        "a proxy, API gateway or service mesh rate-limiting its clients (Envoy's local rate limit, a WAF's rate rule): requests over the rate are answered by the proxy itself with 429 Too Many Requests, Retry-After and x-envoy-ratelimited: true, not by the backend, while those within it pass; not a TLS error. Clients that retry at once stay limited: honour Retry-After, or raise the limit if the traffic is legitimate",
		"client_auth":       "a server or load balancer that requires a client certificate (BIG-IP peer-cert-mode require), or a WAF or mTLS gateway that refuses one from a CA outside its list",
		"proxy_skew":        "a TLS-inspecting proxy or server-ssl profile whose own clock is wrong, which rejects good server certificates as expired or not yet valid (only when the shift passes a certificate's validity window)",
		"http_date":         "an origin server (or a proxy adding Date) whose clock is wrong, stamping responses with a Date off by the shift: no error, but caches take a response's age from Date, so one dated in the past by more than its max-age is stale on arrival and fetched again every time; cookie expiry and HSTS max-age count from the client's own clock and are unaffected",
		"ocsp_times":        "an OCSP responder whose clock is wrong (a response whose thisUpdate is in the future), or a server whose clock is behind, stapling an OCSP response past its nextUpdate: the certificate and its status (good) are fine, and only clients that check the staple (curl --cert-status) refuse it, as expired; the rest connect",
		"alpn_downgrade":    "a proxy or load balancer that speaks only HTTP/1.1 with its clients and strips h2 from ALPN (clients that also offer HTTP/1.1 fall back without an error; h2-only ones such as gRPC are refused with alert 120)",
		"refuse":            "a closed port or a firewall's REJECT rule: the service is down or not listening on that address, so the SYN is answered with an RST and no connection exists",
		"record_corrupt":    "a device in the path that changes bytes it only relays (a faulty NIC, cable or switch port whose damage passed TCP's checksum, or a middlebox rewriting payload), which the endpoint that decrypts the record reports as bad record MAC",
		// Unlike version, no profile that negotiates: a device that
		// cannot parse the offer at all.
		"version_intolerance": "a middlebox or old TLS stack intolerant of newer TLS versions: it closes or resets a ClientHello that offers more than it knows (TLS 1.3) instead of answering with the version it has, so only clients offering that version fail, and capped below it they connect",
	}
}

// genericSaw lists the entries whose client hint does not say what the
// client printed. A fault that fired knows better, so its symptom replaces
// them. A variant with a hint of its own is judged by its own key.
func genericSaw() map[string]bool {
	return map[string]bool{
		CodeOK:                true,
		CodeClientSilent:      true,
		CodeClientClosedEarly: true,
		CodeClientResetEarly:  true,
		CodeClientAlert:       true,
		CodeHandshakeFailed:   true,
		CodeHandshakeTimeout:  true,
		CodeHelloMalformed:    true,
	}
}

// quietSymptoms are the symptom classes that announce no client error
// (faults' ClassSlow and ClassNone start the symptom text): such a firing
// explains less than one whose client shows an error.
func quietSymptoms() []string { return []string{"slow, no error", "no error expected"} }
