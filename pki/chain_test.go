package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// parseChain parses every certificate a chain would send.
func parseChain(t *testing.T, c *tls.Certificate) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for i, der := range c.Certificate {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("certificate %d: %v", i, err)
		}
		out = append(out, cert)
	}
	return out
}

// staple parses c's OCSP staple, checking it is about leaf and signed by
// the lab CA.
func staple(t *testing.T, ca *CA, leaf *x509.Certificate, c *tls.Certificate) *ocsp.Response {
	t.Helper()
	r, err := ocsp.ParseResponseForCert(c.OCSPStaple, leaf, ca.cert)
	if err != nil {
		t.Fatalf("staple of %d bytes: %v", len(c.OCSPStaple), err)
	}
	return r
}

// TestBadChainShapes checks what each kind sends, independent of clients:
// the certificates, their issuers, the fault watermark and the key.
func TestBadChainShapes(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	const name = "shop.lab.test"
	tests := []struct {
		kind ChainKind
		// subjects of the certificates after the leaf, in sending order
		rest  []string
		check func(t *testing.T, leaf *x509.Certificate, c *tls.Certificate)
	}{
		{kind: ChainExpired, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if !l.NotAfter.Equal(fixedNow().Add(-24*time.Hour)) || !l.NotBefore.Equal(fixedNow().Add(-8*24*time.Hour)) {
				t.Errorf("window %s – %s", l.NotBefore, l.NotAfter)
			}
		}},
		{kind: ChainNotYetValid, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if !l.NotBefore.Equal(fixedNow().Add(24 * time.Hour)) {
				t.Errorf("NotBefore %s", l.NotBefore)
			}
		}},
		{kind: ChainWrongHost, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if len(l.DNSNames) != 1 || l.DNSNames[0] != WrongHostName || l.VerifyHostname(name) == nil {
				t.Errorf("SANs %v", l.DNSNames)
			}
		}},
		{kind: ChainSelfSigned, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if l.Issuer.String() != l.Subject.String() || l.CheckSignature(l.SignatureAlgorithm, l.RawTBSCertificate, l.Signature) != nil {
				t.Error("leaf is not signed by its own key")
			}
		}},
		{kind: ChainUntrustedRoot},
		{kind: ChainUntrustedRootWithRoot, rest: []string{"tlsgate untrusted root"}},
		{kind: ChainIncomplete},
		{kind: ChainGoodIntermediate, rest: []string{"tlsgate lab intermediate"}},
		{kind: ChainSHA1, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if l.SignatureAlgorithm != x509.ECDSAWithSHA1 {
				t.Errorf("signature %s", l.SignatureAlgorithm)
			}
		}},
		{kind: ChainSHA1Intermediate, rest: []string{"tlsgate lab SHA-1 intermediate"}, check: func(t *testing.T, l *x509.Certificate, c *tls.Certificate) {
			inter, err := x509.ParseCertificate(c.Certificate[1])
			if err != nil {
				t.Fatal(err)
			}
			if inter.SignatureAlgorithm != x509.ECDSAWithSHA1 || l.SignatureAlgorithm != x509.ECDSAWithSHA256 {
				t.Errorf("intermediate signed %s, leaf %s; want ECDSA-SHA1 above ECDSA-SHA256", inter.SignatureAlgorithm, l.SignatureAlgorithm)
			}
		}},
		{kind: ChainMD5, rest: []string{"tlsgate lab RSA intermediate"}, check: func(t *testing.T, l *x509.Certificate, c *tls.Certificate) {
			inter, err := x509.ParseCertificate(c.Certificate[1])
			if err != nil {
				t.Fatal(err)
			}
			if l.SignatureAlgorithm != x509.MD5WithRSA {
				t.Errorf("leaf signed %s, want MD5-RSA", l.SignatureAlgorithm)
			}
			// Go refuses to check MD5, so check the PKCS #1 v1.5 signature by hand.
			digest := md5.Sum(l.RawTBSCertificate)
			if err := rsa.VerifyPKCS1v15(inter.PublicKey.(*rsa.PublicKey), crypto.MD5, digest[:], l.Signature); err != nil {
				t.Errorf("md5 signature does not verify under the RSA intermediate: %v", err)
			}
		}},
		{kind: ChainWeakRSA, rest: nil, check: func(t *testing.T, l *x509.Certificate, c *tls.Certificate) {
			k, ok := l.PublicKey.(*rsa.PublicKey)
			if !ok || k.N.BitLen() != 1024 || !c.PrivateKey.(*rsa.PrivateKey).PublicKey.Equal(k) {
				t.Errorf("key %T, want the RSA-1024 key pair", l.PublicKey)
			}
		}},
		{kind: ChainWrongEKU, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if len(l.ExtKeyUsage) != 1 || l.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
				t.Errorf("EKU %v", l.ExtKeyUsage)
			}
		}},
		{kind: ChainCAFalseIssuer, rest: []string{"tlsgate lab non-CA issuer"}},
		{kind: ChainPathLen, rest: []string{"tlsgate lab sub-intermediate", "tlsgate lab intermediate (path length 0)"}},
		{kind: ChainNameConstraints, rest: []string{"tlsgate lab constrained intermediate"}, check: func(t *testing.T, _ *x509.Certificate, c *tls.Certificate) {
			inter := parseChain(t, c)[1]
			if !inter.PermittedDNSDomainsCritical || strings.Join(inter.PermittedDNSDomains, ",") != "example.net" ||
				len(inter.ExcludedIPRanges) != 2 || inter.ExcludedIPRanges[0].String() != "0.0.0.0/0" || inter.ExcludedIPRanges[1].String() != "::/0" {
				t.Errorf("constraints: critical %v, permitted %q, excluded %v", inter.PermittedDNSDomainsCritical, inter.PermittedDNSDomains, inter.ExcludedIPRanges)
			}
		}},
		{kind: ChainLong, rest: []string{
			"tlsgate lab intermediate 12 of 12", "tlsgate lab intermediate 11 of 12", "tlsgate lab intermediate 10 of 12",
			"tlsgate lab intermediate 9 of 12", "tlsgate lab intermediate 8 of 12", "tlsgate lab intermediate 7 of 12",
			"tlsgate lab intermediate 6 of 12", "tlsgate lab intermediate 5 of 12", "tlsgate lab intermediate 4 of 12",
			"tlsgate lab intermediate 3 of 12", "tlsgate lab intermediate 2 of 12", "tlsgate lab intermediate 1 of 12",
		}},
		{kind: ChainHuge, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			// Over OpenSSL's 100 kB limit, under Go's 256 KiB.
			if n := len(l.Raw); n <= 100*1024 || n >= 256*1024 || l.DNSNames[0] != name {
				t.Errorf("leaf of %d bytes, first SAN %q", n, l.DNSNames[0])
			}
		}},
		{kind: ChainRevoked, rest: []string{"tlsgate lab CA"}, check: func(t *testing.T, l *x509.Certificate, c *tls.Certificate) {
			r := staple(t, ca, l, c)
			if r.Status != ocsp.Revoked || r.RevocationReason != ocsp.KeyCompromise || !r.RevokedAt.Before(r.ThisUpdate) || !r.NextUpdate.After(fixedNow().Add(time.Hour)) {
				t.Errorf("status %d reason %d revoked %s, window %s – %s", r.Status, r.RevocationReason, r.RevokedAt, r.ThisUpdate, r.NextUpdate)
			}
		}},
		{kind: ChainOCSPUnknown, rest: []string{"tlsgate lab CA"}, check: func(t *testing.T, l *x509.Certificate, c *tls.Certificate) {
			if r := staple(t, ca, l, c); r.Status != ocsp.Unknown {
				t.Errorf("status %d, want unknown", r.Status)
			}
		}},
		{kind: ChainOCSPExpired, rest: []string{"tlsgate lab CA"}, check: func(t *testing.T, l *x509.Certificate, c *tls.Certificate) {
			// Past OpenSSL's five minutes of leeway by far.
			if r := staple(t, ca, l, c); r.Status != ocsp.Good || !r.NextUpdate.Equal(fixedNow().Add(-24*time.Hour)) {
				t.Errorf("status %d, next update %s; want good, a day before now", r.Status, r.NextUpdate)
			}
		}},
		{kind: ChainCNOnly, rest: nil, check: func(t *testing.T, l *x509.Certificate, _ *tls.Certificate) {
			if len(l.DNSNames)+len(l.IPAddresses) != 0 || l.Subject.CommonName != name {
				t.Errorf("CN %q, SANs %v %v", l.Subject.CommonName, l.DNSNames, l.IPAddresses)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			c, err := m.BadChainWith(tt.kind, name, testOpts(tt.kind, 0))
			if err != nil {
				t.Fatal(err)
			}
			certs := parseChain(t, c)
			leaf := certs[0]
			if c.Leaf == nil || !c.Leaf.Equal(leaf) {
				t.Error("Leaf does not match Certificate[0]")
			}
			if ou := leaf.Subject.OrganizationalUnit; len(ou) != 1 || ou[0] != "tlsgate fault: "+string(tt.kind) {
				t.Errorf("OU %q, want the fault watermark", ou)
			}
			if o := leaf.Subject.Organization; len(o) != 1 || o[0] != Watermark {
				t.Errorf("O %q, want the watermark", o)
			}
			if leaf.IsCA {
				t.Error("leaf is a CA")
			}
			var rest []string
			for _, c := range certs[1:] {
				rest = append(rest, c.Subject.CommonName)
			}
			if strings.Join(rest, "|") != strings.Join(tt.rest, "|") {
				t.Errorf("chain after the leaf: %q, want %q", rest, tt.rest)
			}
			// Each certificate sent must be signed by the next one, or the
			// fault would be a broken signature rather than its own.
			// (CheckSignature skips Go's SHA-1 and CA-flag policies.)
			for i := 0; i+1 < len(certs); i++ {
				child, parent := certs[i], certs[i+1]
				if child.Issuer.String() != parent.Subject.String() {
					t.Errorf("certificate %d issued by %q, next is %q", i, child.Issuer, parent.Subject)
				}
				// MD5 it refuses outright; the md5 row checks that one by hand.
				if child.SignatureAlgorithm == x509.MD5WithRSA {
					continue
				}
				if err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature); err != nil {
					t.Errorf("certificate %d not signed by the next: %v", i, err)
				}
			}
			if tt.check != nil {
				tt.check(t, leaf, c)
			}
		})
	}
}

func TestReversedChainShape(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	c, err := m.BadChain(ChainReversed, "r.lab.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	certs := parseChain(t, c)
	if len(certs) != 2 || !certs[0].IsCA || certs[1].DNSNames[0] != "r.lab.test" {
		t.Fatalf("want [intermediate, leaf], got %d certificates", len(certs))
	}
	if !c.PrivateKey.(*ecdsa.PrivateKey).PublicKey.Equal(certs[0].PublicKey) {
		t.Error("the key must belong to the first certificate, so only verification fails")
	}
	if ou := certs[1].Subject.OrganizationalUnit; len(ou) != 1 || ou[0] != "tlsgate fault: reversed_chain" {
		t.Errorf("leaf OU %q", ou)
	}
}

// TestBadChainVerifiesOffline checks the kinds that must chain to the lab
// CA once the client has what it needs (here at the mint time).
func TestBadChainVerifiesOffline(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	for _, kind := range []ChainKind{ChainGood, ChainGoodIntermediate, ChainLong, ChainHuge, ChainWeakRSA} {
		c, err := m.BadChain(kind, "v.lab.test", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		inter := x509.NewCertPool()
		for _, cert := range parseChain(t, c)[1:] {
			inter.AddCert(cert)
		}
		if _, err := c.Leaf.Verify(x509.VerifyOptions{
			DNSName: "v.lab.test", Roots: ca.Pool(), Intermediates: inter, CurrentTime: fixedNow(),
		}); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
	}
}

func TestBadChainSkewWindows(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	now := fixedNow()
	tests := []struct {
		kind       ChainKind
		skew       time.Duration
		notBefore  time.Time
		notAfter   time.Time
		wantSuffix string
	}{
		{ChainGood, 2 * time.Hour, now.Add(time.Hour), now.Add(2*time.Hour + 7*24*time.Hour), "clock skew +2h0m0s"},
		{ChainGood, -8 * 24 * time.Hour, now.Add(-time.Hour - 8*24*time.Hour), now.Add(-24 * time.Hour), "clock skew -192h0m0s"},
		{ChainExpired, 48 * time.Hour, now.Add(-6 * 24 * time.Hour), now.Add(24 * time.Hour), "expired, clock skew +48h0m0s"},
		{ChainNotYetValid, -time.Hour, now.Add(23 * time.Hour), now.Add(23*time.Hour + 7*24*time.Hour), "not_yet_valid, clock skew -1h0m0s"},
		{ChainWrongEKU, time.Minute, now.Add(-59 * time.Minute), now.Add(time.Minute + 7*24*time.Hour), "wrong_eku, clock skew +1m0s"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+tt.skew.String(), func(t *testing.T) {
			c, err := m.BadChain(tt.kind, "skew.lab.test", tt.skew)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Leaf.NotBefore.Equal(tt.notBefore) || !c.Leaf.NotAfter.Equal(tt.notAfter) {
				t.Errorf("window %s – %s, want %s – %s", c.Leaf.NotBefore, c.Leaf.NotAfter, tt.notBefore, tt.notAfter)
			}
			if ou := c.Leaf.Subject.OrganizationalUnit; len(ou) != 1 || ou[0] != "tlsgate fault: "+tt.wantSuffix {
				t.Errorf("OU %q, want suffix %q", ou, tt.wantSuffix)
			}
		})
	}
}

func TestBadChainErrors(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	tests := []struct {
		kind ChainKind
		name string
		want string
	}{
		{"bogus", "x.lab.test", `unknown chain kind "bogus"`},
		{"", "x.lab.test", "want one of good, expired"},
		{ChainExpired, "bad name", "invalid server name"},
		{ChainExpired, "", "empty server name"},
	}
	for _, tt := range tests {
		_, err := m.BadChain(tt.kind, tt.name, 0)
		if err == nil || !strings.HasPrefix(err.Error(), "pki: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("BadChain(%q, %q): %v, want %q", tt.kind, tt.name, err, tt.want)
		}
	}
	if m.minted != 0 {
		t.Errorf("minted %d for bad input", m.minted)
	}
}

// TestBadChainOldCA: a CA created with pathlen 1 (pki's former default)
// cannot anchor a dozen intermediates; BadChain says so instead of serving
// a path-length error under the long_chain name.
func TestBadChainOldCA(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: mustSerial(t), Subject: pkix.Name{CommonName: "old lab CA"},
		NotBefore: fixedNow().Add(-time.Hour), NotAfter: fixedNow().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true, MaxPathLen: 1,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMinter(newCA(cert, key), fixedNow, rand.Reader)
	if _, err := m.BadChain(ChainLong, "l.lab.test", 0); err == nil || !strings.Contains(err.Error(), "allows 1") {
		t.Errorf("long_chain under a pathlen-1 CA: %v", err)
	}
	if _, err := m.BadChain(ChainGoodIntermediate, "l.lab.test", 0); err != nil {
		t.Errorf("good_intermediate fits under pathlen 1: %v", err)
	}
}

func mustSerial(t *testing.T) *big.Int {
	t.Helper()
	s, err := newSerial(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUntrustedRootPEM(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	p := m.UntrustedRootPEM()
	block, _ := pem.Decode(p)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("not a PEM certificate: %q", p)
	}
	root, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !root.IsCA || root.CheckSignatureFrom(root) != nil || root.Equal(ca.Cert()) || root.Subject.String() == ca.Cert().Subject.String() {
		t.Errorf("want a self-signed CA distinct from the lab CA, got %q", root.Subject)
	}
	if string(m.UntrustedRootPEM()) != string(p) {
		t.Error("the untrusted root changed between calls")
	}
	c, err := m.BadChain(ChainUntrustedRoot, "u.lab.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	// Trusting the untrusted root instead of the lab CA fixes the chain:
	// the demonstration a lab wants to make.
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: "u.lab.test", Roots: pool, CurrentTime: fixedNow()}); err != nil {
		t.Errorf("leaf does not chain to UntrustedRootPEM: %v", err)
	}
	if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: "u.lab.test", Roots: ca.Pool(), CurrentTime: fixedNow()}); err == nil {
		t.Error("untrusted_root leaf verifies against the lab CA")
	}
}

func TestParseChainKind(t *testing.T) {
	tests := []struct {
		in   string
		want ChainKind
		ok   bool
	}{
		{"expired", ChainExpired, true},
		{"Not-Yet-Valid", ChainNotYetValid, true},
		{" untrusted_root_with_root ", ChainUntrustedRootWithRoot, true},
		{"reversed-chain", ChainReversed, true},
		{"sha256", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseChainKind(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseChainKind(%q) = %q, %v", tt.in, got, err)
		}
	}
	for _, k := range ChainKinds() {
		if got, err := ParseChainKind(string(k)); got != k || err != nil {
			t.Errorf("round trip of %s: %q, %v", k, got, err)
		}
	}
	if n := len(ChainKinds()); n != 24 {
		t.Errorf("%d kinds, want 24", n)
	}
}
