package explain

// The texts of an sni_policy with host_mismatch, shared by the terminate
// and inspect variants (host_checked, host_mismatch, inspect_host_…).
const (
	checkHostChecked     = "Nothing to fix for what was checked: rule {host_rule} (sni_policy with host_mismatch) compared the first request's Host ({host_checked}) with the SNI ({sni_or_host}), they matched, and the request went through; the rule did not fire. Later requests on this connection were not compared: one for another name would have passed unchecked."
	checkHostMismatch    = "The TLS handshake completed; the 421 is the host check's, not a TLS failure. It compares only the first request of a connection: that request's Host (or absolute-form target) named another site than the SNI ({sni_or_host}), so it was answered 421 and the connection closed. Later requests on a connection are never compared, so one whose first request matched may still carry requests for other names unchecked."
	checkHostMismatchFix = "In the real case make the client open a new connection for each host name (browsers retry a 421 on a new one; a client that reuses connections across names must not), or have the proxy in front set the SNI from the Host it forwards."
	saw421               = "curl exits 0 and prints the 421 page, or `(22) The requested URL returned error: 421` with -f; Go resp.StatusCode == 421 with err == nil."
)

// sawAlert80 is what an OpenSSL 3 client prints against a TLS 1.0/1.1
// server (client-symptoms.md §1).
const sawAlert80 = "Against a TLS 1.0/1.1 server curl prints `curl: (35) … error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported` and openssl s_client `…:tls_process_key_exchange:legacy sigalg disallowed or unsupported:…`; " +
	"with `--tlsv1.0 --ciphers DEFAULT@SECLEVEL=0` the same curl connects."

// Texts shared by the two endings of a HelloRetryRequest the client never
// answered.
const (
	helloRetryCause = "The handshake was abandoned before tlsgate chose or sent a certificate, so neither the certificate, the lab CA nor pinning is the question. " +
		"Typical: a TLS probe or scanner that sends a hello without a usable key share only to see the server answer, or a client that cannot make a share for any group tlsgate allows or does not implement HelloRetryRequest."
	helloRetrySaw = "A HelloRetryRequest (a ServerHello-shaped message of about 100 bytes asking for another key share) and no certificate. A probe stops there by design; a client that could not answer it reports its own handshake error."
)

// causeArrows reads the two sides of a BIG-IP line's arrow, for every
// plaintext_on_tls cause; empty where no line is shown (a listener that
// passes TLS through, see clientSSL).
const causeArrows = "{cause_arrows}"

// causeSSHOnTLS is plaintext_on_tls for an SSH client: no URL is
// involved, only the port it was sent to.
const causeSSHOnTLS = "The client sent {kind_desc} (`SSH-2.0-…`) to a listener that expects TLS, so the first byte is not a TLS handshake record (0x16) and no ClientHello follows. " +
	causeArrows +
	"Likely causes: an SSH client pointed at this TLS port: the wrong port in `ssh -p`, in a `Port` line of ~/.ssh/config, or in a port forward (`ssh -L`, a jump host); or a scanner or monitor that opens every port with an SSH banner."

// clientKnowledge covers what happens on the client side: the first bytes,
// the ClientHello and the client-ssl handshake.
func clientKnowledge() map[string]entry {
	// What clients print for these refusals, whichever certificate was
	// served: the lab CA's leaf or the listener's configured one.
	const (
		saw42     = "A Go client prints `tls: failed to verify certificate: x509: certificate signed by unknown authority` (or `… has expired or is not yet valid …`, `… is valid for X, not Y`). An OpenSSL client (curl, Python) sends 42 only for a not-yet-valid or weak certificate: curl prints `curl: (60) SSL certificate problem: certificate is not yet valid` (or `… CA signature digest algorithm too weak`)."
		saw46     = "Java prints `PKIX path building failed: … unable to find valid certification path to requested target` or `No subject alternative DNS name matching … found.`"
		sawBadMAC = "curl prints a certificate problem such as `curl: (60) SSL certificate problem: unable to get local issuer certificate`."
		// Checks of a plaintext client on a TLS listener.
		checkPlainMode = "If listener {listener} ({listener_addr}) is meant to be plaintext, set mode = \"plaintext\" on it ({bigip_plain_mode})."
		checkAllowBoth = "To accept both on one port, set non_ssl = \"allow\" ({bigip_allow}) or mode = \"auto\"."
		checkSSHPort   = "An SSH client was pointed at TLS port {vport}{vip_which}: check the port it was given (`ssh -p`, `Port` in ~/.ssh/config) and any port mapping or forward on the way (a NAT rule, `ssh -L`, a container's published port). SSH belongs on the SSH server's own port (22 unless changed), not on this TLS service."
	)
	return map[string]entry{
		CodeOK: {ok: true,
			summary:   "{mode} sni={sni} {tls} ja4={ja4} up={up}B down={down}B in {duration}{proxied}",
			cause:     "The connection completed normally.",
			checks:    []string{"Nothing to fix. When another client fails here, compare its connection with this one: listener, SNI, versions and JA4."},
			clientSaw: "A normal connection: {up_bytes} sent, {down_bytes} received.",
			evidence:  []string{"sni", "alpn_offered", "ja3", "ja4", "http_exchanges"},
		},
		// An HTTP/1 request (plaintext, or inside TLS tlsgate terminated)
		// that got no answer after the client's FIN (warnings.go's
		// client_fin_unanswered and client_fin_cut_short carry the
		// cause): nothing failed on the relay, but "nothing to fix" and
		// "a normal connection" would not be true.
		CodeOK + "/no_answer": {
			cause:     "The relay ended cleanly, both sides closing, but the backend sent no answer to the client's request (see the warning).",
			checks:    []string{checkNoAnswerWait, checkNoAnswerHalf},
			clientSaw: sawNoAnswer,
		},
		// The same through a relay that passed TLS through: the records'
		// headers tell, and the words say how little they can.
		CodeOK + "/pass_no_answer": {
			cause:     "The relay ended cleanly, both sides closing, but after the client's request records the backend sent none that can hold an answer (see the warning).",
			checks:    []string{checkNoAnswerWaitPass, checkNoAnswerPass},
			clientSaw: "No answer after the handshake: the end of the stream. A client that timed out prints its own timeout (curl `(28) Operation timed out after … with 0 bytes received`); one that half-closed reads the end of the stream and nothing else.",
			evidence:  []string{"exchange", "sni", "alpn_offered", "ja4"},
		},
		// The same over HTTP/2, read from the frames' headers, after
		// either side's FIN (h2Unanswered).
		CodeOK + "/h2_no_answer": {
			cause:     causeNoAnswerH2,
			checks:    []string{checkNoAnswerH2Log, checkNoAnswerH2Direct, checkNoAnswerH2c},
			clientSaw: sawNoAnswerH2,
		},
		// server_ssl: the backend speaks h2 over TLS, not h2c, so the
		// direct request is https:// and the h2c check does not apply.
		CodeOK + "/h2_no_answer_tls": {
			cause:     causeNoAnswerH2,
			checks:    []string{checkNoAnswerH2Log, checkNoAnswerH2TLS},
			clientSaw: sawNoAnswerH2,
		},
		CodeOK + "/cut_short": {
			cause: "The relay ended cleanly, both sides closing, but the client's request ended before its header did, and no answer came (see the warning).",
			checks: []string{
				"Find out what sends this request in pieces: the client's FIN came {client_fin_after} after it connected, before the empty line that ends an HTTP header, so {backend} had nothing whole to answer. A script or tool that writes the request in several writes and half-closes too early, or a device in the path that cuts it, does this.",
			},
			clientSaw: "No answer: {up_bytes} sent, nothing received; the end of the stream.",
		},
		CodeOK + "/host_checked": {
			checks: []string{checkHostChecked, "When another client fails here, compare its connection with this one: listener, SNI, versions and JA4."},
		},
		CodeOK + "/host_mismatch": {
			checks:    []string{checkHostMismatch, checkHostMismatchFix},
			clientSaw: "A completed handshake, then 421 Misdirected Request for the first request instead of the backend's answer ({up_bytes} sent, {down_bytes} received): " + saw421,
		},

		CodePlaintextOnTLS: {group: groupNotSSL,
			summary: "plaintext {kind} from {client} on TLS listener {listener} ({listener_at}); non_ssl action: {non_ssl_done}",
			cause: "The client sent {kind_desc} to a listener that expects TLS, so the first byte is not a TLS handshake record (0x16) and no ClientHello follows. " +
				causeArrows +
				"Likely causes: an http:// URL pointed at an HTTPS port, a health monitor sending plain HTTP to the TLS port, or a client-ssl profile (a TLS listener) put on a plaintext port such as 80.{kind_hint}",
			checks: []string{
				"Check the URL the client uses: it must be {https_url}{vip_which}, not http://.",
				"If the source is a load balancer health monitor, make it an HTTPS (or TCP) monitor for port {vport}.",
				checkPlainMode,
				checkAllowBoth,
			},
			clientSaw: "tlsgate reset the connection: curl prints `curl: (56) Recv failure: Connection reset by peer`, browsers ERR_CONNECTION_RESET.",
			evidence:  []string{"first_bytes", "kind", "http_request", "http_host", "non_ssl_action"},
		},
		CodePlaintextOnTLS + "/http400": {
			clientSaw: "The client got a readable HTTP 400 saying plain HTTP was sent to a TLS port (curl exits 0, or `curl: (22) The requested URL returned error: 400` with -f).",
		},
		CodePlaintextOnTLS + "/redirect_unusable": {
			clientSaw: "non_ssl = redirect, but the request `{request}` names no resource a redirect could point at (CONNECT asks for a tunnel, OPTIONS * about the server itself), so tlsgate answered with a readable HTTP 400 saying plain HTTP was sent to a TLS port: " +
				"curl prints `curl: (56) CONNECT tunnel failed, response 400` for a proxy tunnel, or exits 0 with the 400 for OPTIONS *.",
		},
		CodePlaintextOnTLS + "/redirect_no_host": {
			clientSaw: "non_ssl = redirect, but the client half-closed (FIN) after {first_bytes}, before its headers ended, and named no host (no Host header, none in the request target), so no Location could name the host it meant: tlsgate answered with the readable HTTP 400 saying plain HTTP was sent to a TLS port, then closed (FIN).",
		},
		CodePlaintextOnTLS + "/unread": {
			clientSaw: "tlsgate's non_ssl action, {non_ssl_done}, wrote its answer in HTTP/1.1, which this client does not speak, and closed: an HTTP/2 prior-knowledge client prints `curl: (52) Empty reply from server` (curl --http2-prior-knowledge).",
		},
		// An SSH client is no http:// URL: the cause and the first check
		// are the port it was pointed at.
		CodePlaintextOnTLS + "/unread_ssh": {
			cause:     causeSSHOnTLS,
			checks:    []string{checkSSHPort, checkPlainMode, checkAllowBoth},
			clientSaw: "tlsgate's non_ssl action, {non_ssl_done}, wrote its answer in HTTP/1.1, which an SSH client does not speak, and closed: OpenSSH skips the lines before a banner and prints `kex_exchange_identification: Connection closed by remote host`.",
		},
		CodePlaintextOnTLS + "/reset_ssh": {
			cause:     causeSSHOnTLS,
			checks:    []string{checkSSHPort, checkPlainMode, checkAllowBoth},
			clientSaw: "tlsgate reset the connection before any SSH banner: OpenSSH prints `kex_exchange_identification: read: Connection reset by peer` and `Connection reset by … port {vport}` (exit status 255).",
		},
		CodePlaintextOnTLS + "/reset_http2": {
			clientSaw: "tlsgate reset the connection: curl --http2-prior-knowledge prints `curl: (56) Recv failure: Connection reset by peer`, or `curl: (55) Send failure: Connection reset by peer` when the reset lands while it is still sending its preface and settings.",
		},
		CodePlaintextOnTLS + "/redirect": {
			clientSaw: "The client got a 301 redirect to https:// on the same host and port; curl follows it only with -L, browsers follow it.",
		},
		CodePlaintextOnTLS + "/redirect_address": {
			clientSaw: "The request `{request}` named no host (no Host header, none in the request target; HTTP/1.0 needs neither), so the 301 redirect goes to https:// on the address the client connected to, {virtual}, with the same path: the one host it is sure to reach again. " +
				"curl follows it only with -L, browsers follow it, to an IP literal as to a name; a client that verifies then needs a certificate naming that address (an IP SAN), or it fails on the name instead.",
		},
		CodePlaintextAllowed: {ok: true,
			summary:   "plaintext {kind} from {client} accepted on TLS listener {listener} (non_ssl = allow)",
			cause:     "non_ssl = \"allow\" (BIG-IP: Non-SSL Connections enabled) passes plaintext to the plain backend; BIG-IP logs no SSL error for it.",
			checks:    []string{"If every client should use TLS, set non_ssl = \"reset\" to find the ones that do not."},
			clientSaw: "A plaintext answer from the plain backend, as if no TLS listener were there.",
			evidence:  []string{"first_bytes", "kind", "http_request", "http_host"},
		},
		CodePlaintextAllowed + "/fault_answered": {
			cause:     "non_ssl = \"allow\" (BIG-IP: Non-SSL Connections enabled) lets plaintext through to the plain backend, but here fault rule {answer_rule} answered the request in the backend's place, so the plain backend never saw it; BIG-IP logs no SSL error for either.",
			clientSaw: "A plaintext answer from fault rule {answer_rule}, not from the plain backend: {answer_symptom}.",
		},

		CodeTLSOnPlaintext: {
			summary: "TLS ClientHello (SNI {sni}, {offered_versions}) from {client} on plaintext listener {listener} ({listener_at})",
			cause: "The client started a TLS handshake (SNI {sni}, offering {offered_versions}) on a listener that expects plaintext. " +
				"Either the client used https:// against a plain port, or a proxy or load balancer with a server-ssl profile encrypts towards a port that speaks plain HTTP. " +
				"BIG-IP has no verified SSL log line for this case, so none is shown.",
			checks: []string{
				"Use http:// for port {vport}{vip_which}, or point the client at the TLS port.",
				"If a load balancer sends this, remove its server-ssl profile or point the pool member at the TLS port.",
				"If listener {listener} ({listener_addr}) should speak TLS, set mode = \"terminate\" or \"passthrough\" on it.",
			},
			clientSaw: "curl prints `curl: (35) … wrong version number` (the plaintext answer is not a TLS record); Go `tls: first record does not look like a TLS handshake`, or in net/http `http: server gave HTTP response to HTTPS client`; Firefox SSL_ERROR_RX_RECORD_TOO_LONG.",
			evidence:  []string{"first_bytes", "sni", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeTLSOnPlaintext + "/reset": {
			clientSaw: sawTLSOnPlainReset,
		},
		CodeTLSOnPlaintext + "/record": {
			summary: "TLS from {client} on plaintext listener {listener} ({listener_at}): {kind_desc}",
			cause: "The client's first bytes are {kind_desc}, on a listener that expects plaintext. Only TLS begins so, but no ClientHello came, so there is no SNI or version list to name. " +
				"A client sends such a record first when it takes the connection for one whose handshake is already done (a client or proxy that reuses connections and lost track of one), or when it is a scanner or test tool probing the port; an alert first is a client giving up on a handshake it never started here. " +
				"BIG-IP has no verified SSL log line for this case, so none is shown.",
			checks: []string{
				"Find out what {client_ip} is: a scanner, a test tool, or a client or proxy that pools connections to this port.",
				"Use http:// for port {vport}{vip_which}, or point the client at the TLS port.",
				"If listener {listener} ({listener_addr}) should speak TLS, set mode = \"terminate\" or \"passthrough\" on it.",
			},
			clientSaw: sawTLSOnPlainReset,
			evidence:  []string{"first_bytes"},
		},
		// No ClientHello was read, so there is no SNI or version list to
		// name: "SNI (none)" would read as a client that sent none.
		CodeTLSOnPlaintext + "/reset_stalled": {
			summary: "TLS from {client} on plaintext listener {listener} ({listener_at}); the hello never completed: {hello_seen}",
			cause: "The client started TLS on a listener that expects plaintext, and its hello never completed: {hello_seen}, then nothing within {peek_timeout}. " +
				"{tls_began}; no ClientHello was read, so its SNI and offered versions are unknown. " +
				"Either the client used https:// against a plain port, or a proxy or load balancer with a server-ssl profile encrypts towards a port that speaks plain HTTP. " +
				"BIG-IP has no verified SSL log line for this case, so none is shown.",
			clientSaw: sawTLSOnPlainReset,
			evidence:  []string{"peek", "first_bytes"},
		},

		CodeTLSOnPlaintext + "/reset_cut": {
			summary: "TLS from {client} on plaintext listener {listener} ({listener_at}); the hello never completed: {hello_seen}, then the client closed the connection (FIN)",
			cause: "The client started TLS on a listener that expects plaintext, and closed its side (FIN) after {hello_seen}, before its hello was complete; tlsgate reset the connection only after that FIN. " +
				"{tls_began}; no ClientHello was read, so its SNI and offered versions are unknown. " +
				"Either the client used https:// against a plain port and gave up, or a proxy or load balancer with a server-ssl profile encrypts towards a port that speaks plain HTTP. " +
				"BIG-IP has no verified SSL log line for this case, so none is shown.",
			clientSaw: "The client closed first, so tlsgate's reset reached a client that had already stopped: one that closed its socket saw nothing from tlsgate, and what it printed is its own reason for stopping (its own timeout, Ctrl-C, an error of its own). " +
				"Only a client that half-closed and kept reading sees the reset: curl `curl: (35) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`.",
			evidence: []string{"peek", "first_bytes"},
		},
		CodeTLSOnPlaintext + "/client_reset_cut": {
			summary: "TLS from {client} on plaintext listener {listener} ({listener_at}); the hello never completed: {hello_seen}, then the client reset the connection (RST)",
			cause: "The client started TLS on a listener that expects plaintext, and reset the connection (RST) after {hello_seen}, before its hello was complete; tlsgate had not answered, and only closed its side. " +
				"Only TLS begins so; no ClientHello was read, so its SNI and offered versions are unknown. " +
				"Either the client used https:// against a plain port and gave up, a device in the path injected the reset, or a proxy or load balancer with a server-ssl profile encrypts towards a port that speaks plain HTTP. " +
				"BIG-IP has no verified SSL log line for this case, so none is shown.",
			clientSaw: "Nothing from tlsgate: the reset came from the client side (or a device in the path) before tlsgate answered. A real client's own message says why it stopped.",
			evidence:  []string{"peek", "first_bytes"},
		},

		CodeVersionTooOld: {group: groupVersion,
			summary: "client {client} offered {offered_versions}; listener {listener} accepts {our_versions}",
			cause:   "The client's highest protocol version ({max_offered}) is below this listener's floor ({floor}), so no version can be chosen and the handshake stops at the ClientHello; BIG-IP logs this as `unsupported version`.",
			checks: []string{
				"Upgrade or reconfigure the client to offer {floor} or later: {client_floor_flags}.",
				"If this client must be served as it is, set min_version = \"{max_offered_cfg}\" on listener {listener} (BIG-IP: remove {bigip_enable_old} from the client-ssl options).{legacy_risk}",
			},
			clientSaw: sawAlert70,
			evidence:  evHello(),
		},
		// tlsgate cannot serve SSLv2 or SSLv3 at any min_version: the
		// client is the only thing to change.
		CodeVersionTooOld + "/sslv2": {
			cause:  "The client sent an SSLv2-format ClientHello (first byte with the high bit set, then message type 1). It comes from very old stacks or tools forced into SSLv2 compatibility; modern servers, Go's included, reject it. BIG-IP logs this as `unsupported version`.",
			checks: []string{checkUpgradeSSL, checkSSLv2Client},
			// Not sawAlert70: curl, Go, Java 7+ and Chrome never send this
			// hello, so their messages would be invented for this client.
			clientSaw: "tlsgate (Go's crypto/tls) answered with one TLS alert record, 70 protocol_version (`15 03 01 00 02 02 46`), and closed. " +
				"Clients that send an SSLv2-format hello are old stacks (OpenSSL 0.9.8, Java 6 or a later Java with the SSLv2Hello protocol enabled, Internet Explorer 6) or scanners, so the messages of today's curl, Go, Java or browsers do not apply: " +
				"a client that offers only SSLv2 cannot read a TLS record at all, and one whose SSLv2-format hello offers SSLv3 or TLS reads the alert. tlsgate has no verified wording for what such a client prints: take its own message, or capture the exchange.",
		},
		CodeVersionTooOld + "/sslv3": {
			cause:  "The client offers nothing above SSLv3, which is broken (POODLE) and disabled everywhere; this listener's floor is {floor}. BIG-IP logs this as `unsupported version`.",
			checks: []string{checkUpgradeSSL, "Upgrade or reconfigure the client to offer {floor} or later: {client_floor_flags}."},
		},
		CodeVersionTooNew: {group: groupVersion,
			summary: "client {client} offered only {offered_versions}; listener {listener} accepts {our_versions}",
			cause:   "Every version the client offers ({offered_versions}) is above this listener's ceiling ({ceiling}). Typical: a TLS 1.3-only client (curl --tlsv1.3, a hardened Go or Java config) against a listener capped at TLS 1.2; many BIG-IP versions keep TLS 1.3 off in client-ssl profiles by default (option no-tlsv1.3).",
			checks: []string{
				"Raise {max_version_knob} to \"{min_offered_cfg}\" or later (BIG-IP: remove {bigip_enable_new} from the client-ssl options).",
				"Or let the client offer {ceiling}: {client_ceiling_flags}.",
			},
			clientSaw: sawAlert70,
			evidence:  evHello(),
		},

		// A cipher rule of TLS 1.2 suites capped the version as a side
		// effect: neither the listener's max_version nor a rule's is
		// the knob, the rule's ciphers are.
		CodeVersionTooNew + "/cipher_cap": {
			summary: "client {client} offered only {offered_versions}; fault rule {ceiling_cipher_rule} allows only TLS 1.2 suites, which caps listener {listener} at {ceiling}",
			cause:   "Every version the client offers ({offered_versions}) is above {ceiling}, the ceiling fault rule {ceiling_cipher_rule} set as a side effect: its ciphers ({ceiling_ciphers}) are TLS 1.2 suites, and crypto/tls cannot restrict TLS 1.3 suites, so while the rule fires it caps the version at TLS 1.2. The listener's own versions did not refuse this client.",
			checks: []string{
				"Change fault rule {ceiling_cipher_rule}: its ciphers ({ceiling_ciphers}) keep TLS 1.3 off, and no max_version lifts that. Take the ciphers out of it, narrow it to clients that offer nothing above TLS 1.2 (its max_offered_version selector at \"1.2\"), or disable it (`tlsgate fault disable{admin_opt} {ceiling_cipher_rule}`).",
				"Or let the client offer {ceiling}: {client_ceiling_flags}.",
			},
		},
		CodeVersionTooNew + "/legacy_cap": {
			cause: "Every version the client offers ({offered_versions}) is above this listener's ceiling ({ceiling}). A listener capped below TLS 1.2 reproduces a legacy server: current clients (curl and Python on OpenSSL 3, Go, Java, browsers) offer nothing below TLS 1.2 by default, so all of them fail here.",
		},

		CodeNoSharedCipher: {group: groupCiphers,
			summary: "no shared cipher at {negotiable}: none of the {offered_suites} client {client} offered is on listener {listener}'s list",
			cause:   "None of the {offered_cipher_suites} the client offers is on this listener's list for {negotiable}. Typical: an old client offering only CBC, 3DES, RC4 or static-RSA suites against a hardened cipher list, or a listener restricted to suites the client never offers.",
			checks: []string{
				"Compare the offered and our suites below and enable one the client offers (listener {listener} ciphers; BIG-IP: the client-ssl `ciphers` string).",
				"Or update the client so it offers ECDHE with AES-GCM or ChaCha20-Poly1305.",
				"Test one suite at a time with `openssl s_client -connect {virtual} -cipher <name> </dev/null`.",
			},
			clientSaw: "tlsgate answers with alert 40 handshake_failure: curl prints `curl: (35) … sslv3 alert handshake failure`, Go `remote error: tls: handshake failure`, Java `Received fatal alert: handshake_failure`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH.",
			evidence:  []string{"ciphers_offered", "ciphers_ours", "versions_offered", "versions_ours", "sni", "client_error", "ja4"},
		},

		CodeNoSharedCipher + "/key_type": {
			summary: "no usable cipher at {negotiable}: client {client} offered suites on listener {listener}'s list ({shared_ciphers}), but they need an {shared_key} certificate and the listener serves an {our_key} one",
			cause:   "Below TLS 1.3 each cipher suite names the key its certificate must have: ECDHE_ECDSA suites need an ECDSA (or Ed25519) key, ECDHE_RSA and plain RSA suites an RSA key. The client offers suites that are on this listener's list, but only ones for an {shared_key} key, and the certificate tlsgate presents has an {our_key} key {our_key_origin}, so no suite can be used. Typical: a cipher string copied from a profile whose certificate was RSA.",
			checks: []string{
				"Add suites for an {our_key} key to listener {listener}'s ciphers (e.g. {our_key_suite}), or serve an {shared_key} certificate (client_ssl.cert and client_ssl.key).",
				"Or allow TLS 1.3 (max_version = \"1.3\"), where the suites do not depend on the key.",
				"BIG-IP: check that the client-ssl profile's certificate key type matches its cipher string (`tmm --clientciphers '<string>'` lists the suites, ECDHE-RSA or ECDHE-ECDSA).",
			},
		},

		CodeNoSharedCipher + "/no_curve": {
			summary: "no usable cipher at {negotiable}: client {client} offered ECDHE suites on listener {listener}'s list ({shared_ciphers}), but named no elliptic curve tlsgate supports",
			cause:   "The suites both sides list are ECDHE suites, and ECDHE needs a curve both sides support. The client's supported_groups extension names none of X25519, P-256, P-384 or P-521, or the client sent no such extension at all, as some old clients and embedded stacks do, so no suite can be used.",
			checks: []string{
				"Look at groups in the ClientHello (the JA3 string's fourth field): update the client, or make it offer X25519 or P-256.",
				"Or list a non-ECDHE suite the client offers (TLS_RSA_WITH_AES_128_GCM_SHA256, with an RSA certificate) on listener {listener}, if such an old client must work.",
			},
		},

		CodeNoSharedCipher + "/unusable": {
			summary: "no usable cipher at {negotiable}: client {client} offered suites on listener {listener}'s list ({shared_ciphers}), but none could be used",
			cause:   "The client offers suites that are on this listener's list, yet the TLS stack could use none of them. Below TLS 1.3 a suite also needs a certificate of the key type it names (ECDHE_ECDSA: ECDSA or Ed25519; ECDHE_RSA and plain RSA: RSA; this listener's is {our_key}), and an ECDHE suite needs an elliptic curve both sides support (a fault rule may have narrowed tlsgate's). Here the reasons differ from suite to suite, or one of them is not known.",
			checks: []string{
				"Compare the suites below with the certificate's key type ({our_key}) and the client's curves (the JA3 string's fourth field).",
				"Or allow TLS 1.3 (max_version = \"1.3\"), where neither applies.",
			},
		},

		CodeNoSharedCipher + "/error_only": {
			summary: "no shared cipher with client {client} on listener {listener}",
			cause:   "The TLS stack found no cipher suite both sides support ({err}). The ClientHello was not captured, so the lists cannot be compared here. Typical: an old client offering only CBC, 3DES, RC4 or static-RSA suites against a hardened cipher list.",
		},

		// bigip-log.md records no message of its own for a group mismatch;
		// BIG-IP likely chooses the key exchange group while it selects the
		// suite (inferred, hence the hedged text), so a group mismatch gets
		// the no shared ciphers group:
		// 01260009 ssl_select_suite no shared ciphers (40), 01260026,
		// 01260013.
		CodeNoSharedGroup: {group: groupCiphers,
			summary: "no shared key exchange group: client {client} offered {groups_offered}; listener {listener} allowed only {groups_ours}",
			cause:   "Versions and cipher suites would do, but the client and tlsgate share no key exchange group: the client's supported_groups lists {groups_offered}, and this connection allowed only {groups_ours}. Every TLS 1.3 handshake, and ECDHE below it, needs a group both sides support, so tlsgate refused with alert 40 handshake_failure. Typical: a FIPS-only or hardened profile restricted to NIST curves (P-256, P-384) against a client that offers only X25519 (curl with `--curves X25519`, some embedded stacks), or a server that insists on a post-quantum hybrid facing a classic client. A BIG-IP most likely logs it like a cipher mismatch, as `no shared ciphers` (the lines above): it appears to pick the group while it selects the suite.",
			checks: []string{
				"Compare the groups below and allow one the client offers on the server (BIG-IP: the curves of the client-ssl profile's cipher group or string; here the cipher rule's groups), or make the client offer one of {groups_ours} (`curl --curves P-384`, `openssl s_client -groups P-384`).",
				"Test one group at a time: `openssl s_client -connect {virtual}{servername_opt} -groups X25519 </dev/null`, then `-groups P-256`: the ones that complete are the server's.",
				"The client's groups are also the fourth field of its JA3 string: a client whose TLS library changed may have dropped the group the server needs.",
			},
			clientSaw: "tlsgate answers with alert 40 handshake_failure: curl prints `curl: (35) … sslv3 alert handshake failure`, openssl s_client `…:sslv3 alert handshake failure:…:SSL alert number 40`, Go `remote error: tls: handshake failure`, Java `Received fatal alert: handshake_failure`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH.",
			evidence:  []string{"groups_offered", "groups_ours", "versions_offered", "ciphers_offered", "sni", "client_error", "ja4"},
		},
		CodeNoSharedGroup + "/error_only": {
			summary: "no shared key exchange group with client {client} on listener {listener}",
			cause:   "The TLS stack found no key exchange group both sides support ({err}). The client's and tlsgate's groups were not both recorded, so they cannot be compared here. Typical: a server restricted to NIST curves against a client that offers only X25519, or the reverse.",
		},

		CodeSNIMissing: {group: groupSummary,
			summary: "client {client} sent no SNI; listener {listener} requires it",
			cause:   "The listener requires SNI (BIG-IP sni-require) and the ClientHello has no server_name extension. Clients send no SNI when they connect to an IP literal (https://{virtual_host}/), and some old clients and scripts never send it.",
			checks: []string{
				"Connect by name instead of IP, with <name> a name on the certificate: `curl --resolve <name>:{vport}:{virtual_host} https://<name>:{vport}/`, or `openssl s_client -connect {virtual} -servername <name> </dev/null`.",
				"If clients without SNI must work, turn sni_require off and serve a default certificate.",
			},
			clientSaw: "tlsgate answers the ClientHello with alert 40 handshake_failure, as a client-ssl profile with sni-require does: curl prints `curl: (35) … sslv3 alert handshake failure`, Go `remote error: tls: handshake failure`, Java `Received fatal alert: handshake_failure`, Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH.",
			evidence:  []string{"sni", "versions_offered", "ja4", "client_error"},
		},

		CodeClientSilent: {group: groupSummary,
			summary: "client {client} connected to {listener} ({listener_at}) and sent nothing within {peek_timeout}",
			cause: "The client connected and then sent nothing for {peek_timeout}. TLS and HTTP clients speak first, so silence means a server-first protocol pointed at this port (SSH, SMTP, FTP, POP3, IMAP and MySQL clients wait for the server's banner), " +
				"a TCP-only health monitor (BIG-IP tcp_half_open, a TCP connect check) that opens the connection and waits, or a client stalled behind a firewall. {bigip_silent}",
			checks: []string{
				"Find out what {client_ip} is and which protocol it expects on port {vport}.",
				"If it is a health monitor, make it a TLS or HTTPS monitor, or expect these entries.",
				"If a banner-first protocol must pass, give it a plaintext listener or its own port.",
			},
			clientSaw: "tlsgate resets the connection (RST) at the peek deadline ({peek_timeout}): a banner-first client waiting for a greeting gets `Connection reset by peer` (OpenSSH `kex_exchange_identification: read: Connection reset by peer`) unless its own timer gives up first; a TCP monitor sees the connection accepted, then reset.",
			evidence:  []string{"peek", "proxy"},
		},

		CodeClientClosedEarly: {group: groupSummary,
			summary: "client {client} closed the connection (FIN) before the TLS handshake completed",
			cause:   "The client closed the connection (FIN) during the handshake, after its ClientHello. Common sources: a TCP health monitor, a port scanner, or a client that gave up (its own timeout, or it rejected the certificate and closed without sending an alert).",
			checks: []string{
				"Find out what {client_ip} is: a monitor, a scanner, or a real client?",
				"For a real client, read its own error output: it usually says why it gave up ({trust_hint}).",
				"If it is a TCP monitor, filter these entries; if it should test TLS, make it an HTTPS monitor.",
			},
			clientSaw: "Nothing from tlsgate: the client chose to close. A real client's own message says why.",
			evidence:  []string{"peek", "first_bytes", "sni", "versions_offered", "ja4", "client_error"},
		},
		CodeClientClosedEarly + "/before_flight": {
			summary: "client {client} closed the connection (FIN) right after its ClientHello, before tlsgate sent its certificate",
			cause: "The client's FIN reached tlsgate before tlsgate wrote its ServerHello and certificate: the client closed its side right after the ClientHello, without waiting for an answer. " +
				"It gave up or closed early; it cannot have refused the certificate, which it had not seen. " +
				"Typical: a scanner or TLS probe that sends a hello and shuts its side at once, a script that half-closes after writing (`nc -N`, shutdown(SHUT_WR) before reading), or a monitor that only checks that a hello is accepted. " +
				"tlsgate still wrote its flight, which a half-closed client can read, and the handshake ended when crypto/tls read the FIN.",
			checks: []string{
				"Find out what {client_ip} is: a scanner, a monitor, or a script that closes its sending side before reading the answer.",
				"If it is a script, let it read the server's answer before it closes; the certificate and the lab CA are not the question here.",
				"If it is a monitor, filter these entries, or make it an HTTPS monitor that completes the handshake.",
			},
			clientSaw: "Whatever it still read after its own FIN: a half-closed client may read tlsgate's ServerHello and certificate and then the close; one that closed its socket saw nothing.",
			evidence:  []string{"peek", "first_bytes", "fin_before_flight", "sni", "versions_offered", "ja4", "client_error"},
		},
		CodeClientClosedEarly + "/hello_retry": {
			summary: "client {client} closed the connection (FIN) after tlsgate's HelloRetryRequest, without a second ClientHello: no certificate was sent",
			cause:   "The client's TLS 1.3 ClientHello carried no key share for a group tlsgate accepts, so tlsgate answered with a HelloRetryRequest asking for a second hello with another share; the client closed instead of sending it. " + helloRetryCause,
			checks: []string{
				"Find out what {client_ip} is: for a probe or scanner that sends a hello without a usable key share to see whether the server answers at all (tlsgate probe does), closing after the retry is its normal end.",
				"For a real client, compare the key shares and groups it offers (below) with those listener {listener} allows: a client that supports one of them answers the retry with a second ClientHello, one that abandons it supports none or does not implement HelloRetryRequest.",
				"Read the client's own error output: it says why it gave up on the retry.",
			},
			clientSaw: helloRetrySaw,
			evidence:  []string{"peek", "sni", "versions_offered", "key_shares", "groups_offered", "groups_ours", "ja4", "client_error"},
		},
		CodeClientClosedEarly + "/nothing": {
			summary: "client {client} closed the connection (FIN) without sending anything",
			cause:   "The client opened the connection and closed it (FIN) without sending a byte. This is what TCP health monitors (BIG-IP tcp_half_open, TCP connect checks) and port scanners do; a real client that gives up immediately looks the same.",
		},
		CodeClientClosedEarly + "/partial": {
			summary: "client {client} closed the connection (FIN) after {first_bytes}, before a decision",
			cause:   "The client sent {first_bytes} ({kind_desc}) and closed (FIN) before tlsgate had a complete first message. Scanners and probes do this; so does a client that gives up mid-send.",
		},
		CodeClientResetEarly: {group: groupSummary,
			summary: "client {client} reset the connection (RST) before the TLS handshake completed",
			cause:   "The client reset the connection (RST) during the handshake, after its ClientHello. Common sources: a TCP health monitor that resets instead of closing, a port scanner, a firewall or IPS between the client and tlsgate, or a client that gave up abruptly.",
			checks: []string{
				"Find out what {client_ip} is: a monitor, a scanner, or a real client?",
				"Check for a firewall or IPS between the client and {virtual} that injects resets.",
				"For a real client, read its own error output.",
			},
			clientSaw: "Nothing from tlsgate: the reset came from the client side (or a device in the path).",
			evidence:  []string{"peek", "first_bytes", "sni", "versions_offered", "ja4", "client_error"},
		},
		CodeClientResetEarly + "/hello_retry": {
			summary: "client {client} reset the connection (RST) after tlsgate's HelloRetryRequest, without a second ClientHello: no certificate was sent",
			cause:   "The client's TLS 1.3 ClientHello carried no key share for a group tlsgate accepts, so tlsgate answered with a HelloRetryRequest asking for a second hello with another share; the client reset the connection instead of sending it. " + helloRetryCause,
			checks: []string{
				"Find out what {client_ip} is: a probe or scanner that tests with a hello the server must retry, or a real client.",
				"For a real client, compare the key shares and groups it offers (below) with those listener {listener} allows, and check for a device in the path that resets connections it cannot parse.",
				"Read the client's own error output: it says why it gave up on the retry.",
			},
			clientSaw: helloRetrySaw,
			evidence:  []string{"peek", "sni", "versions_offered", "key_shares", "groups_offered", "groups_ours", "ja4", "client_error"},
		},
		CodeClientResetEarly + "/nothing": {
			summary: "client {client} reset the connection (RST) without sending anything",
			cause:   "The client opened the connection and reset it (RST) without sending a byte. TCP half-open health monitors (BIG-IP tcp_half_open) and port scanners (SYN, SYN-ACK, RST) do exactly this.",
		},
		CodeClientResetEarly + "/partial": {
			summary: "client {client} reset the connection (RST) after {first_bytes}, before a decision",
			cause:   "The client sent {first_bytes} ({kind_desc}) and reset the connection before tlsgate had a complete first message: a probe, a scanner, or a device in the path injecting resets.",
		},

		CodeClientAlert: {group: groupSummary,
			summary: "client {client} aborted the handshake with alert {alert}",
			cause:   "The client sent TLS alert {alert} during the handshake: it refused something tlsgate sent, usually the certificate or a negotiated parameter.",
			tail:    "{streak}",
			checks: []string{
				"Read the client's own error output: it names what it refused.",
				"Compare the certificate tlsgate served (SNI {sni}) with what the client expects.",
			},
			clientSaw: "The client reports its own reason for sending alert {alert}; curl exits with 35 or 60.",
			evidence:  []string{"alert_recv", "sni", "versions_offered", "client_error", "ja4"},
		},
		CodeClientAlert + "/48": {
			cause:     "The client does not trust the certificate's issuer (alert 48 unknown_ca): tlsgate's certificates come from the lab CA, which is not in the client's trust store. OpenSSL-based clients (curl, Python) send 48 for self-signed, untrusted-root and incomplete-chain certificates; openssl s_client sends it only with -verify_return_error (without it, it prints the verify error and carries on).",
			checks:    []string{checkCA, checkCAJava, "If the listener serves a fixed certificate (client_ssl.cert and client_ssl.key), check that the client_ssl.cert file holds the intermediate after the leaf."},
			clientSaw: "curl prints `curl: (60) SSL certificate problem: unable to get local issuer certificate` (or `self-signed certificate`, `self-signed certificate in certificate chain`); s_client -verify_return_error `verify error:num=20:unable to get local issuer certificate`.",
		},
		CodeClientAlert + "/48_inspect": {
			cause: "The client refused the lab CA (alert 48 unknown_ca). Listener {listener} inspects: the certificate it sent is tlsgate's copy of the real server's, issued by the lab CA, which is not in the client's trust store. " +
				"The server leg was fine: tlsgate {upstream_trust}. Any SSL-inspecting device (a corporate proxy, SSL Orchestrator, mitmproxy) whose CA a client was never given meets it this way. " +
				"OpenSSL-based clients (curl, Python) send 48 for an untrusted issuer; openssl s_client sends it only with -verify_return_error.",
			checks: []string{checkCA, checkCAJava,
				"If this client must not be inspected (an app that pins the real server's certificate, or traffic that must stay end to end), add {sni_or_host} to bypass on listener {listener}: it is then spliced to the real server, whose own certificate the client trusts."},
			clientSaw: "curl prints `curl: (60) SSL certificate problem: unable to get local issuer certificate`; s_client -verify_return_error `verify error:num=20:unable to get local issuer certificate`; Chrome NET::ERR_CERT_AUTHORITY_INVALID, Firefox SEC_ERROR_UNKNOWN_ISSUER or MOZILLA_PKIX_ERROR_MITM_DETECTED.",
			evidence:  []string{"alert_recv", "sni", "server_leg", "server_cert", "versions_offered", "client_error", "ja4"},
		},
		CodeClientAlert + "/48_configured": {
			cause: "The client does not trust the issuer of the certificate listener {listener} serves (alert 48 unknown_ca). That is the configured certificate (client_ssl cert), {our_cert_subject}, issued by {our_cert_issuer}, not a leaf minted by the lab CA, so the lab CA is not the question: the client's trust store has no CA that the chain in the client_ssl.cert file leads to. " +
				"Typical: a private or internal CA the client was never given, a self-signed certificate (issuer and subject are the same), or a cert file without the intermediate between the leaf and a root the client does trust. OpenSSL-based clients (curl, Python) send 48 for all three; openssl s_client sends it only with -verify_return_error (without it, it prints the verify error and carries on).",
			checks: []string{
				"See the chain the listener serves: `openssl s_client -connect {virtual} -servername {sni_or_host} -showcerts </dev/null`, and check that it runs from the leaf to a CA the client trusts.",
				"If the issuer ({our_cert_issuer}) is a private CA, add that CA's certificate (not the lab CA) to the client's trust store, or pass it directly: `curl --cacert <that CA's file> https://{sni_or_host}:{vport}/`; for Java, `keytool -importcert -cacerts -file <that CA's file>`.",
				"If it is a public or corporate CA the client already trusts, put the intermediate after the leaf in the client_ssl.cert file: the client cannot build the chain without it.",
			},
			clientSaw: "curl prints `curl: (60) SSL certificate problem: unable to get local issuer certificate` (or `self-signed certificate`, `self-signed certificate in certificate chain`); s_client -verify_return_error `verify error:num=20:unable to get local issuer certificate`.",
			evidence:  []string{"alert_recv", "our_cert", "sni", "versions_offered", "client_error", "ja4"},
		},
		CodeClientAlert + "/42": {
			cause: "The client rejected the certificate with alert 42 bad_certificate. Go clients send 42 for every certificate failure (unknown authority, expired, name mismatch), so the alert alone does not say which; OpenSSL sends 42 for not-yet-valid or weak-signature certificates.",
			checks: []string{
				"Read the client's error: Go prints `tls: failed to verify certificate: x509: …` with the exact reason.",
				"If it says `signed by unknown authority`: " + checkCA,
				"Check that the name the client dials is on the certificate (SNI {sni}) and that both clocks are right.",
			},
			clientSaw: saw42,
		},
		// The client is tlsgate's own upstream leg, its clock shifted by a
		// proxy_skew rule: the certificate served here is fine.
		CodeClientAlert + "/peer_skew": {
			cause: "The client rejected the certificate with alert {alert}, and the client is this tlsgate's own upstream leg of listener {peer_listener}, whose clock rule {peer_rule} runs {peer_skew} {peer_clock_dir}: it checked this certificate's dates at that time, where it looked {peer_clock_state}. " +
				"Nothing is wrong with the certificate or the trust store here: a proxy (or a load balancer's server-ssl profile) with a wrong clock refuses a good server exactly this way, and the server only sees the alert (Go sends 42 bad_certificate for any certificate it rejects).",
			checks: []string{
				"Compare the proxy's clock with a reference (`date -u`, NTP status; on BIG-IP `ntpq -p`): here the shift is rule {peer_rule} on listener {peer_listener}.",
				"Read the dates this listener serves, from a host whose clock is right: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -dates`.",
				"The proxy's own line for the same connection names the check it failed (backend_verify: certificate has expired or is not yet valid).",
			},
			clientSaw: "The client is the proxy: it logs `x509: certificate has expired or is not yet valid` for its upstream leg and resets its own client.",
			evidence:  []string{"alert_recv", "sni", "peer_skew", "client_error", "ja4"},
		},
		CodeClientAlert + "/42_configured": {
			cause: "The client rejected the certificate with alert 42 bad_certificate. Go clients send 42 for every certificate failure (unknown authority, expired, name mismatch), so the alert alone does not say which; OpenSSL sends 42 for not-yet-valid or weak-signature certificates. " +
				"The certificate is the one listener {listener} is configured with (client_ssl cert), {our_cert_subject}, issued by {our_cert_issuer}, not a leaf minted by the lab CA, so an unknown authority here is that issuer, not the lab CA.",
			checks: []string{
				"Read the client's error: Go prints `tls: failed to verify certificate: x509: …` with the exact reason.",
				"If it says `signed by unknown authority`, the client does not trust {our_cert_issuer}. If that is a private CA, add its certificate (not the lab CA) to the client's trust store, or pass it directly: `curl --cacert <that CA's file> https://{sni_or_host}:{vport}/`; if the client already trusts it, put the intermediate after the leaf in the client_ssl.cert file.",
				"Check that the name the client dials is on the certificate (SNI {sni}) and that both clocks are right: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -subject -ext subjectAltName -dates` shows the names and dates served.",
			},
			evidence:  []string{"alert_recv", "our_cert", "sni", "versions_offered", "client_error", "ja4"},
			clientSaw: saw42,
		},
		CodeClientAlert + "/45": {
			cause: "The client says a certificate has expired (alert 45 certificate_expired): the leaf or a chain certificate is past notAfter by the client's clock.",
			checks: []string{
				"Check the client's clock, and tlsgate's.",
				"Check the served dates: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null | openssl x509 -noout -dates`.",
				"If a fault rule serves an expired chain on purpose, this is the expected result.",
			},
			clientSaw: "curl prints `curl: (60) SSL certificate problem: certificate has expired`; Java 17 (TLS 1.2; under TLS 1.3 it sends 46) `PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed`. A Go client never sends 45: it reports an expired certificate with 42.",
		},
		CodeClientAlert + "/46": {
			cause:     "The client rejected the certificate with the generic alert 46 certificate_unknown. Java clients send 46 for most certificate failures (untrusted issuer, name mismatch), and always under TLS 1.3.",
			checks:    []string{checkCAJava, "Check that the host name the client uses is on the certificate (SNI {sni})."},
			clientSaw: saw46,
		},
		CodeClientAlert + "/46_configured": {
			cause: "The client rejected the certificate with the generic alert 46 certificate_unknown. Java clients send 46 for most certificate failures (untrusted issuer, name mismatch), and always under TLS 1.3. " +
				"The certificate is the one listener {listener} is configured with (client_ssl cert), {our_cert_subject}, issued by {our_cert_issuer}, not a leaf minted by the lab CA, so an untrusted issuer here is that one, not the lab CA.",
			checks: []string{
				"For Java, import the issuer's CA certificate ({our_cert_issuer}; not the lab CA) into the truststore (`keytool -importcert -cacerts -file <that CA's file>`); for Python set SSL_CERT_FILE or REQUESTS_CA_BUNDLE to that CA's file. If the client already trusts that CA, put the intermediate after the leaf in the client_ssl.cert file.",
				"Check that the host name the client uses is on the certificate (SNI {sni}).",
			},
			evidence:  []string{"alert_recv", "our_cert", "sni", "versions_offered", "client_error", "ja4"},
			clientSaw: saw46,
		},
		CodeClientAlert + "/43": {
			cause:     "The client says the certificate is not usable for this purpose (alert 43 unsupported_certificate): wrong extended key usage, or a reversed chain. OpenSSL sends 43 for these.",
			checks:    []string{"Check the leaf has extendedKeyUsage serverAuth and the chain is served leaf first.", "If a fault rule serves a wrong-EKU or reversed chain on purpose, this is the expected result."},
			clientSaw: "curl prints `curl: (60) SSL certificate problem: unsuitable certificate purpose`.",
		},
		CodeClientAlert + "/44": {
			cause:  "The client says the certificate is revoked (alert 44 certificate_revoked), from a CRL or OCSP answer it holds.",
			checks: []string{"Check the certificate's revocation status and reissue it.", "If a fault rule staples a revoked OCSP response on purpose, this is the expected result."},
		},
		CodeClientAlert + "/40": {
			cause:  "The client sent handshake_failure (alert 40): it cannot accept what tlsgate negotiated. A Go client sends 40 when the server picks a cipher suite it did not offer; an OpenSSL client when the DHE group is too small (512 or 1024 bits). A missing client certificate is not this: a client asked for one it does not have answers with no certificate, and it is the server that then sends 40 (TLS 1.2) or 116 (TLS 1.3).",
			checks: []string{"Read the client's own error output.", "Compare the client's offered versions and suites (below) with the listener's settings and any fault rule that forces them."},
		},
		CodeClientAlert + "/70": {
			cause:     "The client refused the protocol version tlsgate chose (alert 70 protocol_version), e.g. a version pinned by a fault rule below the client's minimum.",
			checks:    []string{"Compare the client's minimum version with the listener's min_version/max_version and any version fault."},
			clientSaw: "A Go client prints `tls: server selected unsupported protocol version …`.",
		},
		CodeClientAlert + "/80": {
			cause:     "The client aborted with internal_error (alert 80). OpenSSL 3 clients at security level 2 send it when the server negotiates TLS 1.0/1.1 and they refuse the legacy signature.",
			checks:    []string{"Find the version tlsgate negotiated and what the client offers (below): if the client offers TLS 1.2 or later, raise {max_version_knob} to \"1.2\" or later; if it offers nothing newer, upgrade the client; only for a legacy test lower the client's security level (`-cipher DEFAULT@SECLEVEL=0`). Raising min_version refuses the client instead of serving it."},
			clientSaw: sawAlert80,
		},
		// The server's ceiling is below TLS 1.2 and the client offers it:
		// the cap, not the client, is what to change.
		CodeClientAlert + "/80_cap": {
			cause: "The client aborted with internal_error (alert 80) after tlsgate negotiated {ceiling}, the highest version it allows. OpenSSL 3 clients (curl, Python, openssl s_client) at their default security level 2 refuse the legacy signature of TLS 1.0/1.1 this way. " +
				"The client offered {offered_versions}, so it would have met the server at TLS 1.2: the server's ceiling of {ceiling} is what stands in the way, and raising min_version cannot help.",
			checks: []string{
				"Raise {max_version_knob} to \"1.2\" or later (BIG-IP: remove {bigip_enable_modern} from the client-ssl options).",
				"Only to test a legacy server on purpose, let the client accept {ceiling}: {client_ceiling_flags}.",
			},
			clientSaw: sawAlert80,
			evidence:  []string{"alert_recv", "sni", "versions_offered", "versions_ours", "client_error", "ja4"},
		},
		CodeClientAlert + "/47": {
			cause:  "The client says a handshake value is illegal (alert 47 illegal_parameter): OpenSSL and Java send it when the server picks a suite they did not offer or sends a malformed value.",
			checks: []string{"Check any fault rule that forces a cipher or rewrites the ServerHello."},
		},
		CodeClientAlert + "/71": {
			cause:  "The client wants stronger parameters than tlsgate offered (alert 71 insufficient_security), e.g. a larger DH group or a stronger suite.",
			checks: []string{"Compare the listener's ciphers and versions with the client's minimum requirements."},
		},
		CodeClientAlert + "/112": {
			cause:  "alert 112 unrecognized_name is normally sent by servers for an unknown SNI; coming from the client it usually means a device in the path rejected the name, or the client's SNI handling is confused.",
			checks: []string{"Capture on both sides to see who really sent the alert.", "Check the SNI the client sends ({sni})."},
		},
		CodeClientAlert + "/120": {
			cause:  "No common application protocol (alert 120 no_application_protocol): the ALPN lists do not intersect.",
			checks: []string{"Compare the client's ALPN list with what the listener and backend support (h2, http/1.1)."},
		},

		CodeHandshakeFailed: {group: groupSummary,
			summary: "TLS handshake with client {client} failed: {err}",
			cause:   "The TLS handshake with the client failed: {err}.",
			checks: []string{
				"Read the error above and the client's own error output.",
				"Capture the handshake (`openssl s_client -connect {virtual} -msg </dev/null`, or tcpdump) to see which side stopped.",
			},
			clientSaw: "Depends on the alert tlsgate sent; curl usually exits with 35.",
			evidence:  []string{"client_error", "alert_sent", "sni", "versions_offered", "ja4"},
		},
		CodeHandshakeFailed + "/bad_record_mac": {
			cause: "Go reported `bad record MAC` and no alert from the client. The usual cause is an OpenSSL client (curl, Python; s_client only with `-verify_return_error`) rejecting the certificate under TLS 1.3: it sends its alert (48 unknown_ca, 45 …) unencrypted, Go cannot read it, and the real reason is lost.",
			checks: []string{
				checkCA,
				"Cap the client at TLS 1.2 (`curl --tls-max 1.2`) to make the real alert appear in tlsgate's log.",
			},
			clientSaw: sawBadMAC,
		},
		CodeHandshakeFailed + "/bad_record_mac_configured": {
			cause: "Go reported `bad record MAC` and no alert from the client. The usual cause is an OpenSSL client (curl, Python; s_client only with `-verify_return_error`) rejecting the certificate under TLS 1.3: it sends its alert (48 unknown_ca, 45 …) unencrypted, Go cannot read it, and the real reason is lost. " +
				"The certificate is the one listener {listener} is configured with (client_ssl cert), {our_cert_subject}, issued by {our_cert_issuer}, not a leaf minted by the lab CA: a client that refused its issuer refused that CA, not the lab CA.",
			checks: []string{
				"See the chain the listener serves: `openssl s_client -connect {virtual} -servername {sni_or_host} -showcerts </dev/null`. If the client does not trust its issuer ({our_cert_issuer}), give it that CA's certificate (not the lab CA): `curl --cacert <that CA's file> https://{sni_or_host}:{vport}/`; if it does, put the missing intermediate after the leaf in the client_ssl.cert file.",
				"Cap the client at TLS 1.2 (`curl --tls-max 1.2`) to make the real alert appear in tlsgate's log.",
			},
			evidence:  []string{"client_error", "alert_sent", "our_cert", "sni", "versions_offered", "ja4"},
			clientSaw: sawBadMAC,
		},
		CodeHandshakeFailed + "/inappropriate_fallback": {group: groupFallback,
			summary: "client {client} retried at {max_offered} with TLS_FALLBACK_SCSV; listener {listener} supports up to {ceiling}, so it refused a possible downgrade",
			cause: "The client's ClientHello carries TLS_FALLBACK_SCSV (RFC 7507), the signal for \"this is a retry at a lower version after a failed attempt\", while offering {max_offered}, below this listener's highest version ({ceiling}). " +
				"That is what a downgrade attack looks like, so tlsgate refused with alert 86 inappropriate_fallback, as BIG-IP does (`TLS_FALLBACK_SCSV with a lower protocol`). " +
				"Typical: the client's first attempt at its highest version failed (a middlebox dropped a TLS 1.3 or large ClientHello, a reset, a timeout) and its retry is refused by design; or a test that forces it (`openssl s_client -tls1_2 -fallback_scsv`).",
			checks: []string{
				"Look for a failed connection from {client_ip} just before this one: that is the attempt that really failed; fix that and the client needs no fallback.",
				"If this is a test, leave out -fallback_scsv (then the ClientHello reaches the version check), or let the client offer {ceiling}: `openssl s_client -connect {virtual} -servername {sni_or_host} </dev/null`.",
				"Do not lower max_version on listener {listener} to let the retry through: the refusal is the downgrade protection working.",
			},
			clientSaw: "tlsgate answers with alert 86 inappropriate_fallback: openssl s_client prints `…:tlsv1 alert inappropriate fallback:…:SSL alert number 86`, curl `curl: (35) … tlsv1 alert inappropriate fallback`, Go `remote error: tls: inappropriate fallback`.",
		},
		CodeHandshakeFailed + "/no_certificate": {
			cause:     "tlsgate had no certificate for the requested name (SNI {sni}) and no default.",
			checks:    []string{"Configure a certificate or the lab CA for listener {listener}, or connect with a name it serves."},
			clientSaw: "Alert 112: curl `curl: (35) … tlsv1 unrecognized name`, Go `remote error: tls: unrecognized name`.",
		},
		CodeHandshakeFailed + "/alpn": {
			cause:  "The ALPN lists of client and listener do not intersect.",
			checks: []string{"Compare the client's ALPN list with what the listener supports (h2, http/1.1)."},
		},

		CodeHandshakeTimeout: {group: groupSummary,
			summary: "TLS handshake with client {client} timed out",
			cause:   "The client did not finish the TLS handshake within the handshake timeout. Causes: packet loss or an MTU black hole (the large certificate flight is dropped), a firewall that drops part of the exchange, or a client stalled on something else.",
			checks: []string{
				"Test the path MTU from the client: `ping -M do -s 1472 {virtual_host}` should pass.",
				"Check firewalls and IPS between the client and {virtual}.",
				"Retry with a small ClientHello (curl with `--curves X25519`) to see whether size matters.",
			},
			clientSaw: sawTimeout,
			evidence:  []string{"peek", "first_bytes", "sni", "versions_offered", "client_error", "ja4"},
		},
		CodeHandshakeTimeout + "/partial": {
			summary: "client {client} sent {first_bytes} of a first message and then stalled",
			cause:   "The client sent {first_bytes} ({kind_desc}) and nothing more within {peek_timeout}. {stall_why}",
			checks: []string{
				"{stall_check}",
				"Check firewalls and IPS between the client and {virtual}.",
			},
			clientSaw: "tlsgate closes the connection (FIN) when its deadline passes: curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`, openssl s_client `…:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:…`, Go `EOF`. A client whose own timer is shorter gives up first: curl `curl: (28) SSL connection timeout`, Go `net/http: TLS handshake timeout`.",
		},

		CodeHandshakeTimeout + "/partial_trickle": {
			summary: "client {client} sent its first message slowly: {first_bytes} by the peek deadline, {late_bytes} more after it, never a whole ClientHello; the handshake timeout ({handshake_timeout}) ended the connection",
			cause: "The client sent {first_bytes} ({kind_desc}) within the peek timeout of {peek_timeout}, and kept sending after it: tlsgate's handshake read {late_bytes} more, {sent_bytes} in all, and still no whole ClientHello. " +
				"Bytes kept arriving, slowly, so this is no path that lost a segment: the client itself sends its hello a little at a time (a slow-loris client holding connections open, a test tool, or a badly throttled link). " +
				"The listener's handshake_timeout of {handshake_timeout}, counted from the accept, ended the connection after {duration}; BIG-IP's client-ssl handshake-timeout does the same.",
			checks: []string{
				"Find out what {client_ip} is: a load test or slow-loris tool sends exactly this, a real client rarely does.",
				"If many clients do this, keep handshake_timeout short on listener {listener} (BIG-IP: the client-ssl profile's handshake-timeout) and limit connections per client in front.",
				"Check firewalls, IPS and traffic shapers between the client and {virtual}: a throttled link trickles too.",
			},
			clientSaw: "tlsgate closed the connection (FIN) at its handshake timeout while the client was still sending its hello: a real TLS client prints what its stack says for a closed connection (curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`, Go `EOF`); a slow-loris tool just opens another connection.",
			evidence:  []string{"peek", "first_bytes", "late_bytes", "handshake_timeout", "client_error"},
		},

		CodeHandshakeTimeout + "/relayed": {group: groupNoError,
			summary: "client {client} sent {first_bytes} of a first message and stalled; relayed to {backend} at the peek deadline, the connection ended after {duration}: {stall_end}",
			cause: "The client sent {first_bytes} ({kind_desc}) and nothing more within the peek timeout of {peek_timeout}. " +
				"{passes_tls}, and the handshake is the backend's: at that deadline tlsgate stopped waiting and relayed what had come to {backend}, " +
				"as a passthrough virtual server forwards what arrives (handshake_timeout bounds only handshakes tlsgate terminates). " +
				"No more bytes came from the client; the connection lasted {duration} in all, and ended when {stall_end}. " +
				"{stall_why}" +
				passthroughNoAnswerNoBigIP,
			checks: []string{
				"{stall_check}",
				"Check firewalls and IPS between the client and {virtual}.",
				"Each such client holds a backend connection until the backend's own handshake timeout (nginx `ssl_handshake_timeout`, 60 s by default) or idle_timeout ({idle_timeout}) on listener {listener} ends it: lower one of them if stalled clients pile up.",
			},
			clientSaw: "Whatever ended it first: its own timeout (curl `curl: (28) SSL connection timeout`, Go `net/http: TLS handshake timeout`), a reset (curl `curl: (35) Recv failure: Connection reset by peer`), or a close (curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL`, Go `EOF`).",
			evidence:  []string{"peek", "first_bytes", "hello_error", "backend", "backend_endpoints", "idle", "relay_end", "hello_alert", "backend_answer"},
		},

		CodeHelloMalformed: {group: groupSummary,
			summary: "malformed ClientHello from {client}: {hello_err}",
			cause:   "The bytes start like a TLS handshake but the ClientHello does not parse: {hello_err}. Causes: another protocol whose first byte happens to be 0x16, a middlebox corrupting the stream, or a fuzzer or scanner.",
			checks: []string{
				"Look at the first bytes below.",
				"Capture with tcpdump and open it in Wireshark to see the whole record.",
				"Find out what {client_ip} is.",
			},
			clientSaw: "Whatever its stack reports for a closed connection.",
			evidence:  []string{"first_bytes", "hello_error", "kind"},
		},
		CodeHelloMalformed + "/tls_record": {
			summary: "client {client} opened with {kind_desc} ({first_hex})",
			cause:   "The first record is {kind_desc}: a client continuing a session on a new connection (e.g. moved by a load balancer), or a scanner.",
		},
	}
}
