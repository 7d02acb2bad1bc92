package faults

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

func TestEngineCRUD(t *testing.T) {
	clk := newFakeClock()
	e := NewEngine(clk.Now)
	if err := e.Add(Rule{Name: "a", Action: ActReset}); err != nil {
		t.Fatal(err)
	}
	if err := e.Add(Rule{Name: "b", Action: ActClose}); err != nil {
		t.Fatal(err)
	}
	err := e.Add(Rule{Name: "a", Action: ActClose})
	var re *RuleError
	if !errors.As(err, &re) || re.Field != "name" {
		t.Fatalf("duplicate Add = %v, want a name RuleError", err)
	}
	if err := e.Add(Rule{Name: "c", Action: "nope"}); err == nil {
		t.Fatal("invalid Add accepted")
	}
	if err := e.Remove("zzz"); err == nil || !strings.Contains(err.Error(), `"zzz"`) {
		t.Fatalf("Remove unknown = %v", err)
	}
	if err := e.SetEnabled("zzz", false); err == nil {
		t.Fatal("SetEnabled unknown accepted")
	}

	ci := ConnInfo{Listener: "l", Index: 1}
	if p := e.Plan(ci); !slices.Equal(p.Names(), []string{"a", "b"}) {
		t.Fatalf("Names = %v", p.Names())
	}
	if err := e.SetEnabled("a", false); err != nil {
		t.Fatal(err)
	}
	if p := e.Plan(ci); !slices.Equal(p.Names(), []string{"b"}) {
		t.Fatalf("after disable: %v", p.Names())
	}
	ls := e.List()
	if len(ls) != 2 || ls[0].Enabled || ls[0].Fires != 1 || !ls[1].Enabled || ls[1].Fires != 2 {
		t.Fatalf("List = %+v", ls)
	}
	if !ls[1].LastFire.Equal(clk.Now()) || !ls[1].Added.Equal(clk.Now()) {
		t.Errorf("LastFire/Added = %v/%v, want %v", ls[1].LastFire, ls[1].Added, clk.Now())
	}
	if ls[0].Rule.Stage != StageClientHello || ls[0].Rule.IsEnabled() {
		t.Errorf("listed rule not normalized/updated: %+v", ls[0].Rule)
	}
	if err := e.SetEnabled("a", true); err != nil {
		t.Fatal(err)
	}
	if e.List()[0].Fires != 1 {
		t.Error("SetEnabled lost the counter")
	}
	e.ResetCounters()
	for _, s := range e.List() {
		if s.Fires != 0 || !s.LastFire.IsZero() {
			t.Errorf("after ResetCounters: %+v", s)
		}
	}
	if err := e.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if p := e.Plan(ci); !slices.Equal(p.Names(), []string{"b"}) {
		t.Fatalf("after remove: %v", p.Names())
	}
}

func TestEngineSetIsAtomic(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{{Name: "keep", Action: ActReset}}); err != nil {
		t.Fatal(err)
	}
	err := e.Set([]Rule{{Name: "new", Action: ActReset}, {Name: "bad", Action: ActAlert}})
	if err == nil || !strings.Contains(err.Error(), `rule "bad"`) {
		t.Fatalf("Set with a bad rule = %v", err)
	}
	if err := e.Set([]Rule{{Name: "x", Action: ActReset}, {Name: "x", Action: ActClose}}); err == nil {
		t.Fatal("Set with duplicate names accepted")
	}
	if ls := e.List(); len(ls) != 1 || ls[0].Rule.Name != "keep" {
		t.Fatalf("failed Set changed the rules: %+v", ls)
	}
}

// firingsOver plans indexes 1..n and returns the indexes where name fired
// and the draws recorded.
func firingsOver(e *Engine, n int, name string) (idx []uint64, draws []float64) {
	for i := 1; i <= n; i++ {
		for _, f := range e.Plan(ConnInfo{Listener: "l", Index: uint64(i)}).Firings() {
			if f.Rule == name {
				idx = append(idx, uint64(i))
				draws = append(draws, f.Draw)
			}
		}
	}
	return idx, draws
}

func TestSeedDeterminism(t *testing.T) {
	mk := func(seed int64) *Engine {
		e := NewEngine(nil)
		if err := e.Add(Rule{Name: "p", Action: ActReset, Probability: ptr(0.3), Seed: seed}); err != nil {
			t.Fatal(err)
		}
		return e
	}
	a1, d1 := firingsOver(mk(42), 1000, "p")
	a2, d2 := firingsOver(mk(42), 1000, "p")
	if !slices.Equal(a1, a2) || !slices.Equal(d1, d2) {
		t.Fatal("same seed and traffic gave different firings")
	}
	b, _ := firingsOver(mk(43), 1000, "p")
	if slices.Equal(a1, b) {
		t.Fatal("different seeds gave identical firings")
	}
	// The draw is uniform enough that the rate is near the probability.
	if n := len(a1); n < 250 || n > 350 {
		t.Errorf("fired %d of 1000 at probability 0.3", n)
	}
	for _, d := range d1 {
		if d < 0 || d >= 0.3 {
			t.Fatalf("recorded draw %v for a firing at probability 0.3", d)
		}
	}
	// An unseeded rule is reproducible too: its seed comes from its name.
	mkNamed := func() *Engine {
		e := NewEngine(nil)
		_ = e.Add(Rule{Name: "unseeded", Action: ActReset, Probability: ptr(0.5)})
		return e
	}
	u1, _ := firingsOver(mkNamed(), 200, "unseeded")
	u2, _ := firingsOver(mkNamed(), 200, "unseeded")
	if !slices.Equal(u1, u2) || len(u1) == 0 || len(u1) == 200 {
		t.Errorf("unseeded rule: %d vs %d firings", len(u1), len(u2))
	}
	if got := Draw(42, 7); got != Draw(42, 7) || got < 0 || got >= 1 {
		t.Errorf("Draw(42, 7) = %v", got)
	}
}

func TestSchedule(t *testing.T) {
	clk := newFakeClock()
	e := NewEngine(clk.Now)
	if err := e.Add(Rule{Name: "window", Action: ActReset, StartAfter: Duration(time.Minute), Duration: Duration(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	ci := ConnInfo{Index: 1}
	steps := []struct {
		advance time.Duration
		want    bool
	}{{0, false}, {59 * time.Second, false}, {time.Second, true}, {59 * time.Second, true}, {time.Second, false}}
	for i, s := range steps {
		clk.Advance(s.advance)
		if got := !e.Plan(ci).Empty(); got != s.want {
			t.Errorf("step %d (%v after add): fired = %v, want %v", i, clk.Now().Sub(e.List()[0].Added), got, s.want)
		}
	}
}

func TestMaxFires(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Add(Rule{Name: "three", Action: ActReset, MaxFires: 3}); err != nil {
		t.Fatal(err)
	}
	idx, _ := firingsOver(e, 10, "three")
	if !slices.Equal(idx, []uint64{1, 2, 3}) {
		t.Fatalf("fired at %v, want 1 2 3", idx)
	}
	e.ResetCounters()
	if idx, _ = firingsOver(e, 10, "three"); len(idx) != 3 {
		t.Fatalf("after ResetCounters fired %d times, want 3", len(idx))
	}
	// A probability miss does not use up the budget.
	e2 := NewEngine(nil)
	_ = e2.Add(Rule{Name: "p", Action: ActReset, MaxFires: 5, Probability: ptr(0.5), Seed: 1})
	if idx, _ = firingsOver(e2, 1000, "p"); len(idx) != 5 {
		t.Fatalf("probabilistic rule fired %d times, want 5", len(idx))
	}
}

// TestListSpent: List says a rule whose max_fires are used up is spent
// (fault ls showed it as a plain "yes" though it fired no more), a firing
// given back (a rewrite that changed nothing) leaves it unspent, and
// ResetCounters refills it. A rule without max_fires is never spent.
func TestListSpent(t *testing.T) {
	e := NewEngine(nil)
	for _, r := range []Rule{
		{Name: "two", Action: ActReset, MaxFires: 2},
		{Name: "free", Action: ActReset},
		{Name: "rw", Action: ActRewrite, HeadersAdd: []string{"Via: x"}, MaxFires: 1},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	spent := func() map[string]bool {
		out := map[string]bool{}
		for _, st := range e.List() {
			out[st.Rule.Name] = st.Spent
		}
		return out
	}
	ci := ConnInfo{Listener: "l", Plain: true}
	ci.Index = 1
	e.Plan(ci).Settle() // rw acted on nothing: its firing goes back
	if got := spent(); got["two"] || got["free"] || got["rw"] {
		t.Errorf("after one plan: spent %v, want none", got)
	}
	ci.Index = 2
	e.Plan(ci)
	if got := spent(); !got["two"] || got["free"] {
		t.Errorf("after two plans: spent %v, want two alone (and rw, planned and not yet settled)", got)
	}
	e.ResetCounters()
	if got := spent(); got["two"] || got["rw"] {
		t.Errorf("after ResetCounters: spent %v, want none", got)
	}
}

// TestConcurrentPlanAndEdit plans from 50 goroutines while rules are added,
// removed and toggled. Run with -race. A rule nobody touches must fire in
// every plan, and max_fires must hold exactly under contention.
func TestConcurrentPlanAndEdit(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{
		{Name: "stable", Listener: "L", Action: ActLatency, Latency: Duration(time.Millisecond), Stage: StageClientHello},
		{Name: "budget", Action: ActReset, MaxFires: 100},
	}); err != nil {
		t.Fatal(err)
	}
	const workers, perWorker = 50, 40
	var wg sync.WaitGroup
	stop := make(chan struct{})
	editorDone := make(chan struct{})
	go func() {
		defer close(editorDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			name := fmt.Sprintf("churn-%d", i%5)
			_ = e.Add(Rule{Name: name, Action: ActClose, SNI: "*.test"})
			_ = e.SetEnabled(name, i%2 == 0)
			_ = e.Remove(name)
			_ = e.List()
		}
	}()
	missing := make(chan uint64, workers*perWorker)
	budget := make(chan int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for i := range perWorker {
				idx := uint64(w*perWorker + i + 1)
				p := e.Plan(ConnInfo{Listener: "L", Index: idx, Hello: &sniff.ClientHello{ServerName: "a.test"}})
				names := p.Names()
				if !slices.Contains(names, "stable") {
					missing <- idx
				}
				if slices.Contains(names, "budget") {
					n++
				}
			}
			budget <- n
		}()
	}
	wg.Wait()
	close(stop)
	<-editorDone
	close(missing)
	close(budget)
	for idx := range missing {
		t.Errorf("connection %d lost the stable rule during edits", idx)
	}
	total := 0
	for n := range budget {
		total += n
	}
	if total != 100 {
		t.Errorf("budget rule fired %d times, want exactly 100", total)
	}
}

func TestPlanStagesAndAccessors(t *testing.T) {
	e := NewEngine(nil)
	err := e.Set([]Rule{
		{Name: "acc-lat", Action: ActLatency, Latency: Duration(time.Millisecond)}, // accept by default
		{Name: "acc-rst", Action: ActReset, Stage: StageAccept, Client: "10.0.0.0/8"},
		{Name: "hello-alert", Action: ActAlert, Alert: ptr(Alert(112)), SNI: "*.x.test"},
		{Name: "hello-ver", Action: ActVersion, MaxVersion: VersionTLS12},
		{Name: "hello-cipher", Action: ActCipher, Ciphers: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, MinVersion: VersionTLS11},
		{Name: "hello-chain", Action: ActChain, Chain: ChainExpired, Skew: Duration(time.Hour)},
		{Name: "hello-chain2", Action: ActChain, Chain: ChainSelfSigned},
		{Name: "flight-mtu", Action: ActMTU},
		{Name: "resp-rst", Action: ActReset, Stage: StageResponse},
		{Name: "bh-s2c", Action: ActBlackhole, Direction: S2C},
		{Name: "idle", Action: ActIdleTimeout, Timeout: Duration(time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ci := ConnInfo{Listener: "l", Client: netip.MustParseAddrPort("10.0.0.1:1"), Index: 1, Decrypted: true,
		Hello: &sniff.ClientHello{ServerName: "a.x.test", CipherSuites: []uint16{0x002f}, LegacyVersion: 0x0303}}
	acc := e.PlanAccept(ci)
	if !slices.Equal(acc.Names(), []string{"acc-lat", "acc-rst"}) {
		t.Fatalf("accept plan = %v", acc.Names())
	}
	if r := acc.Stop(StageAccept); r == nil || r.Name != "acc-rst" {
		t.Errorf("accept Stop = %v", r)
	}
	if ws := acc.Wrappers(StageAccept); len(ws) != 1 || ws[0].Name != "acc-lat" {
		t.Errorf("accept Wrappers = %v", ws)
	}
	p := e.Plan(ci)
	// hello-chain2 does not fire: hello-chain already chose the
	// connection's one certificate.
	want := []string{"hello-alert", "hello-ver", "hello-cipher", "hello-chain", "flight-mtu", "resp-rst", "bh-s2c", "idle"}
	if !slices.Equal(p.Names(), want) {
		t.Fatalf("plan = %v, want %v", p.Names(), want)
	}
	if r := p.Stop(StageClientHello); r == nil || r.Name != "hello-alert" {
		t.Errorf("Stop(client_hello) = %v", r)
	}
	if r := p.Stop(StageResponse); r != nil {
		t.Errorf("Stop(response) = %v, want nil: response faults are wrappers", r.Name)
	}
	var names []string
	for _, r := range p.Wrappers(StageClientHello, StageServerFlight, StageResponse, StageIdle) {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"flight-mtu", "resp-rst", "bh-s2c", "idle"}) {
		t.Errorf("Wrappers = %v", names)
	}
	if got := len(p.AtStage(StageClientHello)); got != 5 {
		t.Errorf("AtStage(client_hello) = %d rules, want 5", got)
	}
	pol := p.TLSPolicy()
	// The ceiling is hello-ver's, which a client above it needs raised.
	if pol.MaxVersion != tls.VersionTLS12 || pol.MaxVersionRule != "hello-ver" || pol.MinVersion != tls.VersionTLS11 || !slices.Equal(pol.Ciphers, []uint16{0x002f}) ||
		pol.Chain != ChainExpired || pol.Skew != time.Hour || !slices.Equal(pol.Rules, []string{"hello-ver", "hello-cipher", "hello-chain"}) {
		t.Errorf("TLSPolicy = %+v", pol)
	}
	cfg := pol.Configure(&tls.Config{MinVersion: tls.VersionTLS12})
	if cfg.MinVersion != tls.VersionTLS11 || cfg.MaxVersion != tls.VersionTLS12 || len(cfg.CipherSuites) != 1 {
		t.Errorf("Configure = min %x max %x suites %v", cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites)
	}
	all := acc.Merge(p)
	if len(all.Firings()) != 2+len(want) || all.Firings()[0].Rule != "acc-lat" {
		t.Errorf("Merge = %v", all.Names())
	}
	for _, f := range all.Firings() {
		if f.Symptom == "" || f.Stage == "" || f.Action == "" || f.Draw < 0 || f.Draw >= 1 {
			t.Errorf("firing %+v incomplete", f)
		}
	}

	var none *Plan
	if !none.Empty() || none.Stop(StageAccept) != nil || none.Wrappers(StageAccept) != nil || !none.TLSPolicy().IsZero() ||
		none.Names() != nil || none.Merge(nil) != nil || none.Merge(p) != p {
		t.Error("nil plan methods misbehave")
	}
}

func TestPlanWithoutRulesAllocatesNothing(t *testing.T) {
	e := NewEngine(nil)
	ci := ConnInfo{Listener: "l", Index: 1}
	if n := testing.AllocsPerRun(100, func() { _ = e.Plan(ci) }); n != 0 {
		t.Errorf("Plan with no rules allocates %v times", n)
	}
	_ = e.Add(Rule{Name: "miss", Action: ActReset, Listener: "other"})
	if n := testing.AllocsPerRun(100, func() { _ = e.Plan(ci) }); n != 0 {
		t.Errorf("Plan with no matching rule allocates %v times", n)
	}
}

func TestTLSPolicyRefusal(t *testing.T) {
	modern := &sniff.ClientHello{SupportedVersions: []uint16{0x0304, 0x0303}, LegacyVersion: 0x0303, CipherSuites: []uint16{0x1301, 0xc02f}}
	tls10 := &sniff.ClientHello{LegacyVersion: 0x0301, CipherSuites: []uint16{0x002f}}
	tests := []struct {
		name  string
		pol   TLSPolicy
		hello *sniff.ClientHello
		alert uint8
		ref   bool
	}{
		{"nothing", TLSPolicy{}, modern, 0, false},
		{"floor 1.3 vs modern", TLSPolicy{MinVersion: tls.VersionTLS13}, modern, 0, false},
		{"floor 1.2 vs tls10", TLSPolicy{MinVersion: tls.VersionTLS12}, tls10, 70, true},
		{"ceiling 1.0 vs modern", TLSPolicy{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}, modern, 70, true},
		{"cipher miss", TLSPolicy{MaxVersion: tls.VersionTLS12, Ciphers: []uint16{0x002f}}, modern, 40, true},
		{"cipher hit", TLSPolicy{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, Ciphers: []uint16{0x002f}}, tls10, 0, false},
		// No min_version is no floor: a passthrough listener refuses
		// only what the rules exclude, not what Go's server would.
		{"ceiling 1.1 alone vs tls10", TLSPolicy{MaxVersion: tls.VersionTLS11}, tls10, 0, false},
		{"ceiling 1.1 alone vs modern", TLSPolicy{MaxVersion: tls.VersionTLS11}, modern, 70, true},
		{"cipher alone hit by tls10", TLSPolicy{MaxVersion: tls.VersionTLS12, Ciphers: []uint16{0x002f}}, tls10, 0, false},
		{"cipher alone missed by tls10", TLSPolicy{MaxVersion: tls.VersionTLS12, Ciphers: []uint16{0x0035}}, tls10, 40, true},
	}
	for _, tt := range tests {
		a, ref := tt.pol.Refusal(tt.hello)
		if a != tt.alert || ref != tt.ref {
			t.Errorf("%s: Refusal = %d, %v; want %d, %v", tt.name, a, ref, tt.alert, tt.ref)
		}
	}
}

// TestRefusalRecordVersion: the alert's record version is the agreed
// version (0x0303 for TLS 1.3), or with none agreed the hello's
// legacy_version when it is a TLS one, as OpenSSL answers (not the
// hello's record version, which it once echoed).
func TestRefusalRecordVersion(t *testing.T) {
	for _, tt := range []struct {
		name  string
		pol   TLSPolicy
		hello *sniff.ClientHello
		want  uint16
	}{
		{"tls13 agreed", TLSPolicy{Groups: []tls.CurveID{tls.CurveP521}}, &sniff.ClientHello{RecordVersion: 0x0301, SupportedVersions: []uint16{0x0a0a, 0x0304, 0x0303}}, 0x0303},
		{"tls11 agreed", TLSPolicy{Ciphers: []uint16{0xc02f}}, &sniff.ClientHello{RecordVersion: 0x0301, LegacyVersion: 0x0302}, 0x0302},
		{"none agreed, hello record 0x0303", TLSPolicy{MinVersion: tls.VersionTLS13}, &sniff.ClientHello{RecordVersion: 0x0303, LegacyVersion: 0x0303}, 0x0303},
		{"none agreed, hello record 0x0301", TLSPolicy{MinVersion: tls.VersionTLS13}, &sniff.ClientHello{RecordVersion: 0x0301, LegacyVersion: 0x0303}, 0x0303},
		{"none agreed, TLS 1.1 hello in a 0x0303 record", TLSPolicy{MinVersion: tls.VersionTLS12}, &sniff.ClientHello{RecordVersion: 0x0303, LegacyVersion: 0x0302}, 0x0302},
		{"none agreed, TLS 1.3 hello", TLSPolicy{MaxVersion: tls.VersionTLS12, MinVersion: tls.VersionTLS12}, &sniff.ClientHello{RecordVersion: 0x0301, LegacyVersion: 0x0303, SupportedVersions: []uint16{0x0304}}, 0x0303},
		{"none agreed, SSLv3 record", TLSPolicy{MinVersion: tls.VersionTLS12}, &sniff.ClientHello{RecordVersion: 0x0300, LegacyVersion: 0x0300}, 0x0301},
		{"no hello", TLSPolicy{}, nil, 0x0301},
	} {
		if got := tt.pol.RefusalRecordVersion(tt.hello); got != tt.want {
			t.Errorf("%s: RefusalRecordVersion = %#04x, want %#04x", tt.name, got, tt.want)
		}
	}
}

// TestFiringCarriesRuleParameters: a diagnosis needs the chain, the skew
// and the follow-up a rule ran with, not only its action (a clock skew is
// the client's problem, a bad chain the server's; tlsgate's own FIN after
// a truncation is not the client's close).
func TestFiringCarriesRuleParameters(t *testing.T) {
	rules := []Rule{
		{Name: "skew", Action: ActChain, Skew: Duration(-720 * time.Hour)},
		{Name: "root", Action: ActChain, Chain: ChainUntrustedRoot},
		{Name: "cut", Action: ActTruncate, Bytes: 300, Then: ThenFIN, Stage: StageServerFlight},
	}
	want := map[string]Firing{
		"skew": {Skew: Duration(-720 * time.Hour)},
		"root": {Chain: string(ChainUntrustedRoot)},
		"cut":  {Then: string(ThenFIN)},
	}
	// One engine per rule: a connection has one certificate, so only the
	// first chain rule fires on it.
	var got []Firing
	for _, r := range rules {
		e := NewEngine(nil)
		if err := e.Set([]Rule{r}); err != nil {
			t.Fatal(err)
		}
		got = append(got, e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true}).Firings()...)
	}
	if len(got) != len(rules) {
		t.Fatalf("%d firings, want %d: %+v", len(got), len(rules), got)
	}
	for _, f := range got {
		w := want[f.Rule]
		if f.Chain != w.Chain || f.Skew != w.Skew || f.Then != w.Then {
			t.Errorf("%s: chain %q skew %v then %q, want %q %v %q", f.Rule, f.Chain, f.Skew, f.Then, w.Chain, w.Skew, w.Then)
		}
	}
}

// TestFiringProbability: a firing carries its rule's probability, and none
// for a rule that sets none, so a log shows the draw only where it
// decided the firing.
func TestFiringProbability(t *testing.T) {
	e := NewEngine(nil)
	for _, r := range []Rule{
		{Name: "sure", Action: ActReset},
		{Name: "chance", Action: ActClose, Direction: S2C, Probability: ptr(1.0)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]float64{}
	for _, f := range e.Plan(ConnInfo{Listener: "l", Index: 1}).Firings() {
		got[f.Rule] = f.Probability
	}
	if p, ok := got["sure"]; !ok || p != 0 {
		t.Errorf("rule without a probability: fired %v, probability %v; want fired with 0", ok, p)
	}
	if p, ok := got["chance"]; !ok || p != 1 {
		t.Errorf("rule with probability 1: fired %v, probability %v; want fired with 1", ok, p)
	}
}
