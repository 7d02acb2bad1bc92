package faults

import (
	"bytes"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// A rewrite rule fires when it changes a response head, not when the plan
// is made: a connection that carried no response, or none with a header
// to strip, must not list it in its log or count it against max_fires.
func TestRewriteFiresWhenItActs(t *testing.T) {
	const hsts = "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\nContent-Length: 2\r\n\r\nok"
	const plain = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	strip := Rule{Name: "strip", Action: ActRewrite, HeadersStrip: []string{"Strict-Transport-Security"}}
	add := Rule{Name: "add", Action: ActRewrite, HeadersAdd: []string{"Via: 1.1 lab"}}
	tests := []struct {
		name   string
		rule   Rule
		writes []string
		fired  bool
	}{
		{"no response", add, nil, false},
		{"strip, header present", strip, []string{hsts}, true},
		{"strip, header absent", strip, []string{plain}, false},
		{"add to any response", add, []string{plain}, true},
		{"add, head split across writes", add, []string{plain[:7], plain[7:]}, true},
		{"not HTTP (TLS records)", add, []string{"\x17\x03\x03\x00\x02ok"}, false},
		{"head cut short by the close", add, []string{"HTTP/1.1 200 OK\r\nContent-"}, false},
		{"head beyond the buffer cap", add, []string{"HTTP/1.1 200 OK\r\nX: ", strings.Repeat("a", rewriteCap), "\r\n\r\n"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			e := NewEngine(clk.Now)
			if err := e.Add(tt.rule); err != nil {
				t.Fatal(err)
			}
			p := e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true})
			m := newMemConn()
			w := Wrap(m, p.Wrappers(StageResponse), FacingClient, clk.deps())
			for _, s := range tt.writes {
				if _, err := w.Write([]byte(s)); err != nil {
					t.Fatal(err)
				}
			}
			_ = w.Close()
			want := []string(nil)
			if tt.fired {
				want = []string{tt.rule.Name}
			}
			if got := p.Settle(w).Names(); !slices.Equal(got, want) {
				t.Errorf("fired %v, want %v; sent %.80q", got, want, m.Bytes())
			}
			st := e.List()[0]
			if wantN := int64(len(want)); st.Fires != wantN || st.LastFire.IsZero() == tt.fired {
				t.Errorf("engine counts %d fires, last %v; want %d", st.Fires, st.LastFire, wantN)
			}
			if !tt.fired && !bytes.Equal(m.Bytes(), []byte(strings.Join(tt.writes, ""))) {
				t.Errorf("a rewrite that did not fire changed the bytes: %.80q", m.Bytes())
			}
		})
	}
}

// A planned rewrite that did not act gives its max_fires budget back, so
// the next connection with a response gets rewritten; other actions keep
// firing at plan time, and settling twice gives back nothing more.
func TestSettleReturnsUnusedBudget(t *testing.T) {
	e := NewEngine(newFakeClock().Now)
	for _, r := range []Rule{
		{Name: "rw", Action: ActRewrite, HeadersAdd: []string{"Via: 1.1 lab"}, MaxFires: 1},
		{Name: "lat", Action: ActLatency, Stage: StageResponse, Latency: Duration(time.Millisecond), MaxFires: 1},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	first := e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true})
	if got := first.Names(); !slices.Equal(got, []string{"rw", "lat"}) {
		t.Fatalf("planned %v", got)
	}
	for range 2 {
		if got := first.Settle(nil).Names(); !slices.Equal(got, []string{"lat"}) {
			t.Fatalf("settled without traffic: %v, want [lat]", got)
		}
	}
	if st := e.List(); st[0].Fires != 0 || st[1].Fires != 1 {
		t.Fatalf("fires after settling: rw %d lat %d, want 0 and 1", st[0].Fires, st[1].Fires)
	}
	second := e.Plan(ConnInfo{Listener: "l", Index: 2, Decrypted: true})
	if got := second.Names(); !slices.Equal(got, []string{"rw"}) {
		t.Fatalf("second plan %v, want the rewrite's budget back and lat's spent", got)
	}
}

// The listener settles the plan on the conn over its tls.Conn, while the
// rewrite may sit on a wrapper beneath it: Settle looks down the chain.
func TestSettleLooksBeneathTLS(t *testing.T) {
	e := NewEngine(newFakeClock().Now)
	if err := e.Add(Rule{Name: "rw", Action: ActRewrite, HeadersAdd: []string{"Via: 1.1 lab"}}); err != nil {
		t.Fatal(err)
	}
	p := e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true})
	m := newMemConn()
	w := Wrap(m, p.Wrappers(StageResponse), FacingClient, newFakeClock().deps())
	if _, err := w.Write([]byte("HTTP/1.1 204 No Content\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	var over net.Conn = tls.Server(w, &tls.Config{})
	if got := p.Settle(over).Names(); !slices.Equal(got, []string{"rw"}) {
		t.Errorf("settled through tls.Conn: %v, want [rw]", got)
	}
}

// An MTU rule fires when a burst too large for its path stalls, not when
// it is planned: a connection whose every write fit logged a black hole
// and its timeout symptom, and spent max_fires, though nothing stalled.
// Settle looks at every conn the rule may sit on (the accept, early and
// late wrappers), skipping nil ones.
func TestMTUFiresWhenItStalls(t *testing.T) {
	tests := []struct {
		name   string
		writes []int // sizes of the writes toward the client
		fired  bool
	}{
		{"nothing written", nil, false},
		{"every burst fits", []int{100, 1360, 1360}, false},
		{"one burst too large", []int{100, 1361}, true},
		{"honor_mss: nothing stalls", []int{100, 5000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			e := NewEngine(clk.Now)
			r := Rule{Name: "pmtu", Action: ActMTU, MTU: 1400, MaxFires: 1, HonorMSS: strings.HasPrefix(tt.name, "honor_mss")}
			if err := e.Add(r); err != nil {
				t.Fatal(err)
			}
			p := e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true})
			m := newMemConn()
			w := Wrap(m, p.Wrappers(StageServerFlight), FacingClient, clk.deps())
			for _, n := range tt.writes {
				if _, err := w.Write(make([]byte, n)); err != nil {
					t.Fatal(err)
				}
			}
			want := []string(nil)
			if tt.fired {
				want = []string{"pmtu"}
			}
			if got := p.Settle(nil, w, nil).Names(); !slices.Equal(got, want) {
				t.Errorf("fired %v, want %v", got, want)
			}
			st := e.List()[0]
			if wantN := int64(len(want)); st.Fires != wantN || st.LastFire.IsZero() == tt.fired {
				t.Errorf("engine counts %d fires, last %v; want %d", st.Fires, st.LastFire, wantN)
			}
			// An unstalled rule gave its one fire back for the next
			// connection.
			if next := e.Plan(ConnInfo{Listener: "l", Index: 2, Decrypted: true}).Names(); !tt.fired && len(next) != 1 {
				t.Errorf("next plan %v: max_fires not given back", next)
			}
			_ = w.Close()
		})
	}
}

// A plan made for TLS tlsgate would decrypt, narrowed to TLS it relays
// untouched with no hello read (an SNI bypass matched by crypto/tls), keeps
// only the rules that still act there, and the dropped ones give back
// their count and max_fires budget.
func TestNarrowToBypass(t *testing.T) {
	e := NewEngine(newFakeClock().Now)
	for _, r := range []Rule{
		{Name: "bad-chain", Action: ActChain, Chain: "self_signed", MaxFires: 1},
		{Name: "mtls", Action: ActClientAuth},
		{Name: "block", Action: ActBlockPage},
		{Name: "floor", Action: ActVersion, MinVersion: VersionTLS13},
		{Name: "lat", Action: ActLatency, Stage: StageResponse, Latency: Duration(time.Millisecond)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	ci := ConnInfo{Listener: "l", Index: 1, Decrypted: true}
	p := e.Plan(ci)
	if got := p.Names(); !slices.Equal(got, []string{"bad-chain", "mtls", "block", "floor", "lat"}) {
		t.Fatalf("planned %v", got)
	}
	ci.Decrypted = false
	if got := p.Narrow(ci).Names(); !slices.Equal(got, []string{"lat"}) {
		t.Errorf("narrowed to %v, want [lat]", got)
	}
	for _, st := range e.List() {
		if want := int64(map[bool]int{true: 1}[st.Rule.Name == "lat"]); st.Fires != want {
			t.Errorf("%s: %d fires after narrowing, want %d", st.Rule.Name, st.Fires, want)
		}
	}
	if got := e.Plan(ConnInfo{Listener: "l", Index: 2, Decrypted: true}).Names(); !slices.Contains(got, "bad-chain") {
		t.Errorf("next plan %v: bad-chain's max_fires budget was not given back", got)
	}
}

// A rule Narrow drops did not fire, so its last fire time is what it was
// before the plan: none for a rule that never fired, the earlier firing's
// for one that did. Before, tlsgate fault ls showed the dropped firing.
func TestNarrowForgetsLastFire(t *testing.T) {
	clock := newFakeClock()
	e := NewEngine(clock.Now)
	for _, r := range []Rule{
		{Name: "bad-chain", Action: ActChain, Chain: "self_signed"},
		{Name: "mtls", Action: ActClientAuth, ConnAfter: 1},
		{Name: "lat", Action: ActLatency, Stage: StageResponse, Latency: Duration(time.Millisecond)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	first := clock.Now()
	if got := e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true}).Names(); !slices.Equal(got, []string{"bad-chain", "lat"}) {
		t.Fatalf("first connection planned %v", got)
	}
	clock.Advance(time.Minute)
	ci := ConnInfo{Listener: "l", Index: 2, Decrypted: true}
	p := e.Plan(ci)
	if got := p.Names(); !slices.Equal(got, []string{"bad-chain", "mtls", "lat"}) {
		t.Fatalf("second connection planned %v", got)
	}
	ci.Decrypted = false
	if got := p.Narrow(ci).Names(); !slices.Equal(got, []string{"lat"}) {
		t.Fatalf("narrowed to %v, want [lat]", got)
	}
	want := map[string]time.Time{"bad-chain": first, "mtls": {}, "lat": clock.Now()}
	for _, st := range e.List() {
		if !st.LastFire.Equal(want[st.Rule.Name]) {
			t.Errorf("%s: last fire %v after narrowing, want %v", st.Rule.Name, st.LastFire, want[st.Rule.Name])
		}
	}
}
