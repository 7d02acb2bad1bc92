package netns

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
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
	ca := tg.NewCA(t, "netns e2e public CA")
	p := testPKI{
		caFile:   ca.Write(t, dir, "public-ca.pem"),
		certFile: filepath.Join(dir, "shop.pem"),
		keyFile:  filepath.Join(dir, "shop-key.pem"),
	}
	tg.WriteKeyPair(t, ca.Leaf(t, []string{shopName}), p.certFile, p.keyFile)
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
