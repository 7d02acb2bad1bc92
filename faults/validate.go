package faults

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
)

// RuleError says which field of which rule is wrong and why. The admin API
// turns it into a 400 that names the field.
type RuleError struct {
	Rule  string // the rule's name as given
	Field string // JSON/TOML name of the offending field
	Msg   string
}

// Error formats as: faults: rule "x": field "stage": unknown stage "foo" (want …).
func (e *RuleError) Error() string {
	return fmt.Sprintf("faults: rule %q: field %q: %s", e.Rule, e.Field, e.Msg)
}

// Validate reports the first thing wrong with the rule, naming the field. It
// rejects unknown names, out-of-range values, parameters the action does not
// use, and combinations that could never work (hello selectors at accept, a
// chain action without a chain, an idle alert without its idle period).
func (r Rule) Validate() error {
	fail := func(field, format string, args ...any) error {
		return &RuleError{Rule: r.Name, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if err := r.validateName(fail); err != nil {
		return err
	}
	if r.Action == "" {
		return fail("action", "missing (want %s)", joinList(Actions()))
	}
	if !slices.Contains(Actions(), r.Action) {
		return fail("action", "unknown action %q (want %s)", r.Action, joinList(Actions()))
	}
	if err := r.validateStage(fail); err != nil {
		return err
	}
	if err := r.validateSelectors(fail); err != nil {
		return err
	}
	if err := r.validateParams(fail); err != nil {
		return err
	}
	return r.validateSchedule(fail)
}

// ValidateGiven checks a field the rule's source (the config file, the
// admin API) gave explicitly, where Validate cannot tell it from one left
// out. A 0 there reads as none, which is the opposite of what it says:
// "duration = 0s" says the rule lasts no time, and made it last until
// removed and vanish from fault ls; "max_fires = 0" reads as "never
// fire", and made the rule fire without limit. Each is refused, naming
// the field; a rule without either limit leaves the field out.
func (r Rule) ValidateGiven(field string) error {
	switch {
	case field == "duration" && r.Duration == 0:
		return &RuleError{Rule: r.Name, Field: field, Msg: "0s would last no time, and reads as no duration at all (until removed); " +
			"leave duration out for a rule that lasts until removed or disabled, or give a positive duration"}
	case field == "max_fires" && r.MaxFires == 0:
		return &RuleError{Rule: r.Name, Field: field, Msg: "0 would read as never fire, but means no limit; " +
			"leave max_fires out for a rule that fires without limit, give a positive count, or set enabled to false to keep the rule from firing"}
	}
	return nil
}

type failFunc func(field, format string, args ...any) error

func (r *Rule) validateName(fail failFunc) error {
	if r.Name == "" {
		return fail("name", "missing: every rule needs a name, used in logs and the admin API")
	}
	if len(r.Name) > 64 {
		return fail("name", "%d characters, want at most 64", len(r.Name))
	}
	for _, c := range r.Name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fail("name", "character %q not allowed (want letters, digits, '-', '_', '.')", c)
		}
	}
	if strings.Trim(r.Name, ".") == "" {
		// "." and ".." are path steps: /faults/.. would name the API's
		// root, so such a rule could not be removed or toggled.
		return fail("name", "%q is only dots: it needs a letter, a digit, '-' or '_'", r.Name)
	}
	return nil
}

// allowedStages is where each action can act.
func allowedStages(a Action) []Stage {
	switch a {
	case ActReset, ActClose, ActBlackhole, ActLatency, ActBandwidth, ActSlicer, ActSlowClose, ActLimitData,
		ActTimeout, ActMTU, ActTruncate, ActFragment, ActFirstByteDelay:
		return []Stage{StageAccept, StageClientHello, StageServerFlight, StageHandshakeDone, StageRequest, StageResponse}
	case ActAlert:
		// From handshake_done on the alert is injected in the clear beneath
		// the TLS session, as a middlebox would: it cannot forge an
		// encrypted one. At idle it comes after the rule's timeout of quiet.
		return []Stage{StageAccept, StageClientHello, StageServerFlight, StageHandshakeDone, StageRequest, StageResponse, StageIdle}
	case ActPlaintextReply:
		return []Stage{StageAccept, StageClientHello, StageServerFlight}
	case ActIdleTimeout:
		return []Stage{StageIdle}
	case ActRefuse:
		// It acts before there is a connection: on the listening socket.
		return []Stage{StageAccept}
	case ActBlockPage, ActAbort, ActRateLimit:
		return []Stage{StageRequest}
	case ActRewrite, ActHTTPDate:
		return []Stage{StageResponse}
	case ActRecordCorrupt:
		// It acts on the first application-data record after the
		// handshake, whichever stage that record belongs to.
		return []Stage{StageHandshakeDone}
	case ActSNIPolicy:
		// It refuses the hello, or with host_mismatch judges the request.
		return []Stage{StageClientHello, StageRequest}
	}
	return []Stage{StageClientHello}
}

// directional reports whether the action acts on one direction of bytes.
// The others act on the whole connection or answer the client themselves.
func directional(a Action) bool {
	switch a {
	case ActLatency, ActBandwidth, ActSlicer, ActLimitData, ActTimeout, ActMTU, ActTruncate, ActBlackhole,
		ActFragment, ActFirstByteDelay, ActClose, ActRecordCorrupt:
		return true
	}
	return false
}

func (r *Rule) validateStage(fail failFunc) error {
	if r.Stage != "" && !slices.Contains(Stages(), r.Stage) {
		return fail("stage", "unknown stage %q (want %s)", r.Stage, joinList(Stages()))
	}
	st := r.stageOrDefault()
	if ok := allowedStages(r.Action); !slices.Contains(ok, st) {
		why := ""
		if st == StageAccept {
			why = "; at accept no ClientHello has been read"
		}
		return fail("stage", "action %q cannot act at stage %q (want %s)%s", r.Action, st, joinList(ok), why)
	}
	if r.Direction == "" {
		return nil
	}
	if !slices.Contains([]Direction{C2S, S2C, Both}, r.Direction) {
		return fail("direction", "unknown direction %q (want c2s, s2c, both)", r.Direction)
	}
	if !directional(r.Action) {
		return fail("direction", "action %q acts on the whole connection and has no direction; remove it", r.Action)
	}
	if r.Action == ActClose && r.Direction == C2S {
		return fail("direction", "close c2s would only stop reading, which the client cannot see (want s2c for a half-close, or both)")
	}
	return nil
}

func (r *Rule) validateSelectors(fail failFunc) error {
	if r.Action == ActRefuse {
		return r.refuseSelectors(fail)
	}
	if err := checkGlob(r.SNI); err != nil {
		return fail("sni", "%v", err)
	}
	if r.Client != "" {
		if _, err := parseClient(r.Client); err != nil {
			return fail("client", "%q is neither a CIDR (10.0.0.0/8) nor an IP address", r.Client)
		}
	}
	for _, s := range []struct{ field, v string }{{"ja3", r.JA3}, {"ja4", r.JA4}} {
		if i := strings.IndexByte(s.v, '*'); i >= 0 && i != len(s.v)-1 {
			return fail(s.field, "%q: '*' is allowed only at the end (prefix match)", s.v)
		}
		if s.v == "*" {
			return fail(s.field, "a lone '*' matches every client; leave the selector out instead")
		}
	}
	if r.MaxOfferedVersion != 0 && r.MaxOfferedVersion.String()[0] == '0' {
		return fail("max_offered_version", "unknown version %s", r.MaxOfferedVersion)
	}
	if r.HelloMinSize < 0 {
		return fail("hello_min_size", "%d is negative", r.HelloMinSize)
	}
	if r.ConnFirst != 0 && r.ConnAfter != 0 && r.ConnAfter >= r.ConnFirst {
		return fail("conn_after", "%d with conn_first %d selects no connection", r.ConnAfter, r.ConnFirst)
	}
	if p := r.Probability; p != nil && (math.IsNaN(*p) || *p < 0 || *p > 1) {
		return fail("probability", "%v is outside 0..1", *p)
	}
	if r.stageOrDefault() == StageAccept && r.UsesHello() {
		return fail(r.helloSelector(), "stage accept runs before the ClientHello is read; hello selectors need stage client_hello or later")
	}
	return nil
}

// readsHello reports whether a selector needs the ClientHello's content
// (not only its size): the fields a middlebox loses when it cannot parse
// a hello.
func (r *Rule) readsHello() bool {
	return r.SNI != "" || r.JA3 != "" || r.JA4 != "" || r.ALPN != "" || r.MaxOfferedVersion != 0
}

// stageOrDefault is the rule's stage, or its action's default when it names
// none: an sni_policy that judges the Host acts on the request.
func (r *Rule) stageOrDefault() Stage {
	switch {
	case r.Stage != "":
		return r.Stage
	case r.checksHost():
		return StageRequest
	}
	return defaultStage(r.Action)
}

// helloSelector names the first hello-based selector that is set.
func (r *Rule) helloSelector() string {
	switch {
	case r.SNI != "":
		return "sni"
	case r.JA3 != "":
		return "ja3"
	case r.JA4 != "":
		return "ja4"
	case r.ALPN != "":
		return "alpn"
	case r.MaxOfferedVersion != 0:
		return "max_offered_version"
	case r.HelloMinSize != 0:
		return "hello_min_size"
	}
	return "hello_multi_segment"
}

// checkGlob accepts a host glob: '*' wildcards, no spaces, or "<none>".
func checkGlob(g string) error {
	if g == "" || g == SNINone {
		return nil
	}
	if strings.HasPrefix(g, "<") {
		return fmt.Errorf("%q: the only special value is %q", g, SNINone)
	}
	if err := CheckSNIGlob(g); err != nil {
		return fmt.Errorf("%q: not an SNI glob (%w): a server name holds only letters, digits, '.', '-' and '_', and the glob adds '*'", g, err)
	}
	return nil
}

// CheckSNIGlob says why g, a glob matched against the SNI of a ClientHello,
// can never match one, or nil: a host name is letters, digits, '.', '-'
// and '_', and '*' is the only wildcard, so any other character ('[', '/',
// ':', a space) makes a rule that never fires. Fault rules and inspect
// bypass lists share this one check. The error is "character 'X'".
func CheckSNIGlob(g string) error {
	for _, r := range g {
		if !(r == '*' || r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("character %q", r)
		}
	}
	return nil
}

// ParseClient reads a rule's client (a CIDR or a single address) as the
// prefix the rule matches client addresses against, so a listener's
// check of the rule's fit compares the same range.
func ParseClient(s string) (netip.Prefix, error) { return parseClient(s) }

// parseClient reads a CIDR or a single address as a prefix. IPv4-mapped IPv6
// forms are unmapped, as client addresses are compared unmapped.
func parseClient(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap().WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("faults: %q spans more than the IPv4-mapped range", s)
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func (r *Rule) validateSchedule(fail failFunc) error {
	switch {
	case r.StartAfter < 0:
		return fail("start_after", "%s is negative", r.StartAfter.D())
	case r.Duration < 0:
		return fail("duration", "%s is negative", r.Duration.D())
	case r.MaxFires < 0:
		return fail("max_fires", "%d is negative", r.MaxFires)
	}
	return nil
}

// joinList writes a "want" list: "a, b, c".
func joinList[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
