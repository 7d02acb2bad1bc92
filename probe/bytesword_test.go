package probe

import (
	"strings"
	"testing"
)

// TestFlightBytesAgree: the flight and first-record findings word their
// byte count with its noun, "1 byte", not "1 bytes"; Japanese is as it
// was.
func TestFlightBytesAgree(t *testing.T) {
	en, ja := newTr(LangEN), newTr(LangJA)
	for _, key := range []string{"hello.stall_first_record", "flight.ok", "flight.stall", "flight.cut"} {
		one := en.f(key, "bytes_n", en.bytes(1), "took", "1 ms", "where", "x", "how", "closed")
		many := en.f(key, "bytes_n", en.bytes(1448), "took", "1 ms", "where", "x", "how", "closed")
		if !strings.Contains(one, "1 byte") || strings.Contains(one, "1 bytes") || !strings.Contains(many, "1,448 bytes") {
			t.Errorf("%s: %q / %q", key, one, many)
		}
		if j := ja.f(key, "bytes_n", ja.bytes(1448)); !strings.Contains(j, "1,448 バイト") {
			t.Errorf("%s (ja): %q", key, j)
		}
	}
}
