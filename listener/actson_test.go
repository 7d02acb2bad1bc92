package listener

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRulesFireOnlyWhereTheyAct: a rule fires (is counted, logged with the
// symptom the client should show, named in the diagnosis) only on a
// connection it can act on. Before, a bad chain fired on TLS passed
// through and on plain HTTP, a handshake_done reset on connections with no
// handshake of tlsgate's, a block page and a header rewrite inside TLS
// passed through, and a version floor on plain HTTP: each logged "fired,
// the client should see …" while the client saw nothing of it.
func TestRulesFireOnlyWhereTheyAct(t *testing.T) {
	v13 := faults.Version(tls.VersionTLS13)
	a40 := faults.Alert(40)
	rules := []faults.Rule{
		{Name: "chain", Action: faults.ActChain, Chain: faults.ChainExpired},
		{Name: "hs-reset", Action: faults.ActReset, Stage: faults.StageHandshakeDone},
		{Name: "hs-latency", Action: faults.ActLatency, Stage: faults.StageHandshakeDone, Latency: faults.Duration(time.Millisecond)},
		{Name: "block", Action: faults.ActBlockPage},
		{Name: "rewrite", Action: faults.ActRewrite, HeadersAdd: []string{"Via: 1.1 lab"}},
		{Name: "floor", Action: faults.ActVersion, MinVersion: v13},
		{Name: "suites", Action: faults.ActCipher, Ciphers: []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}},
		// A TLS alert is no answer a plain HTTP client can read: curl
		// printed `(1) Received HTTP/0.9 when not allowed`, and the log
		// explained it as an alert in the clear beneath a TLS session.
		{Name: "alert-hello", Action: faults.ActAlert, Alert: &a40, Stage: faults.StageClientHello},
		{Name: "alert-req", Action: faults.ActAlert, Alert: &a40, Stage: faults.StageRequest},
		{Name: "alert-resp", Action: faults.ActAlert, Alert: &a40, Stage: faults.StageResponse},
	}
	cases := []struct {
		name  string
		mode  Mode
		tls   bool     // the client speaks TLS, else plain HTTP
		fired []string // the rules that may fire
	}{
		// The client offers TLS 1.3 alone: it meets the floor, which then
		// changes nothing and must not fire, and misses the suites
		// rule's TLS 1.2 ceiling, which refuses it.
		{"passthrough TLS", Passthrough, true, []string{"suites", "alert-hello", "alert-req", "alert-resp"}},
		{"plaintext HTTP", Plaintext, false, []string{"block", "rewrite"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			// One rule at a time: the first stop would hide the others.
			for _, r := range rules {
				if err := e.Set([]faults.Rule{r}); err != nil {
					t.Fatal(err)
				}
				// Plain HTTP gets a real response, so a rewrite has a head to
				// act on (it fires only when it changes one).
				backend := echoBackend(t)
				if !tc.tls {
					backend = hstsBackend(t)
				}
				h := startListenerDeps(t, Options{Mode: tc.mode, Backend: backend}, func(d *Deps) { d.Faults = e })
				if tc.tls {
					c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", MinVersion: tls.VersionTLS13, InsecureSkipVerify: true})
					if err == nil {
						c.Close()
					}
				} else {
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					_ = c.SetDeadline(time.Now().Add(20 * time.Second))
					_, _ = io.WriteString(c, "GET / HTTP/1.0\r\nHost: lab.test\r\n\r\n")
					_ = c.(*net.TCPConn).CloseWrite()
					reply, _ := io.ReadAll(c)
					c.Close()
					if !slices.Contains(tc.fired, r.Name) && !strings.HasPrefix(string(reply), "HTTP/1.1 200") {
						t.Errorf("rule %s: plain client read %.40q, want the backend's response", r.Name, reply)
					}
				}
				res := h.next()
				want := slices.Contains(tc.fired, r.Name)
				if got := len(res.o.Faults) > 0; got != want {
					t.Errorf("rule %s: fired %v (faults %v, diagnosis %s: %s), want %v", r.Name, got, res.o.Faults, res.d.Code, res.d.Summary, want)
				}
				if st := e.List(); !want && st[0].Fires != 0 {
					t.Errorf("rule %s: %d fires counted", r.Name, st[0].Fires)
				}
				if !want && strings.Contains(res.d.Summary, "injected by rule") {
					t.Errorf("rule %s: summary %q names a rule that did nothing", r.Name, res.d.Summary)
				}
			}
		})
	}
}
