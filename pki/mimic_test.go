package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"slices"
	"testing"
	"time"
)

func TestMimicCopiesUpstreamNames(t *testing.T) {
	ca, err := New(time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMinter(ca, time.Now, rand.Reader)
	upstream := &x509.Certificate{
		Raw:         []byte("upstream-1"),
		Subject:     pkix.Name{CommonName: "www.example.test", Organization: []string{"Example Inc"}},
		DNSNames:    []string{"www.example.test", "example.test"},
		IPAddresses: []net.IP{net.ParseIP("192.0.2.7")},
	}
	cases := []struct {
		name      string
		wantNames []string
	}{
		{"example.test", []string{"www.example.test", "example.test"}},
		{"other.test", []string{"www.example.test", "example.test", "other.test"}},
	}
	for _, c := range cases {
		cert, err := m.Mimic(c.name, upstream)
		if err != nil {
			t.Fatal(err)
		}
		leaf := cert.Leaf
		if !slices.Equal(leaf.DNSNames, c.wantNames) {
			t.Errorf("%s: SANs %v, want %v", c.name, leaf.DNSNames, c.wantNames)
		}
		if leaf.Subject.CommonName != "www.example.test" || !slices.Contains(leaf.Subject.Organization, Watermark) {
			t.Errorf("%s: subject %v lacks the copied CN or the watermark", c.name, leaf.Subject)
		}
		if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("192.0.2.7")) {
			t.Errorf("%s: IP SANs %v", c.name, leaf.IPAddresses)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: c.name, Roots: ca.Pool()}); err != nil {
			t.Errorf("%s: leaf does not verify under the lab CA: %v", c.name, err)
		}
	}
	again, err := m.Mimic("example.test", upstream)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := m.Mimic("example.test", upstream)
	if again != first {
		t.Error("a second Mimic for the same upstream certificate minted again")
	}
	if m.CA() != ca {
		t.Error("CA() does not return the signing CA")
	}
}
