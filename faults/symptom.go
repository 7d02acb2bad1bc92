package faults

import (
	"fmt"
	"slices"
	"strings"
)

// Symptom classes, the first words of every symptom string, so tests and the
// explain package can match on the class rather than on a client's wording.
const (
	ClassReset     = "connection reset"
	ClassEOF       = "connection closed (EOF)"
	ClassTimeout   = "timeout"
	ClassWrongVer  = "wrong version number"
	ClassAlert     = "tls alert"
	ClassCert      = "certificate rejected"
	ClassProtocol  = "handshake refused"
	ClassTruncated = "truncated"
	ClassHTTP      = "http status"
	ClassBadMAC    = "bad record MAC"
	ClassSlow      = "slow, no error"
	ClassNone      = "no error expected"
	ClassRefused   = "connection refused"
)

// symptomRow maps an action, at some stages and with some follow-up, to the
// client symptom (client-symptoms.md §3 matrix rows and §5).
type symptomRow struct {
	action Action
	stages []Stage // nil: any stage
	then   Then    // "": any follow-up
	text   string  // may hold one %s, filled by detail
	detail func(*Rule) string
}

// handshakeStages are the stages before a terminated handshake completes.
func handshakeStages() []Stage {
	return []Stage{StageAccept, StageClientHello, StageServerFlight}
}

// Client strings, shared by several rows (client-symptoms.md §3).
const (
	resetHandshake = ClassReset + " during the handshake: curl (35) Recv failure: Connection reset by peer; " +
		"openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	// A reset at accept can reach the client before its connect() has
	// returned or before its ClientHello is written: then curl reports a
	// failed connect, in the words of a closed port (observed on loopback
	// with curl 7.88.1, Go 1.26 and Python 3.11).
	resetAccept = ClassReset + " at accept, before the client sent anything: curl (35) Recv failure: Connection reset by peer across a network; " +
		"where the RST beats the client's connect() or ClientHello (loopback, a LAN) curl (7) Failed to connect … Couldn't connect to server, the words of a closed port, " +
		"or (35) Send failure: Connection reset by peer; openssl s_client write:errno=104; " +
		"Go read: connection reset by peer, or dial … connect: connection reset by peer or write: connection reset by peer; " +
		"Python ConnectionResetError: [Errno 104] Connection reset by peer; Chrome ERR_CONNECTION_RESET"
	// A refusal: the SYN itself is answered with an RST, so the client's
	// connect() fails and no connection exists (client-symptoms.md row 23).
	refusedConnect = ClassRefused + " (the SYN answered with an RST, nothing listens): curl (7) Failed to connect to … port N after X ms: Couldn't connect to server " +
		"(older curl: Connection refused); Go dial tcp …: connect: connection refused"
	resetStream = ClassReset + " mid-stream: curl (56) Recv failure: Connection reset by peer; " +
		"Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	eofHandshake = ClassEOF + " during the handshake: curl (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL; " +
		"openssl s_client unexpected eof while reading; Go EOF; Chrome ERR_CONNECTION_CLOSED"
	eofFlight = ClassEOF + " inside the server flight: curl (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL; " +
		"openssl s_client unexpected eof while reading; Go unexpected EOF; Chrome ERR_CONNECTION_CLOSED"
	eofStream = ClassEOF + " mid-stream: curl (52) Empty reply from server or (56) unexpected eof while reading, " +
		"by how much arrived; Go EOF or unexpected EOF; Chrome ERR_EMPTY_RESPONSE or ERR_CONNECTION_CLOSED"
	timeoutHandshake = ClassTimeout + " in the handshake (silent drop): curl (28) Connection timed out; " +
		"openssl s_client hangs after CONNECTED(00000003); Go net/http: TLS handshake timeout (crypto/tls: i/o timeout at the deadline); " +
		"Chrome ERR_TIMED_OUT"
	timeoutStream = ClassTimeout + " mid-stream (silent drop): curl (28) Operation timed out; " +
		"Go i/o timeout at the client's deadline; Chrome ERR_TIMED_OUT"
	truncatedBody = ClassTruncated + " body: curl (18) transfer closed with N bytes remaining to read; " +
		"Go unexpected EOF; Chrome ERR_CONTENT_LENGTH_MISMATCH or ERR_INCOMPLETE_CHUNKED_ENCODING"
	mtuFlight = ClassTimeout + " (PMTUD black hole) in the server's certificate flight: small packets pass, the first full-size burst stalls; " +
		"curl (28) with curl -v stuck after Client hello (1); openssl s_client hangs; Go net/http: TLS handshake timeout; " +
		"Chrome ERR_TIMED_OUT; small responses and short ECDSA chains still work"
	mtuData = ClassTimeout + " (PMTUD black hole) after the handshake: the first full-size burst of the data stalls; " +
		"curl (28) Operation timed out … with N out of M bytes received (curl -v shows the whole handshake and the request); " +
		"Go context deadline exceeded or i/o timeout reading the response; Chrome ERR_TIMED_OUT; small responses still work"
	mtuPlain = ClassTimeout + " (PMTUD black hole) in the plain HTTP exchange: the request fits, the first full-size burst stalls; " +
		"curl (28) Operation timed out … with N out of M bytes received; Go context deadline exceeded or i/o timeout reading the response; " +
		"Chrome ERR_TIMED_OUT; small responses still work"
	mtuEither = ClassTimeout + " (PMTUD black hole): small packets pass, the first full-size burst stalls wherever it comes: " +
		"in the server's certificate flight, curl (28) with curl -v stuck after Client hello (1), openssl s_client hangs, Go net/http: TLS handshake timeout; " +
		"after a handshake that fit, curl (28) Operation timed out … with N out of M bytes received, Go context deadline exceeded reading the response; " +
		"Chrome ERR_TIMED_OUT; small responses and short ECDSA chains still work"
	// A client that speaks plain HTTP has no handshake to fail: it sent
	// its request (or was about to) and reads no response.
	resetPlainAccept = ClassReset + " before any response: curl (56) Recv failure: Connection reset by peer, " +
		"or (7) Failed to connect … Couldn't connect to server when the RST beats curl's connect; Go connection reset by peer; Chrome ERR_CONNECTION_RESET"
	resetPlain = ClassReset + " before any response: curl (56) Recv failure: Connection reset by peer; " +
		"Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	eofPlainAccept = ClassEOF + " before any response: curl (52) Empty reply from server, " +
		"or (56) Recv failure: Connection reset by peer when the request reaches the closed socket; Go EOF; Chrome ERR_EMPTY_RESPONSE"
	eofPlain     = ClassEOF + " before any response: curl (52) Empty reply from server; Go EOF; Chrome ERR_EMPTY_RESPONSE"
	timeoutPlain = ClassTimeout + " (silent drop), no response: curl (28) Operation timed out after … milliseconds with 0 bytes received; " +
		"Go context deadline exceeded or i/o timeout; Chrome ERR_TIMED_OUT"
	plaintextOn443 = ClassWrongVer + " (plain HTTP where a ServerHello belongs): curl (35) error:0A00010B:SSL routines::wrong version number; " +
		"Go tls: first record does not look like a TLS handshake (net/http: server gave HTTP response to HTTPS client); " +
		"Firefox SSL_ERROR_RX_RECORD_TOO_LONG; Chrome ERR_SSL_PROTOCOL_ERROR"
)

func symptomRows() []symptomRow {
	return []symptomRow{
		{action: ActRefuse, text: refusedConnect},
		{action: ActReset, stages: []Stage{StageAccept}, text: resetAccept},
		{action: ActReset, stages: handshakeStages(), text: resetHandshake},
		{action: ActReset, text: resetStream},
		{action: ActClose, stages: handshakeStages(), text: eofHandshake},
		{action: ActClose, text: eofStream},
		{action: ActBlackhole, stages: handshakeStages(), text: timeoutHandshake + "%s", detail: afterHold},
		{action: ActBlackhole, text: timeoutStream + "%s", detail: afterHold},
		{action: ActTimeout, stages: handshakeStages(), text: timeoutHandshake + "%s", detail: afterTimeout},
		{action: ActTimeout, text: timeoutStream + "%s", detail: afterTimeoutStream},
		// Where an MTU stall bites depends on the sizes, not the stage: a
		// rule armed before the handshake stalls the certificate flight
		// when that is the first burst too large, else the data after a
		// handshake that fit. The listener words it once it knows
		// (ActedSymptom).
		{action: ActMTU, stages: handshakeStages(), text: mtuEither + "%s", detail: mtuDetail},
		{action: ActMTU, text: mtuData + "%s", detail: mtuDetail},
		{action: ActTruncate, then: ThenHold, stages: handshakeStages(), text: ClassTimeout + " after a truncated flight: curl (28); openssl s_client hangs; " +
			"Go i/o timeout / net/http: TLS handshake timeout; Chrome ERR_TIMED_OUT"},
		// After the handshake the cut leaves a body (or a request) half
		// sent: the client times out waiting for the rest of it.
		{action: ActTruncate, then: ThenHold, text: ClassTimeout + " after a truncated body: curl (28) Operation timed out … with N out of M bytes received; " +
			"Go i/o timeout (context deadline exceeded … while reading body); Chrome ERR_TIMED_OUT"},
		{action: ActTruncate, then: ThenFIN, stages: handshakeStages(), text: eofFlight},
		{action: ActTruncate, then: ThenFIN, text: truncatedBody},
		{action: ActTruncate, then: ThenRST, stages: handshakeStages(), text: resetHandshake},
		{action: ActTruncate, then: ThenRST, text: resetStream},
		{action: ActLimitData, stages: handshakeStages(), text: eofFlight},
		{action: ActLimitData, text: truncatedBody},
		{action: ActLatency, text: ClassSlow + ": %s added per chunk; a client timeout shorter than that shows as a timeout " +
			"(curl (28), Go i/o timeout)", detail: latencyDetail},
		{action: ActBandwidth, text: ClassSlow + ": throughput capped at %s; large transfers may hit the client's timeout", detail: rateDetail},
		{action: ActSlicer, text: ClassNone + ": data arrives in small pieces; only naive parsers and DPI break"},
		{action: ActFragment, text: ClassNone + ": small segments or TLS records; compliant clients reassemble, naive DPI and parsers fail"},
		{action: ActSlowClose, text: ClassSlow + ": the close arrives late; clients waiting for EOF hang until then"},
		{action: ActFirstByteDelay, text: ClassSlow + ": the first byte arrives late (slow open); a short client timeout shows as a timeout"},
		{action: ActIdleTimeout, then: ThenRST, text: ClassReset + " on the first packet after the idle period (NAT or firewall state expired): " +
			"curl (56) Recv failure: Connection reset by peer; Go connection reset by peer, or EOF on a reused pooled connection"},
		{action: ActIdleTimeout, then: ThenFIN, text: ClassEOF + " after the idle period: Go EOF on a reused pooled connection; curl (52) Empty reply from server"},
		{action: ActIdleTimeout, then: ThenHold, text: timeoutStream + " (state expired, packets dropped)"},
		{action: ActLargeHello, then: ThenRST, text: resetHandshake + "; only for clients whose ClientHello spans segments (post-quantum key shares: Go ≥1.24, Chrome ≥124)"},
		{action: ActLargeHello, then: ThenFIN, text: eofHandshake + "; only for clients whose ClientHello spans segments"},
		{action: ActLargeHello, then: ThenHold, text: timeoutHandshake + "; only for clients whose ClientHello spans segments"},
		{action: ActLargeHello, then: ThenFailOpen, text: ClassNone + " from this rule: a middlebox that cannot parse a ClientHello spanning segments gives up and passes it unread (fail-open), " +
			"so its SNI and fingerprint policy never sees those clients: rules keyed on sni, ja3, ja4, alpn or max_offered_version do not match them, " +
			"and only clients with a large hello (post-quantum key shares: Go ≥1.24, Chrome ≥124) get past a block that stops the others"},
		{action: ActVersionIntolerance, then: ThenRST, text: resetHandshake + "%s", detail: intoleranceDetail},
		{action: ActVersionIntolerance, then: ThenFIN, text: eofHandshake + "%s", detail: intoleranceDetail},
		{action: ActPlaintextReply, text: plaintextOn443},
		{action: ActBlockPage, text: ClassHTTP + " %s block page, not a TLS error: curl exits 0, or (22) The requested URL returned error: %[1]s with -f; " +
			"Go resp.StatusCode == %[1]s with err == nil", detail: statusDetail},
		{action: ActSSL3ServerHello, text: ClassProtocol + " (SSLv3 ServerHello): curl (35) error:0A000102:SSL routines::unsupported protocol; " +
			"Go tls: server selected unsupported protocol version 300; Java The server selected protocol version SSL30 is not accepted by client preferences; " +
			"Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"},
		{action: ActUnofferedCipher, text: ClassProtocol + " (suite never offered): curl (35) error:0A0000F8:SSL routines::unknown cipher returned; " +
			"Go tls: server chose an unconfigured cipher suite; Java Server selected improper ciphersuite; Chrome ERR_SSL_PROTOCOL_ERROR"},
		{action: ActVersion, text: ClassAlert + " 70 protocol_version when the client's versions miss the range: curl (35) tlsv1 alert protocol version " +
			"(a TLS 1.0-only server gives legacy sigalg disallowed or unsupported); Go remote error: tls: protocol version not supported; " +
			"Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"},
		{action: ActRewrite, text: ClassNone + ": the response headers change (%s); visible only in the headers", detail: rewriteDetail},
	}
}

// failOpenBlinded is what a fail-open large_hello adds to its symptom on a
// connection where it kept rules from the hello: the rules that would have
// matched it.
func failOpenBlinded(rules []string) string {
	return "; on this connection it kept rule " + strings.Join(rules, ", ") + " from seeing the hello"
}

// Symptom returns the class of error the client should show when a rule
// with this action fires at this stage, with what curl, openssl, Go and
// Chrome print (client-symptoms.md). r supplies parameters such as the alert
// code, the chain and the follow-up; it may be nil.
func Symptom(action, stage string, r *Rule) string {
	a, st := Action(action), Stage(stage)
	if a == ActMTU && r != nil && r.HonorMSS {
		return mssClamped(r)
	}
	var then Then
	if r != nil {
		then = r.Then
	}
	if then == "" {
		then = defaultThen(a)
	}
	switch {
	case a == ActSNIPolicy && st == StageRequest:
		return ClassHTTP + " 421 Misdirected Request when the request's Host names another server than the TLS server name (SNI), not a TLS error: " +
			"curl exits 0 and prints the 421 page, or (22) The requested URL returned error: 421 with -f; Go resp.StatusCode == 421 with err == nil"
	}
	switch a {
	case ActAlert, ActSNIPolicy, ActALPNRefuse:
		if when, ok := clearAlertWhen(st, r); ok {
			return ClassAlert + " injected in the clear " + when + ", so the client reports a record-layer error, not the alert: " +
				"Go `local error: tls: bad record MAC`; curl (56) OpenSSL SSL_read: … bad record type (TLS 1.3) or … invalid aad (TLS 1.2 AES-GCM), " +
				"openssl s_client the same on read"
		}
		return alertSymptom(a, r, then)
	case ActCipher:
		return cipherSymptom(r)
	case ActClientAuth:
		return clientAuthSymptom(r)
	case ActAbort:
		return abortSymptom(r)
	case ActRateLimit:
		return rateLimitSymptom(r)
	case ActConnectPolicy:
		return connectPolicySymptom(r)
	case ActRewrite:
		if r != nil && r.BodyFind != "" {
			return ClassNone + ": the response changes (" + rewriteDetail(r) + "); the client sees it in the page it reads (curl prints the replaced text), " +
				"on the first response of a connection; a compressed body, or one over 1 MiB, keeps its content"
		}
	case ActRecordCorrupt:
		return corruptSymptom(st, r)
	case ActProxySkew:
		return proxySkewSymptom(r, "")
	case ActOCSPTimes:
		return ocspTimesSymptom(r)
	case ActHTTPDate:
		return httpDateSymptom(r)
	case ActALPNDowngrade:
		return ClassNone + " for clients that also offer " + downgradeTo(r) + ": " + downgradeSaw(r) + "; " + downgradeRefused(r)
	case ActChain:
		if r == nil {
			return ClassCert + ": per the chain (client-symptoms.md §4)"
		}
		return chainSymptom(r.Chain, r.Skew.D(), r.PermittedDNS)
	}
	for _, row := range symptomRows() {
		if row.action != a || row.then != "" && row.then != then || row.stages != nil && !slices.Contains(row.stages, st) {
			continue
		}
		if row.detail == nil {
			return row.text
		}
		return fmt.Sprintf(row.text, row.detail(r))
	}
	return ClassNone
}

// clearAlertWhen words when an alert injected beneath the TLS session
// arrives, and false at the stages where the alert answers the ClientHello
// and the client reads it as one.
func clearAlertWhen(st Stage, r *Rule) (string, bool) {
	switch st {
	case StageHandshakeDone:
		return "right after the handshake", true
	case StageRequest:
		return "as the client's request starts (the request never reaches the server)", true
	case StageResponse:
		return "in place of the server's response", true
	case StageIdle:
		quiet := "the idle period"
		if r != nil && r.Timeout > 0 {
			quiet = r.Timeout.D().String()
		}
		return "after " + quiet + " with no traffic either way (a load balancer or firewall dropping an idle keep-alive connection)", true
	}
	return "", false
}

// Client strings of a flipped bit in a record after the handshake,
// observed with curl 7.88.1 and openssl s_client on OpenSSL 3.0.19, Go
// 1.26 and Python 3.11 against a Go server, under TLS 1.3 and TLS 1.2
// (AES-GCM). In the server's data the client's own decryption fails; in
// the client's the server's does, and it answers with alert 20.
const (
	corruptS2C = "one bit flipped in the server's first record after the handshake: the client cannot decrypt it: " +
		"curl (56) OpenSSL SSL_read: … error:0A000119:SSL routines::decryption failed or bad record mac under TLS 1.3 " +
		"(… error:1C800066:Provider routines::cipher operation failed under TLS 1.2 AES-GCM); " +
		"openssl s_client decryption failed or bad record mac; Go local error: tls: bad record MAC; " +
		"Python [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC]"
	corruptC2S = "one bit flipped in the client's first record after the handshake: the server cannot decrypt it and answers with alert 20 bad_record_mac: " +
		"curl (56) OpenSSL SSL_read: … error:0A0003FC:SSL routines::sslv3 alert bad record mac; " +
		"openssl s_client sslv3 alert bad record mac (SSL alert number 20); Go remote error: tls: bad record MAC; " +
		"Python [SSL: SSLV3_ALERT_BAD_RECORD_MAC]; Chrome ERR_SSL_BAD_RECORD_MAC_ALERT"
)

// proxySkewSymptom is what a client of a proxy whose own clock is wrong
// sees (observed with curl 7.88.1 and Go 1.26): tlsgate rejects the
// server's certificate on its dates and resets the client, before the
// client's handshake in inspect mode (acted at client_hello), after it
// with server_ssl (acted at handshake_done). acted "" is the plan's word,
// before anyone knows which.
func proxySkewSymptom(r *Rule, acted Stage) string {
	shift := "shifted"
	if r != nil && r.Skew > 0 {
		shift = fmt.Sprintf("%s ahead (a good certificate looks expired to it)", r.Skew.D())
	} else if r != nil && r.Skew < 0 {
		shift = fmt.Sprintf("%s behind (a new certificate looks not yet valid to it)", (-r.Skew).D())
	}
	head := ClassReset + " by the proxy, whose own clock on the upstream leg is " + shift + ": it rejects the server's certificate " +
		"(x509: certificate has expired or is not yet valid) and resets the client"
	switch acted {
	case StageClientHello:
		return head + " before answering its ClientHello (inspect mode dials the server first): curl (35) Recv failure: Connection reset by peer; " +
			"openssl s_client write:errno=104; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	case StageHandshakeDone:
		return head + " after its handshake with the proxy, with no response (server_ssl dials the server then): " +
			"curl (56) Recv failure: Connection reset by peer; Go read: connection reset by peer; Chrome ERR_CONNECTION_RESET"
	}
	return head + ": in inspect mode before the client's handshake, curl (35) Recv failure: Connection reset by peer; " +
		"with server_ssl after it, curl (56) Recv failure: Connection reset by peer; Go read: connection reset by peer; " +
		"only when the shift takes the time past the certificate's validity window"
}

// downgradeTo is the protocol an alpn_downgrade rule keeps.
func downgradeTo(r *Rule) string {
	if r == nil || r.DowngradeTo == "" {
		return DefaultDowngrade
	}
	return r.DowngradeTo
}

// downgradeSaw is what a client that offered the kept protocol too sees
// (curl 7.88.1 and Go 1.26, observed): no error, the protocol it falls
// back to.
func downgradeSaw(r *Rule) string {
	return "h2 is stripped and they negotiate " + downgradeTo(r) + " instead: curl -v prints ALPN: server accepted " + downgradeTo(r) +
		" (with --http2 too); Go resp.Proto HTTP/1.1; only clients that need h2 notice"
}

// downgradeRefused is what a client that offered only protocols the
// proxy strips (an h2-only gRPC client) sees: crypto/tls refuses the hello
// with alert 120.
func downgradeRefused(r *Rule) string {
	return ClassAlert + " 120 no_application_protocol for a client that offers only h2 (gRPC), since the proxy speaks only " + downgradeTo(r) +
		": curl (35) … tlsv1 alert no application protocol; Go remote error: tls: no application protocol; Chrome ERR_SSL_PROTOCOL_ERROR"
}

// corruptSymptom words a record_corrupt rule by the direction it flips
// in: its own, or where the listener saw it act (request is the client's
// data, response the server's).
func corruptSymptom(st Stage, r *Rule) string {
	dir := S2C
	if r != nil && r.Direction != "" {
		dir = r.Direction
	}
	switch st {
	case StageRequest:
		dir = C2S
	case StageResponse:
		dir = S2C
	}
	switch dir {
	case C2S:
		return ClassBadMAC + ", " + corruptC2S
	case Both:
		return ClassBadMAC + " in whichever record after the handshake comes first; " + corruptS2C + "; or " + corruptC2S
	}
	return ClassBadMAC + ", " + corruptS2C
}

func afterHold(r *Rule) string {
	if r == nil || r.Then == ThenHold || r.Then == "" {
		return ""
	}
	what := "connection reset (RST)"
	if r.Then == ThenFIN {
		what = "EOF (FIN)"
	}
	return fmt.Sprintf("; after %s: %s", r.Delay.D(), what)
}

func afterTimeout(r *Rule) string {
	if r == nil || r.Timeout == 0 {
		return ""
	}
	return fmt.Sprintf("; after %s: EOF (FIN)", r.Timeout.D())
}

// afterTimeoutStream is afterTimeout after the handshake, where the FIN
// ends a response: a client still waiting reads an empty reply, or a body
// cut short if part of it came before the timeout began.
func afterTimeoutStream(r *Rule) string {
	if r == nil || r.Timeout == 0 {
		return ""
	}
	return fmt.Sprintf("; after %s: EOF (FIN), which a client still waiting reports as curl (52) Empty reply from server "+
		"(or (18) transfer closed with N bytes remaining when part of a body came first); Go EOF or unexpected EOF", r.Timeout.D())
}

// mssClamped is what an mtu rule with honor_mss shows: nothing, which is
// the point of it, as the fixed contrast to the same path stalling.
func mssClamped(r *Rule) string {
	return fmt.Sprintf("%s: the MSS is clamped to the path MTU %d (honor_mss), so every segment (at most %d bytes) fits and nothing stalls; "+
		"the same rule without honor_mss is the PMTUD black hole", ClassNone, r.MTU, r.MTU-40)
}

func mtuDetail(r *Rule) string {
	if r == nil {
		return ""
	}
	s := fmt.Sprintf(" (path MTU %d: bursts over %d bytes stall)", r.MTU, r.MTU-40)
	if r.RecoverAfter > 0 {
		s += fmt.Sprintf("; recovers after %s, as Linux MTU probing would", r.RecoverAfter.D())
	}
	return s
}

// cipherSymptom is what a cipher rule's refusal shows (client-symptoms.md
// §3 row 21, §5): alert 40 whether the suites or the key exchange groups
// miss. A groups rule names its groups and what openssl s_client prints,
// since `-groups X25519` against a NIST-only server is how operators meet
// it.
func cipherSymptom(r *Rule) string {
	const (
		suites = "no offered suite is allowed"
		tail   = "Go remote error: tls: handshake failure; Chrome ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
	)
	if r == nil || len(r.Groups) == 0 {
		return ClassAlert + " 40 handshake_failure when " + suites + ": curl (35) sslv3 alert handshake failure; " + tail
	}
	when := "the client offers none of the allowed key exchange groups (" + strings.Join(r.Groups, ", ") + ")"
	if len(r.Ciphers) > 0 {
		when = suites + ", or " + when
	}
	return ClassAlert + " 40 handshake_failure when " + when + ": curl (35) sslv3 alert handshake failure; " +
		"openssl s_client sslv3 alert handshake failure (SSL alert number 40); " + tail
}

func latencyDetail(r *Rule) string {
	if r == nil {
		return "the configured latency"
	}
	if r.Jitter > 0 {
		return fmt.Sprintf("%s ± %s", r.Latency.D(), r.Jitter.D())
	}
	return r.Latency.D().String()
}

func rateDetail(r *Rule) string {
	if r == nil {
		return "the configured rate"
	}
	return fmt.Sprintf("%d KB/s", r.Rate)
}

func statusDetail(r *Rule) string {
	if r == nil || r.Status == 0 {
		return "403"
	}
	return fmt.Sprint(r.Status)
}

// rewriteDetail names the headers this rule strips and adds, so the log
// promises what the rule does: the lab origin's rule only adds HSTS and
// must not claim to strip it.
func rewriteDetail(r *Rule) string {
	if r == nil || len(r.HeadersStrip) == 0 && len(r.HeadersAdd) == 0 && r.BodyFind == "" {
		return "as the rule's headers_strip and headers_add say"
	}
	var parts []string
	if len(r.HeadersStrip) > 0 {
		parts = append(parts, strings.Join(r.HeadersStrip, ", ")+" stripped")
	}
	if len(r.HeadersAdd) > 0 {
		names := make([]string, len(r.HeadersAdd))
		for i, h := range r.HeadersAdd {
			name, _, _ := strings.Cut(h, ":")
			names[i] = strings.TrimSpace(name)
		}
		parts = append(parts, strings.Join(names, ", ")+" added")
	}
	if r.BodyFind != "" {
		parts = append(parts, fmt.Sprintf("body: %q replaced by %q", r.BodyFind, r.BodyReplace))
	}
	return strings.Join(parts, "; ")
}

// ActedSymptom is the symptom of rule r once the listener knows where it
// acted: acted is the stage whose traffic it changed (a client_hello or
// server_flight wrapper that cut the data after a completed handshake
// acted at the request or the response), and plain says the connection
// carried plaintext, not TLS. Only an MTU stall's words depend on more
// than its stage: whether the certificate flight or the data was the
// first burst too large is known only afterwards.
func ActedSymptom(r *Rule, acted Stage, plain bool) string {
	if plain {
		if s := symptomWithoutHello(r); s != "" {
			return s
		}
	}
	if r.Action == ActMTU && r.HonorMSS {
		return mssClamped(r)
	}
	if r.Action == ActMTU && slices.Contains(handshakeStages(), acted) {
		return mtuFlight + mtuDetail(r)
	}
	if r.Action == ActProxySkew {
		return proxySkewSymptom(r, acted)
	}
	if r.Action == ActALPNDowngrade {
		// It acted only when it refused a client that offered nothing
		// the proxy speaks; a downgraded connection is no stop.
		return downgradeRefused(r)
	}
	return Symptom(string(r.Action), string(acted), r)
}

// symptomWithoutHello is what the client shows when the rule fires on a
// connection whose first bytes were not a ClientHello, and "" when that
// changes nothing. A plain HTTP reply is "wrong version number" only to a
// TLS client; a client that sent plain HTTP (`curl http://host:443/`)
// simply reads an HTTP response. An MTU stall there has no handshake to
// stall: the request fits or not, and the response stalls. A reset, close
// or blackhole before the handshake's stages are over (at accept, on the
// first bytes, or at the server's first bytes, which on plaintext are the
// response) meets a client waiting for its response, not for a
// ServerHello: curl http:// prints (56), (52) or (28), never (35).
func symptomWithoutHello(r *Rule) string {
	early := slices.Contains(handshakeStages(), r.Stage)
	switch {
	case r.Action == ActMTU:
		return mtuPlain + mtuDetail(r)
	case early && r.Action == ActReset && r.Stage == StageAccept:
		return resetPlainAccept
	case early && r.Action == ActReset:
		return resetPlain
	case early && r.Action == ActClose && r.Stage == StageAccept:
		return eofPlainAccept
	case early && r.Action == ActClose:
		return eofPlain
	case early && r.Action == ActBlackhole:
		return timeoutPlain + afterHold(r)
	}
	if r.Action != ActPlaintextReply || r.Stage != StageClientHello {
		return ""
	}
	return fmt.Sprintf(ClassHTTP+" %s in plain HTTP: the client sent plain HTTP, not a ClientHello, so it reads the reply "+
		"as an ordinary HTTP response, not a TLS error: curl -v http:// prints HTTP/1.1 %[1]s and exits 0 (22 with -f); "+
		"a TLS client gets wrong version number instead", statusDetail(r))
}
