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
