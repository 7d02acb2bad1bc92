package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestTLSStartCutShort: a client that sends the start of a hello too
// short for sniff to name (a lone 0x16, 16 03, an SSLv2 header) and then
// leaves is a TLS start cut short by the client, on every mode, worded as
// the same bytes are when they stall: never "too few to tell". Before, a
// lone 0x16 then FIN stayed undecided while 16 03 then FIN did not.
func TestTLSStartCutShort(t *testing.T) {
	ends := []PeerEnd{PeerClosed, PeerReset}
	cases := []struct {
		first []byte
		kind  string // the words key the cause must quote
	}{
		{[]byte{0x16}, "kind_tls_byte"},
		{[]byte{0x16, 0x03}, "kind_tls_prefix"},
		{[]byte{0x80, 0x2e, 0x01}, "kind_sslv2_prefix"},
	}
	for _, mode := range []string{"passthrough", "terminate", "plaintext", "auto", "inspect"} {
		for _, end := range ends {
			for _, tc := range cases {
				o := base(mode)
				o.Kind, o.FirstBytes, o.PeekEnd, o.Route = sniff.Unknown, tc.first, end, "closed"
				d := Diagnose(o)
				want := phrasesEN()[tc.kind]
				if !strings.Contains(d.Cause, want) {
					t.Errorf("%s, % x then %v: cause %q; want it to say %q", mode, tc.first, end, d.Cause, want)
				}
				if undecided := phrasesEN()["kind_undecided"]; strings.Contains(d.Cause, undecided) {
					t.Errorf("%s, % x then %v: cause %q says %q", mode, tc.first, end, d.Cause, undecided)
				}
				wantCode := CodeClientClosedEarly
				if end == PeerReset {
					wantCode = CodeClientResetEarly
				}
				if d.Code != wantCode {
					t.Errorf("%s, % x then %v: code %s, want %s", mode, tc.first, end, d.Code, wantCode)
				}
			}
		}
	}
}
