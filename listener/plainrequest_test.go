package listener

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRequestStageSeesPlainRequest: on plain HTTP the bytes the listener
// peeked at are the request, so a request-stage rule acts on them. Before,
// they were replayed to the backend beneath the wrapper: a WAF block page
// on a plaintext or auto listener let the request through (and still
// counted a firing), and a reset at request waited for a second request.
func TestRequestStageSeesPlainRequest(t *testing.T) {
	req := "GET /admin HTTP/1.0\r\nHost: lab.test\r\n\r\n"
	cases := []struct {
		name  string
		mode  Mode
		rule  faults.Rule
		check func(t *testing.T, got string, err error)
	}{
		{"block page on plaintext", Plaintext, faults.Rule{Action: faults.ActBlockPage, Status: 403},
			func(t *testing.T, got string, err error) {
				if !strings.HasPrefix(got, "HTTP/1.1 403 ") || strings.Contains(got, "GET /admin") {
					t.Errorf("client read %q (%v); want the block page and no echo of the request", got, err)
				}
			}},
		{"block page on auto", Auto, faults.Rule{Action: faults.ActBlockPage, Status: 451},
			func(t *testing.T, got string, err error) {
				if !strings.HasPrefix(got, "HTTP/1.1 451 ") || strings.Contains(got, "GET /admin") {
					t.Errorf("client read %q (%v); want the block page and no echo of the request", got, err)
				}
			}},
		{"reset at request", Plaintext, faults.Rule{Action: faults.ActReset, Stage: faults.StageRequest},
			func(t *testing.T, got string, err error) {
				if got != "" || !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("client read %q, %v; want a reset before any byte", got, err)
				}
			}},
		{"latency at request still relays", Plaintext, faults.Rule{Action: faults.ActLatency, Stage: faults.StageRequest, Direction: faults.C2S, Latency: faults.Duration(time.Millisecond)},
			func(t *testing.T, got string, err error) {
				if got != req || err != nil {
					t.Errorf("client read %q, %v; want the echo of the request, once", got, err)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "waf"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			backend := echoBackend(t)
			opts := Options{Mode: tc.mode, Backend: backend}
			if tc.mode == Auto {
				opts.PlainBackend = backend
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			_, _ = io.WriteString(c, req)
			_ = c.(*net.TCPConn).CloseWrite()
			got, err := io.ReadAll(c)
			tc.check(t, string(got), err)
			res := h.next()
			if len(res.o.Faults) != 1 {
				t.Errorf("faults %v", res.o.Faults)
			}
			t.Logf("diagnosis %s: %s", res.d.Code, res.d.Summary)
		})
	}
}
