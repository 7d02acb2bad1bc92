package admin

import (
	"encoding/json"
	"time"

	"github.com/tlsgate/tlsgate/listener"
)

// ListenerEventKey is the key under which a listener's own event (a
// refuse rule taking it down, bringing it up …) sits in its /events line,
// as a connection's sits under "conn": a reader tells them apart by which
// key the line has.
const ListenerEventKey = "listener_event"

// downLine is a listener event's /events line: the keys of a connection
// event's line (ts, level, msg) and the event under ListenerEventKey.
type downLine struct {
	Level string    `json:"level"`
	TS    time.Time `json:"ts"`
	Msg   string    `json:"msg"`
	Event downJSON  `json:"listener_event"`
}

// downJSON is a listener.DownEvent in the stream. Its keys are the
// listener's log line's, so a script written against one reads the other;
// holding is always present (empty when up), the rest as the kind has them.
type downJSON struct {
	Event    string     `json:"event"` // listener_down, listener_up, listener_still_down, listener_also_held, listener_down_failed, listener_up_failed, listener_drop_failed
	Listener string     `json:"listener"`
	Listen   string     `json:"listen"`
	Rule     string     `json:"rule"`
	Ended    string     `json:"ended,omitempty"`
	HeldBy   string     `json:"held_by,omitempty"`
	Holding  []holdJSON `json:"holding"`
	Until    time.Time  `json:"until,omitzero"`
	Since    time.Time  `json:"since,omitzero"`
	DownFor  string     `json:"down_for,omitempty"`
	DownMS   *int64     `json:"down_ms,omitempty"`
	Downs    int64      `json:"downs"`
	Reason   string     `json:"reason"`
	Symptom  string     `json:"symptom,omitempty"`
	Check    string     `json:"check,omitempty"`
	Error    string     `json:"error,omitempty"` // listener_down_failed, listener_up_failed, listener_drop_failed: why
}

// holdJSON is one refuse rule holding the listener, and when its duration
// runs out (absent: until removed or disabled).
type holdJSON struct {
	Rule  string    `json:"rule"`
	Until time.Time `json:"until,omitzero"`
}

// ObserveDown publishes a listener's own event to /events, as
// listener.Deps.OnDown: the refusals make no connection, so without it the
// stream, and the live view on it, never showed the port close. It must
// not block, and does not: Publish drops for slow subscribers.
func (s *Server) ObserveDown(ev listener.DownEvent) {
	d := downJSON{Event: string(ev.Kind), Listener: ev.Listener, Listen: ev.Listen, Rule: ev.Rule,
		Ended: ev.Ended, HeldBy: ev.HeldBy, Holding: make([]holdJSON, len(ev.Holding)), Until: ev.Until,
		Since: ev.Since, Downs: ev.Downs, Reason: ev.Reason, Symptom: ev.Symptom, Check: ev.Check, Error: ev.Err}
	for i, h := range ev.Holding {
		d.Holding[i] = holdJSON{Rule: h.Rule, Until: h.Until}
	}
	if ev.Kind == listener.DownUp {
		ms := ev.DownFor.Milliseconds()
		d.DownFor, d.DownMS = ev.DownFor.String(), &ms
	}
	level := "warn"
	switch ev.Kind {
	case listener.DownUp:
		level = "info"
	case listener.DownFailed, listener.UpFailed, listener.DropFailed:
		level = "error" // the level of their log lines
	}
	line, err := json.Marshal(downLine{Level: level, TS: ev.Time, Msg: ev.Reason, Event: d})
	if err != nil {
		// Still an event, and still JSON, as a connection's that fails.
		line = []byte(`{"error":"event not encodable"}`)
	}
	s.o.Hub.Publish(line)
}
