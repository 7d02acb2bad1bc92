package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestMaxConnClientSawNamesCurlSeven: a client refused by max_connections
// gets a reset right after the TCP handshake, and curl most often prints
// "(7) Couldn't connect to server", which reads as a closed port. Both
// languages must name it and say the port is open.
func TestMaxConnClientSawNamesCurlSeven(t *testing.T) {
	o := base("terminate")
	o.Route, o.Kind = "refused_max_conn", sniff.Empty
	for _, tc := range []struct{ lang, notClosed string }{
		{LangEN, "looks like a closed port but is not"},
		{LangJA, "実際は開いている"},
	} {
		d := DiagnoseLang(o, tc.lang)
		for _, w := range []string{"(7) Failed to connect to", "Couldn't connect to server", tc.notClosed, "write:errno=104", "connect: connection reset by peer"} {
			if !strings.Contains(d.ClientSaw, w) {
				t.Errorf("%s: client saw %q lacks %q", tc.lang, d.ClientSaw, w)
			}
		}
	}
}
