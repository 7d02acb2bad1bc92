package listener

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestLimitFiresOnlyWhenItChangedTheHandshake: a version or cipher rule
// fires, is counted and is logged only where it changed how the client's
// handshake ended: a refusal, or a version or suite other than the
// listener alone would have negotiated. curl negotiating TLS 1.3 under the
// lab's server-tls13-only floor used to be logged as having been refused
// with alert 70 ("injected by rule server-tls13-only") and counted as a
// fire. On passthrough the rule acts only by refusing a hello itself.
func TestLimitFiresOnlyWhenItChangedTheHandshake(t *testing.T) {
	min13 := faults.Rule{Name: "tls13-only", Action: faults.ActVersion, MinVersion: faults.VersionTLS13}
	max12 := faults.Rule{Name: "tls12-max", Action: faults.ActVersion, MaxVersion: faults.VersionTLS12}
	gcm256 := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}
	aes256 := faults.Rule{Name: "aes256", Action: faults.ActCipher,
		Ciphers: []string{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}}
	cases := []struct {
		name   string
		mode   Mode
		rule   faults.Rule
		client *tls.Config
		fires  bool
	}{
		{"floor met", Terminate, min13, &tls.Config{}, false},
		{"floor missed", Terminate, min13, &tls.Config{MaxVersion: tls.VersionTLS12}, true},
		{"ceiling lowers the version", Terminate, max12, &tls.Config{}, true},
		{"ceiling met", Terminate, max12, &tls.Config{MaxVersion: tls.VersionTLS12}, false},
		{"suites met", Terminate, aes256, &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: gcm256}, false},
		{"suites change the suite", Terminate, aes256, &tls.Config{MaxVersion: tls.VersionTLS12}, true},
		{"suites change the version", Terminate, aes256, &tls.Config{}, true},
		{"floor met on passthrough", Passthrough, min13, &tls.Config{}, false},
		{"floor missed on passthrough", Passthrough, min13, &tls.Config{MaxVersion: tls.VersionTLS12}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: tc.mode, Backend: echoBackend(t)}
			if tc.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			cfg := tc.client.Clone()
			cfg.ServerName, cfg.RootCAs = "lab.test", h.srv.deps.Minter.CA().Pool()
			c, err := tls.Dial("tcp", h.addr, cfg)
			if err == nil {
				c.Close()
			}
			r := h.next()
			fired := slices.Contains(r.o.Faults, tc.rule.Name)
			if fired != tc.fires || len(r.o.FaultFirings) != len(r.o.Faults) {
				t.Errorf("client error %v: faults %v, firings %+v; want fired %v", err, r.o.Faults, r.o.FaultFirings, tc.fires)
			}
			if n := e.List()[0].Fires; (n == 1) != tc.fires || n > 1 {
				t.Errorf("%d fires counted, want fired %v", n, tc.fires)
			}
		})
	}
}
