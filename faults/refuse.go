package faults

import (
	"time"
)

// A refuse rule acts on a listener, not on a connection: while it is in
// force the listener accepts nothing, so the kernel answers every SYN with
// an RST (listener_down) or drops it unanswered (syn_drop), and no
// connection exists to plan, log or count. Plan never
// returns it. The listener asks Down instead, when the rules change
// (Changed) and when a schedule boundary Down reported passes.

// validateRefuse checks a refuse rule's mode.
func (r *Rule) validateRefuse(fail failFunc) error {
	switch r.Mode {
	case "", ModeListenerDown, ModeSynDrop:
	default:
		return fail("mode", "unknown mode %q (want listener_down, SYNs answered with an RST, or syn_drop, SYNs dropped unanswered; a reset after the kernel accepted, rst_on_accept, is action = \"reset\" with stage = \"accept\")", r.Mode)
	}
	return nil
}

// refuseSelectors refuses a selector on a refuse rule. The rule shuts the
// one listening socket that serves every client, so each SYN is refused
// alike while it is shut: a SYN carries the client's address, but the
// socket cannot refuse some SYNs and accept others; it carries no payload,
// so no hello exists to match; and no connection is made to count. The
// listener and the schedule are its selectors.
func (r *Rule) refuseSelectors(fail failFunc) error {
	const (
		hello = "the SYN it refuses carries no payload (no ClientHello), so it cannot select by %s"
		count = "every SYN is refused alike while the socket is shut and none makes a connection to count, so it cannot select by %s"
	)
	for _, s := range []struct {
		field string
		set   bool
		why   string
	}{
		{"sni", r.SNI != "", hello},
		{"client", r.Client != "", "one listening socket serves every client, so shutting it refuses them all: it cannot select by %s (the SYN carries the client's address, but the socket cannot refuse some SYNs and accept others)"},
		{"ja3", r.JA3 != "", hello},
		{"ja4", r.JA4 != "", hello},
		{"alpn", r.ALPN != "", hello},
		{"max_offered_version", r.MaxOfferedVersion != 0, hello},
		{"hello_min_size", r.HelloMinSize != 0, hello},
		{"hello_multi_segment", r.HelloMultiSegment, hello},
		{"conn_first", r.ConnFirst != 0, count},
		{"conn_every", r.ConnEvery != 0, count},
		{"conn_after", r.ConnAfter != 0, count},
		{"probability", r.Probability != nil, count},
		{"seed", r.Seed != 0, count},
		{"max_fires", r.MaxFires != 0, count},
	} {
		if s.set {
			return fail(s.field, "refuse takes the whole listener down: "+s.why+"; "+
				"use listener, start_after and duration (or remove the rule) to say which listener and when", s.field)
		}
	}
	return nil
}

// Changed returns a channel that is closed at the next change to the rule
// set (Set, Add, Remove, SetEnabled). A listener waits on it to learn that
// a refuse rule came or went without polling.
func (e *Engine) Changed() <-chan struct{} { return e.snap.Load().changed }

// publish makes next the current snapshot and tells Changed's waiters;
// e.mu is held.
func (e *Engine) publish(next *snapshot) {
	next.changed = make(chan struct{})
	var accept, later, failOpen, connect []*ruleState
	for _, rs := range next.rules {
		switch {
		case !rs.enabled:
		case rs.rule.Action == ActConnectPolicy:
			connect = append(connect, rs)
		case rs.rule.Stage == StageAccept:
			accept = append(accept, rs)
		case rs.rule.failsOpen():
			failOpen = append(failOpen, rs)
		default:
			later = append(later, rs)
		}
	}
	next.accept, next.later, next.failOpen = newStageIndex(accept, e.indexFrom), newStageIndex(later, e.indexFrom),
		newStageIndex(failOpen, e.indexFrom)
	next.connect = newStageIndex(connect, e.indexFrom)
	prev := e.snap.Swap(next)
	if prev != nil && prev.changed != nil {
		close(prev.changed)
	}
}

// Down reports whether an enabled refuse rule holds the named listener
// down now, and which rule names it: held, the rule the listener is down
// for ("" while it is up), as long as held still holds it, else the first
// such rule in evaluation order. The listener keeps naming the rule that
// took it down while that rule holds, so a rule earlier in the list whose
// start_after passes later does not read as the first one having ended;
// one scan of one snapshot at one time answers both. next is the next
// time a refuse rule for this listener starts or ends by its schedule
// (zero when none will), so the caller knows when to ask again without a
// change to the rules.
func (e *Engine) Down(listener, held string) (rule string, down bool, next time.Time) {
	s := e.snap.Load()
	var now time.Time
	for _, rs := range s.rules {
		if !rs.refuses(listener) {
			continue
		}
		if now.IsZero() {
			now = e.now()
		}
		for _, t := range []time.Time{rs.start, rs.end} {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		if rs.schedule(now) == "" && (!down || rs.rule.Name == held) {
			rule, down = rs.rule.Name, true
		}
	}
	return rule, down, next
}

// refuses reports whether rs is an enabled refuse rule for the listener.
func (rs *ruleState) refuses(listener string) bool {
	r := &rs.rule
	return r.Action == ActRefuse && rs.enabled && (r.Listener == "" || r.Listener == listener)
}

// Took counts one firing of the named refuse rule: the listener went down
// for it. A rule that is gone by then counts nothing, and Took says so
// (false), so the caller's own count (the firings metric) agrees.
func (e *Engine) Took(rule string) bool {
	s := e.snap.Load()
	i := s.find(rule)
	if i < 0 {
		return false
	}
	st := s.rules[i].stats
	st.fires.Add(1)
	st.last.Store(e.now().UnixNano())
	return true
}

// Hold is one refuse rule holding a listener down: its name, and when its
// duration runs out (zero: it holds until removed or disabled).
type Hold struct {
	Rule  string
	Until time.Time
}

// RefuseMode is the mode of the named refuse rule: how the listener it
// holds down refuses. A rule that is gone by then reads as the default,
// listener_down; the change that removed it makes the listener ask again.
func (e *Engine) RefuseMode(rule string) Mode {
	s := e.snap.Load()
	if i := s.find(rule); i >= 0 && s.rules[i].rule.Mode == ModeSynDrop {
		return ModeSynDrop
	}
	return ModeListenerDown
}

// Holding lists every refuse rule that holds the named listener down now,
// in evaluation order. The listener listens again only when all have
// ended, so its down lines name them all, with when each ends by itself.
func (e *Engine) Holding(listener string) []Hold {
	s := e.snap.Load()
	var hs []Hold
	var now time.Time
	for _, rs := range s.rules {
		if !rs.refuses(listener) {
			continue
		}
		if now.IsZero() {
			now = e.now()
		}
		if rs.schedule(now) == "" {
			hs = append(hs, Hold{Rule: rs.rule.Name, Until: rs.end})
		}
	}
	return hs
}
