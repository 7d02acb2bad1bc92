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

func newEventSink(a *admin.Server, host string, pid int) (*eventSink, error) {
	enc, err := bigiplog.NewEncoder(bigiplog.Options{Format: "json", Host: host, PID: pid, TMMs: 2})
	if err != nil {
		return nil, err
	}
	return &eventSink{enc: enc, admin: a}, nil
}

// observe is the listeners' OnOutcome hook. It must not block: Publish
// drops for slow subscribers instead of waiting.
func (e *eventSink) observe(o *explain.Outcome, d *explain.Diagnosis) {
	e.admin.Observe(o, d)
	level := zapcore.InfoLevel
	if !d.OK {
		level = zapcore.WarnLevel
	}
	entry := zapcore.Entry{Level: level, Time: time.Now(), Message: d.Summary}
	buf, err := e.enc.Clone().EncodeEntry(entry, []zapcore.Field{bigiplog.Field(bigiplog.Event{Outcome: o, Diagnosis: d})})
	if err != nil {
		return
	}
	line := append([]byte(nil), buf.Bytes()...)
	buf.Free()
	e.admin.Hub().Publish(line)
}
