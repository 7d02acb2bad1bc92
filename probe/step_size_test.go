package probe

import (
	"strings"
	"testing"
	"time"
)

// TestFlightOK: step 9 says a flight needed more than one full-size segment
// (1,448 bytes of payload on a 1,500-byte path with TCP timestamps) only
// when it did, in both languages. A 1,407-byte flight fits in one segment.
func TestFlightOK(t *testing.T) {
	claims := map[string]string{LangEN: "more than one full-size segment", LangJA: "フルサイズのセグメント1つより大きい"}
	cases := []struct {
		n     int
		large bool
	}{
		{900, false},
		{1400, false},
		{1401, false},
		{1407, false},
		{1447, false},
		{1448, false},
		{1449, true},
		{4000, true},
	}
	for _, lang := range []string{LangEN, LangJA} {
		tx := newTr(lang)
		for _, c := range cases {
			got := flightOK(tx, c.n, 3*time.Millisecond)
			if strings.Contains(got, claims[lang]) != c.large || c.large && !strings.Contains(got, "1,448") {
				t.Errorf("%s, %d bytes: %q; want the full-size claim %v", lang, c.n, got, c.large)
			}
			if !strings.Contains(got, fmtInt(c.n)) {
				t.Errorf("%s, %d bytes: %q does not give the size", lang, c.n, got)
			}
		}
	}
}
