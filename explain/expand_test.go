package explain

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestExpandSizesOnce: expand, which sizes its text before writing it,
// gives what the growing builder does for every shape of template, and
// the summary of a connection that worked takes one allocation.
func TestExpandSizesOnce(t *testing.T) {
	o := &Outcome{Listener: "web", Mode: "plaintext", Client: netip.MustParseAddrPort("192.0.2.7:50000"), BytesUp: 69, BytesDown: 61}
	f := deriveFacts(o)
	f.lang = LangEN
	for _, tmpl := range []string{
		"",
		"no placeholders",
		"{listener}",
		"{mode} {listener}{client} up={up}B down={down}B",
		"{unknown} stays, {listener} fills",
		"an open { brace with {listener} after",
		"{listener} then an unclosed {mode",
		"{}",
		strings.Repeat("{listener}/{up} ", 12), // more than expand keeps values for
	} {
		if got, want := f.expand(tmpl), f.expandGrowing(tmpl); got != want {
			t.Errorf("expand(%q) = %q, want %q", tmpl, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = f.expand("{mode} {listener} up={up}B down={down}B") }); n > 1 {
		t.Errorf("expand made %v allocations, want 1", n)
	}
}

// TestPlainTLSPartWordsOnce: the tls placeholder of a plaintext
// connection comes from the table worded once, the same words as say's,
// without an allocation per connection.
func TestPlainTLSPartWordsOnce(t *testing.T) {
	for _, lang := range []string{LangEN, LangJA, "xx"} {
		for _, k := range []sniff.Kind{sniff.HTTP1, sniff.HTTP2, sniff.Unknown, sniff.Kind(200)} {
			f := &facts{o: &Outcome{Kind: k}, lang: lang}
			want := f.say("tls_plain", "{kind}", k.String())
			if got := f.tlsPart(); got != want {
				t.Errorf("%s %v: tlsPart = %q, want %q", lang, k, got, want)
			}
			if n := testing.AllocsPerRun(50, func() { _ = f.tlsPart() }); n != 0 {
				t.Errorf("%s %v: tlsPart made %v allocations, want none", lang, k, n)
			}
		}
	}
}
