package bigiplog

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

// TestStampFollowsTheSecond: the bigip encoder's remembered timestamp
// (one second's text, shared by its clones) stamps every line as
// Timestamp would, across seconds, locations and a clock that goes back.
func TestStampFollowsTheSecond(t *testing.T) {
	enc, err := NewEncoder(Options{Format: "bigip", Host: "h", PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	base := time.Date(2026, 2, 1, 8, 12, 14, 100, time.UTC)
	for i, ts := range []time.Time{
		base, base.Add(800 * time.Millisecond), base.Add(time.Second), base.In(tokyo), base,
		base.Add(-time.Second), base.Add(24 * time.Hour), base.Add(24 * time.Hour).In(tokyo), base.Local(),
	} {
		e := enc
		if i%2 == 1 {
			e = enc.Clone() // clones share what was stamped
		}
		buf, err := e.EncodeEntry(zapcore.Entry{Level: zapcore.InfoLevel, Time: ts, Message: "m"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		line := buf.String()
		buf.Free()
		if want := Timestamp(ts) + " "; !strings.HasPrefix(line, want) {
			t.Errorf("%d: %v stamped %q, want it to begin %q", i, ts, line, want)
		}
	}
}
