package probe

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// testBase is the probe's notion of "now" in tests: certificates are minted
// around it and the injected clock starts there.
func testBase() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// issued is a certificate with its key.
type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// certSpec says what to mint; zero fields take sensible defaults.
type certSpec struct {
	cn        string
	dns       []string
	ca        bool
	notBefore time.Time
	notAfter  time.Time
	eku       []x509.ExtKeyUsage
	rsaBits   int // 0 → ECDSA P-256
	serial    int64
	ips       []net.IP
	ou        string   // subject organizational unit, "" for none
	aia       []string // issuing-certificate URLs (AIA caIssuers)
	permitted []string // a CA's permitted DNS name constraints, nil for none
}

// mint creates a certificate signed by parent (self-signed when parent is nil).
func mint(t *testing.T, s certSpec, parent *issued) issued {
	t.Helper()
	var key crypto.Signer
	var err error
	if s.rsaBits > 0 {
		key, err = rsa.GenerateKey(rand.Reader, s.rsaBits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.notBefore.IsZero() {
		s.notBefore = testBase().Add(-30 * 24 * time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = testBase().Add(365 * 24 * time.Hour)
	}
	if s.serial == 0 {
		s.serial = time.Now().UnixNano()
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(s.serial),
		Subject:               pkix.Name{CommonName: s.cn, Organization: []string{"tlsgate probe test"}},
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		DNSNames:              s.dns,
		IPAddresses:           s.ips,
		IssuingCertificateURL: s.aia,
		BasicConstraintsValid: true,
		IsCA:                  s.ca,
		PermittedDNSDomains:   s.permitted,
	}
	if s.ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = s.eku
		if tmpl.ExtKeyUsage == nil {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		}
	}
	if s.ou != "" {
		tmpl.Subject.OrganizationalUnit = []string{s.ou}
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return issued{cert: c, key: key}
}

// chainOf builds the tls.Certificate a server sends: leaf first, then extras.
func chainOf(leaf issued, extra ...issued) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{leaf.cert.Raw}, PrivateKey: leaf.key, Leaf: leaf.cert}
	for _, e := range extra {
		tc.Certificate = append(tc.Certificate, e.cert.Raw)
	}
	return tc
}

// testPKI is a root, an intermediate under it, and a good leaf for lab.test
// signed by the intermediate.
type testPKI struct {
	root, inter, leaf issued
	pool              *x509.CertPool
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	root := mint(t, certSpec{cn: "Probe Test Root", ca: true}, nil)
	inter := mint(t, certSpec{cn: "Probe Test Intermediate", ca: true}, &root)
	leaf := mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test", "www.lab.test"}}, &inter)
	pool := x509.NewCertPool()
	pool.AddCert(root.cert)
	return testPKI{root: root, inter: inter, leaf: leaf, pool: pool}
}

// good is the well-formed chain: leaf and intermediate.
func (p testPKI) good() tls.Certificate { return chainOf(p.leaf, p.inter) }

// leafFor mints a leaf under the intermediate with changes applied.
func (p testPKI) leafFor(t *testing.T, s certSpec) issued {
	t.Helper()
	if s.cn == "" {
		s.cn = "lab.test"
	}
	if s.dns == nil {
		s.dns = []string{"lab.test"}
	}
	return mint(t, s, &p.inter)
}

// loopbackIP is the only address tests ever dial.
func loopbackIP() net.IP { return net.IPv4(127, 0, 0, 1) }
