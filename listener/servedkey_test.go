package listener

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"testing"
)

// TestServedKeyDetail: a configured certificate's key is named with its
// size or curve, so a key-type mismatch names the key really served;
// minted leaves ("" here) are the lab CA's ECDSA P-256.
func TestServedKeyDetail(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  crypto.PrivateKey
		want string
	}{
		{"rsa", rsaKey, "RSA 2048"},
		{"ecdsa", p384, "ECDSA P-384"},
		{"ed25519", edKey, "Ed25519"},
	}
	for _, tc := range tests {
		cfg := &tls.Config{Certificates: []tls.Certificate{{PrivateKey: tc.key}}}
		if got := servedKeyDetail(cfg); got != tc.want {
			t.Errorf("%s: servedKeyDetail = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := servedKeyDetail(&tls.Config{}); got != "" {
		t.Errorf("minted leaves: servedKeyDetail = %q, want \"\"", got)
	}
}

// TestNameOn: advice for a client that sent no SNI dials a name on the
// configured certificate, chosen as the try= hint chooses it.
func TestNameOn(t *testing.T) {
	tests := []struct {
		name string
		leaf x509.Certificate
		want string
	}{
		{"dns san", x509.Certificate{DNSNames: []string{"*.example.test", "api.example.test"}, Subject: pkix.Name{CommonName: "cn.test"}}, "api.example.test"},
		{"wildcard only", x509.Certificate{DNSNames: []string{"*.example.test"}}, "www.example.test"},
		{"cn without sans", x509.Certificate{Subject: pkix.Name{CommonName: "legacy.test"}}, "legacy.test"},
		{"ip san", x509.Certificate{IPAddresses: []net.IP{net.ParseIP("192.0.2.7")}, Subject: pkix.Name{CommonName: "cn.test"}}, "192.0.2.7"},
		{"nothing", x509.Certificate{}, ""},
	}
	for _, tc := range tests {
		if got := NameOn(&tc.leaf); got != tc.want {
			t.Errorf("%s: NameOn = %q, want %q", tc.name, got, tc.want)
		}
	}
}
