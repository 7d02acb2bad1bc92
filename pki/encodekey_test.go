package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"testing"
)

// TestEncodeKey: what encodeKey writes (the CA key, the lab client key) is
// one PKCS#8 PRIVATE KEY block that parseKey reads back as the same key.
func TestEncodeKey(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  crypto.Signer
	}{
		{"ecdsa p256", ec},
		{"rsa", rs},
		{"ed25519", ed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := encodeKey(tt.key)
			if err != nil {
				t.Fatalf("encodeKey: %v", err)
			}
			block, rest := pem.Decode(data)
			if block == nil || block.Type != "PRIVATE KEY" || len(rest) != 0 {
				t.Fatalf("encodeKey wrote %q, want one PRIVATE KEY block", data)
			}
			back, err := parseKey(data)
			if err != nil {
				t.Fatalf("parseKey(encodeKey(key)): %v", err)
			}
			type equaler interface{ Equal(crypto.PrivateKey) bool }
			if !back.(equaler).Equal(tt.key) {
				t.Errorf("parseKey(encodeKey(key)) is a different key")
			}
		})
	}
}
