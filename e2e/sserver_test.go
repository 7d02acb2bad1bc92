package e2e

import (
	"crypto/tls"
	"net"
	"path/filepath"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/internal/sserver"
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
	addr, err := sserver.Start(t, bin, full...)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestRunSServerOwnsItsAddress: sserver.Start hands out an address only
// once the s_server it started listens there. On a port another socket
// holds, s_server cannot bind, and sserver.Start says so with s_server's
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
			addr, err := sserver.Start(t, bin, "s_server", "-accept", tc.accept, "-cert", certFile, "-key", keyFile, "-www")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("sserver.Start on %s (held by another socket) = %q, %v; want an error naming %q", tc.accept, addr, err, tc.wantErr)
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
