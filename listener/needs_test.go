package listener

import (
	"slices"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/sniff"
)

// needFixtures gives every action the parameters that make it a valid
// rule, with a variant where one parameter changes what it needs (an alert
// at idle needs its idle period, an sni_policy with host_mismatch reads
// HTTP). TestNeedsAgree fails for an action missing here, so a new action
// is walked through both views of its needs.
func needFixtures() map[faults.Action][]faults.Rule {
	a40 := faults.Alert(40)
	ms := faults.Duration(time.Millisecond)
	return map[faults.Action][]faults.Rule{
		faults.ActReset:           {{}},
		faults.ActClose:           {{}},
		faults.ActBlackhole:       {{}},
		faults.ActLatency:         {{Latency: ms}},
		faults.ActBandwidth:       {{Rate: 10}},
		faults.ActSlicer:          {{AverageSize: 10, Delay: ms}},
		faults.ActSlowClose:       {{Delay: ms}},
		faults.ActLimitData:       {{Bytes: 10}},
		faults.ActTimeout:         {{}},
		faults.ActMTU:             {{}},
		faults.ActTruncate:        {{Bytes: 10}},
		faults.ActAlert:           {{Alert: &a40}, {Alert: &a40, Timeout: faults.Duration(time.Second)}},
		faults.ActChain:           {{Chain: faults.ChainExpired}},
		faults.ActVersion:         {{MinVersion: faults.VersionTLS13}},
		faults.ActCipher:          {{Groups: []string{"P-384"}}},
		faults.ActBlockPage:       {{}},
		faults.ActPlaintextReply:  {{}},
		faults.ActFirstByteDelay:  {{Delay: ms}},
		faults.ActIdleTimeout:     {{Timeout: faults.Duration(time.Second)}},
		faults.ActLargeHello:      {{}, {Then: faults.ThenFailOpen}},
		faults.ActFragment:        {{AverageSize: 10}},
		faults.ActSNIPolicy:       {{}, {HostMismatch: 421}},
		faults.ActALPNRefuse:      {{}},
		faults.ActSSL3ServerHello: {{}},
		faults.ActUnofferedCipher: {{}},
		faults.ActRewrite:         {{HeadersAdd: []string{"Via: 1.1 lab"}}},
		faults.ActClientAuth:      {{}},
		faults.ActAbort:           {{}},
		// One token an hour: firesOn's first connection takes it.
		faults.ActRateLimit:     {{Rate: 1, Window: faults.Duration(time.Hour)}},
		faults.ActRecordCorrupt: {{}},
		faults.ActProxySkew:     {{Skew: faults.Duration(time.Hour)}},
		faults.ActALPNDowngrade: {{}},
		faults.ActOCSPTimes:     {{Skew: faults.Duration(time.Hour)}},
		faults.ActHTTPDate:      {{Skew: faults.Duration(time.Hour)}},
		faults.ActRefuse:        {{}},
		faults.ActConnectPolicy: {{}, {Status: 407}},

		// connsOf's hello offers TLS 1.2 at most: a device intolerant
		// above 1.1 closes it.
		faults.ActVersionIntolerance: {{IntolerantAbove: faults.VersionTLS11}, {IntolerantAbove: faults.VersionTLS11, Then: faults.ThenFIN}},
	}
}

// siteConn is a connection a listener carries, as the engine sees it.
type siteConn struct {
	name string
	ci   faults.ConnInfo
}

// connsOf is every kind of connection a listener meets: TLS with a hello
// sniff parses, TLS with one beyond its parse cap, and plain HTTP. A
// plaintext listener resets TLS after its hello, and only a listener that
// relays plain HTTP carries it past the first bytes: the listener tells
// the engine so (ConnInfo.ListenerEnds, as Server.endsAtFirstBytes sets
// it), and the engine alone must then keep a later rule from firing.
func connsOf(s Site) []siteConn {
	// It asks for an OCSP staple (status_request, extension 5), as curl
	// --cert-status does: ocsp_times acts only then.
	hello := &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, Extensions: []uint16{0, 5}}
	// In two reads, as large_hello selects by default.
	tls := faults.ConnInfo{Decrypted: s.Terminates, VerifiesUpstream: s.VerifiesUpstream, HelloSegments: 2,
		ListenerEnds: s.Mode == Plaintext}
	parsed := tls
	parsed.Hello = hello
	conns := []siteConn{
		{"TLS", parsed},
		{"TLS beyond the parse cap", tls},
		{"plain HTTP", faults.ConnInfo{Plain: true, ListenerEnds: !s.RelaysPlain}},
	}
	if s.Connect {
		// An explicit proxy's CONNECT, and the TLS its tunnel carries
		// past the hello to the backend, on a plaintext listener too.
		tunnel := tls
		tunnel.ListenerEnds = false
		inTunnel := tunnel
		inTunnel.Hello = hello
		conns = append(conns, siteConn{"CONNECT", faults.ConnInfo{Plain: true, Connect: true}},
			siteConn{"TLS in a tunnel", inTunnel}, siteConn{"TLS beyond the parse cap in a tunnel", tunnel})
	}
	return conns
}

// TestNeedsAgree walks every action at every stage it takes and checks
// that the two views of faults.Rule.Need agree: RuleMisfit (the config
// file and the admin API) refuses a rule aimed at a listener exactly when
// the engine fires it on none of the connections that listener carries.
func TestNeedsAgree(t *testing.T) {
	opts := []Options{
		{Name: "pass", Mode: Passthrough},
		{Name: "pass-allow", Mode: Passthrough, NonSSL: NonSSLAllow},
		{Name: "term", Mode: Terminate},
		{Name: "term-allow", Mode: Terminate, NonSSL: NonSSLAllow},
		{Name: "term-verify", Mode: Terminate, ServerSSL: &ServerSSL{Verify: true}},
		{Name: "term-noverify", Mode: Terminate, ServerSSL: &ServerSSL{}},
		{Name: "inspect", Mode: Inspect},
		{Name: "plain", Mode: Plaintext},
		{Name: "plain-connect", Mode: Plaintext, Connect: ConnectTunnel},
		{Name: "auto", Mode: Auto},
		{Name: "auto-term", Mode: Auto, ClientSSL: &ClientSSL{}},
	}
	sites := make([]Site, len(opts))
	for i := range opts {
		sites[i] = opts[i].Site()
	}
	fixtures := needFixtures()
	for _, a := range faults.Actions() {
		variants, ok := fixtures[a]
		if !ok {
			t.Errorf("action %q has no fixture in needFixtures: add one, and its need to faults.Rule.Need", a)
			continue
		}
		walked := 0
		for _, v := range withHelloSelector(variants) {
			for _, st := range faults.Stages() {
				r := v
				r.Name, r.Action, r.Stage = "r", a, st
				if r.Validate() != nil {
					continue
				}
				walked++
				n := r.Need()
				if n.Kind != faults.NeedNothing && (n.Field == "" || n.What == "") {
					t.Errorf("%s at %s: need %d blames field %q with words %q: want both", a, st, n.Kind, n.Field, n.What)
				}
				for _, s := range sites {
					fits := misfits(t, r, s) == nil
					if a == faults.ActRefuse {
						// It acts on the listening socket, never through
						// a connection's plan.
						if !fits || n.Kind != faults.NeedNothing {
							t.Errorf("refuse on %s: fits %v, need %d; want every listener", s.Name, fits, n.Kind)
						}
						continue
					}
					fires := ""
					for _, c := range connsOf(s) {
						if !firesOn(t, r, c.ci) {
							continue
						}
						if lateStage(st) && c.ci.ListenerEnds {
							t.Errorf("%s at %s on listener %s: the engine fires it on %s, which the listener ends at its first bytes",
								a, st, s.Name, c.name)
						}
						if fires == "" {
							fires = c.name
						}
					}
					if fits != (fires != "") {
						t.Errorf("%s at %s (need %d) on listener %s: RuleMisfit says fits %v, but the engine fires it on %q",
							a, st, n.Kind, s.Name, fits, fires)
					}
				}
			}
		}
		if walked == 0 {
			t.Errorf("action %q: no fixture of needFixtures validates at any stage", a)
		}
	}
}

// withHelloSelector returns the variants followed by each of them with an
// sni selector that picks connsOf's parsed hello: such a rule acts only on
// TLS whose hello sniff parsed, never on plain HTTP nor on TLS a plaintext
// listener resets, and RuleMisfit must know it.
func withHelloSelector(variants []faults.Rule) []faults.Rule {
	out := slices.Clone(variants)
	for _, v := range variants {
		v.SNI = "lab.test"
		out = append(out, v)
	}
	return out
}

// misfits asks RuleMisfit about r both ways it is asked: aimed at every
// listener (here only s) and aimed at s by name. The two must agree.
func misfits(t *testing.T, r faults.Rule, s Site) error {
	t.Helper()
	_, all := RuleMisfit(r, "rule", []Site{s})
	r.Listener = s.Name
	_, named := RuleMisfit(r, "rule", []Site{s})
	if (all == nil) != (named == nil) {
		t.Errorf("%s at %s on %s: aimed at every listener %v, aimed at it by name %v", r.Action, r.Stage, s.Name, all, named)
	}
	return named
}

// firesOn reports whether an engine holding only r fires it for ci.
func firesOn(t *testing.T, r faults.Rule, ci faults.ConnInfo) bool {
	t.Helper()
	e := faults.NewEngine(nil)
	if err := e.Add(r); err != nil {
		t.Fatal(err)
	}
	ci.Listener, ci.Index = "l", 1
	switch {
	case r.Action == faults.ActConnectPolicy:
		// Planned only at a CONNECT, with its host as the sni.
		return ci.Connect && !e.PlanConnect(ci, "lab.test").Empty()
	case ci.Connect:
		// A CONNECT's own plan holds connect_policy rules only; the
		// others are planned on the tunnel's first bytes.
		return false
	}
	if r.Stage == faults.StageAccept {
		return !e.PlanAccept(ci).Empty()
	}
	if r.Action == faults.ActRateLimit {
		// It fires only for a connection over the rate: a first one
		// the rule selects takes the bucket's one token.
		e.Plan(ci)
		ci.Index++
	}
	return !e.Plan(ci).Empty()
}

// lateStage says st comes after the first bytes, where only a connection
// the listener carries on meets it.
func lateStage(st faults.Stage) bool {
	return st != faults.StageAccept && st != faults.StageClientHello
}
