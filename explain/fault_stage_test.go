package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestPlainFirstBytesStage: the client_hello stage fires on the first
// bytes whatever they are. When they were plain HTTP on a TLS port, the
// words must not speak of a ClientHello the client never sent.
func TestPlainFirstBytesStage(t *testing.T) {
	plain := base("passthrough")
	plain.Kind, plain.FirstBytes = sniff.HTTP1, []byte("GET / HTTP/1.1\r\n")
	o := stopped(plain, "plaintext_reply", firing("captive", "plaintext_reply", "client_hello", "both", 0.13, symPlain))
	for _, lang := range []string{LangEN, LangJA} {
		d := DiagnoseLang(o, lang)
		text := d.Summary + "\n" + d.Cause
		if strings.Contains(text, "after ClientHello") || strings.Contains(text, "ClientHello の直後") {
			t.Errorf("%s: %q speaks of a ClientHello after plain HTTP", lang, text)
		}
	}
	hello := stopped(helloAt("passthrough", modernHello()), "plaintext_reply",
		firing("captive", "plaintext_reply", "client_hello", "both", 0.13, symPlain))
	if d := DiagnoseLang(hello, LangEN); !strings.Contains(d.Summary+d.Cause, "after ClientHello") {
		t.Errorf("after a real hello the stage reads %q", d.Summary)
	}
}
