package listener

import (
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// The reasons of the listener's own lines under a refuse rule: the log
// line's message and its DownEvent's Reason are one text, so an operator
// who reads one in the log finds the same words in the live view.
const (
	reasonDown      = "listener down: new connections refused, each SYN answered with an RST (injected by a refuse rule)"
	reasonUp        = "listener up: accepting connections again (the refuse rule ended)"
	reasonStillDown = "listener stays down: the refuse rule that held it ended, another refuse rule holds it (new connections still refused)"
	reasonAlsoHeld  = "another refuse rule now holds the listener too: it listens again only when every one has ended (new connections still refused)"
	reasonDownFail  = "refuse rule could not take the listener down; it keeps accepting"
	reasonUpFail    = "listener could not listen again after the refuse rule ended; it stays down and tries again"
	reasonNoSocket  = "refuse rule cannot take this listener down: it has no socket of its own"
	symptomRefused  = "curl (7) Failed to connect … Couldn't connect to server; Go dial …: connect: connection refused"

	// A syn_drop rule's lines: the same events, the port dropping SYNs.
	reasonDropDown     = "listener down, dropping SYNs: new connections time out, each SYN dropped unanswered (injected by a refuse rule, mode syn_drop)"
	reasonDropUp       = "listener up: answering SYNs and accepting connections again (the syn_drop refuse rule ended)"
	reasonDropStill    = "listener stays down, dropping SYNs: the refuse rule that held it ended, another refuse rule holds it (new connections time out)"
	reasonDropAlsoHeld = "another refuse rule now holds the listener too: it listens again only when every one has ended (new connections still time out)"
	reasonDropFail     = "syn_drop refuse rule could not attach the filter that drops SYNs to the listening socket; the listener is down and SYNs get an RST (connection refused) until it can"
	symptomDropped     = "curl (28) Failed to connect … Timeout was reached (or Connection timed out after N ms); Go dial …: i/o timeout"
)

// DownKind names a DownEvent: what changed.
type DownKind string

// The kinds of DownEvent, one for each of the listener's own lines.
const (
	// DownWent: the socket stopped listening for Rule.
	DownWent DownKind = "listener_down"
	// DownUp: it listens again; Rule was the last to hold it.
	DownUp DownKind = "listener_up"
	// DownStill: Ended, the rule it was down for, ended, and Rule holds
	// it down now.
	DownStill DownKind = "listener_still_down"
	// DownAlsoHeld: Rule started to hold it while it was down for HeldBy.
	DownAlsoHeld DownKind = "listener_also_held"
	// DownFailed: Rule should have taken it down, but the socket could not
	// stop listening (Err says why): it keeps accepting, and the watcher
	// tries again.
	DownFailed DownKind = "listener_down_failed"
	// UpFailed: the rules let it listen again, but the socket could not
	// (Err says why): it stays down, refusing, and the watcher tries again.
	UpFailed DownKind = "listener_up_failed"
	// DropFailed: Rule is a syn_drop rule holding it down, but the port
	// could not be made to drop SYNs (Err says why): it refuses them with
	// an RST instead, and the watcher tries again.
	DropFailed DownKind = "listener_drop_failed"
)

// DownEvent is one of a listener's own lines under a refuse rule as a
// value: the refusals make no connection, so no Outcome carries them, and
// an operator watching the event stream instead of the log would not see
// the port close. Deps.OnDown receives it after the line is logged.
type DownEvent struct {
	Kind     DownKind
	Time     time.Time // on the fault engine's clock
	Listener string    // the listener's name
	Listen   string    // its address
	// Rule is the refuse rule the event is about: the one it went down
	// for, the one that took over, the one that joined, or for DownUp the
	// last one that held it.
	Rule   string
	Ended  string // DownStill: the rule it was down for, which ended
	HeldBy string // DownAlsoHeld: the rule it is down for
	// Holding is every refuse rule holding it down now, each with when
	// its duration runs out (zero: until removed or disabled); empty for
	// DownUp.
	Holding []faults.Hold
	// Until is when the listener listens again by itself: the last of
	// Holding's ends, when every one has a duration; zero otherwise.
	Until   time.Time
	Since   time.Time     // DownUp: when it went down
	DownFor time.Duration // DownUp: how long it was down
	Downs   int64         // times it went down since start
	Reason  string        // the log line's message
	Symptom string        // what a client sees while it is down; "" for DownUp
	Check   string        // the log line's advice: how to make it listen again; "" for DownUp
	Err     string        // DownFailed, UpFailed, DropFailed: the error the log line carries
}

// untilAll is when the listener listens again by itself while holds hold
// it: the last end among them, or zero when one has none.
func untilAll(holds []faults.Hold) time.Time {
	var until time.Time
	for _, h := range holds {
		if h.Until.IsZero() {
			return time.Time{}
		}
		if h.Until.After(until) {
			until = h.Until
		}
	}
	return until
}

// announce hands ev to Deps.OnDown, filling in what every event carries
// (its time, when the caller has none of its own).
func (s *Server) announce(ev DownEvent) {
	if ev.Err == "" {
		// Any other event ends a run of failures: the next one is news.
		g := &s.down
		g.mu.Lock()
		g.lastFail = ""
		g.mu.Unlock()
	}
	if s.deps.OnDown == nil {
		return
	}
	ev.Listener = s.opts.Name
	if ev.Time.IsZero() {
		ev.Time = s.deps.Faults.Now()
	}
	ev.Until = untilAll(ev.Holding)
	s.deps.OnDown(ev)
}

// announceFailure announces a failed transition once per kind, rule and
// error: the watcher tries again every retryDown and logs each try, but
// the event stream and the live view get one line until something else
// happens, not one a second.
func (s *Server) announceFailure(ev DownEvent) {
	key := string(ev.Kind) + "\x00" + ev.Rule + "\x00" + ev.Err
	g := &s.down
	g.mu.Lock()
	same := g.lastFail == key
	g.lastFail = key
	g.mu.Unlock()
	if !same {
		s.announce(ev)
	}
}
