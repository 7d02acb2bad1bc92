package explain

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseLine: any input parses without panicking, within its bounds,
// and explains in both languages; a line with a message ID reads back the
// same from its bare "ID:sev: text" form.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		"Feb  1 08:12:14 pua-bigip warning tmm[9244]: 01260026:4: No shared ciphers between SSL peers 192.168.99.86.32962:192.168.20.230.636.",
		"<141>1 2020-04-14T14:39:05.271965+00:00 f5-bigip.com apmd 7389 01490248:5: [F5@12276 errdefs_msgno=\"01490248:5:\"] x",
		"01260013:4: SSL Handshake failed for TCP 2001:db8::10.50000 -> 2001:db8::1.443",
		"Rule /Common/x <HTTP_REQUEST>: y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p, err := ParseLine(line)
		if len(p.Raw) > MaxLineLen {
			t.Fatalf("raw of %d bytes", len(p.Raw))
		}
		if err == nil && p.ID == "" && p.Process == "" && p.Session == nil && p.IRule == "" {
			t.Fatalf("no error for a line with nothing read: %+v", p)
		}
		if err != nil && !errors.Is(err, ErrEmptyLine) && !errors.Is(err, ErrLineTooLong) && !errors.Is(err, ErrNotBigIP) {
			t.Fatalf("unexpected error %v", err)
		}
		if p.Sev < -1 || p.Sev > 7 || p.PRI < -1 || p.PRI > 191 {
			t.Fatalf("sev %d pri %d", p.Sev, p.PRI)
		}
		for _, lang := range Langs() {
			x := ExplainLine(p, lang)
			if x.Title == "" || x.Key == "" {
				t.Fatalf("%s: empty explanation for %q", lang, line)
			}
		}
		_ = ExplainLines([]Parsed{p, p}, LangEN)
		if err != nil || p.ID == "" || p.IDFromText || p.Sev < 0 || !utf8.ValidString(p.Text) || strings.ContainsAny(p.Text, "\r\n") {
			return
		}
		bare := p.ID + ":" + string(rune('0'+p.Sev)) + ": " + p.Text
		q, err := ParseLine(bare)
		if err != nil || q.ID != p.ID || q.Sev != p.Sev || q.Text != p.Text {
			t.Fatalf("bare form %q read as id=%s sev=%d text=%q (%v), want id=%s sev=%d text=%q", bare, q.ID, q.Sev, q.Text, err, p.ID, p.Sev, p.Text)
		}
	})
}
