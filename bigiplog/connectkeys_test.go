package bigiplog

import (
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// TestJSONConnectKeys: an explicit proxy's CONNECT reaches a SIEM as
// keys, not only as evidence text: the target the client asked for and
// the status tlsgate answered; other connections carry them empty.
func TestJSONConnectKeys(t *testing.T) {
	for _, tc := range []struct {
		c          explain.Connect
		wantTarget string
		wantStatus float64
	}{
		{explain.Connect{}, "", 0},
		{explain.Connect{Authority: "app.test:443", Status: 403}, "app.test:443", 403},
		{explain.Connect{Authority: "app.test:443", Status: 200}, "app.test:443", 200},
	} {
		o := okOutcome()
		o.Connect = tc.c
		opts := testOptions
		opts.Format = "json"
		enc, err := NewEncoder(opts)
		if err != nil {
			t.Fatal(err)
		}
		line := encodeOne(t, enc, zapcore.Entry{Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: o})})
		var rec struct {
			Conn map[string]any `json:"conn"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Conn["connect_target"] != tc.wantTarget || rec.Conn["connect_status"] != tc.wantStatus {
			t.Errorf("%+v: connect_target %v, connect_status %v; want %q, %v", tc.c, rec.Conn["connect_target"], rec.Conn["connect_status"], tc.wantTarget, tc.wantStatus)
		}
	}
}
