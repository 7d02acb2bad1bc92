package bigiplog

import (
	"encoding/json"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

// TestJSONSNIFromTheHandshake: a hello beyond sniff's parse cap that
// crypto/tls read on tlsgate's own handshake has the SNI crypto/tls read
// in the JSON "sni", not "".
func TestJSONSNIFromTheHandshake(t *testing.T) {
	o := okOutcome()
	o.Hello, o.JA3, o.JA4 = nil, "", ""
	o.HelloErr, o.HelloTooLarge = "sniff: client hello: handshake length 17049 exceeds the 16384-byte cap at offset 6", true
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
	if rec.Conn["sni"] != "lab.test" {
		t.Errorf("sni = %v, want lab.test as crypto/tls read it", rec.Conn["sni"])
	}
}
