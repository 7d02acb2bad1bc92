package pki

import (
	"strings"
	"testing"
)

// FuzzParseCA feeds arbitrary bytes to the CA file parsers: they must return
// an error, never panic, and anything accepted must be a usable CA.
func FuzzParseCA(f *testing.F) {
	ca, err := New(fixedNow, strings.NewReader(strings.Repeat("0123456789abcdef", 64)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ca.CertPEM())
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if cert, err := parseCert(data); err == nil && !cert.IsCA {
			t.Fatalf("accepted a non-CA certificate")
		}
		if key, err := parseKey(data); err == nil && key.Public() == nil {
			t.Fatalf("accepted a key without a public half")
		}
	})
}

// FuzzNormalize checks the name rules: no panic, and an accepted name is
// stable (normalising the key again gives the key).
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"www.lab.test", "WWW.LAB.TEST.", "127.0.0.1", "[::1]", "fe80::1%eth0", "*.lab.test", "a..b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key, ip, err := normalize(name)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "pki: ") {
				t.Fatalf("error without package prefix: %v", err)
			}
			return
		}
		again, ip2, err := normalize(key)
		if err != nil || again != key || ip2 != ip {
			t.Fatalf("normalize(%q) = %q, but normalize(%q) = %q, %v", name, key, key, again, err)
		}
	})
}
