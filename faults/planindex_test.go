package faults

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// walkPlan is the plan as a walk of every rule makes it, the reference the
// index must agree with: it reads the snapshot's whole rule list, not the
// stage lists publish builds, and tries each enabled rule of the stage in
// rule order, as Engine.plan did before the snapshot was split and indexed.
func walkPlan(e *Engine, ci ConnInfo, accept bool) *Plan {
	if accept {
		ci.Hello, ci.JA3, ci.JA4, ci.HelloSegments = nil, "", "", 0
	}
	s := e.snap.Load()
	pl := planning{e: e, ci: &ci, accept: accept}
	pl.v = newConnView(&ci)
	if accept {
		for _, rs := range s.rules {
			if rs.enabled && rs.rule.Stage == StageAccept {
				pl.try(rs)
			}
		}
		return pl.p
	}
	later := func(rs *ruleState) bool { return rs.enabled && rs.rule.Stage != StageAccept }
	var unread bool
	for _, rs := range s.rules {
		if later(rs) && rs.rule.failsOpen() && pl.try(rs) {
			unread = true
		}
	}
	var blinded []string
	for _, rs := range s.rules {
		switch {
		case !later(rs) || rs.rule.failsOpen():
		case unread && rs.m.readsHello:
			if rs.m.match(&pl.v) {
				blinded = append(blinded, rs.rule.Name)
			}
		default:
			pl.try(rs)
		}
	}
	if len(blinded) > 0 {
		for i := range pl.p.firings {
			if pl.p.rules[i].failsOpen() {
				pl.p.firings[i].Symptom += failOpenBlinded(blinded)
			}
		}
	}
	return pl.p
}

// The pools the random rule sets and connections draw from: names that
// differ only in case or a trailing dot, nested and overlapping client
// ranges of more lengths than one merge keeps (maxLists), IPv4-mapped and
// zoned addresses, and globs next to the exact names they cover.
var (
	idxSNIs = []string{"", "", "", SNINone, "a.test", "A.Test", "a.test.", "b.test", "x.a.test", "k.test",
		"*.a.test", "*.test", "a*", "*", "x.*.test", "*a*.test"}
	idxClients = []string{"", "", "", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.0/25", "10.1.2.0/26",
		"10.1.2.0/27", "10.1.2.0/28", "10.1.2.0/29", "10.1.2.0/30", "10.1.2.3", "10.1.2.3/32", "0.0.0.0/0",
		"192.0.2.0/24", "::ffff:10.1.0.0/112", "2001:db8::/32", "2001:db8::1", "::/0", "fe80::1"}
	idxHelloNames = []string{"", "a.test", "A.TEST", "a.test.", "b.test", "x.a.test", "\u212a.test", "q.test"}
	idxAddrs      = []string{"10.1.2.3:1", "10.1.2.9:1", "10.9.9.9:1", "192.0.2.5:1", "[::ffff:10.1.2.3]:1",
		"[2001:db8::1]:1", "[fe80::1%eth0]:1", "[2001:db9::1]:1"}
)

// randomRule draws one rule; the caller keeps it only if it validates.
func randomRule(rng *rand.Rand, i int) Rule {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	r := Rule{Name: fmt.Sprintf("r%d", i), SNI: pick(idxSNIs), Client: pick(idxClients)}
	switch rng.IntN(9) {
	case 0:
		r.Action = ActReset
	case 1:
		r.Action, r.Stage, r.Latency = ActLatency, StageClientHello, Duration(time.Millisecond)
	case 2:
		r.Action, r.Stage = ActMTU, StageServerFlight
	case 3:
		r.Action, r.Chain = ActChain, ChainExpired
	case 4:
		r.Action, r.Chain = ActChain, ChainWrongHost
	case 5:
		r.Action, r.Then = ActLargeHello, ThenFailOpen
	case 6:
		r.Action, r.SNI, r.Client = ActRefuse, "", ""
	case 7:
		r.Action, r.Stage, r.SNI = ActReset, StageAccept, ""
	default:
		r.Action, r.Stage, r.SNI = ActLatency, StageAccept, ""
		r.Latency = Duration(time.Millisecond)
	}
	if rng.IntN(6) == 0 {
		r.Enabled = ptr(false)
	}
	if rng.IntN(6) == 0 && r.Action != ActRefuse {
		r.Probability = ptr(0.5)
	}
	if rng.IntN(8) == 0 && r.Action != ActRefuse {
		r.MaxFires = 1 + rng.Int64N(2)
	}
	if rng.IntN(8) == 0 && r.Action != ActRefuse {
		r.ConnEvery = 2
	}
	if rng.IntN(6) == 0 {
		r.Listener = []string{"l1", "l2"}[rng.IntN(2)]
	}
	if rng.IntN(8) == 0 && r.stageOrDefault() != StageAccept && r.Action != ActRefuse {
		r.JA4 = "t13*"
	}
	if rng.IntN(12) == 0 {
		r.StartAfter = Duration(time.Hour) // waiting for the whole test: the clock stands still
	}
	return r
}

func randomConn(rng *rand.Rand, index uint64) ConnInfo {
	ci := ConnInfo{Listener: []string{"l1", "l2"}[rng.IntN(2)], Index: index, Decrypted: rng.IntN(2) == 0}
	if rng.IntN(10) > 0 { // else no address, as a ConnInfo built without one
		ci.Client = netip.MustParseAddrPort(idxAddrs[rng.IntN(len(idxAddrs))])
	}
	if rng.IntN(5) > 0 {
		ci.Hello = &sniff.ClientHello{ServerName: idxHelloNames[rng.IntN(len(idxHelloNames))], LegacyVersion: 0x0303,
			SupportedVersions: []uint16{0x0304, 0x0303}, WireLen: []int{517, 1700}[rng.IntN(2)]}
		ci.HelloSegments = 1 + rng.IntN(2)
		ci.JA4 = []string{"t13d1516h2_x", "t12d0909_y"}[rng.IntN(2)]
	}
	return ci
}

// TestPlanIndexMatchesWalk compares the indexed plans with walkPlan's over
// random rule sets (a fixed seed, so a failure replays; three sets in four
// indexed whatever their size, see indexFrom): the same firings,
// in the same order, with the same draws and symptoms, and the same
// counters after. Two engines with the same rules and a clock that stands
// still keep the counters apart, since each firing takes from its rule's
// max_fires budget.
func TestPlanIndexMatchesWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 4))
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	var fired, walked int
	for set := range 3000 {
		var rules []Rule
		for i := range 1 + rng.IntN(24) {
			if r := randomRule(rng, i); r.Validate() == nil {
				rules = append(rules, r)
			}
		}
		indexed, reference := NewEngine(now), NewEngine(now)
		if set%4 > 0 {
			indexed.indexFrom = 0 // index these few rules as if they were many
		}
		if err := indexed.Set(rules); err != nil {
			t.Fatal(err)
		}
		if err := reference.Set(rules); err != nil {
			t.Fatal(err)
		}
		for c := range 8 {
			ci := randomConn(rng, uint64(c+1))
			for _, accept := range []bool{true, false} {
				var got *Plan
				if accept {
					got = indexed.PlanAccept(ci)
				} else {
					got = indexed.Plan(ci)
				}
				want := walkPlan(reference, ci, accept)
				if !reflect.DeepEqual(got.Firings(), want.Firings()) {
					t.Fatalf("set %d conn %+v accept=%v: indexed plan %v, walk %v\nrules: %+v", set, ci, accept,
						got.Firings(), want.Firings(), rules)
				}
				fired += got.Len()
				walked++
			}
		}
		for i, st := range indexed.List() {
			if ref := reference.List()[i]; st.Fires != ref.Fires || !st.LastFire.Equal(ref.LastFire) {
				t.Fatalf("set %d rule %s: counters %d/%v, walk's %d/%v", set, st.Rule.Name, st.Fires, st.LastFire,
					ref.Fires, ref.LastFire)
			}
		}
	}
	t.Logf("%d firings over %d plans", fired, walked)
	// A comparison of empty plans proves little: most should fire something.
	if fired < walked/4 {
		t.Errorf("only %d firings over %d plans: the random rules select too little to compare", fired, walked)
	}
}

// TestPlanIndexCases: the index's edges, each checked against the names
// that must fire, in rule order, and against walkPlan.
func TestPlanIndexCases(t *testing.T) {
	hello := func(name string) *sniff.ClientHello {
		return &sniff.ClientHello{ServerName: name, LegacyVersion: 0x0303, SupportedVersions: []uint16{0x0304, 0x0303}, WireLen: 517}
	}
	conn := func(addr, sni string) ConnInfo {
		ci := ConnInfo{Listener: "l1", Index: 1, Decrypted: true, Client: netip.MustParseAddrPort(addr)}
		if sni != "-" {
			ci.Hello, ci.HelloSegments = hello(sni), 1
		}
		return ci
	}
	var nested []Rule // more ranges holding 10.1.2.3 than one merge keeps, between two globs
	nested = append(nested, Rule{Name: "glob-first", SNI: "*.test", Stage: StageClientHello, Action: ActLatency, Latency: 1})
	for _, bits := range []int{32, 8, 30, 16, 28, 24, 26, 29, 31} {
		nested = append(nested, Rule{Name: fmt.Sprintf("net-%d", bits), Client: fmt.Sprintf("10.1.2.3/%d", bits),
			Stage: StageClientHello, Action: ActLatency, Latency: 1})
	}
	nested = append(nested, Rule{Name: "glob-last", SNI: "a*", Stage: StageClientHello, Action: ActLatency, Latency: 1})
	nestedNames := []string{"glob-first", "net-32", "net-8", "net-30", "net-16", "net-28", "net-24", "net-26", "net-29", "net-31", "glob-last"}

	tests := []struct {
		name        string
		rules       []Rule
		ci          ConnInfo
		accept, all []string // fired at accept, and after the hello
	}{
		{"exact name in any case",
			[]Rule{{Name: "upper", SNI: "A.TEST", Stage: StageClientHello, Action: ActLatency, Latency: 1}, {Name: "lower", SNI: "a.test", Stage: StageClientHello, Action: ActLatency, Latency: 1}},
			conn("192.0.2.1:1", "A.Test"), nil, []string{"upper", "lower"}},
		{"a trailing dot is another name",
			[]Rule{{Name: "bare", SNI: "a.test", Stage: StageClientHello, Action: ActLatency, Latency: 1}, {Name: "dotted", SNI: "a.test.", Stage: StageClientHello, Action: ActLatency, Latency: 1}},
			conn("192.0.2.1:1", "a.test."), nil, []string{"dotted"}},
		{"no hello, no name",
			[]Rule{{Name: "named", SNI: "a.test", Action: ActReset}, {Name: "none", SNI: SNINone, Stage: StageClientHello, Action: ActLatency, Latency: 1}},
			conn("192.0.2.1:1", "-"), nil, nil},
		{"hello without SNI",
			[]Rule{{Name: "named", SNI: "a.test", Action: ActReset}, {Name: "none", SNI: SNINone, Stage: StageClientHello, Action: ActLatency, Latency: 1}},
			conn("192.0.2.1:1", ""), nil, []string{"none"}},
		{"rule order across globs, names and ranges",
			[]Rule{
				{Name: "net", Client: "10.0.0.0/8", Stage: StageClientHello, Action: ActLatency, Latency: 1},
				{Name: "glob", SNI: "*.test", Stage: StageClientHello, Action: ActLatency, Latency: 1},
				{Name: "name", SNI: "a.test", Stage: StageClientHello, Action: ActLatency, Latency: 1},
				{Name: "net-accept", Client: "10.1.2.3", Stage: StageAccept, Action: ActLatency, Latency: 1},
				{Name: "any", Stage: StageClientHello, Action: ActLatency, Latency: 1},
				{Name: "name-and-net", SNI: "a.test", Client: "10.1.0.0/16", Stage: StageClientHello, Action: ActLatency, Latency: 1},
				{Name: "name-other-net", SNI: "a.test", Client: "192.0.2.0/24", Stage: StageClientHello, Action: ActLatency, Latency: 1},
				{Name: "any-accept", Stage: StageAccept, Action: ActLatency, Latency: 1},
			},
			conn("10.1.2.3:1", "a.test"), []string{"net-accept", "any-accept"}, []string{"net", "glob", "name", "any", "name-and-net"}},
		{"disabled and refuse rules",
			[]Rule{
				{Name: "off", SNI: "a.test", Enabled: ptr(false), Action: ActReset},
				{Name: "down", Action: ActRefuse, Listener: "l1", Duration: Duration(time.Hour)},
				{Name: "off-net", Client: "10.1.2.3", Enabled: ptr(false), Action: ActReset},
				{Name: "on", SNI: "a.test", Stage: StageClientHello, Action: ActLatency, Latency: 1},
			},
			conn("10.1.2.3:1", "a.test"), nil, []string{"on"}},
		{"first certificate rule wins across lists",
			[]Rule{
				{Name: "chain-net", Client: "10.1.2.0/24", Action: ActChain, Chain: ChainExpired},
				{Name: "chain-name", SNI: "a.test", Action: ActChain, Chain: ChainWrongHost},
				{Name: "chain-glob", SNI: "*.test", Action: ActChain, Chain: ChainSelfSigned},
			},
			conn("10.1.2.3:1", "a.test"), nil, []string{"chain-net"}},
		{"fail-open blinds an exact name, not a range",
			[]Rule{
				{Name: "name", SNI: "a.test", Action: ActReset},
				{Name: "gives-up", Action: ActLargeHello, Then: ThenFailOpen, HelloMinSize: 500},
				{Name: "net", Client: "10.1.2.3", Stage: StageClientHello, Action: ActLatency, Latency: 1},
			},
			conn("10.1.2.3:1", "a.test"), nil, []string{"gives-up", "net"}},
		{"an IPv4-mapped client and a mapped range",
			[]Rule{
				{Name: "v4", Client: "10.1.2.0/24", Stage: StageAccept, Action: ActLatency, Latency: 1},
				{Name: "mapped", Client: "::ffff:10.1.0.0/112", Stage: StageAccept, Action: ActLatency, Latency: 1},
				{Name: "v6", Client: "::/0", Stage: StageAccept, Action: ActLatency, Latency: 1},
			},
			conn("[::ffff:10.1.2.3]:1", "-"), []string{"v4", "mapped"}, nil},
		{"a zoned client", []Rule{{Name: "link", Client: "fe80::/64", Stage: StageAccept, Action: ActReset}},
			conn("[fe80::1%eth0]:1", "-"), []string{"link"}, nil},
		{"no client address", []Rule{{Name: "all", Client: "0.0.0.0/0", Stage: StageAccept, Action: ActReset}},
			ConnInfo{Listener: "l1", Index: 1}, nil, nil},
		{"more ranges than a merge keeps", nested, conn("10.1.2.3:1", "a.test"), nil, nestedNames},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ref := NewEngine(nil), NewEngine(nil)
			e.indexFrom = 0
			if err := e.Set(tt.rules); err != nil {
				t.Fatal(err)
			}
			if err := ref.Set(tt.rules); err != nil {
				t.Fatal(err)
			}
			acc, all := e.PlanAccept(tt.ci), e.Plan(tt.ci)
			if got := acc.Names(); !slices.Equal(got, tt.accept) {
				t.Errorf("PlanAccept fired %v, want %v", got, tt.accept)
			}
			if got := all.Names(); !slices.Equal(got, tt.all) {
				t.Errorf("Plan fired %v, want %v", got, tt.all)
			}
			if w := walkPlan(ref, tt.ci, true); !reflect.DeepEqual(acc.Firings(), w.Firings()) {
				t.Errorf("PlanAccept %v, walk %v", acc.Firings(), w.Firings())
			}
			if w := walkPlan(ref, tt.ci, false); !reflect.DeepEqual(all.Firings(), w.Firings()) {
				t.Errorf("Plan %v, walk %v", all.Firings(), w.Firings())
			}
		})
	}
}

// TestPlanIndexedAllocatesNothing: a plan that looks its candidates up
// (an exact name, client ranges) and fires none allocates nothing, as one
// with no rules does (TestPlanWithoutRulesAllocatesNothing).
func TestPlanIndexedAllocatesNothing(t *testing.T) {
	// Each connection is some rules' candidate by name and by range, and
	// another selector keeps them from firing (conn_after). The names are
	// lower-case already: lower-casing one that is not allocates
	// (newConnView), index or not.
	var rules []Rule
	for i := range 1000 {
		r := Rule{Name: fmt.Sprintf("r%d", i), ConnAfter: 5, Action: ActReset}
		switch i % 3 {
		case 0:
			r.SNI = fmt.Sprintf("host-%d.test", i%10)
		case 1:
			r.Client, r.Stage = fmt.Sprintf("10.%d.0.0/16", i%10), StageAccept
		default:
			r.Client = fmt.Sprintf("10.0.%d.0/24", i%10)
		}
		rules = append(rules, r)
	}
	e := NewEngine(nil)
	if err := e.Set(rules); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ci   ConnInfo
	}{
		{"candidates", ConnInfo{Listener: "l1", Index: 1, Client: netip.MustParseAddrPort("10.0.1.7:1"),
			Hello: &sniff.ClientHello{ServerName: "host-0.test"}}},
		{"no candidate", ConnInfo{Listener: "l1", Index: 1, Client: netip.MustParseAddrPort("[2001:db9::1]:1"),
			Hello: &sniff.ClientHello{ServerName: "nobody.test"}}},
	} {
		if n := testing.AllocsPerRun(100, func() { _ = e.PlanAccept(c.ci).Merge(e.Plan(c.ci)) }); n != 0 {
			t.Errorf("%s: a plan allocates %v times", c.name, n)
		}
	}
}
