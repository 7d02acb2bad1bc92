package faults

import (
	"slices"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/pki"
)

// param is one action parameter: its field name and whether a rule sets it.
type param struct {
	name string
	set  func(*Rule) bool
}

// paramList is every action parameter, in the order errors name them.
func paramList() []param {
	return []param{
		{"latency", func(r *Rule) bool { return r.Latency != 0 }},
		{"jitter", func(r *Rule) bool { return r.Jitter != 0 }},
		{"delay", func(r *Rule) bool { return r.Delay != 0 }},
		{"timeout", func(r *Rule) bool { return r.Timeout != 0 }},
		{"rate", func(r *Rule) bool { return r.Rate != 0 }},
		{"window", func(r *Rule) bool { return r.Window != 0 }},
		{"burst", func(r *Rule) bool { return r.Burst != 0 }},
		{"average_size", func(r *Rule) bool { return r.AverageSize != 0 }},
		{"size_variation", func(r *Rule) bool { return r.SizeVariation != 0 }},
		{"record_size", func(r *Rule) bool { return r.RecordSize != 0 }},
		{"bytes", func(r *Rule) bool { return r.Bytes != 0 }},
		{"mtu", func(r *Rule) bool { return r.MTU != 0 }},
		{"recover_after", func(r *Rule) bool { return r.RecoverAfter != 0 }},
		{"honor_mss", func(r *Rule) bool { return r.HonorMSS }},
		{"then", func(r *Rule) bool { return r.Then != "" }},
		{"alert", func(r *Rule) bool { return r.Alert != nil }},
		{"record_version", func(r *Rule) bool { return r.RecordVersion != 0 }},
		{"chain", func(r *Rule) bool { return r.Chain != "" }},
		{"skew", func(r *Rule) bool { return r.Skew != 0 }},
		{"permitted_dns", func(r *Rule) bool { return len(r.PermittedDNS) != 0 }},
		{"min_version", func(r *Rule) bool { return r.MinVersion != 0 }},
		{"max_version", func(r *Rule) bool { return r.MaxVersion != 0 }},
		{"intolerant_above", func(r *Rule) bool { return r.IntolerantAbove != 0 }},
		{"ciphers", func(r *Rule) bool { return len(r.Ciphers) != 0 }},
		{"groups", func(r *Rule) bool { return len(r.Groups) != 0 }},
		{"signature_algorithms", func(r *Rule) bool { return len(r.SignatureAlgorithms) != 0 }},
		{"status", func(r *Rule) bool { return r.Status != 0 }},
		{"template", func(r *Rule) bool { return r.Template != "" }},
		{"headers_strip", func(r *Rule) bool { return len(r.HeadersStrip) != 0 }},
		{"headers_add", func(r *Rule) bool { return len(r.HeadersAdd) != 0 }},
		{"body_find", func(r *Rule) bool { return r.BodyFind != "" }},
		{"body_replace", func(r *Rule) bool { return r.BodyReplace != "" }},
		{"require", func(r *Rule) bool { return r.Require != nil }},
		{"accept_cas", func(r *Rule) bool { return len(r.AcceptCAs) != 0 }},
		{"reject_with", func(r *Rule) bool { return r.RejectWith != nil }},
		{"grpc_status", func(r *Rule) bool { return r.GRPCStatus != nil }},
		{"downgrade_to", func(r *Rule) bool { return r.DowngradeTo != "" }},
		{"host_mismatch", func(r *Rule) bool { return r.HostMismatch != 0 }},
		{"mode", func(r *Rule) bool { return r.Mode != "" }},
	}
}

// actionParams lists the parameters each action reads.
func actionParams(a Action) []string {
	switch a {
	case ActBlackhole:
		return []string{"delay", "then"}
	case ActLatency:
		return []string{"latency", "jitter"}
	case ActBandwidth:
		return []string{"rate"}
	case ActSlicer:
		return []string{"average_size", "size_variation", "delay"}
	case ActSlowClose, ActFirstByteDelay:
		return []string{"delay"}
	case ActLimitData:
		return []string{"bytes"}
	case ActTimeout:
		return []string{"timeout"}
	case ActMTU:
		return []string{"mtu", "recover_after", "honor_mss", "then"}
	case ActTruncate:
		return []string{"bytes", "then"}
	case ActAlert:
		return []string{"alert", "then", "record_version", "timeout"}
	case ActSNIPolicy:
		return []string{"alert", "then", "record_version", "host_mismatch"}
	case ActALPNRefuse:
		return []string{"then", "record_version"}
	case ActChain:
		return []string{"chain", "skew", "permitted_dns"}
	case ActProxySkew, ActOCSPTimes, ActHTTPDate:
		return []string{"skew"}
	case ActALPNDowngrade:
		return []string{"downgrade_to"}
	case ActVersion:
		return []string{"min_version", "max_version"}
	case ActCipher:
		return []string{"ciphers", "groups", "signature_algorithms", "min_version", "max_version"}
	case ActBlockPage:
		return []string{"status", "template", "headers_add"}
	case ActPlaintextReply:
		return []string{"status", "headers_add"}
	case ActIdleTimeout:
		return []string{"timeout", "then"}
	case ActLargeHello:
		return []string{"then"}
	case ActVersionIntolerance:
		return []string{"intolerant_above", "then"}
	case ActFragment:
		return []string{"average_size", "record_size", "delay"}
	case ActUnofferedCipher:
		return []string{"ciphers"}
	case ActRewrite:
		return []string{"headers_strip", "headers_add", "body_find", "body_replace"}
	case ActClientAuth:
		return []string{"require", "accept_cas", "reject_with"}
	case ActAbort:
		return []string{"status", "grpc_status"}
	case ActRateLimit:
		return []string{"rate", "window", "burst", "status"}
	case ActConnectPolicy:
		return []string{"status"}
	case ActRefuse:
		return []string{"mode"}
	}
	return nil
}

func (r *Rule) validateParams(fail failFunc) error {
	uses := actionParams(r.Action)
	for _, p := range paramList() {
		if p.set(r) && !slices.Contains(uses, p.name) {
			want := "no parameters"
			if len(uses) > 0 {
				want = "only " + strings.Join(uses, ", ")
			}
			return fail(p.name, "not used by action %q (it takes %s)", r.Action, want)
		}
	}
	for _, d := range []struct {
		name string
		v    Duration
	}{{"latency", r.Latency}, {"jitter", r.Jitter}, {"delay", r.Delay}, {"timeout", r.Timeout}, {"recover_after", r.RecoverAfter}, {"window", r.Window}} {
		if d.v < 0 {
			return fail(d.name, "%s is negative", d.v.D())
		}
		// The effects do arithmetic on these (jitter is drawn from twice
		// its span), so a value near the int64 limit would overflow there.
		if d.v.D() > maxFaultWait {
			return fail(d.name, "%s is above the limit of %s", d.v.D(), maxFaultWait)
		}
	}
	want := "hold, fin, rst"
	switch r.Action {
	case ActLargeHello:
		want += ", fail_open"
	case ActVersionIntolerance:
		want = "fin, rst"
	}
	if r.Then == ThenFailOpen && r.Action != ActLargeHello {
		return fail("then", "fail_open is large_hello's alone: a middlebox that cannot parse the hello passes it (want %s)", want)
	}
	if r.Then != "" && !slices.Contains([]Then{ThenHold, ThenFIN, ThenRST, ThenFailOpen}, r.Then) {
		return fail("then", "unknown follow-up %q (want %s)", r.Then, want)
	}
	if r.RecordVersion != 0 && r.RecordVersion.String()[0] == '0' {
		return fail("record_version", "unknown version %s", r.RecordVersion)
	}
	return r.validateAction(fail)
}

// Upper bounds on parameters that the effects compute with. They are far
// above anything a lab needs (a day's wait, 10 GB/s, 16 MiB pieces) and far
// below where that arithmetic would overflow and panic mid-connection.
const (
	maxFaultWait = 24 * time.Hour
	maxRateKBps  = 10_000_000
	maxPieceSize = 16 << 20
	// maxBodyEdit bounds body_find and body_replace: a page's phrase, not
	// a page.
	maxBodyEdit = 64 << 10
)

// validateAction checks what each action needs from its parameters.
func (r *Rule) validateAction(fail failFunc) error {
	switch r.Action {
	case ActRefuse:
		return r.validateRefuse(fail)
	case ActLatency:
		if r.Latency == 0 && r.Jitter == 0 {
			return fail("latency", "missing: latency needs a delay such as \"100ms\"")
		}
	case ActBandwidth:
		if r.Rate <= 0 || r.Rate > maxRateKBps {
			return fail("rate", "want a rate in KB/s from 1 to %d, got %d", maxRateKBps, r.Rate)
		}
	case ActSlicer:
		if r.AverageSize <= 0 || r.AverageSize > maxPieceSize {
			return fail("average_size", "want a size in bytes from 1 to %d, got %d", maxPieceSize, r.AverageSize)
		}
		if r.SizeVariation < 0 || r.SizeVariation >= r.AverageSize {
			return fail("size_variation", "%d must be at least 0 and below average_size %d", r.SizeVariation, r.AverageSize)
		}
	case ActSlowClose, ActFirstByteDelay:
		if r.Delay <= 0 {
			return fail("delay", "missing: %s needs a delay such as \"1s\"", r.Action)
		}
	case ActLimitData:
		if r.Bytes <= 0 {
			return fail("bytes", "want a positive byte count, got %d", r.Bytes)
		}
	case ActTruncate:
		if r.Bytes < 0 {
			return fail("bytes", "%d is negative", r.Bytes)
		}
	case ActMTU:
		if r.MTU != 0 && (r.MTU < 68 || r.MTU > 65535) {
			return fail("mtu", "%d is outside 68..65535", r.MTU)
		}
		// A stall holds (until recover_after, or for ever): a sender's
		// TCP retransmits the oversized segment in silence. Resetting at
		// the stall would need its own client symptoms and explanations;
		// a drop that ends in a reset is blackhole with then = "rst".
		if r.Then != "" && r.Then != ThenHold {
			return fail("then", "mtu takes only \"hold\" (a stall holds, until recover_after if set), not %q; for a drop that ends in a reset use action blackhole with then = \"rst\"", r.Then)
		}
		// With the MSS clamped, every segment fits the path: nothing
		// stalls, so there is nothing to recover from or to hold.
		if r.HonorMSS && r.RecoverAfter != 0 {
			return fail("honor_mss", "with honor_mss nothing stalls, so recover_after has nothing to recover; drop one of them")
		}
		if r.HonorMSS && r.Then != "" {
			return fail("honor_mss", "with honor_mss nothing stalls, so then = %q has nothing to do; drop one of them", r.Then)
		}
	case ActIdleTimeout:
		if r.Timeout <= 0 {
			return fail("timeout", "missing: idle_timeout needs the idle period, such as \"30s\"")
		}
	case ActFragment:
		return r.validateFragment(fail)
	case ActLargeHello:
		if r.Then == ThenFailOpen && r.readsHello() {
			return fail(r.helloSelector(), "a large_hello that fails open is a middlebox that cannot parse the hello, so it cannot select by its content; select by hello_min_size or hello_multi_segment, or leave both out")
		}
	case ActVersionIntolerance:
		return r.validateIntolerance(fail)
	case ActSNIPolicy:
		if err := r.validateHostMismatch(fail); err != nil || r.checksHost() {
			return err
		}
		return r.validateAlert(fail)
	case ActAlert:
		return r.validateAlert(fail)
	case ActChain:
		// No chain with a skew is the normal leaf seen through a wrong
		// client clock; the listener serves pki's good chain for it.
		if r.Chain == "" && r.Skew == 0 {
			return fail("chain", "missing: the chain action needs one of %s, or a skew alone", joinList(Chains()))
		}
		if r.Chain != "" && !slices.Contains(Chains(), r.Chain) {
			return fail("chain", "unknown chain %q (want %s)", r.Chain, joinList(Chains()))
		}
		return r.validateConstraints(fail)
	case ActALPNDowngrade:
		return validateProtocol(fail, r.DowngradeTo)
	case ActProxySkew:
		if r.Skew == 0 {
			return fail("skew", "missing: proxy_skew needs the shift of tlsgate's own clock, such as \"720h\" (ahead: good certificates look expired) or \"-48h\" (behind: new ones look not yet valid)")
		}
	case ActHTTPDate:
		if r.Skew == 0 {
			return fail("skew", "missing: http_date needs the shift of the response's Date header, such as \"-2h\" (an origin whose clock is behind) or \"48h\" (ahead)")
		}
	case ActOCSPTimes:
		if r.Skew == 0 {
			return fail("skew", "missing: ocsp_times needs the shift of the stapled OCSP response's times, such as \"2h\" (its thisUpdate in the future: a responder whose clock is ahead) or \"-2h\" (its nextUpdate in the past: a server whose clock is behind, stapling a stale one); OpenSSL forgives five minutes")
		}
		if d := r.Skew.D(); d >= -pki.OCSPLeeway && d <= pki.OCSPLeeway {
			return fail("skew", "%s is within the %s of leeway a client checking the staple allows (curl --cert-status judges it with OpenSSL's OCSP_check_validity, which accepts %d s of clock difference either way): the staple would pass and the rule would teach nothing; want a shift beyond %s, such as \"2h\" or \"-2h\"",
				d, pki.OCSPLeeway, int(pki.OCSPLeeway/time.Second), pki.OCSPLeeway)
		}
	case ActVersion, ActCipher:
		return r.validatePolicy(fail)
	case ActUnofferedCipher:
		for _, c := range r.Ciphers {
			if _, _, ok := lookupSuite(c, false); !ok {
				return fail("ciphers", "unknown suite %q (want an IANA name or 0xNNNN)", c)
			}
		}
	case ActBlockPage:
		if !slices.Contains([]int{0, 403, 406, 429, 451, 503}, r.Status) {
			return fail("status", "%d is not a block page status (want 403, 406, 429, 451, 503)", r.Status)
		}
		if r.Template != "" && !slices.Contains(Templates(), r.Template) {
			return fail("template", "unknown template %q (want %s)", r.Template, strings.Join(Templates(), ", "))
		}
		return checkHeaderLines(fail, r.HeadersAdd)
	case ActPlaintextReply:
		if r.Status != 0 && (r.Status < 200 || r.Status > 599) {
			return fail("status", "%d is outside 200..599", r.Status)
		}
		return checkHeaderLines(fail, r.HeadersAdd)
	case ActClientAuth:
		return r.validateClientAuth(fail)
	case ActRateLimit:
		return r.validateRateLimit(fail)
	case ActConnectPolicy:
		return r.validateConnectPolicy(fail)
	case ActAbort:
		if r.Status != 0 && (r.Status < 200 || r.Status > 599) {
			return fail("status", "%d is outside 200..599 (an abort answers with a final status)", r.Status)
		}
		if g := r.GRPCStatus; g != nil && (*g < 1 || *g > 16) {
			return fail("grpc_status", "%d is outside 1..16 (gRPC's status codes; 0 OK would not abort)", *g)
		}
	case ActRewrite:
		if len(r.HeadersStrip) == 0 && len(r.HeadersAdd) == 0 && r.BodyFind == "" {
			if r.BodyReplace != "" {
				return fail("body_find", "missing: body_replace needs the bytes it replaces in body_find")
			}
			return fail("headers_strip", "rewrite needs headers_strip, headers_add or body_find")
		}
		if r.BodyReplace != "" && r.BodyFind == "" {
			return fail("body_find", "missing: body_replace needs the bytes it replaces in body_find")
		}
		if len(r.BodyFind) > maxBodyEdit || len(r.BodyReplace) > maxBodyEdit {
			return fail("body_find", "body_find and body_replace are at most %d bytes each", maxBodyEdit)
		}
		for _, h := range r.HeadersStrip {
			if !validToken(h) {
				return fail("headers_strip", "%q is not a header name", h)
			}
		}
		return checkHeaderLines(fail, r.HeadersAdd)
	}
	return nil
}

// validateClientAuth checks the accept_cas list and reject_with. The files
// are read where the rule is loaded (config, the admin API) and used (the
// listener); here only their names are checked.
func (r *Rule) validateClientAuth(fail failFunc) error {
	for _, ca := range r.AcceptCAs {
		switch {
		case strings.TrimSpace(ca) == "":
			return fail("accept_cas", "an empty entry (want %q, %q or the path of a PEM file)", CALab, CANone)
		case ca == CANone && len(r.AcceptCAs) > 1:
			return fail("accept_cas", "%q accepts no CA, so it stands alone; remove the other entries or it", CANone)
		}
	}
	if r.RejectWith != nil {
		c, ok := r.RejectWith.Code()
		if !ok || !slices.Contains(ClientAuthAlerts(), c) {
			return fail("reject_with", "%s is not an alert for a refused client certificate (want 42 bad_certificate, 48 unknown_ca, 49 access_denied or 116 certificate_required)", r.RejectWith)
		}
	}
	return nil
}

// validateHostMismatch checks an sni_policy's two ways apart: refusing the
// hello (alert, then, record_version, at client_hello) or answering a
// request whose Host is not the SNI (host_mismatch, at request). One rule
// does one; a policy that wants both is two rules.
func (r *Rule) validateHostMismatch(fail failFunc) error {
	st := r.stageOrDefault()
	if !r.checksHost() {
		if st == StageRequest {
			return fail("stage", "sni_policy acts at stage request only with host_mismatch (421 to a request whose Host is not the SNI); without it, it refuses the hello at client_hello")
		}
		return nil
	}
	if r.HostMismatch != StatusMisdirected {
		return fail("host_mismatch", "%d: want 421 (Misdirected Request, RFC 9110 §15.5.20), what servers answer a request whose Host is not the connection's SNI", r.HostMismatch)
	}
	if st != StageRequest {
		return fail("stage", "host_mismatch answers the request, after the handshake: want stage request (the default), not %q", st)
	}
	for _, p := range []struct {
		name string
		set  bool
	}{{"alert", r.Alert != nil}, {"then", r.Then != ""}, {"record_version", r.RecordVersion != 0}} {
		if p.set {
			return fail(p.name, "refuses the hello, which host_mismatch lets through to judge the request; use a second sni_policy rule for it")
		}
	}
	return nil
}

func (r *Rule) validateFragment(fail failFunc) error {
	if r.AverageSize < 0 || r.AverageSize > maxPieceSize {
		return fail("average_size", "%d is outside 0..%d", r.AverageSize, maxPieceSize)
	}
	if r.RecordSize < 0 || r.RecordSize > 16384 {
		return fail("record_size", "%d is outside 1..16384", r.RecordSize)
	}
	if r.AverageSize == 0 && r.RecordSize == 0 {
		return fail("average_size", "fragment needs average_size (segment bytes) or record_size (TLS record bytes)")
	}
	return nil
}

func (r *Rule) validateAlert(fail failFunc) error {
	if r.Action == ActAlert {
		idle := r.Stage == StageIdle
		switch {
		case idle && r.Timeout <= 0:
			return fail("timeout", "missing: an alert at stage idle needs the idle period after which it is sent, such as \"30s\"")
		case !idle && r.Timeout != 0:
			return fail("timeout", "only an alert at stage idle uses it (the idle period); at stage %q the alert goes at once", r.stageOrDefault())
		}
	}
	if r.Alert == nil {
		if r.Action == ActAlert {
			return fail("alert", "missing: give a number (40) or a name (handshake_failure)")
		}
		return nil
	}
	if _, ok := r.Alert.Code(); !ok {
		return fail("alert", "%d is outside 0..255", int(*r.Alert))
	}
	return nil
}

// validatePolicy checks the version and cipher actions against what a Go
// tls.Server can serve.
func (r *Rule) validatePolicy(fail failFunc) error {
	for _, v := range []struct {
		name string
		v    Version
	}{{"min_version", r.MinVersion}, {"max_version", r.MaxVersion}} {
		if v.v != 0 && (v.v < VersionTLS10 || v.v > VersionTLS13) {
			return fail(v.name, "%s: crypto/tls serves TLS 1.0 to 1.3 only (for SSLv3 use action ssl3_server_hello)", v.v)
		}
	}
	if r.MinVersion != 0 && r.MaxVersion != 0 && r.MinVersion > r.MaxVersion {
		return fail("min_version", "%s is above max_version %s", r.MinVersion, r.MaxVersion)
	}
	if r.Action == ActVersion {
		if r.MinVersion == 0 && r.MaxVersion == 0 {
			return fail("max_version", "the version action needs min_version or max_version")
		}
		return nil
	}
	if err := r.validateGroupsSigAlgs(fail); err != nil {
		return err
	}
	if len(r.Ciphers) == 0 {
		if len(r.Groups) != 0 || len(r.SignatureAlgorithms) != 0 {
			return nil // a group or signature restriction alone
		}
		return fail("ciphers", "missing: the cipher action needs IANA suite names, groups or signature_algorithms")
	}
	for _, c := range r.Ciphers {
		_, tls13, ok := lookupSuite(c, true)
		if !ok {
			return fail("ciphers", "%q is not a suite crypto/tls implements (IANA names, e.g. TLS_RSA_WITH_AES_128_CBC_SHA)", c)
		}
		if tls13 {
			return fail("ciphers", "%q is a TLS 1.3 suite; crypto/tls cannot restrict those, so the cipher action caps the version at 1.2", c)
		}
	}
	if r.MaxVersion == VersionTLS13 {
		return fail("max_version", "1.3 with a cipher restriction: crypto/tls cannot restrict TLS 1.3 suites (want 1.2 or lower)")
	}
	return nil
}

// validateProtocol checks an ALPN protocol name (RFC 7301 §3.1: 1 to 255
// bytes) that a downgrade keeps. "" is the default, http/1.1. h2 is what a
// downgrade strips, so keeping it would change nothing.
func validateProtocol(fail failFunc, p string) error {
	switch {
	case p == "":
		return nil
	case len(p) > 255:
		return fail("downgrade_to", "%d bytes; an ALPN protocol name has at most 255", len(p))
	case p == "h2":
		return fail("downgrade_to", "h2 is what the downgrade strips; name the protocol the proxy keeps, such as http/1.1")
	}
	for _, c := range p {
		if c <= ' ' || c > '~' || c == ',' {
			return fail("downgrade_to", "%q: want a protocol name such as http/1.1 (printable ASCII, no spaces or commas)", p)
		}
	}
	return nil
}

// checkHeaderLines validates "Name: value" lines for headers_add.
func checkHeaderLines(fail failFunc, lines []string) error {
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok || !validToken(strings.TrimSpace(name)) || strings.ContainsAny(value, "\r\n") {
			return fail("headers_add", "%q: want \"Name: value\" on one line", l)
		}
	}
	return nil
}

// validToken reports whether s is an HTTP token (RFC 9110 §5.6.2), the
// grammar of a header name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}
