package main

import (
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/explain"
)

// eventSink turns each finished connection into the admin API's event
// stream (one JSON object, the same shape as the json log format) and its
// metrics.
type eventSink struct {
	enc   zapcore.Encoder
	admin *admin.Server
}

// newEventSink words the events in lang, the [log] lang, so the live view
// explains in the language the log does.
func newEventSink(a *admin.Server, host string, pid int, lang string) (*eventSink, error) {
	enc, err := bigiplog.NewEncoder(bigiplog.Options{Format: "json", Host: host, PID: pid, TMMs: 2, Lang: lang})
	if err != nil {
		return nil, err
	}
	return &eventSink{enc: enc, admin: a}, nil
}

// observe is the listeners' OnOutcomeLent hook. It must not block: Publish
// drops for slow subscribers instead of waiting. The JSON line is encoded
// only when someone reads it (a subscriber now, or a replay later), from o
// and d, which the listener lends until the hub calls done.
func (e *eventSink) observe(o *explain.Outcome, d *explain.Diagnosis, done func()) {
	e.admin.Observe(o, d)
	level := bigiplog.Level(*d)
	// The closure is the one allocation an unread event costs: it keeps
	// the few words the entry is made of, not the entry itself, which it
	// would hold behind a second allocation of its own.
	now := time.Now()
	e.admin.Hub().PublishLent(func() []byte {
		entry := zapcore.Entry{Level: level, Time: now, Message: d.Summary}
		buf, err := e.enc.Clone().EncodeEntry(entry, []zapcore.Field{bigiplog.Field(bigiplog.Event{Outcome: o, Diagnosis: d})})
		if err != nil {
			// Still an event, and still JSON: the stream must not skip a
			// sequence number.
			return []byte(`{"error":"event not encodable"}`)
		}
		line := append([]byte(nil), buf.Bytes()...)
		buf.Free()
		return line
	}, done)
}
