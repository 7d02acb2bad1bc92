package listener

import (
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// A strict profile restricting key-exchange groups or signature algorithms,
// with a real Go client on each side of the restriction. A group refusal is
// diagnosed as such, naming both sides' groups, whether crypto/tls words it
// as no key exchange (TLS 1.3), as no cipher suite (TLS 1.2, its ECDHE
// suites need a curve), or a passthrough listener answers it itself.
func TestGroupAndSignaturePolicy(t *testing.T) {
	p384 := faults.Rule{Name: "p384-only", Stage: faults.StageClientHello, Action: faults.ActCipher, Groups: []string{"P-384"}}
	cases := []struct {
		name   string
		mode   Mode
		rule   faults.Rule
		client *tls.Config
		fail   bool
		code   string // the diagnosis a refusal must get; "" = any failure
	}{
		{"group refused", Terminate, p384, &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519}}, true, explain.CodeNoSharedGroup},
		{"group refused at TLS 1.2", Terminate, p384,
			&tls.Config{MaxVersion: tls.VersionTLS12, CurvePreferences: []tls.CurveID{tls.X25519}}, true, explain.CodeNoSharedGroup},
		{"group refused on passthrough", Passthrough, p384, &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519}}, true, explain.CodeFaultInjected},
		{"group allowed", Terminate, p384, &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}}, false, ""},
		{"signature refused", Terminate, faults.Rule{Name: "sha1-only", Stage: faults.StageClientHello, Action: faults.ActCipher, SignatureAlgorithms: []string{"rsa_pkcs1_sha1"}},
			&tls.Config{MaxVersion: tls.VersionTLS12}, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _, err := dialUnderRule(t, tc.mode, tc.rule, tc.client)
			if !tc.fail {
				if err != nil {
					t.Fatalf("client: %v (diagnosis %s)", err, r.d.Code)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "handshake failure") {
				t.Fatalf("client error %v, want remote error: tls: handshake failure", err)
			}
			if r.d.OK || len(r.o.Faults) != 1 || r.o.Faults[0] != tc.rule.Name {
				t.Errorf("diagnosis %s faults %v", r.d.Code, r.o.Faults)
			}
			if r.d.Code == explain.CodeOK {
				t.Errorf("a refused handshake diagnosed ok")
			}
			if tc.code == "" {
				return
			}
			d := explain.Complete(r.o, *r.d)
			if d.Code != tc.code || !strings.Contains(d.Cause, "X25519") || !strings.Contains(d.Cause, "P-384") ||
				len(d.BigIP) != 3 || !strings.Contains(d.BigIP[0].Text, "no shared ciphers (40)") {
				t.Errorf("diagnosis %s, BIG-IP %v, cause %q; want %s naming X25519 (offered) and P-384 (allowed), in the no shared ciphers group",
					d.Code, d.BigIP, d.Cause, tc.code)
			}
			if !slices.Equal(r.o.ClientTLS.OurGroups, []uint16{uint16(tls.CurveP384)}) {
				t.Errorf("our groups %v, want P-384 alone", r.o.ClientTLS.OurGroups)
			}
		})
	}
}

// An alert injected after the handshake goes in the clear beneath the TLS
// session, so the client reports a record-layer error, not the alert. At
// handshake_done it is a stop; at request, response and idle a wrapper
// whose firing the listener records like one.
func TestAlertAfterHandshake(t *testing.T) {
	stages := []struct {
		stage   faults.Stage
		timeout time.Duration
		send    bool // the client sends a request before it reads
	}{
		{faults.StageHandshakeDone, 0, true},
		{faults.StageRequest, 0, true},
		{faults.StageResponse, 0, true},
		// Idle: the client only waits; the alert comes after 300ms of
		// quiet. Its read deadline only bounds a broken run.
		{faults.StageIdle, 300 * time.Millisecond, false},
	}
	for _, st := range stages {
		for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
			t.Run(string(st.stage)+"/"+tls.VersionName(v), func(t *testing.T) {
				e := faults.NewEngine(nil)
				a := faults.Alert(40)
				r := faults.Rule{Name: "late-alert", Stage: st.stage, Action: faults.ActAlert, Alert: &a, Timeout: faults.Duration(st.timeout)}
				if err := e.Add(r); err != nil {
					t.Fatal(err)
				}
				h := startListenerDeps(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, func(d *Deps) { d.Faults = e })
				c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), MaxVersion: v})
				if err != nil {
					t.Fatalf("handshake: %v", err)
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second))
				if st.send {
					_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
				}
				n, rerr := c.Read(make([]byte, 64))
				if n != 0 || rerr == nil || !strings.Contains(rerr.Error(), "bad record MAC") {
					t.Errorf("client read %d bytes, error %v; want no echo and a record-layer error", n, rerr)
				}
				res := h.next()
				if res.o.FaultApplied != "alert" || res.o.Route != "fault_alert" || res.d.Code != explain.CodeFaultInjected {
					t.Errorf("fault_applied %q route %q code %s", res.o.FaultApplied, res.o.Route, res.d.Code)
				}
				if res.o.ClientTLS.AlertSent != 40 {
					t.Errorf("alert sent %d, want 40", res.o.ClientTLS.AlertSent)
				}
				if len(res.o.FaultFirings) != 1 || res.o.FaultFirings[0].Stage != string(st.stage) ||
					!strings.Contains(res.o.FaultFirings[0].Symptom, "bad record MAC") {
					t.Errorf("firings %+v", res.o.FaultFirings)
				}
				if !strings.Contains(res.d.Summary, "injected by rule late-alert") {
					t.Errorf("summary %q does not name the rule", res.d.Summary)
				}
				t.Logf("client saw: %v; summary: %s", rerr, res.d.Summary)
			})
		}
	}
}

// A plaintext connection has no TLS layer for an alert: the record would
// reach the client as garbage (curl `(1) Received HTTP/0.9 when not
// allowed`), which no real device sends it. So an alert rule at request,
// response or idle leaves it alone: the exchange passes, nothing fires.
// Without TLS the record would go raw, beneath nothing; faults'
// TestClearSide and TestAlertAtRequest keep that path covered for TLS
// passed through.
func TestAlertLeavesPlaintextAlone(t *testing.T) {
	stages := []struct {
		stage   faults.Stage
		timeout time.Duration
	}{
		{faults.StageRequest, 0},
		{faults.StageResponse, 0},
		{faults.StageIdle, 300 * time.Millisecond},
	}
	for _, st := range stages {
		t.Run(string(st.stage), func(t *testing.T) {
			e := faults.NewEngine(nil)
			a := faults.Alert(49)
			if err := e.Add(faults.Rule{Name: "raw-alert", Stage: st.stage, Action: faults.ActAlert, Alert: &a, Timeout: faults.Duration(st.timeout)}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Plaintext, Backend: echoBackend(t)}, func(d *Deps) { d.Faults = e })
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			_, _ = c.Write([]byte("PING\r\n"))
			if st.stage == faults.StageIdle {
				// Quiet for longer than the rule's timeout: an idle
				// alert would have come by now.
				if _, err := io.ReadFull(c, make([]byte, 6)); err != nil {
					t.Fatalf("echo of the first line: %v", err)
				}
				time.Sleep(2 * st.timeout)
			}
			_, _ = c.Write([]byte("PONG\r\n"))
			_ = c.(*net.TCPConn).CloseWrite()
			got, err := io.ReadAll(c)
			want := "PING\r\nPONG\r\n"
			if st.stage == faults.StageIdle {
				want = "PONG\r\n"
			}
			if err != nil || string(got) != want {
				t.Errorf("client read %q, %v; want the echo %q", got, err, want)
			}
			res := h.next()
			if res.o.FaultApplied != "" || len(res.o.Faults) != 0 || e.List()[0].Fires != 0 {
				t.Errorf("fault_applied %q faults %v fires %d, want none", res.o.FaultApplied, res.o.Faults, e.List()[0].Fires)
			}
		})
	}
}

// A block page is written by the fault, not relayed: the log must still
// count the bytes the client received, or "down=0B" contradicts the 403
// the client saw.
func TestBlockPageBytesCounted(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "waf-page", Stage: faults.StageRequest, Action: faults.ActBlockPage}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, func(d *Deps) { d.Faults = e })
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second)) // hang guard only
	page, _ := io.ReadAll(c)
	c.Close()
	if !bytes.Contains(page, []byte(" 403 ")) {
		t.Fatalf("client read %q, want a 403 block page", page)
	}
	r := h.next()
	if r.o.BytesDown < int64(len(page)) {
		t.Errorf("logged down %d B, but the client read %d B of block page", r.o.BytesDown, len(page))
	}
}

// dialUnderRule serves one listener of mode with rule in its fault engine
// (terminate with a minted lab leaf) and dials it once with a Go client
// configured as client, for lab.test: the listener's record of the
// connection, the engine (its fire counts) and the client's error, if any.
func dialUnderRule(t *testing.T, mode Mode, rule faults.Rule, client *tls.Config) (result, *faults.Engine, error) {
	t.Helper()
	e := faults.NewEngine(nil)
	if err := e.Add(rule); err != nil {
		t.Fatal(err)
	}
	opts := Options{Mode: mode, Backend: echoBackend(t)}
	if mode == Terminate {
		opts.ClientSSL = &ClientSSL{}
	}
	h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
	cfg := client.Clone()
	cfg.ServerName, cfg.RootCAs = "lab.test", h.srv.deps.Minter.CA().Pool()
	c, err := tls.Dial("tcp", h.addr, cfg)
	if err == nil {
		c.Close()
	}
	return h.next(), e, err
}
