package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"path/filepath"
	"testing"
	"time"
)

// writePEMs writes real PEM files into dir, so that the checks that load them
// (key pairs, CA pools) have something to load: cert.pem with key.pem, a second
// pair other.pem with other.key, ca.pem (a self-signed certificate), both.pem (a
// certificate and its key in one file), and notpem.pem.
func writePEMs(t *testing.T, dir string) {
	t.Helper()
	certPEM, keyPEM := selfSigned(t, "web")
	otherCert, otherKey := selfSigned(t, "other")
	caPEM, _ := selfSigned(t, "ca")
	for name, data := range map[string]string{
		"cert.pem":   certPEM,
		"key.pem":    keyPEM,
		"other.pem":  otherCert,
		"other.key":  otherKey,
		"ca.pem":     caPEM,
		"both.pem":   certPEM + keyPEM,
		"notpem.pem": "PEM",
	} {
		writeFile(t, filepath.Join(dir, name), data)
	}
}

func selfSigned(t *testing.T, cn string) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
}
