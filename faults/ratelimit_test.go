package faults

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestBucket walks a token bucket through an injected clock: it starts
// full, refills rate tokens at each window boundary (never above burst),
// and says how long until the next refill when empty.
func TestBucket(t *testing.T) {
	r := Rule{Action: ActRateLimit, Rate: 2, Burst: 3, Window: Duration(time.Second)}
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC).UnixNano()
	at := func(d time.Duration) int64 { return t0 + int64(d) }
	var b bucket
	steps := []struct {
		at   time.Duration
		ok   bool
		wait time.Duration
	}{
		{0, true, 0}, {0, true, 0}, {100 * time.Millisecond, true, 0}, // the burst of 3
		{200 * time.Millisecond, false, 800 * time.Millisecond}, // empty until the refill at 1s
		{time.Second, true, 0}, {time.Second, true, 0}, // 2 more at 1s
		{1500 * time.Millisecond, false, 500 * time.Millisecond},
		{10 * time.Second, true, 0}, {10 * time.Second, true, 0}, {10 * time.Second, true, 0}, // capped at burst, not 2×9
		{10 * time.Second, false, time.Second},
	}
	for i, s := range steps {
		ok, wait := b.take(at(s.at), &r)
		if ok != s.ok || wait != s.wait {
			t.Errorf("step %d at %s: ok %v wait %s, want %v %s", i, s.at, ok, wait, s.ok, s.wait)
		}
	}
	b.reset()
	if ok, _ := b.take(at(10*time.Second), &r); !ok {
		t.Error("a reset bucket is not full")
	}
}

// TestRateLimitPlans: connections within the burst pass (the rule does not
// fire), the next one fires with its Retry-After, a refill admits more;
// fault reset refills the bucket.
func TestRateLimitPlans(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	e := NewEngine(func() time.Time { return now })
	if err := e.Add(Rule{Name: "rl", Action: ActRateLimit, Rate: 1, Burst: 2, Window: Duration(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	plan := func(i uint64) *Plan { return e.Plan(ConnInfo{Listener: "l", Index: i, Plain: true}) }
	for i := range uint64(2) {
		if p := plan(i + 1); p.Abort() != nil {
			t.Fatalf("connection %d within the burst was limited", i+1)
		}
	}
	now = now.Add(20 * time.Second)
	p := plan(3)
	if r := p.Abort(); r == nil || r.Name != "rl" || r.Status != 429 {
		t.Fatalf("connection 3 over the burst: %v", p.Names())
	}
	if got := p.RetryAfter(); got != 40*time.Second {
		t.Errorf("RetryAfter %s, want 40s", got)
	}
	if f := p.Firings()[0]; f.RetryAfter.D() != 40*time.Second || !strings.Contains(f.Symptom, "over 1 per 1m0s (burst 2)") {
		t.Errorf("firing %+v", f)
	}
	now = now.Add(40 * time.Second)
	if plan(4).Abort() != nil {
		t.Error("the refill at 1m admitted nobody")
	}
	if plan(5).Abort() == nil {
		t.Error("one refill admitted two")
	}
	e.ResetCounters()
	if plan(6).Abort() != nil {
		t.Error("fault reset did not refill the bucket")
	}
}

// TestRateLimitHandler: the answer of a connection over the rate, as
// Envoy's local rate limit sends it.
func TestRateLimitHandler(t *testing.T) {
	tests := []struct {
		status int
		retry  time.Duration
		want   string
	}{
		{0, 40 * time.Second, "40"},
		{503, 1500 * time.Millisecond, "2"},
		{429, 0, "1"},
	}
	for _, tt := range tests {
		var got int
		h := RateLimitHandler(&Rule{Action: ActRateLimit, Status: tt.status}, tt.retry, func(_ *http.Request, st int) { got = st })
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		want := tt.status
		if want == 0 {
			want = 429
		}
		if w.Code != want || got != want || w.Body.String() != RateLimitBody ||
			w.Header().Get("Retry-After") != tt.want || w.Header().Get("x-envoy-ratelimited") != "true" {
			t.Errorf("status %d (answered %d), body %q, headers %v; want %d, Retry-After %s", w.Code, got, w.Body, w.Header(), want, tt.want)
		}
	}
}

func TestValidateRateLimit(t *testing.T) {
	ok := []Rule{
		{Name: "rl", Action: ActRateLimit, Rate: 5},
		{Name: "rl", Action: ActRateLimit, Rate: 1, Burst: 10, Window: Duration(time.Minute), Status: 503},
	}
	for _, r := range ok {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: %v", r, err)
		}
	}
	tests := []struct {
		name  string
		r     Rule
		field string
		want  string
	}{
		{"no rate", Rule{Name: "x", Action: ActRateLimit}, "rate", "missing: rate_limit needs the connections admitted per window"},
		{"negative rate", Rule{Name: "x", Action: ActRateLimit, Rate: -1}, "rate", "want from 1 to 1000000 connections per window, got -1"},
		{"huge burst", Rule{Name: "x", Action: ActRateLimit, Rate: 1, Burst: 2_000_000}, "burst", "want from 1 to 1000000 tokens"},
		{"burst below rate", Rule{Name: "x", Action: ActRateLimit, Rate: 10, Burst: 2}, "burst", "2 is below rate 10"},
		{"tiny window", Rule{Name: "x", Action: ActRateLimit, Rate: 1, Window: Duration(time.Microsecond)}, "window", "1µs is below 1ms"},
		{"negative window", Rule{Name: "x", Action: ActRateLimit, Rate: 1, Window: Duration(-time.Second)}, "window", "-1s is negative"},
		{"long window", Rule{Name: "x", Action: ActRateLimit, Rate: 1, Window: Duration(48 * time.Hour)}, "window", "above the limit of 24h0m0s"},
		{"status 200", Rule{Name: "x", Action: ActRateLimit, Rate: 1, Status: 200}, "status", "200 is outside 400..599"},
		{"stage", Rule{Name: "x", Action: ActRateLimit, Rate: 1, Stage: StageAccept}, "stage", `action "rate_limit" cannot act at stage "accept"`},
		{"grpc_status", Rule{Name: "x", Action: ActRateLimit, Rate: 1, GRPCStatus: ptr(14)}, "grpc_status", `not used by action "rate_limit" (it takes only rate, window, burst, status)`},
		{"window elsewhere", Rule{Name: "x", Action: ActBandwidth, Rate: 1, Window: Duration(time.Second)}, "window", `not used by action "bandwidth"`},
		{"burst elsewhere", Rule{Name: "x", Action: ActAbort, Burst: 3}, "burst", `not used by action "abort"`},
	}
	for _, tt := range tests {
		err := tt.r.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.field) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want field %s and %q", tt.name, err, tt.field, tt.want)
		}
	}
}

// TestRateLimitSpendsOnlyWhereItActs: a connection takes a token only
// when the listener meets it where the rule would answer its requests or
// let them through (Plan.Abort), never at plan time. One whose handshake
// failed, one an inspect bypass relays untouched, one an earlier abort
// answers, and one the rule can never answer (TLS passed through, plain
// HTTP the listener itself ends) leave the bucket as it was, so the HTTP
// connections after them are admitted.
func TestRateLimitSpendsOnlyWhereItActs(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	plainHTTP := ConnInfo{Listener: "l", Plain: true}
	decrypted := ConnInfo{Listener: "l", Decrypted: true}
	tests := []struct {
		name  string
		abort bool // an abort rule (max_fires 1) ahead of the rate limit
		// spend is what happens to the first connection, which the rule
		// must not charge for.
		spend func(e *Engine)
	}{
		{"handshake failed", false, func(e *Engine) {
			// The listener never reached the request: Unreached, Settle.
			ci := decrypted
			ci.Index = 1
			e.Plan(ci).Unreached().Settle()
		}},
		{"inspect bypass", false, func(e *Engine) {
			ci := decrypted
			ci.Index = 1
			p := e.Plan(ci)
			ci.Decrypted = false
			if p := p.Narrow(ci); p.Abort() != nil || !p.Settle().Empty() {
				t.Errorf("a bypassed connection was limited or logged: %v", p.Names())
			}
		}},
		{"earlier abort", true, func(e *Engine) {
			ci := plainHTTP
			ci.Index = 1
			p := e.Plan(ci)
			if r := p.Abort(); r == nil || r.Action != ActAbort {
				t.Errorf("the abort did not answer: %v", p.Names())
			}
			if got := p.Settle().Names(); len(got) != 1 || got[0] != "ab" {
				t.Errorf("settled %v, want only the abort", got)
			}
		}},
		{"tls passed through", false, func(e *Engine) {
			if p := e.Plan(ConnInfo{Listener: "l", Index: 1}); p.Abort() != nil {
				t.Errorf("TLS passed through was limited: %v", p.Names())
			}
		}},
		{"listener ends", false, func(e *Engine) {
			if p := e.Plan(ConnInfo{Listener: "l", Index: 1, Plain: true, ListenerEnds: true}); p.Abort() != nil {
				t.Errorf("plain HTTP the listener ends was limited: %v", p.Names())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(func() time.Time { return now })
			if tt.abort {
				if err := e.Add(Rule{Name: "ab", Action: ActAbort, MaxFires: 1}); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.Add(Rule{Name: "rl", Action: ActRateLimit, Rate: 1, Window: Duration(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			tt.spend(e)
			for i, want := range []bool{false, true} { // the one token, then none
				ci := plainHTTP
				ci.Index = uint64(i + 2)
				p := e.Plan(ci)
				if limited := p.Abort() != nil; limited != want {
					t.Errorf("connection %d: limited %v, want %v", ci.Index, limited, want)
				}
				if got := p.Settle().Names(); want != (len(got) == 1 && got[0] == "rl") {
					t.Errorf("connection %d settled %v (limited %v)", ci.Index, got, want)
				}
			}
			if st := e.List(); st[len(st)-1].Fires != 1 {
				t.Errorf("rate limit fires %d, want 1 (the one limited connection)", st[len(st)-1].Fires)
			}
		})
	}
}
