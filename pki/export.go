package pki

import (
	"crypto/x509"
	"fmt"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// CertDER returns the CA certificate in DER form (`tlsgate ca export
// --format der`), which Windows' certificate import wizard and Android
// accept as a .cer/.crt file.
func (ca *CA) CertDER() []byte {
	return append([]byte(nil), ca.cert.Raw...)
}

// CertP12 returns a PKCS#12 trust store holding only the CA certificate,
// as a trusted-certificate bag (`tlsgate ca export --format p12`), for
// trust stores that import .p12/.pfx files: Windows, macOS Keychain, Java
// keytool and Firefox. It never contains the CA key.
//
// The file uses the legacy 3DES and HMAC-SHA-1 parameters because they are
// the ones every importer reads (macOS and older Windows reject PBES2/AES
// files); a public certificate needs integrity, not secrecy, so nothing is
// lost. The certificate bag carries Java's trusted-key-usage attribute, so
// keytool lists it as a trustedCertEntry. Salts come from crypto/rand.
func (ca *CA) CertP12(password string) ([]byte, error) {
	return TrustStoreP12(ca.cert, password)
}

// TrustStoreP12 is CertP12 for a CA certificate loaded alone (LoadCert).
func TrustStoreP12(cert *x509.Certificate, password string) ([]byte, error) {
	p12, err := pkcs12.LegacyDES.EncodeTrustStoreEntries([]pkcs12.TrustStoreEntry{
		{Cert: cert, FriendlyName: cert.Subject.CommonName},
	}, password)
	if err != nil {
		return nil, fmt.Errorf("pki: encode CA certificate as PKCS#12: %w", err)
	}
	return p12, nil
}
