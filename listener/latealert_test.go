package listener

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestBackendAlertAfterHandshake: a TLS 1.3 backend that requires a
// client certificate finishes the handshake from tlsgate's side and then
// refuses with alert 116 on the first read. The connection must be logged
// as the backend's refusal, not as a working relay.
func TestBackendAlertAfterHandshake(t *testing.T) {
	sca := newTestServerCA(t)
	pool := x509.NewCertPool()
	pool.AddCert(sca.cert)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS13})
	if err != nil {
		t.Fatal(err)
	}
	backend := serveEach(t, ln, func(c net.Conn) {
		// The handshake fails here, after the client's Finished.
		_, _ = io.Copy(io.Discard, c)
	})
	for _, mode := range []Mode{Inspect, Terminate} {
		t.Run(string(mode), func(t *testing.T) {
			h := startListener(t, Options{Mode: mode, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: sca.file, ServerName: "lab.test", Verify: true}}, nil)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if err != nil {
				t.Fatalf("client handshake: %v", err)
			}
			_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
			_, _ = io.ReadAll(c)
			c.Close()
			r := h.next()
			if r.d.Code != explain.CodeBackendTLSFailed || r.o.Backend.TLS.AlertRecv != 116 {
				t.Errorf("code %s (%s), backend alert %d, err %q: want the backend's alert 116 certificate_required",
					r.d.Code, r.d.Summary, r.o.Backend.TLS.AlertRecv, r.o.Backend.TLS.Err)
			}
		})
	}
}

// TestServerLegMutual: the server leg's mutual-authentication is whether
// the backend asked for a client certificate and tlsgate sent one; before,
// it was false on every server leg.
func TestServerLegMutual(t *testing.T) {
	sca := newTestServerCA(t)
	certFile, keyFile := writeKeyPair(t, sca.leaf(t, "tlsgate-client.lab.test"))
	for _, tc := range []struct {
		name string
		auth tls.ClientAuthType
		want bool
	}{
		{"backend asks", tls.RequireAnyClientCert, true},
		{"backend does not ask", tls.NoClientCert, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}, ClientAuth: tc.auth})
			if err != nil {
				t.Fatal(err)
			}
			backend := serveEach(t, ln, func(c net.Conn) { _, _ = io.Copy(c, c) })
			h := startListener(t, Options{Mode: Terminate, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: sca.file, ServerName: "lab.test", Verify: true, Cert: certFile, Key: keyFile}}, nil)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if err != nil {
				t.Fatalf("client handshake: %v", err)
			}
			_, _ = io.WriteString(c, "ping")
			_ = c.CloseWrite()
			_, _ = io.ReadAll(c)
			c.Close()
			r := h.next()
			if !r.o.Backend.TLS.Done || r.o.Backend.TLS.Mutual != tc.want {
				t.Errorf("server leg done %v mutual %v, want mutual %v (%s)", r.o.Backend.TLS.Done, r.o.Backend.TLS.Mutual, tc.want, r.d.Summary)
			}
		})
	}
}

// writeKeyPair writes cert's chain and key as PEM files.
func writeKeyPair(t *testing.T, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
