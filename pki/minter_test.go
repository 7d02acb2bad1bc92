package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLeafVerifiesAgainstPool(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	tests := []struct {
		name    string
		wantDNS string // SAN expected, "" when an IP SAN
		wantIP  string
		verify  string // DNSName passed to Verify: crypto/x509 matches IPs given as text too
	}{
		{name: "www.lab.test", wantDNS: "www.lab.test", verify: "www.lab.test"},
		{name: "WWW.Lab.Test.", wantDNS: "www.lab.test", verify: "www.lab.test"},
		{name: "*.lab.test", wantDNS: "*.lab.test", verify: "a.lab.test"},
		{name: "127.0.0.1", wantIP: "127.0.0.1", verify: "127.0.0.1"},
		{name: "::1", wantIP: "::1", verify: "::1"},
		{name: "[2001:db8::1]", wantIP: "2001:db8::1", verify: "2001:db8::1"},
		{name: "::ffff:10.0.0.1", wantIP: "10.0.0.1", verify: "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, err := m.Leaf(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			leaf := cert.Leaf
			// The leaf alone, as real servers send it: the root belongs in the
			// client's trust store, and sending it would turn an untrusted-CA
			// failure into OpenSSL's "self-signed certificate in chain".
			if len(cert.Certificate) != 1 {
				t.Fatalf("chain has %d certificates, want the leaf alone", len(cert.Certificate))
			}
			if string(cert.Certificate[0]) != string(leaf.Raw) {
				t.Error("Leaf does not match Certificate[0]")
			}
			switch {
			case tt.wantDNS != "":
				if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != tt.wantDNS || len(leaf.IPAddresses) != 0 {
					t.Errorf("SANs DNS=%v IP=%v, want DNS %s", leaf.DNSNames, leaf.IPAddresses, tt.wantDNS)
				}
			default:
				if len(leaf.IPAddresses) != 1 || leaf.IPAddresses[0].String() != tt.wantIP || len(leaf.DNSNames) != 0 {
					t.Errorf("SANs DNS=%v IP=%v, want IP %s", leaf.DNSNames, leaf.IPAddresses, tt.wantIP)
				}
			}
			if o := leaf.Subject.Organization; len(o) != 1 || o[0] != "tlsgate lab CA" {
				t.Errorf("O = %v, want the watermark", o)
			}
			if leaf.IsCA {
				t.Error("leaf is a CA")
			}
			if !leaf.NotBefore.Equal(fixedNow().Add(-time.Hour)) || !leaf.NotAfter.Equal(fixedNow().Add(7*24*time.Hour)) {
				t.Errorf("validity %s – %s", leaf.NotBefore, leaf.NotAfter)
			}
			if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
				t.Errorf("leaf key %T, want ECDSA P-256", leaf.PublicKey)
			}
			if len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
				t.Errorf("EKU %v, want ServerAuth", leaf.ExtKeyUsage)
			}
			_, err = leaf.Verify(x509.VerifyOptions{
				DNSName:     tt.verify,
				Roots:       ca.Pool(),
				CurrentTime: fixedNow(),
				KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				t.Errorf("verify: %v", err)
			}
			// The private key must belong to the leaf or no handshake works.
			if !cert.PrivateKey.(*ecdsa.PrivateKey).PublicKey.Equal(leaf.PublicKey) {
				t.Error("private key does not match leaf")
			}
		})
	}
}

func TestLeafRejectsBadNames(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	for _, name := range []string{
		"", ".", "a..b", "bad name", "ex\x00ample", "ünïcode.test", "a.*.test",
		strings.Repeat("a", 64) + ".test", strings.Repeat("a.", 127) + "aa", "[foo]",
	} {
		cert, err := m.Leaf(name)
		if err == nil || !strings.HasPrefix(err.Error(), "pki: ") {
			t.Errorf("Leaf(%q) = %v, %v; want a pki error", name, cert != nil, err)
		}
	}
	if m.minted != 0 {
		t.Errorf("minted %d leaves for bad names", m.minted)
	}
}

func TestLeafCachedPerName(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	a, err := m.Leaf("a.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	for _, alias := range []string{"a.lab.test", "A.LAB.TEST", "a.lab.test."} {
		b, err := m.Leaf(alias)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("Leaf(%q) minted again", alias)
		}
	}
	c, err := m.Leaf("c.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	if c == a || m.minted != 2 {
		t.Errorf("distinct names: same=%t minted=%d", c == a, m.minted)
	}
}

func TestLeafConcurrentFirstCallsMintOnce(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	const n = 100
	var (
		start sync.WaitGroup
		done  sync.WaitGroup
		certs [n]*tls.Certificate
		errs  [n]error
	)
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait() // release all at once so they race for the first mint
			certs[i], errs[i] = m.Leaf("race.lab.test")
		}()
	}
	start.Done()
	done.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if certs[i] != certs[0] {
			t.Fatalf("goroutine %d got a different certificate", i)
		}
	}
	if m.minted != 1 {
		t.Fatalf("minted %d times, want 1", m.minted)
	}
}

// failingReader lets a mint fail so we can prove errors are not cached.
type failingReader struct{ fail bool }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.fail {
		return 0, errors.New("entropy exhausted")
	}
	return rand.Read(p)
}

func TestLeafErrorNotCached(t *testing.T) {
	r := &failingReader{fail: true}
	m := NewMinter(newTestCA(t), fixedNow, r)
	if _, err := m.Leaf("x.lab.test"); err == nil || !strings.Contains(err.Error(), "entropy exhausted") {
		t.Fatalf("first mint: err = %v", err)
	}
	r.fail = false
	if _, err := m.Leaf("x.lab.test"); err != nil {
		t.Fatalf("retry after failure: %v", err)
	}
}

func TestLeafCacheBounded(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	m.max = 3
	first, err := m.Leaf("n0.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 5; i++ {
		if _, err := m.Leaf(fmt.Sprintf("n%d.lab.test", i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.cache) != 3 || m.order.Len() != 3 {
		t.Fatalf("cache holds %d/%d entries, want 3", len(m.cache), m.order.Len())
	}
	for _, evicted := range []string{"n0.lab.test", "n1.lab.test"} {
		if _, ok := m.cache[evicted]; ok {
			t.Errorf("%s still cached; the oldest should go first", evicted)
		}
	}
	again, err := m.Leaf("n0.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	if again == first {
		t.Error("evicted name served from cache")
	}
}

func TestLeafRenewedBeforeExpiry(t *testing.T) {
	var mu sync.Mutex
	now := fixedNow()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	m := NewMinter(newTestCA(t), clock, rand.Reader)
	a, err := m.Leaf("renew.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	advance(5 * 24 * time.Hour)
	if b, _ := m.Leaf("renew.lab.test"); b != a {
		t.Fatal("re-minted with two days of validity left")
	}
	advance(36 * time.Hour)
	b, err := m.Leaf("renew.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	if b == a || !b.Leaf.NotAfter.After(a.Leaf.NotAfter) {
		t.Fatal("leaf within a day of expiry was served from cache")
	}
	if len(m.cache) != 1 {
		t.Errorf("renewal left %d entries", len(m.cache))
	}
}

func TestLeafClampedToCAExpiry(t *testing.T) {
	ca := newTestCA(t)
	late := func() time.Time { return ca.Cert().NotAfter.Add(-48 * time.Hour) }
	cert, err := NewMinter(ca, late, rand.Reader).Leaf("late.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	if !cert.Leaf.NotAfter.Equal(ca.Cert().NotAfter) {
		t.Errorf("leaf NotAfter %s outlives CA %s", cert.Leaf.NotAfter, ca.Cert().NotAfter)
	}
}

// TestGetCertificateHandshake runs real handshakes over loopback: with SNI,
// without SNI (the server's local IP is used), and checks the fallback.
func TestGetCertificateHandshake(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, time.Now, rand.Reader) // real clock: the client verifies with it
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srvCfg := &tls.Config{GetCertificate: m.GetCertificate("fallback.lab.test")}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s := tls.Server(c, srvCfg)
				if s.Handshake() == nil {
					_, _ = io.Copy(io.Discard, s)
				}
			}()
		}
	}()

	tests := []struct {
		sni    string
		verify string
		wantCN string
	}{
		{sni: "shop.lab.test", verify: "shop.lab.test", wantCN: "shop.lab.test"},
		{sni: "", verify: "127.0.0.1", wantCN: "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run("sni="+tt.sni, func(t *testing.T) {
			conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{
				RootCAs:    ca.Pool(),
				ServerName: tt.verify, // an IP here makes crypto/tls send no SNI
			})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if cn := conn.ConnectionState().PeerCertificates[0].Subject.CommonName; cn != tt.wantCN {
				t.Errorf("served CN %q, want %q", cn, tt.wantCN)
			}
		})
	}

	get := m.GetCertificate("fallback.lab.test")
	cert, err := get(&tls.ClientHelloInfo{})
	if err != nil || cert.Leaf.DNSNames[0] != "fallback.lab.test" {
		t.Errorf("no SNI, no conn: %v", err)
	}
	if _, err := m.GetCertificate("")(&tls.ClientHelloInfo{}); err == nil {
		t.Error("no name at all: want an error")
	}
}
