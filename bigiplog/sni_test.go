package bigiplog

import (
	"testing"
)

// TestJSONSNIFromTheHandshake: a hello beyond sniff's parse cap that
// crypto/tls read on tlsgate's own handshake has the SNI crypto/tls read
// in the JSON "sni", not "".
func TestJSONSNIFromTheHandshake(t *testing.T) {
	o := okOutcome()
	o.Hello, o.JA3, o.JA4 = nil, "", ""
	o.HelloErr, o.HelloTooLarge = "sniff: client hello: handshake length 17049 exceeds the 16384-byte cap at offset 6", true
	rec := jsonConnOf(t, o)
	if rec["sni"] != "lab.test" {
		t.Errorf("sni = %v, want lab.test as crypto/tls read it", rec["sni"])
	}
}
