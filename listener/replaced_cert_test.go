package listener

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestChainRuleReplacesConfiguredCert: a chain or skew rule on a listener
// serving its configured certificate serves a lab-CA chain in its place,
// so the client sees another issuer, not only the rule's defect. The
// diagnosis used to say "instead of tlsgate's lab-CA chain", or only that
// the dates were shifted; it must say the configured certificate was
// replaced.
func TestChainRuleReplacesConfiguredCert(t *testing.T) {
	private := newTestServerCA(t) // CN=real server CA
	leaf := issue(t, private.cert, private.key, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "lab.test")
	tests := []struct {
		name string
		rule faults.Rule
		want string
	}{
		{"skew", faults.Rule{Name: "skew", Action: faults.ActChain, Skew: faults.Duration(-30 * 24 * time.Hour)},
			"replaced listener test's configured certificate (client_ssl cert, "},
		{"chain", faults.Rule{Name: "expired", Action: faults.ActChain, Chain: faults.ChainExpired},
			"instead of listener test's configured certificate (client_ssl cert, "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Set([]faults.Rule{tc.rule}); err != nil {
				t.Fatal(err)
			}
			cs := &ClientSSL{CertFile: leaf.certPEM, KeyFile: leaf.keyPEM}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: cs}, func(d *Deps) { d.Faults = e })
			var issuer string
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", MaxVersion: tls.VersionTLS12, InsecureSkipVerify: true,
				VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
					if cert, err := x509.ParseCertificate(raw[0]); err == nil {
						issuer = cert.Issuer.CommonName
					}
					return errors.New("the lab CA is not the issuer this client trusts")
				}})
			if err == nil {
				c.Close()
			}
			r := h.next()
			if issuer == "" || issuer == "real server CA" {
				t.Errorf("the rule's leaf was issued by %q; want a lab-CA one in place of the configured certificate", issuer)
			}
			if !strings.Contains(r.o.ClientTLS.ReplacedCertSubject, "lab.test") {
				t.Errorf("ReplacedCertSubject %q, want the configured certificate's subject", r.o.ClientTLS.ReplacedCertSubject)
			}
			if text := r.d.Cause; !strings.Contains(text, tc.want) || strings.Contains(text, "instead of tlsgate's lab-CA chain") {
				t.Errorf("code %s: cause does not say the rule replaced the configured certificate (%q):\n%s", r.d.Code, tc.want, text)
			}
		})
	}
}
