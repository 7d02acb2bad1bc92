package bigiplog

import (
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// TestJSONUpUndelivered: the client's bytes that never reached the backend
// (the connect race) are in the JSON as bytes_up_undelivered, beside a
// bytes_up that leaves them out; a connection that lost none has the key
// too, at 0, so the keys do not depend on what happened.
func TestJSONUpUndelivered(t *testing.T) {
	for _, tc := range []struct {
		lost int64
		want any
	}{
		{0, float64(0)},
		{78, float64(78)},
	} {
		o := okOutcome()
		o.BytesUp, o.BytesUpUndelivered = 0, tc.lost
		rec := jsonConnOf(t, o)
		got, ok := rec["bytes_up_undelivered"]
		if !ok || got != tc.want || rec["bytes_up"] != float64(0) {
			t.Errorf("%d undelivered: bytes_up_undelivered = %v (present %v), bytes_up = %v; want %v beside 0", tc.lost, got, ok, rec["bytes_up"], tc.want)
		}
	}
}

// jsonConnOf encodes o as one json line and returns its "conn" object.
func jsonConnOf(t *testing.T, o *explain.Outcome) map[string]any {
	t.Helper()
	opts := testOptions
	opts.Format = "json"
	enc, err := NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	line := encodeOne(t, enc, zapcore.Entry{Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: o})})
	if len(line) > 32<<10 {
		t.Errorf("a line of %d bytes, want at most 32 KiB", len(line))
	}
	var rec struct {
		Conn map[string]any `json:"conn"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Conn
}
