package explain

import (
	"regexp"
	"strings"
	"testing"
)

// onePlural finds a count of one with a plural noun ("1 bytes"), and the
// "(s)" hedges that stand in for choosing.
var onePlural = regexp.MustCompile(`(^|[^0-9.,:x])1 (bytes|records|suites|alerts|certificates|lines|failures|segments|messages|connections)\b|\d+ [a-z]+\(s\)`)

// TestCountNounsOneByte diagnoses every case again with the relay's byte
// counts at one, in English, and wants "1 byte", never "1 bytes".
func TestCountNounsOneByte(t *testing.T) {
	for _, tc := range diagCases() {
		o := *tc.o
		o.BytesUp, o.BytesDown = 1, 1
		d := DiagnoseLang(&o, LangEN)
		text := strings.Join(append(append([]string{d.Summary, d.Cause, d.ClientSaw}, d.Checks...), d.Warnings...), "\n")
		for _, e := range d.Evidence {
			text += "\n" + e.Key + "=" + e.Value
		}
		if m := onePlural.FindString(text); m != "" {
			t.Errorf("%s: %q in\n%s", tc.name, m, text)
		}
	}
}
