package listener

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestAbortOnNonSSLAllow: plain HTTP that a TLS listener's non_ssl =
// "allow" relays to plain_backend is answered by an abort rule, as on a
// plaintext or auto listener, and plain_backend is not dialled. The rule
// used to be logged as fired while the request went to plain_backend
// untouched.
func TestAbortOnNonSSLAllow(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "mesh-abort", Action: faults.ActAbort, Status: 429}); err != nil {
		t.Fatal(err)
	}
	unreachable := "127.0.0.1:1" // nothing listens: a dial would fail the connection
	h := startListenerDeps(t, Options{Mode: Passthrough, Backend: unreachable, NonSSL: NonSSLAllow, PlainBackend: unreachable},
		func(d *Deps) { d.Faults = e })
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Get("http://" + h.addr + "/lab.Echo/Say")
	if err != nil {
		t.Fatalf("GET: %v, want the rule's 429", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Errorf("status %d, want the rule's 429", resp.StatusCode)
	}
	// Logged as the plaintext the listener let in, with the rule that
	// answered it.
	r := h.next()
	if r.o.Route != "non_ssl_allow" || r.d.Code != explain.CodePlaintextAllowed || !slices.Equal(r.o.Faults, []string{"mesh-abort"}) {
		t.Errorf("route %q, code %s, faults %q; want non_ssl_allow, plaintext_allowed, mesh-abort", r.o.Route, r.d.Code, r.o.Faults)
	}
	if len(r.o.HTTP1) != 1 || r.o.HTTP1[0].Status != 429 || r.o.HTTP1[0].Target != "/lab.Echo/Say" {
		t.Errorf("exchanges %+v, want one 429 for /lab.Echo/Say", r.o.HTTP1)
	}
	if r.o.Backend.Attempted {
		t.Errorf("plain_backend dialled although the rule answered: %+v", r.o.Backend)
	}
	if !strings.Contains(r.d.Summary, "injected by rule mesh-abort (abort at request)") {
		t.Errorf("summary %q does not name the rule", r.d.Summary)
	}
	// The answer was the rule's: the diagnosis must not credit the
	// plain backend with it.
	if !strings.Contains(r.d.ClientSaw, "from fault rule mesh-abort, not from the plain backend") || strings.Contains(r.d.ClientSaw+r.d.Cause, "answer from the plain backend") {
		t.Errorf("client saw %q, cause %q: want the rule's answer, not the plain backend's", r.d.ClientSaw, r.d.Cause)
	}
}
