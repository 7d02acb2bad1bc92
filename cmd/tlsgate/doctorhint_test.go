package main

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestDiagnosisDoctorHintRuns takes the doctor command a no_original_dst
// diagnosis prints and runs it as written: it must parse (no usage error,
// exit 2) and check the rules for the address the listener is bound to,
// a DNAT for one address and a REDIRECT for a wildcard.
func TestDiagnosisDoctorHintRuns(t *testing.T) {
	for _, tc := range []struct{ bind, want string }{
		{"127.0.0.1:19843", "-j DNAT --to-destination 127.0.0.1:19843"},
		{"0.0.0.0:19843", "-j REDIRECT --to-ports 19843"},
		{"", "to port 19843"}, // no bind known: the port it was reached on
	} {
		t.Run(tc.bind, func(t *testing.T) {
			o := &explain.Outcome{
				ID: 1, Listener: "tp", Mode: "inspect", Route: "no_original_dst", Transparent: "redirect",
				Client:       netip.MustParseAddrPort("192.0.2.10:40000"),
				Virtual:      netip.MustParseAddrPort("127.0.0.1:19843"),
				Peer:         netip.MustParseAddrPort("192.0.2.10:40000"),
				OrigDstErr:   "transparent: no original destination",
				ListenerBind: tc.bind,
				ClientTLS:    explain.Leg{AlertSent: -1, AlertRecv: -1},
				Backend:      explain.Backend{TLS: explain.Leg{AlertSent: -1, AlertRecv: -1}},
			}
			d := explain.Diagnose(o)
			var cmd string
			for _, c := range d.Checks {
				if i := strings.Index(c, "`tlsgate doctor "); i >= 0 {
					cmd, _, _ = strings.Cut(c[i+1:], "`")
				}
			}
			if cmd == "" {
				t.Fatalf("%s: no doctor command in the checks %q", d.Code, d.Checks)
			}
			args := strings.Fields(cmd)[1:]
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code == 2 {
				t.Fatalf("%q does not parse (exit 2): %s", cmd, errb.String())
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("%q printed\n%s\nwant %q", cmd, out.String(), tc.want)
			}
		})
	}
}
