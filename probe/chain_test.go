package probe

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"
)

// TestRunCertificates covers what step 6 and step 7 see: which certificate
// comes back for which name, and why a chain does not verify.
func TestRunCertificates(t *testing.T) {
	pki := newPKI(t)
	otherRoot := mint(t, certSpec{cn: "Unknown Inspection CA", ca: true}, nil)
	cases := []probeCase{
		{
			name:  "SNI-strict server, probed with a name",
			serve: func(t *testing.T) string { return tlsServer(t, sniStrict(pki)) },
			sni:   "lab.test",
			steps: map[int]want{
				3: {Pass, "tls", ""},
				6: {Warn, "sni_required", "a missing SNI is refused (alert 112 unrecognized_name)"},
				7: {Pass, "verified", ""},
			},
			final: want{Warn, "sni_required", ""},
		},
		{
			name:  "SNI-strict server, probed by IP without a name",
			serve: func(t *testing.T) string { return tlsServer(t, sniStrict(pki)) },
			sni:   "-",
			steps: map[int]want{
				3: {Fail, "sni_required", "alert 112 unrecognized_name: it needs SNI and got none"},
				6: {Fail, "sni_required", ""},
			},
			final:   want{Fail, "sni_required", ""},
			skipped: []int{4, 5},
		},
		{
			name: "expired certificate",
			serve: func(t *testing.T) string {
				leaf := pki.leafFor(t, certSpec{notBefore: testBase().Add(-100 * 24 * time.Hour), notAfter: testBase().Add(-10*24*time.Hour - time.Hour)})
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}})
			},
			steps: map[int]want{7: {Fail, "expired", "expired 10 days ago"}},
			final: want{Fail, "expired", "expired 10 days ago"},
		},
		{
			name: "not yet valid",
			serve: func(t *testing.T) string {
				leaf := pki.leafFor(t, certSpec{notBefore: testBase().Add(3*24*time.Hour + time.Hour)})
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}})
			},
			steps: map[int]want{7: {Fail, "not_yet_valid", "not valid for another 3 days"}},
			final: want{Fail, "not_yet_valid", ""},
		},
		{
			name: "wrong host",
			serve: func(t *testing.T) string {
				leaf := pki.leafFor(t, certSpec{cn: "other.test", dns: []string{"other.test"}})
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}})
			},
			steps: map[int]want{6: {Pass, "same_cert", "other.test"}, 7: {Fail, "hostname_mismatch", "does not match lab.test: it is for other.test"}},
			final: want{Fail, "hostname_mismatch", ""},
		},
		{
			name: "incomplete chain",
			serve: func(t *testing.T) string {
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(pki.leaf)}})
			},
			steps: map[int]want{7: {Fail, "incomplete_chain", "server sent only the leaf, and its issuer CN=Probe Test Intermediate"}},
			final: want{Fail, "incomplete_chain", "incomplete chain"},
		},
		{
			name: "untrusted root sent in the chain",
			serve: func(t *testing.T) string {
				leaf := mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test"}}, &otherRoot)
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, otherRoot)}})
			},
			steps: map[int]want{7: {Fail, "untrusted_root", "chain ends at CN=Unknown Inspection CA"}},
			final: want{Fail, "untrusted_root", "untrusted root"},
		},
		{
			name: "self-signed",
			serve: func(t *testing.T) string {
				self := mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test"}}, nil)
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(self)}})
			},
			steps: map[int]want{7: {Fail, "self_signed", "self-signed"}},
			final: want{Fail, "self_signed", ""},
		},
		{
			name: "wrong EKU",
			serve: func(t *testing.T) string {
				leaf := pki.leafFor(t, certSpec{eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}})
			},
			steps: map[int]want{7: {Fail, "wrong_eku", "clientAuth"}},
			final: want{Fail, "wrong_eku", ""},
		},
		{
			name: "name-constrained intermediate",
			serve: func(t *testing.T) string {
				nc := mint(t, certSpec{cn: "Probe Test Constrained Intermediate", ca: true, permitted: []string{"example.net"}}, &pki.root)
				leaf := mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test"}}, &nc)
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, nc)}})
			},
			steps: map[int]want{7: {Fail, "name_constraints", `DNS name "lab.test" is not permitted by any constraint`}},
			final: want{Fail, "name_constraints", "name constraints"},
		},
		{
			name: "different default certificate without SNI",
			serve: func(t *testing.T) string {
				def := pki.leafFor(t, certSpec{cn: "default.test", dns: []string{"default.test"}})
				good := pki.good()
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(def, pki.inter)},
					GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
						if h.ServerName == "lab.test" {
							return &good, nil
						}
						return nil, nil
					}})
			},
			steps: map[int]want{6: {Warn, "default_cert_differs", "CN=default.test"}, 7: {Pass, "verified", ""}},
			final: want{Warn, "default_cert_differs", ""},
		},
	}
	runCases(t, pki, cases)
}

// sniStrict serves lab.test only and has no default certificate, so a
// hello without SNI (or with another name) gets alert 112.
func sniStrict(pki testPKI) *tls.Config {
	good := pki.good()
	return &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName == "lab.test" {
			return &good, nil
		}
		return nil, nil
	}}
}
