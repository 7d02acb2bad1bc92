package lab

import (
	"testing"
	"unicode/utf8"

	"github.com/tlsgate/tlsgate/config"
)

// FuzzQuote: any valid UTF-8 string written by quote reads back unchanged
// through config's TOML decoder. The admin token is a free-form string key,
// so it carries the value.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", `a "quoted" \ word`, "tab\tnew\nline\x00nul\x7f", "日本語 ハンドシェイク", "\u2028\ufeff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // TOML files are UTF-8; quote never sees anything else
		}
		doc := "[admin]\nlisten = \"\"\ntoken = " + quote(s) + "\n\n[[listener]]\nlisten = \"127.0.0.1:9\"\nmode = \"plaintext\"\nbackend = \"127.0.0.1:10\"\n"
		cfg, err := config.Parse([]byte(doc), "fuzz.toml")
		if err != nil {
			t.Fatalf("quote(%q) = %s does not parse: %v", s, quote(s), err)
		}
		if cfg.Admin.Token != s {
			t.Fatalf("quote(%q) read back as %q", s, cfg.Admin.Token)
		}
	})
}
