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

// FuzzParseChainKind checks the kind parser used by config and the admin
// API: no panic, accepted input maps to a real kind that parses to itself,
// and rejections carry the package prefix.
func FuzzParseChainKind(f *testing.F) {
	for _, s := range []string{"expired", "Not-Yet-Valid", " huge_cert ", "sha256", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseChainKind(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "pki: ") || k != "" {
				t.Fatalf("ParseChainKind(%q) = %q, %v", s, k, err)
			}
			return
		}
		if !k.valid() {
			t.Fatalf("ParseChainKind(%q) accepted unknown kind %q", s, k)
		}
		if again, err := ParseChainKind(string(k)); again != k || err != nil {
			t.Fatalf("kind %q does not parse to itself: %q, %v", k, again, err)
		}
	})
}
