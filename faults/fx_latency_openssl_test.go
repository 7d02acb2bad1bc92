package faults

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestPassthroughLatencyOpenSSLClient: the sizes a request-stage latency
// tells a TLS 1.3 client's sealed flight and close_notify by hold for
// OpenSSL's s_client too, not only for crypto/tls: a client that closes
// after its handshake, with or without a certificate, fires nothing and
// has nothing delayed, and one that sends a line fires the rule.
func TestPassthroughLatencyOpenSSLClient(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl not found (%v): install it with `apt-get install openssl`", err)
	}
	cert, _ := selfSignedCert(t)
	clientCert, _ := selfSignedCert(t)
	certFile, keyFile := writePEM(t, clientCert)
	for _, tt := range []struct {
		name  string
		mtls  bool
		stdin string
		fires int
	}{
		{"closes after the handshake", false, "", 0},
		{"mTLS, closes after the handshake", true, "", 0},
		{"sends a line", false, "ping\n", 1},
		{"mTLS, sends a line", true, "ping\n", 1},
	} {
		for _, v := range []string{"-tls1_2", "-tls1_3"} {
			t.Run(tt.name+"/"+v, func(t *testing.T) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				args := []string{"s_client", "-connect", ln.Addr().String(), "-servername", "lab.test", v}
				srvCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
				if tt.mtls {
					args = append(args, "-cert", certFile, "-key", keyFile)
					srvCfg.ClientAuth = tls.RequireAnyClientCert
				}
				cmd := exec.Command(bin, args...)
				cmd.Stdin = bytes.NewBufferString(tt.stdin)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
				_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
				srv, err := ln.Accept()
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				run := servePassLatency(t, Both, srv, srvCfg).finish()
				// Only without a request: s_client sends its line as soon
				// as its handshake is done, so the line (or the session
				// tickets the server sends after it came) may be delayed
				// before the server's handshake returns.
				if tt.fires == 0 && run.atServerHS != 0 {
					t.Errorf("%d delays by the server's handshake end, want none", run.atServerHS)
				}
				if run.fires != tt.fires || tt.fires == 0 && run.total != 0 {
					t.Errorf("%d firings, %d delays in all; want %d firings\n%s", run.fires, run.total, tt.fires, out.String())
				}
			})
		}
	}
}

// writePEM writes c's leaf and key as PEM files for openssl.
func writePEM(t *testing.T, c tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	key, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
