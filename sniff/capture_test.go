//go:build capture

// This file regenerates testdata/hello-*.bin and testdata/alert-*.bin from
// real clients on loopback. It is not part of the normal test run because it
// needs curl and openssl and writes into testdata:
//
//	go test -tags capture -run TestCapture -v ./sniff
package sniff

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// captureClient starts one client against addr ("127.0.0.1:port").
type captureClient struct {
	name string
	run  func(ctx context.Context, addr string) error
}

func goClient(cfg *tls.Config) func(context.Context, string) error {
	return func(ctx context.Context, addr string) error {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		defer conn.Close()
		return tls.Client(conn, cfg).HandshakeContext(ctx)
	}
}

func cmdClient(name string, args ...string) func(context.Context, string) error {
	return func(ctx context.Context, addr string) error {
		_, port, _ := net.SplitHostPort(addr)
		expanded := make([]string, len(args))
		for i, a := range args {
			expanded[i] = strings.ReplaceAll(strings.ReplaceAll(a, "ADDR", addr), "PORT", port)
		}
		cmd := exec.CommandContext(ctx, name, expanded...)
		cmd.Stdin = strings.NewReader("") // s_client quits at EOF on stdin
		return cmd.Run()
	}
}

func TestCapture(t *testing.T) {
	manyALPN := "h2,http/1.1,spdy/3.1,acme-tls/1,h3,imap,pop3,xmpp-client,mqtt,dot"
	clients := []captureClient{
		{"go-tls13", goClient(&tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})},
		{"go-tls12", goClient(&tls.Config{ServerName: "lab.test", InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})},
		{"curl", cmdClient("curl", "-k", "-sS", "--max-time", "5", "https://ADDR/")},
		{"curl-tls12", cmdClient("curl", "-k", "-sS", "--max-time", "5", "--tlsv1.2", "--tls-max", "1.2", "https://ADDR/")},
		{"curl-sni", cmdClient("curl", "-k", "-sS", "--max-time", "5", "--resolve", "lab.test:PORT:127.0.0.1", "https://lab.test:PORT/")},
		{"openssl", cmdClient("openssl", "s_client", "-connect", "ADDR", "-servername", "lab.test")},
		{"openssl-tls12", cmdClient("openssl", "s_client", "-connect", "ADDR", "-servername", "lab.test", "-tls1_2")},
		{"openssl-alpn", cmdClient("openssl", "s_client", "-connect", "ADDR",
			"-servername", "a-rather-long-host-name.with.many.labels.lab.test", "-alpn", manyALPN)},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			b, reads := captureHello(t, c)
			h, err := ParseClientHello(b)
			if err != nil {
				t.Fatalf("captured %d bytes do not parse: %v", len(b), err)
			}
			t.Logf("%s: %d bytes in reads %v, %d records, sni=%q alpn=%q versions=%x keyshare=%x ja4=%s",
				c.name, len(b), reads, h.Records, h.ServerName, h.ALPN, h.SupportedVersions, h.KeyShareGroups, JA4(h))
			writeTestdata(t, "hello-"+c.name+".bin", b)
		})
	}
	t.Run("openssl-unknown-ca", captureAlert)
}

// captureHello accepts one connection from the client and keeps exactly the
// bytes of its first handshake message, reading until the parser is satisfied.
func captureHello(t *testing.T, c captureClient) ([]byte, []int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.run(ctx, ln.Addr().String()) }()
	defer func() { cancel(); <-done }()

	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var buf []byte
	var reads []int
	chunk := make([]byte, 4096)
	for {
		n, err := conn.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if n > 0 {
			reads = append(reads, n)
		}
		h, perr := ParseClientHello(buf)
		if perr == nil {
			return buf[:h.WireLen], reads
		}
		if !errors.Is(perr, ErrNeedMore) {
			t.Fatalf("parse after %d bytes: %v", len(buf), perr)
		}
		if err != nil {
			t.Fatalf("read after %d bytes: %v", len(buf), err)
		}
	}
}

// captureAlert runs a real tls.Server with an untrusted certificate and
// records everything openssl sends when it refuses it.
func captureAlert(t *testing.T) {
	cert := selfSigned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	run := cmdClient("openssl", "s_client", "-connect", "ADDR", "-servername", "lab.test", "-verify_return_error", "-tls1_3")
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln.Addr().String()) }()
	defer func() { cancel(); <-done }()

	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	rec := &recordingConn{Conn: conn}
	herr := tls.Server(rec, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
	io.Copy(io.Discard, rec) // whatever follows, until the client closes
	level, desc, ok := ParseAlert(rec.got)
	t.Logf("server handshake: %v; client sent %d bytes; alert ok=%v level=%d desc=%s", herr, len(rec.got), ok, level, AlertName(desc))
	if !ok {
		t.Fatalf("no plaintext alert in %s", HexDump(rec.got, 64))
	}
	writeTestdata(t, "alert-openssl-unknown-ca.bin", rec.got)
}

type recordingConn struct {
	net.Conn
	got []byte
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.got = append(r.got, p[:n]...)
	return n, err
}

func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "lab.test"},
		DNSNames:     []string{"lab.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writeTestdata(t *testing.T, name string, b []byte) {
	path := filepath.Join("testdata", name)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", path, len(b))
}
