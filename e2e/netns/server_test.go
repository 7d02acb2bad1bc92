package netns

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// helperEnv selects a helper mode of the re-executed test binary.
const helperEnv = "TLSGATE_NETNS_HELPER"

// helperBound caps how long the server helper lives, so a test killed
// before its cleanup cannot leave it running for ever.
const helperBound = 5 * time.Minute

// lineWait bounds each wait for a line from the server helper.
const lineWait = 30 * time.Second

// testPKI is the real server's trust chain: a test CA, standing for a
// public CA, and the shop's certificate it issued.
type testPKI struct {
	caFile, certFile, keyFile string
}

// writePKI writes a fresh test CA and a leaf for shopName into dir.
func writePKI(t *testing.T, dir string) testPKI {
	t.Helper()
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "netns e2e public CA", Organization: []string{"tlsgate e2e"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: shopName, Organization: []string{"Lab Shop Ltd"}},
		DNSNames:     []string{shopName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}
	p := testPKI{
		caFile:   filepath.Join(dir, "public-ca.pem"),
		certFile: filepath.Join(dir, "shop.pem"),
		keyFile:  filepath.Join(dir, "shop-key.pem"),
	}
	for _, f := range []struct {
		path, typ string
		der       []byte
	}{{p.caFile, "CERTIFICATE", caDER}, {p.certFile, "CERTIFICATE", leafDER}, {p.keyFile, "PRIVATE KEY", keyDER}} {
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// realServer is the HTTPS server helper running in the server namespace.
type realServer struct {
	lines chan string // one "REQ <remote> <method> <host> <uri>" per request
}

// startRealServer runs the HTTPS helper on srvIP:443 inside l.srv and
// waits until it listens.
func startRealServer(t *testing.T, l *lab, p testPKI) *realServer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), helperBound)
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", l.srv, os.Args[0], "-test.run=^$")
	// Under -race the detector sleeps a second at exit by default.
	cmd.Env = append(os.Environ(), helperEnv+"=https",
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"),
		"TG_NETNS_LISTEN="+net.JoinHostPort(srvIP, "443"),
		"TG_NETNS_CERT="+p.certFile, "TG_NETNS_KEY="+p.keyFile)
	var stderr tg.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start server helper: %v", err)
	}
	s := &realServer{lines: make(chan string, 64)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		_ = stdin.Close() // the helper exits when its stdin closes
		<-done
		_ = cmd.Wait()
		cancel()
		if s := stderr.String(); s != "" {
			t.Logf("server helper stderr:\n%s", s)
		}
	})
	if first := s.next(t); !strings.HasPrefix(first, "READY ") {
		t.Fatalf("server helper did not start: %q\n%s", first, stderr.String())
	}
	return s
}

// next returns the helper's next line; a bound, not a timing assertion.
func (s *realServer) next(t *testing.T) string {
	t.Helper()
	select {
	case line, ok := <-s.lines:
		if !ok {
			t.Fatal("server helper exited")
		}
		return line
	case <-time.After(lineWait):
		t.Fatalf("server helper printed nothing for %v", lineWait)
	}
	return ""
}

// body is what the real server answers, so the client's output proves the
// bytes came from it and not from tlsgate.
func body(host, method, uri string) string {
	return fmt.Sprintf("real server %s answers %s %s\n", host, method, uri)
}

// runHelper runs a helper mode of the re-executed binary; its exit code.
func runHelper(mode string) int {
	if mode != "https" {
		fmt.Fprintf(os.Stderr, "netns: unknown helper mode %q\n", mode)
		return 2
	}
	return helperHTTPS()
}

// helperHTTPS serves HTTPS on TG_NETNS_LISTEN with TG_NETNS_CERT/KEY,
// prints "READY <addr>", then one REQ line per request, and exits when
// stdin closes or after helperBound.
func helperHTTPS() int {
	cert, err := tls.LoadX509KeyPair(os.Getenv("TG_NETNS_CERT"), os.Getenv("TG_NETNS_KEY"))
	if err != nil {
		fmt.Printf("CERTERR %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", os.Getenv("TG_NETNS_LISTEN"))
	if err != nil {
		fmt.Printf("LISTENERR %v\n", err)
		return 1
	}
	reqs := make(chan string, 64)
	srv := &http.Server{
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reqs <- fmt.Sprintf("REQ %s %s %s %s", r.RemoteAddr, r.Method, r.Host, r.RequestURI)
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, body(r.Host, r.Method, r.RequestURI))
		}),
		ReadHeaderTimeout: lineWait,
	}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	fmt.Printf("READY %s\n", ln.Addr())
	stdinDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdinDone)
	}()
	deadline := time.After(helperBound)
	for {
		select {
		case line := <-reqs:
			fmt.Println(line)
		case <-stdinDone:
			_ = srv.Close()
			return 0
		case <-deadline:
			_ = srv.Close()
			return 3
		}
	}
}
