package e2e

import (
	"crypto/tls"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// startSServer runs `openssl s_server -www` on a loopback port with a
// leaf of ca for lab.test and extra args (the TLS policy under test), and
// returns its address once it listens there.
func startSServer(t *testing.T, ca *tg.CA, args ...string) string {
	t.Helper()
	bin := needTool(t, "openssl")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tg.WriteKeyPair(t, ca.Leaf(t, []string{"lab.test"}), certFile, keyFile)
	// Port 0: s_server binds a port of the kernel's choosing and names it.
	// A port chosen here and handed over (freePort) was free only until
	// someone bound it: any bind to port 0 on the machine (go test ./...
	// runs other packages' listeners beside this one) could take it before
	// s_server did, s_server then exited on "Address already in use", and
	// a dial to the port, which served as the readiness check, reached that
	// other listener. A backend that reset every connection made
	// version-epoll fail in CI that way (session 19).
	full := append([]string{"s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile, "-www"}, args...)
	for i, a := range full {
		full[i] = strings.ReplaceAll(strings.ReplaceAll(a, "{cert}", certFile), "{key}", keyFile)
	}
	addr, err := runSServer(t, bin, full...)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// sserverStartWait bounds the wait for s_server's ACCEPT line: a hang
// guard for a loaded machine, not a timing under test.
const sserverStartWait = 20 * time.Second

// runSServer runs `bin args` (an s_server whose -accept names port 0) and
// returns the address of its "ACCEPT host:port" line. s_server prints it
// after listen(2) on the port the kernel gave it, so from then on a
// connection to that address reaches this process and no other (no dial
// can tell whose listener answered). -quiet would silence the line. The
// error carries s_server's output when it exits first.
func runSServer(t *testing.T, bin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out := &tg.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	p := tg.StartProc(t, cmd)
	deadline := time.Now().Add(sserverStartWait)
	for {
		// Exited before the read: the output is complete once the
		// process is reaped, so a line printed before the exit is seen.
		exited := p.Exited()
		if addr, ok := acceptAddr(out.String()); ok {
			return addr, nil
		}
		if exited {
			return "", fmt.Errorf("openssl %s exited (%v) before its ACCEPT line:\n%s", strings.Join(args, " "), p.State(), out)
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("openssl %s printed no ACCEPT line within %v:\n%s", strings.Join(args, " "), sserverStartWait, out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// acceptAddr finds s_server's "ACCEPT 127.0.0.1:port" (or "[::1]:port")
// line in out, among its whole lines (one still being written does not
// count). A bare "ACCEPT", printed for a port given on the command line,
// names no address.
func acceptAddr(out string) (string, bool) {
	lines := strings.Split(out, "\n")
	for _, line := range lines[:len(lines)-1] {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "ACCEPT ")
		if !ok {
			continue
		}
		if _, port, err := net.SplitHostPort(rest); err == nil {
			if n, err := strconv.Atoi(port); err == nil && n > 0 {
				return rest, true
			}
		}
	}
	return "", false
}

// TestRunSServerOwnsItsAddress: runSServer hands out an address only
// once the s_server it started listens there. On a port another socket
// holds, s_server cannot bind, and runSServer says so with s_server's
// error; the dial it used to wait with reached the other socket and
// handed the test that socket as its backend.
func TestRunSServerOwnsItsAddress(t *testing.T) {
	t.Parallel()
	bin := needTool(t, "openssl")
	ca := tg.NewCA(t, "e2e s_server start CA")
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tg.WriteKeyPair(t, ca.Leaf(t, []string{"lab.test"}), certFile, keyFile)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for _, tc := range []struct {
		name, accept string
		wantErr      string // "" for an address served by this s_server
	}{
		{"a port of its own", "127.0.0.1:0", ""},
		{"a port another socket holds", held.Addr().String(), "Address already in use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, err := runSServer(t, bin, "s_server", "-accept", tc.accept, "-cert", certFile, "-key", keyFile, "-www")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("runSServer on %s (held by another socket) = %q, %v; want an error naming %q", tc.accept, addr, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Whoever answers there presents ca's leaf: this s_server.
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: clientTimeout}, "tcp", addr,
				&tls.Config{ServerName: "lab.test", RootCAs: ca.Pool()})
			if err != nil {
				t.Fatalf("TLS to %s, the address s_server printed: %v", addr, err)
			}
			c.Close()
		})
	}
}

// TestAcceptAddr reads the ACCEPT line among s_server's other output.
func TestAcceptAddr(t *testing.T) {
	for _, tc := range []struct {
		name, out, want string
		ok              bool
	}{
		{"ipv4", "Using default temp DH parameters\nACCEPT 127.0.0.1:40123\n", "127.0.0.1:40123", true},
		{"ipv6", "ACCEPT [::1]:40123\n", "[::1]:40123", true},
		{"bare line of a given port", "ACCEPT\n", "", false},
		{"not yet printed", "Using default temp DH parameters\n", "", false},
		{"line still being written", "ACCEPT 127.0.0.1:401", "", false},
		{"port 0", "ACCEPT 127.0.0.1:0\n", "", false},
		{"bind error", "error:80000062:system library:BIO_bind:Address already in use\n", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := acceptAddr(tc.out)
			if got != tc.want || ok != tc.ok {
				t.Errorf("acceptAddr(%q) = %q, %v; want %q, %v", tc.out, got, ok, tc.want, tc.ok)
			}
		})
	}
}
