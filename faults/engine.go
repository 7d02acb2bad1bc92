package faults

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Engine holds the fault rules. Readers (Plan) load an immutable snapshot
// through an atomic pointer and never lock; writers build a new snapshot
// under a mutex held only while copying. A change therefore reaches only the
// connections planned after it.
type Engine struct {
	now  func() time.Time
	at   func(time.Time) <-chan time.Time // nil: real timers (At)
	mu   sync.Mutex                       // serializes writers; Plan never takes it
	snap atomic.Pointer[snapshot]
	// indexFrom is the fewest rules a stage's list must hold to be
	// indexed (indexFrom, newStageIndex); tests lower it.
	indexFrom int
}

// snapshot is one immutable generation of the rule set.
type snapshot struct {
	rules []*ruleState
	// The enabled rules, in rule order, split the way the two plans read
	// them (publish builds these): each connection asks for both plans,
	// and with many rules a walk of every rule twice, asking each its
	// stage and whether it fails open, was most of the planning. Each
	// is indexed by exact SNI and client range, so a plan tries only
	// the rules that can match its connection (stageIndex).
	accept   stageIndex // accept stage
	later    stageIndex // every later stage, fail-open large_hello rules left out
	failOpen stageIndex // large_hello rules with then = fail_open
	connect  stageIndex // connect_policy rules, planned at a CONNECT (PlanConnect)
	// changed is closed when a writer replaces this snapshot (Changed).
	changed chan struct{}
}

// ruleState is a validated, normalized rule with its compiled selectors.
// Its counters live behind a pointer shared by every snapshot that keeps
// the rule, so enabling or disabling a rule keeps its count.
type ruleState struct {
	rule    Rule
	m       matcher
	enabled bool
	seed    uint64
	prob    float64
	symptom string // Symptom of the rule, computed once
	// plainSymptom replaces symptom on a connection whose client sent no
	// ClientHello; "" when the symptom does not depend on it.
	plainSymptom string
	start        time.Time // schedule window start (added + start_after)
	end          time.Time // zero: no end
	stats        *ruleStats
}

// ruleStats counts firings across connections.
type ruleStats struct {
	fires atomic.Int64
	last  atomic.Int64 // unix nanoseconds of the last firing, 0 = never
	added time.Time
	limit bucket // a rate_limit rule's token bucket
}

// reserve takes one firing from the max_fires budget (0 = unlimited). It
// never overshoots under concurrency: the count only moves by compare-and-swap.
func (s *ruleStats) reserve(limit int64) bool {
	for {
		n := s.fires.Load()
		if limit > 0 && n >= limit {
			return false
		}
		if s.fires.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release gives back a firing that reserve took, for a rule that in the
// end did not act. It never goes below zero: ResetCounters may have run
// since the reservation.
func (s *ruleStats) release() {
	for {
		n := s.fires.Load()
		if n <= 0 || s.fires.CompareAndSwap(n, n-1) {
			return
		}
	}
}

// RuleStatus is one rule as the admin API lists it.
type RuleStatus struct {
	Rule     Rule      `json:"rule"`               // normalized: defaults filled in
	Enabled  bool      `json:"enabled"`            // current state
	Fires    int64     `json:"fires"`              // firings since added or since ResetCounters
	LastFire time.Time `json:"last_fire,omitzero"` // zero when it never fired
	Added    time.Time `json:"added"`              // the schedule counts from here
	Seed     uint64    `json:"effective_seed"`     // the seed draws use (derived from the name when seed is 0)
	// Schedule is where the rule's start_after and duration put it now:
	// ScheduleWaiting, ScheduleEnded, or "" while it is in its window.
	// Enabled alone does not say whether a rule can fire.
	Schedule string `json:"schedule,omitempty"`
	// HoldingDown names the listeners a refuse rule holds down now (their
	// sockets do not listen). The engine does not know the listeners and
	// leaves it empty; the admin API, which does, fills it in, so that
	// fault ls and the live view say what the rule is doing, not only that
	// it is enabled.
	HoldingDown []string `json:"holding_down,omitempty"`
	// Spent says the rule has fired its max_fires times: it fires no more
	// until ResetCounters (fault reset) refills the budget. Like Schedule,
	// it is why an enabled rule does nothing, which Enabled alone hides.
	Spent bool `json:"spent,omitempty"`
}

// The schedule states RuleStatus.Schedule names.
const (
	ScheduleWaiting = "waiting" // start_after has not passed yet
	ScheduleEnded   = "ended"   // duration has run out: it fires no more
)

// NewEngine returns an engine without rules. now is the clock for schedules
// and fire times; nil means time.Now.
func NewEngine(now func() time.Time) *Engine {
	if now == nil {
		now = time.Now
	}
	e := &Engine{now: now, indexFrom: indexFrom}
	e.snap.Store(&snapshot{changed: make(chan struct{})})
	return e
}

// Set replaces every rule at once (a config load). Nothing changes if any
// rule is invalid or two share a name. Counters start at zero.
func (e *Engine) Set(rules []Rule) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	next := &snapshot{rules: make([]*ruleState, 0, len(rules))}
	seen := make(map[string]bool, len(rules))
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return err
		}
		if seen[r.Name] {
			return &RuleError{Rule: r.Name, Field: "name", Msg: "duplicate rule name"}
		}
		seen[r.Name] = true
		next.rules = append(next.rules, newRuleState(r, now))
	}
	e.publish(next)
	return nil
}

// Add appends one rule. A rule with the same name is an error.
func (e *Engine) Add(r Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	if cur.find(r.Name) >= 0 {
		return &RuleError{Rule: r.Name, Field: "name", Msg: "a rule with this name exists; remove it first"}
	}
	e.publish(&snapshot{rules: append(slices.Clip(cur.rules), newRuleState(r, e.now()))})
	return nil
}

// Remove deletes the rule with that name.
func (e *Engine) Remove(name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	i := cur.find(name)
	if i < 0 {
		return fmt.Errorf("faults: no rule named %q", name)
	}
	e.publish(&snapshot{rules: slices.Delete(slices.Clone(cur.rules), i, i+1)})
	return nil
}

// SetEnabled turns a rule on or off, keeping its counters and schedule.
func (e *Engine) SetEnabled(name string, on bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.snap.Load()
	i := cur.find(name)
	if i < 0 {
		return fmt.Errorf("faults: no rule named %q", name)
	}
	rs := *cur.rules[i]
	rs.rule = rs.rule.clone()
	rs.rule.Enabled = &on
	rs.enabled = on
	rules := slices.Clone(cur.rules)
	rules[i] = &rs
	e.publish(&snapshot{rules: rules})
	return nil
}

// List returns every rule with its counters, in evaluation order.
func (e *Engine) List() []RuleStatus {
	cur := e.snap.Load()
	out := make([]RuleStatus, 0, len(cur.rules))
	now := e.now()
	for _, rs := range cur.rules {
		st := RuleStatus{Rule: rs.rule.clone(), Enabled: rs.enabled, Fires: rs.stats.fires.Load(),
			Added: rs.stats.added, Seed: rs.seed}
		st.Schedule = rs.schedule(now)
		// A firing still planned on an open connection counts here, and
		// may yet be given back (Settle) if its rule did not act.
		st.Spent = rs.rule.MaxFires > 0 && st.Fires >= rs.rule.MaxFires
		if ns := rs.stats.last.Load(); ns != 0 {
			st.LastFire = time.Unix(0, ns)
		}
		out = append(out, st)
	}
	return out
}

// schedule is where rs's start_after and duration put it at now:
// ScheduleWaiting, ScheduleEnded, or "" inside its window, the only place
// it fires (or, a refuse rule, holds its listener down).
func (rs *ruleState) schedule(now time.Time) string {
	switch {
	case now.Before(rs.start):
		return ScheduleWaiting
	case !rs.end.IsZero() && !now.Before(rs.end):
		return ScheduleEnded
	}
	return ""
}

// ResetCounters zeroes every rule's fire count and last fire time, which
// also refills max_fires budgets and rate_limit buckets.
func (e *Engine) ResetCounters() {
	for _, rs := range e.snap.Load().rules {
		rs.stats.fires.Store(0)
		rs.stats.last.Store(0)
		rs.stats.limit.reset()
	}
}

func (s *snapshot) find(name string) int {
	return slices.IndexFunc(s.rules, func(rs *ruleState) bool { return rs.rule.Name == name })
}

// newRuleState compiles a validated rule added at time added.
func newRuleState(r Rule, added time.Time) *ruleState {
	n := r.normalized()
	rs := &ruleState{rule: n, m: compileMatcher(&n), enabled: n.IsEnabled(), seed: ruleSeed(&n),
		prob: 1, stats: &ruleStats{added: added}}
	if n.Probability != nil {
		rs.prob = *n.Probability
	}
	rs.symptom = Symptom(string(n.Action), string(n.Stage), &n)
	rs.plainSymptom = symptomWithoutHello(&n)
	rs.start = added.Add(n.StartAfter.D())
	if n.Duration > 0 {
		rs.end = rs.start.Add(n.Duration.D())
	}
	return rs
}

// ruleSeed is the rule's seed, or a stable hash of its name when the seed is
// 0, so an unseeded rule is still reproducible (unlike Toxiproxy's, whose
// seed does nothing).
func ruleSeed(r *Rule) uint64 {
	if r.Seed != 0 {
		return uint64(r.Seed)
	}
	h := fnv.New64a()
	h.Write([]byte(r.Name))
	return h.Sum64()
}

// mix64 is the splitmix64 finalizer: a stable bijection that spreads every
// input bit over the output.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Draw is the random draw in [0,1) of a rule with this seed for the
// connection with this index. It depends on nothing else, so a replay of the
// same traffic gives the same firings. The function is part of that
// contract: changing it changes which connections a seeded rule hits.
func Draw(seed, index uint64) float64 {
	return float64(mix64(mix64(seed)^index)>>11) / (1 << 53)
}

// Empty says no rule is loaded, enabled or not: a caller may then skip
// planning altogether (the listener's event-loop fast path does).
func (e *Engine) Empty() bool { return len(e.snap.Load().rules) == 0 }
