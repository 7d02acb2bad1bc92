package bigiplog

import (
	"testing"

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
		rec := jsonConnOf(t, o)
		if rec["connect_target"] != tc.wantTarget || rec["connect_status"] != tc.wantStatus {
			t.Errorf("%+v: connect_target %v, connect_status %v; want %q, %v", tc.c, rec["connect_target"], rec["connect_status"], tc.wantTarget, tc.wantStatus)
		}
	}
}
