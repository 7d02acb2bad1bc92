package listener

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestInspectClientRefusesLabCA: real curl, without the lab CA, through an
// inspect listener whose server leg verified the real server. The
// diagnosis must be the interception's (the real server was fine; the
// client refused the lab CA's copy, as it would any inspecting device's
// CA), show the server leg next to the client's alert, and not point at a
// client_ssl.cert file an inspect listener cannot have.
func TestInspectClientRefusesLabCA(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"TLS 1.3", []string{"--tlsv1.3"}},
		{"TLS 1.2", []string{"--tls-max", "1.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sca := newTestServerCA(t)
			backend := realHTTPS(t, sca.leaf(t, "lab.test"))
			h := startListener(t, Options{Mode: Inspect, Backend: backend, MimicUpstream: true, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
			s := curlLab(t, h.addr, tc.args...)
			if s.exit != 60 {
				t.Fatalf("curl exit %d (%s), want 60", s.exit, s.out)
			}
			r := h.next()
			if r.d.Code != explain.CodeClientAlert || r.o.ClientTLS.AlertRecv != 48 || !r.o.Backend.TLS.Done {
				t.Fatalf("code %s alert %d server leg done %v: %s", r.d.Code, r.o.ClientTLS.AlertRecv, r.o.Backend.TLS.Done, r.d.Summary)
			}
			for _, want := range []string{"verified the real server " + backend, "inspect"} {
				if !strings.Contains(r.d.Cause, want) {
					t.Errorf("cause %q, want %q", r.d.Cause, want)
				}
			}
			checks := strings.Join(r.d.Checks, "\n")
			if strings.Contains(checks, "client_ssl.cert") || !strings.Contains(checks, "bypass") {
				t.Errorf("checks %q, want bypass and no client_ssl.cert", r.d.Checks)
			}
			if !slices.ContainsFunc(r.d.Evidence, func(e explain.Evidence) bool { return e.Key == "server_leg" }) {
				t.Errorf("evidence %v, want the server leg", r.d.Evidence)
			}
		})
	}
}
