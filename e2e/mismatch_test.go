package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// Case 2: plaintext HTTP sent to a TLS listener, for each non_ssl action,
// on terminating and passthrough listeners alike (BIG-IP lines on
// terminating ones only).
func TestPlaintextOnTLSListener(t *testing.T) {
	t.Parallel()
	tlsBE := startHTTPBackend(t, "tls-side", nil, nil)
	plainBE := startHTTPBackend(t, "plain-side", nil, nil)
	modes := []string{"terminate", "passthrough"}
	actions := []string{"reset", "http400", "redirect", "allow"}
	var specs []spec
	for _, m := range modes {
		for _, a := range actions {
			toml := fmt.Sprintf("mode = %q\nbackend = %q\nnon_ssl = %q\n", m, tlsBE.addr, a)
			if a == "allow" {
				toml += fmt.Sprintf("plain_backend = %q\n", plainBE.addr)
			}
			specs = append(specs, spec{Name: m + "-" + a, TOML: toml})
		}
	}
	g := startGate(t, gateConfig{listeners: specs})

	for _, m := range modes {
		for _, a := range actions {
			name := m + "-" + a
			t.Run(name, func(t *testing.T) {
				addr := g.Addr(name)
				path := "/from-http/" + name + "?q=1"
				r := runCurl(t, "http://"+addr+path)
				client := r.client(t)
				e := g.eventFrom(t, name, client)
				if e.Route != "non_ssl_"+a || e.Kind != "http" {
					t.Errorf("route %q kind %q, want non_ssl_%s http", e.Route, e.Kind, a)
				}
				if got := e.Evidence["http_request"]; got != "GET "+path+" HTTP/1.1" {
					t.Errorf("evidence http_request %q", got)
				}
				notSSL := []string{lineNotSSL, handshakeFailed(client, addr)}
				if m == "passthrough" {
					// No client-ssl profile stands for a passthrough
					// listener: a BIG-IP virtual server without one runs
					// no SSL code, so it logs no `not SSL` either.
					notSSL = nil
				}
				switch a {
				case "reset":
					// A reset before any response: "Recv failure" (56), or
					// "Empty reply" (52) if the FIN won the race.
					r.wantExit(t, 56, 52)
					wantCode(t, e, "plaintext_on_tls")
					wantLines(t, e, notSSL...)
				case "http400":
					r.wantExit(t, 0)
					if r.status != 400 || !strings.Contains(r.body, "https://") {
						t.Errorf("status %d body %q, want 400 mentioning https://", r.status, r.body)
					}
					wantCode(t, e, "plaintext_on_tls")
					wantLines(t, e, notSSL...)
				case "redirect":
					r.wantExit(t, 0)
					loc := "https://" + addr + path
					if r.status != 301 || !strings.Contains(r.headers, "Location: "+loc+"\r\n") {
						t.Errorf("status %d headers %q, want 301 with Location: %s", r.status, r.headers, loc)
					}
					wantCode(t, e, "plaintext_on_tls")
					wantLines(t, e, notSSL...)
				case "allow":
					r.wantExit(t, 0)
					if r.status != 200 || !strings.HasPrefix(r.body, "backend=plain-side path="+path) {
						t.Errorf("status %d body %q, want the plain backend's answer", r.status, r.body)
					}
					wantCode(t, e, "plaintext_allowed")
					wantLines(t, e)
					if !e.OK || e.Backend.Remote != plainBE.addr || e.BytesDown < int64(len(r.body)) {
						t.Errorf("ok %v backend %q bytes_down %d", e.OK, e.Backend.Remote, e.BytesDown)
					}
				}
				if a != "allow" && e.OK {
					t.Errorf("event ok = true for a refused plaintext client")
				}
			})
		}
	}
	g.stop(t)
}

// Case 3: a TLS ClientHello on a plaintext listener is explained and reset.
func TestTLSOnPlaintextListener(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "plain", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\n", be.addr)},
	}})
	addr, port := g.Addr("plain"), strconv.Itoa(g.Port("plain"))
	tests := []struct {
		name string
		args []string
		sni  string
	}{
		{name: "ip", args: []string{"-k", "https://" + addr + "/"}},
		{name: "sni", args: []string{"-k", "--resolve", "lab.test:" + port + ":127.0.0.1", "https://lab.test:" + port + "/"}, sni: "lab.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCurl(t, tc.args...)
			r.wantExit(t, 35)
			e := g.eventFrom(t, "plain", r.client(t))
			wantCode(t, e, "tls_on_plaintext")
			// BIG-IP has no verified line for this case: none is invented.
			wantLines(t, e)
			if e.SNI != tc.sni || e.Kind != "tls" || e.Route != "tls_on_plain_reset" {
				t.Errorf("sni %q kind %q route %q, want %q tls tls_on_plain_reset", e.SNI, e.Kind, e.Route, tc.sni)
			}
			if tc.sni != "" && !strings.Contains(e.Summary, tc.sni) {
				t.Errorf("summary %q does not name the SNI %s", e.Summary, tc.sni)
			}
			if len(e.VersionsOffered) == 0 || e.JA4 == "" {
				t.Errorf("no ClientHello facts: versions %v ja4 %q", e.VersionsOffered, e.JA4)
			}
		})
	}
	// The listener still relays the plaintext it is meant for.
	r := runCurl(t, "http://"+addr+"/ok")
	r.wantExit(t, 0)
	if !strings.HasPrefix(r.body, "backend=plain path=/ok") {
		t.Errorf("plain request body %q", r.body)
	}
	wantCode(t, g.eventFrom(t, "plain", r.client(t)), "ok")
	g.stop(t)
}
