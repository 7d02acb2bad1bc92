package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// TestPredatesBackdating: a CA from before the backdating (its validity
// starting when it was made) is recognised on load, a current one and a
// hand-made CA (no watermark) are not.
func TestPredatesBackdating(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	fresh, err := New(func() time.Time { return now }, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	old := caSpanning(t, now.Add(-time.Hour), now.AddDate(caValidity, 0, 0), Watermark)
	hand := caSpanning(t, now.Add(-time.Hour), now.AddDate(5, 0, 0), "Example Corp")
	for _, tc := range []struct {
		name string
		ca   *CA
		want bool
	}{{"new", fresh, false}, {"before the backdating", old, true}, {"made by hand", hand, false}} {
		dir := t.TempDir()
		if err := tc.ca.Save(dir); err != nil {
			t.Fatal(err)
		}
		loaded, err := Load(dir, func() time.Time { return now })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := loaded.PredatesBackdating(); got != tc.want {
			t.Errorf("%s (from %s to %s): PredatesBackdating %v, want %v", tc.name,
				loaded.NotBefore(), loaded.Cert().NotAfter, got, tc.want)
		}
	}
}

// caSpanning self-signs a CA valid from notBefore to notAfter, as New did
// before it backdated.
func caSpanning(t *testing.T, notBefore, notAfter time.Time, org string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: org, Organization: []string{org}},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageCertSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 1,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return newCA(cert, key)
}
