package listener

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestTrustConfiguredCertUnknownCA: a listener that serves its configured
// certificate (client_ssl cert and key) issued by a private CA, and an
// OpenSSL client that does not trust that CA: alert 48. The diagnosis
// must name the certificate's issuer, not send the operator to the lab
// CA, which signed nothing here; it used to say the lab CA was missing
// from the client's trust store and suggest `tlsgate ca export`. A
// listener that mints its leaves from the lab CA keeps that advice.
func TestTrustConfiguredCertUnknownCA(t *testing.T) {
	private := newTestServerCA(t) // CN=real server CA
	leaf := issue(t, private.cert, private.key, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "lab.test")
	other := newTestServerCA(t) // the only CA the client trusts
	for _, version := range []string{"1.2", "1.3"} {
		for _, configured := range []bool{true, false} {
			name := map[bool]string{true: "configured", false: "minted"}[configured] + "/tls" + version
			t.Run(name, func(t *testing.T) {
				cs := &ClientSSL{}
				if configured {
					cs.CertFile, cs.KeyFile = leaf.certPEM, leaf.keyPEM
				}
				h := startListener(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: cs}, nil)
				s := curlLab(t, h.addr, "--cacert", other.file, "--tls-max", version)
				if s.exit != 60 {
					t.Errorf("curl exit %d, want 60: %s", s.exit, s.out)
				}
				r := h.next()
				if r.d.Code != explain.CodeClientAlert || r.o.ClientTLS.AlertRecv != 48 {
					t.Fatalf("code %s alert %d (%s), want client_alert 48", r.d.Code, r.o.ClientTLS.AlertRecv, r.d.Summary)
				}
				text := r.d.Cause + "\n" + strings.Join(r.d.Checks, "\n")
				if configured {
					for _, want := range []string{"issued by CN=real server CA", "not the lab CA", "client_ssl.cert"} {
						if !strings.Contains(text, want) {
							t.Errorf("diagnosis does not say %q:\n%s", want, text)
						}
					}
					if strings.Contains(text, "tlsgate ca export") || strings.Contains(text, "come from the lab CA") {
						t.Errorf("diagnosis blames the lab CA for a configured certificate:\n%s", text)
					}
					if got := evidence(r.d, "our_cert"); !strings.Contains(got, `issuer="CN=real server CA"`) {
						t.Errorf("our_cert evidence %q", got)
					}
				} else if !strings.Contains(text, "tlsgate ca export") || evidence(r.d, "our_cert") != "" {
					t.Errorf("a minted leaf's diagnosis lost the lab-CA advice:\n%s", text)
				}
			})
		}
	}
}

// TestTrustConfiguredCertGoClient: the same refusal from a Go client,
// which says unknown authority with alert 42 bad_certificate. On a
// listener serving its configured certificate the diagnosis names that
// certificate's issuer; it used to send the operator to `tlsgate ca
// export`, as it still does for a minted leaf.
func TestTrustConfiguredCertGoClient(t *testing.T) {
	private := newTestServerCA(t) // CN=real server CA
	leaf := issue(t, private.cert, private.key, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "lab.test")
	other := newTestServerCA(t) // the only CA the client trusts
	for _, configured := range []bool{true, false} {
		t.Run(map[bool]string{true: "configured", false: "minted"}[configured], func(t *testing.T) {
			cs := &ClientSSL{}
			if configured {
				cs.CertFile, cs.KeyFile = leaf.certPEM, leaf.keyPEM
			}
			h := startListener(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: cs}, nil)
			roots := x509.NewCertPool()
			roots.AddCert(other.cert)
			if s := goLab(t, h.addr, &tls.Config{RootCAs: roots}); !strings.Contains(s.out, "certificate signed by unknown authority") {
				t.Errorf("Go client: %q, want an unknown authority", s.out)
			}
			r := h.next()
			if r.d.Code != explain.CodeClientAlert || r.o.ClientTLS.AlertRecv != 42 {
				t.Fatalf("code %s alert %d (%s), want client_alert 42", r.d.Code, r.o.ClientTLS.AlertRecv, r.d.Summary)
			}
			text := r.d.Cause + "\n" + strings.Join(r.d.Checks, "\n")
			if !configured {
				if !strings.Contains(text, "tlsgate ca export") || evidence(r.d, "our_cert") != "" {
					t.Errorf("a minted leaf's diagnosis lost the lab-CA advice:\n%s", text)
				}
				return
			}
			for _, want := range []string{"issued by CN=real server CA", "not the lab CA", "does not trust CN=real server CA", "client_ssl.cert"} {
				if !strings.Contains(text, want) {
					t.Errorf("diagnosis does not say %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "tlsgate ca export") || strings.Contains(text, "lab-ca.pem") {
				t.Errorf("diagnosis blames the lab CA for a configured certificate:\n%s", text)
			}
			if got := evidence(r.d, "our_cert"); !strings.Contains(got, `issuer="CN=real server CA"`) {
				t.Errorf("our_cert evidence %q", got)
			}
		})
	}
}
