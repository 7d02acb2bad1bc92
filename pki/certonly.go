package pki

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"time"
)

// LoadCert reads only the CA certificate kept in dir, for what hands it to
// clients and signs nothing (tlsgate ca export): the key may be kept
// elsewhere, moved off a shared machine, and a certificate needs no key to
// be trusted. ErrNoCA when neither file exists; a lone key is Load's error,
// since there is no certificate to give. A certificate that is not a CA,
// does not parse, or has expired is an error naming the file, as Load's.
func LoadCert(dir string, now func() time.Time) (*x509.Certificate, error) {
	certPath, keyPath, certOK, keyOK, err := caFiles(dir)
	switch {
	case err != nil:
		return nil, err
	case !certOK && keyOK:
		return nil, fmt.Errorf("pki: %s exists but %s is missing; restore the certificate or remove %s to create a new CA", keyPath, certPath, keyPath)
	case !certOK:
		return nil, ErrNoCA
	}
	data, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	cert, err := parseCert(data)
	if err != nil {
		return nil, fmt.Errorf("pki: %s: %w", certPath, err)
	}
	if t := now(); t.After(cert.NotAfter) {
		return nil, fmt.Errorf("pki: %s expired at %s (now %s); remove it (and %s) to create a new CA",
			certPath, cert.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339), keyPath)
	}
	return cert, nil
}

// CertPEMOf is a certificate in PEM form, as CA.CertPEM writes the CA's.
func CertPEMOf(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}
