package explain

import (
	"strings"
	"testing"
)

// TestImpossiblePort: a port above 65535 cannot come from a BIG-IP, so the
// explanation says the line was damaged instead of dropping the address
// without a word.
func TestImpossiblePort(t *testing.T) {
	tests := []struct {
		name, line string
		bad        []string
	}{
		{"huge left port", "01260013:4: SSL Handshake failed for TCP 10.1.1.5:99999999999999999999 -> 10.2.2.2:443",
			[]string{"10.1.1.5:99999999999999999999"}},
		{"just above the range", "01260013:4: SSL Handshake failed for TCP 10.1.1.5:51515 -> 10.2.2.2:65536",
			[]string{"10.2.2.2:65536"}},
		{"IPv6 in brackets", "01260013:4: SSL Handshake failed for TCP [2001:db8::10]:700000 -> [2001:db8::1]:443",
			[]string{"[2001:db8::10]:700000"}},
		{"peers form", "01260026:4: No shared ciphers between SSL peers 10.1.1.5.51515:10.2.2.2.70000.",
			[]string{"10.2.2.2.70000"}},
		{"reset cause", "01230140:3: RST sent from 10.0.0.1:443 to 10.0.0.2:123456, [0x2cc3b7b:2005] SSL handshake timeout exceeded",
			[]string{"10.0.0.2:123456"}},
		{"highest port is fine", "01260013:4: SSL Handshake failed for TCP 10.1.1.5:65535 -> 10.2.2.2:443", nil},
		{"not an address", "01260013:4: SSL Handshake failed for TCP build.99999999 -> 10.2.2.2:443", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseLine(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(p.BadPorts, " ") != strings.Join(tt.bad, " ") {
				t.Errorf("BadPorts %q, want %q", p.BadPorts, tt.bad)
			}
			for _, lang := range Langs() {
				notes := strings.Join(ExplainLine(p, lang).Notes, "\n")
				has := strings.Contains(notes, "65535")
				if tt.bad == nil {
					if has {
						t.Errorf("%s: unexpected port note:\n%s", lang, notes)
					}
					continue
				}
				if !has || !strings.Contains(notes, tt.bad[0]+":") {
					t.Errorf("%s: notes do not flag %s:\n%s", lang, tt.bad[0], notes)
				}
			}
		})
	}
}

func FuzzFindBadPorts(f *testing.F) {
	f.Add("SSL Handshake failed for TCP 10.1.1.5:99999999999999999999 -> 10.2.2.2:443")
	f.Add("peers 10.1.1.5.51515:10.2.2.2.70000.")
	f.Fuzz(func(t *testing.T, text string) {
		for _, b := range findBadPorts(text) {
			if !strings.Contains(text, b) {
				t.Fatalf("%q not in the text %q", b, text)
			}
		}
	})
}
