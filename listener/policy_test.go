package listener

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// A strict profile restricting key-exchange groups or signature algorithms,
// with a real Go client on each side of the restriction.
func TestGroupAndSignaturePolicy(t *testing.T) {
	cases := []struct {
		name   string
		rule   faults.Rule
		client *tls.Config
		fail   bool
	}{
		{"group refused", faults.Rule{Name: "p384-only", Stage: faults.StageClientHello, Action: faults.ActCipher, Groups: []string{"P-384"}},
			&tls.Config{CurvePreferences: []tls.CurveID{tls.X25519}}, true},
		{"group allowed", faults.Rule{Name: "p384-only", Stage: faults.StageClientHello, Action: faults.ActCipher, Groups: []string{"P-384"}},
			&tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}}, false},
		{"signature refused", faults.Rule{Name: "sha1-only", Stage: faults.StageClientHello, Action: faults.ActCipher, SignatureAlgorithms: []string{"rsa_pkcs1_sha1"}},
			&tls.Config{MaxVersion: tls.VersionTLS12}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, func(d *Deps) { d.Faults = e })
			cfg := tc.client.Clone()
			cfg.ServerName, cfg.RootCAs = "lab.test", h.srv.deps.Minter.CA().Pool()
			c, err := tls.Dial("tcp", h.addr, cfg)
			if err == nil {
				c.Close()
			}
			r := h.next()
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
		})
	}
}

// An alert injected after the handshake goes in the clear beneath the TLS
// session, so the client reports a record-layer error, not the alert.
func TestAlertAfterHandshake(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			e := faults.NewEngine(nil)
			a := faults.Alert(40)
			if err := e.Add(faults.Rule{Name: "late-alert", Stage: faults.StageHandshakeDone, Action: faults.ActAlert, Alert: &a}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, func(d *Deps) { d.Faults = e })
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(), MaxVersion: v})
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer c.Close()
			_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
			_, rerr := c.Read(make([]byte, 64))
			if rerr == nil || !(strings.Contains(rerr.Error(), "bad record MAC")) {
				t.Errorf("client read error %v, want a record-layer error", rerr)
			}
			r := h.next()
			if r.o.FaultApplied != "alert" || r.d.Code != explain.CodeFaultInjected {
				t.Errorf("fault_applied %q code %s", r.o.FaultApplied, r.d.Code)
			}
			t.Logf("client saw: %v", rerr)
		})
	}
}
