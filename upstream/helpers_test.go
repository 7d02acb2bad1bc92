package upstream

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLeafPackage enforces DESIGN.md: upstream is a leaf. Besides the
// standard library it may import only go-proxyproto, to write PROXY headers.
func TestLeafPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/tlsgate/tlsgate/upstream": true,
		"github.com/pires/go-proxyproto":      true,
	}
	for _, dep := range strings.Fields(string(out)) {
		if !allowed[dep] {
			t.Errorf("upstream depends on %s; it must stay a leaf (stdlib + go-proxyproto)", dep)
		}
	}
}

// tcpPair returns the two ends of one loopback TCP connection.
func tcpPair(t testing.TB) (dialed, accepted *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Cleanup(func() { d.Close(); r.c.Close() })
	return d.(*net.TCPConn), r.c.(*net.TCPConn)
}

// testPKI is a throw-away CA for backend certificates. upstream cannot use
// pki (it is a leaf too), and the tests should not depend on it anyway.
type testPKI struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestPKI(t testing.TB, cn string) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testPKI{cert: cert, key: key, pool: pool}
}

// leaf issues a server certificate for backend.lab.test and 127.0.0.1.
func (p *testPKI) leaf(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "backend.lab.test"},
		DNSNames:     []string{"backend.lab.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, key.Public(), p.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der, p.cert.Raw}, PrivateKey: key}
}

// stream writes size pseudo-random bytes (seeded, so failures replay) and
// returns their SHA-256.
func stream(w io.Writer, seed uint64, size int) ([32]byte, error) {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	src := mrand.NewChaCha8(s)
	h := sha256.New()
	buf := make([]byte, 64<<10)
	for left := size; left > 0; {
		n := min(left, len(buf))
		_, _ = src.Read(buf[:n])
		h.Write(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return [32]byte{}, err
		}
		left -= n
	}
	return [32]byte(h.Sum(nil)), nil
}

// prefix returns the first n bytes stream would produce for seed.
func prefix(seed uint64, n int) []byte {
	var b strings.Builder
	_, _ = stream(&b, seed, n)
	return []byte(b.String())
}

// drain reads r to EOF and returns the count and SHA-256.
func drain(r io.Reader) (int64, [32]byte, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return n, [32]byte(h.Sum(nil)), err
}

type closeWriter interface {
	net.Conn
	CloseWrite() error
}
