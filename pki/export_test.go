package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

func TestCertDER(t *testing.T) {
	ca := newTestCA(t)
	der := ca.CertDER()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Equal(ca.Cert()) {
		t.Error("CertDER is not the CA certificate")
	}
	block, _ := pem.Decode(ca.CertPEM())
	if block == nil || !bytes.Equal(block.Bytes, der) {
		t.Error("CertDER differs from the body of CertPEM")
	}
	der[0] ^= 0xff
	if ca.CertDER()[0] == der[0] {
		t.Error("CertDER exposes internal storage")
	}
}

// TestCertP12 checks the trust store three ways: our own decoder, OpenSSL
// (the reference importer) and, when installed, Java's keytool.
func TestCertP12(t *testing.T) {
	ca := newTestCA(t)
	tests := []struct{ name, password string }{
		{"changeit", "changeit"},
		{"empty", ""},
		{"unicode", "pässwörd ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p12, err := ca.CertP12(tt.password)
			if err != nil {
				t.Fatal(err)
			}
			certs, err := pkcs12.DecodeTrustStore(p12, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if len(certs) != 1 || !certs[0].Equal(ca.Cert()) {
				t.Fatalf("trust store holds %d certificates, want exactly the CA", len(certs))
			}
			if _, err := pkcs12.DecodeTrustStore(p12, tt.password+"x"); err == nil {
				t.Error("decoded with the wrong password")
			}
		})
	}
}

func TestCertP12OpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is required for this test: %v", err)
	}
	ca := newTestCA(t)
	const password = "lab-secret"
	p12, err := ca.CertP12(password)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "lab-ca.p12")
	if err := os.WriteFile(file, p12, 0o644); err != nil {
		t.Fatal(err)
	}

	out, err := exec.CommandContext(t.Context(), bin, "pkcs12", "-in", file, "-nokeys", "-passin", "pass:"+password).Output()
	if err != nil {
		t.Fatalf("openssl pkcs12: %v", err)
	}
	var got []*x509.Certificate
	for rest := out; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			t.Errorf("openssl found a %s block; the file must hold only the certificate", block.Type)
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if len(got) != 1 || !got[0].Equal(ca.Cert()) {
		t.Fatalf("openssl extracted %d certificates, want exactly the CA:\n%s", len(got), out)
	}
	// OpenSSL shows the bag attributes: the alias and Java's trust marker.
	for _, want := range []string{"friendlyName: tlsgate lab CA", "2.16.840.1.113894.746875.1.1"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl output lacks %q:\n%s", want, out)
		}
	}

	// No private key anywhere, even when asked for keys only.
	keys, err := exec.CommandContext(t.Context(), bin, "pkcs12", "-in", file, "-nocerts", "-nodes", "-passin", "pass:"+password).Output()
	if err != nil || bytes.Contains(keys, []byte("PRIVATE KEY")) {
		t.Errorf("openssl -nocerts: err=%v, output %q", err, keys)
	}

	wrong, err := exec.CommandContext(t.Context(), bin, "pkcs12", "-in", file, "-nokeys", "-passin", "pass:wrong").CombinedOutput()
	if err == nil || !strings.Contains(strings.ToLower(string(wrong)), "mac verify") {
		t.Errorf("wrong password: err=%v, output %q; want a MAC verify failure", err, wrong)
	}
}
