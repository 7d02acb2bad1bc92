package faults

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestLargeHelloFailOpen: a large_hello that fails open passes a hello
// spanning segments unread, so the rules keyed on its content (SNI, JA3,
// JA4, ALPN, versions) do not see that connection, wherever they sit in
// the rule order, and take nothing from their budgets; rules on its size,
// and rules with no hello selector, still apply. A small hello is parsed,
// and the content rules apply to it as before.
func TestLargeHelloFailOpen(t *testing.T) {
	rules := []Rule{
		{Name: "sni-block", SNI: "*.blocked.test", Action: ActReset},
		{Name: "bot-block", JA4: "t13d*", Action: ActClose},
		{Name: "h2-refuse", ALPN: "h2", Action: ActALPNRefuse},
		{Name: "gives-up", Action: ActLargeHello, Then: ThenFailOpen},
		{Name: "slow-all", Action: ActLatency, Stage: StageClientHello, Latency: Duration(1)},
		{Name: "big-slow", HelloMinSize: 1000, Stage: StageClientHello, Action: ActSlicer, AverageSize: 100},
	}
	e := NewEngine(nil)
	if err := e.Set(rules); err != nil {
		t.Fatal(err)
	}
	hello := func(size int) *sniff.ClientHello {
		return &sniff.ClientHello{ServerName: "shop.blocked.test", ALPN: []string{"h2"}, LegacyVersion: 0x0303,
			SupportedVersions: []uint16{0x0304, 0x0303}, WireLen: size}
	}
	tests := []struct {
		name     string
		size     int
		segments int
		want     []string
		stop     string
	}{
		{"post-quantum hello, one read", 1600, 1, []string{"gives-up", "slow-all", "big-slow"}, ""},
		{"hello in two reads", 1200, 2, []string{"gives-up", "slow-all", "big-slow"}, ""},
		{"small hello", 517, 1, []string{"sni-block", "bot-block", "h2-refuse", "slow-all"}, "sni-block"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.Plan(ConnInfo{Listener: "L", Index: uint64(i + 1), Hello: hello(tt.size), HelloSegments: tt.segments,
				JA4: "t13d1516h2_8daaf6152771_e5627efa2ab1", Decrypted: true})
			if got := p.Names(); !slices.Equal(sorted(got), sorted(tt.want)) {
				t.Fatalf("fired %v, want %v", got, tt.want)
			}
			stop := p.Stop(StageClientHello)
			if (stop == nil) != (tt.stop == "") || stop != nil && stop.Name != tt.stop {
				t.Errorf("Stop(client_hello) = %v, want %q", stop, tt.stop)
			}
			for _, w := range p.Wrappers(StageClientHello, StageServerFlight) {
				if w.Name == "gives-up" {
					t.Error("a fail-open large_hello was planned as a wrapper; it changes no bytes")
				}
			}
			for _, f := range p.Firings() {
				if f.Rule != "gives-up" {
					continue
				}
				if !strings.HasPrefix(f.Symptom, ClassNone) || !strings.Contains(f.Symptom, "fail-open") ||
					!strings.HasSuffix(f.Symptom, "kept rule sni-block, bot-block, h2-refuse from seeing the hello") {
					t.Errorf("symptom %q", f.Symptom)
				}
			}
		})
	}
	fires := map[string]int64{}
	for _, st := range e.List() {
		fires[st.Rule.Name] = st.Fires
	}
	if fires["sni-block"] != 1 || fires["gives-up"] != 2 {
		t.Errorf("fire counts %v: a blinded rule must take nothing from its budget", fires)
	}
}

// TestLargeHelloFailOpenRuleOrder: the fail-open rule blinds the content
// rules before it in the list as well as after it.
func TestLargeHelloFailOpenRuleOrder(t *testing.T) {
	for _, order := range [][]Rule{
		{{Name: "sni-block", SNI: "*.blocked.test", Action: ActReset}, {Name: "gives-up", Action: ActLargeHello, Then: ThenFailOpen}},
		{{Name: "gives-up", Action: ActLargeHello, Then: ThenFailOpen}, {Name: "sni-block", SNI: "*.blocked.test", Action: ActReset}},
	} {
		e := NewEngine(nil)
		if err := e.Set(order); err != nil {
			t.Fatal(err)
		}
		p := e.Plan(ConnInfo{Index: 1, Hello: &sniff.ClientHello{ServerName: "a.blocked.test", WireLen: 1700}, HelloSegments: 1})
		if got := p.Names(); !slices.Equal(got, []string{"gives-up"}) || p.Stop(StageClientHello) != nil {
			t.Errorf("order %s, %s: fired %v", order[0].Name, order[1].Name, got)
		}
	}
}

func TestLargeHelloFailOpenValidate(t *testing.T) {
	tests := []struct {
		r     Rule
		field string
		want  string
	}{
		{Rule{Name: "x", Action: ActTruncate, Then: ThenFailOpen}, "then", "fail_open is large_hello's alone"},
		{Rule{Name: "x", Action: ActTruncate, Then: "later"}, "then", `unknown follow-up "later" (want hold, fin, rst)`},
		{Rule{Name: "x", Action: ActLargeHello, Then: "later"}, "then", "(want hold, fin, rst, fail_open)"},
		{Rule{Name: "x", Action: ActLargeHello, Then: ThenFailOpen, SNI: "*.test"}, "sni", "cannot select by its content"},
		{Rule{Name: "x", Action: ActLargeHello, Then: ThenFailOpen, JA4: "t13*"}, "ja4", "cannot select by its content"},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		re, ok := err.(*RuleError)
		if !ok || re.Field != tt.field || !strings.Contains(re.Msg, tt.want) {
			t.Errorf("%+v: %v, want field %s with %q", tt.r, err, tt.field, tt.want)
		}
	}
	for _, r := range []Rule{
		{Name: "ok", Action: ActLargeHello, Then: ThenFailOpen},
		{Name: "ok-size", Action: ActLargeHello, Then: ThenFailOpen, HelloMinSize: 1400, Listener: "web"},
		{Name: "ok-sni", Action: ActLargeHello, Then: ThenRST, SNI: "*.test"},
	} {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
