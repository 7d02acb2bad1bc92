package capture

// A real HTTPS exchange over loopback, recorded, for the tshark tests.

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// selfSigned makes a certificate for localhost, so the test needs no
// other tlsgate package.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

const requestURI = "/capture-test"

// serveOne answers one HTTPS request on raw and closes.
func serveOne(raw net.Conn, cert tls.Certificate, version uint16) error {
	tc := tls.Server(raw, &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   version,
		MaxVersion:   version,
		NextProtos:   []string{"http/1.1"},
	})
	defer tc.Close()
	req, err := http.ReadRequest(bufio.NewReader(tc))
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if req.RequestURI != requestURI {
		return fmt.Errorf("server: request for %q", req.RequestURI)
	}
	if _, err := io.WriteString(tc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	// close_notify, then wait for the client's: closing with the client's
	// alert still unread, or before it arrives, ends in an RST that a relay
	// would (rightly) record, and this test wants a clean exchange.
	if err := tc.CloseWrite(); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if rest, err := io.ReadAll(tc); err != nil || len(rest) > 0 {
		return fmt.Errorf("server: after the response: %q, %w", rest, err)
	}
	return nil
}

// pump copies one direction and passes the FIN on, as a passthrough proxy.
func pump(dst, src net.Conn) error {
	_, err := io.Copy(dst, src)
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	return err
}

// noLeg names no leg: nothing is slowed down.
const noLeg Leg = -1

// answeredFirst is a relay socket whose first Write returns only once the
// relay has read the peer's answer to it and begun to read again, so the
// answer is already recorded: the order a loaded machine produces when the
// writing pump waits for a CPU while the other pump runs.
type answeredFirst struct {
	net.Conn
	started  atomic.Bool // the first write began
	answered atomic.Bool // a read returned bytes after that
	once     sync.Once
	reading  chan struct{} // closed when a read begins after the answer
}

func newAnsweredFirst(c net.Conn) *answeredFirst {
	return &answeredFirst{Conn: c, reading: make(chan struct{})}
}

func (c *answeredFirst) Write(b []byte) (int, error) {
	if c.started.Swap(true) {
		return c.Conn.Write(b)
	}
	n, err := c.Conn.Write(b)
	select {
	case <-c.reading:
	case <-time.After(time.Minute): // a safety net against a hung test
	}
	return n, err
}

func (c *answeredFirst) Read(b []byte) (int, error) {
	if c.answered.Load() {
		c.once.Do(func() { close(c.reading) })
	}
	n, err := c.Conn.Read(b)
	if n > 0 && c.started.Load() {
		c.answered.Store(true)
	}
	return n, err
}

func (c *answeredFirst) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

// exchange runs one HTTPS request over loopback and records it. With proxy,
// a passthrough relay sits in the middle and both of its legs are recorded
// (the same TLS session twice); else the server's socket is recorded. The
// relay's socket on leg late, unless noLeg, is an answeredFirst.
// It returns the capture, the key log, and the TCP ports Wireshark must
// decode as TLS.
func exchange(t *testing.T, version uint16, proxy bool, late Leg) (pcapPath, keyLog string, ports []uint16) {
	t.Helper()
	dir := t.TempDir()
	cert, pool := selfSigned(t)
	w, err := Create(dir, 1, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	front := backend
	if proxy {
		front, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer front.Close()
	}
	// A safety net against a hung test, not a timing assertion.
	deadline := time.Now().Add(time.Minute)
	accept := func(ln net.Listener) (net.Conn, error) {
		c, err := ln.Accept()
		if err == nil {
			_ = c.SetDeadline(deadline)
		}
		return c, err
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		raw, err := accept(backend)
		if err != nil {
			errs <- err
			return
		}
		if !proxy {
			w.Open(ClientLeg, addrPort(raw.RemoteAddr()), addrPort(raw.LocalAddr()))
			raw = Conn(raw, w, ClientLeg, true)
		}
		errs <- serveOne(raw, cert, version)
	})
	if proxy {
		wg.Go(func() {
			in, err := accept(front)
			if err != nil {
				errs <- err
				return
			}
			w.Open(ClientLeg, addrPort(in.RemoteAddr()), addrPort(in.LocalAddr()))
			out, err := net.Dial("tcp", backend.Addr().String())
			if err != nil {
				in.Close()
				errs <- err
				return
			}
			_ = out.SetDeadline(deadline)
			w.Open(ServerLeg, addrPort(out.LocalAddr()), addrPort(out.RemoteAddr()))
			switch late {
			case ClientLeg:
				in = newAnsweredFirst(in)
			case ServerLeg:
				out = newAnsweredFirst(out)
			}
			cin, cout := Conn(in, w, ClientLeg, true), Conn(out, w, ServerLeg, false)
			var p sync.WaitGroup
			p.Go(func() { _ = pump(cout, cin) })
			p.Go(func() { _ = pump(cin, cout) })
			p.Wait()
			cin.Close()
			cout.Close()
		})
	}

	keyLog = filepath.Join(dir, "keys.log")
	kf, err := os.OpenFile(keyLog, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	raw, err := net.Dial("tcp", front.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.SetDeadline(deadline)
	client := tls.Client(raw, &tls.Config{
		ServerName:   "localhost",
		RootCAs:      pool,
		MinVersion:   version,
		MaxVersion:   version,
		NextProtos:   []string{"http/1.1"},
		KeyLogWriter: kf,
	})
	if _, err := io.WriteString(client, "GET "+requestURI+" HTTP/1.1\r\nHost: localhost\r\nUser-Agent: capture-test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(client), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "ok" {
		t.Fatalf("response body %q, %v", body, err)
	}
	// Read to the server's close_notify before closing (see serveOne).
	if rest, err := io.ReadAll(client); err != nil || len(rest) > 0 {
		t.Fatalf("after the response: %q, %v", rest, err)
	}
	client.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ports = append(ports, uint16(front.Addr().(*net.TCPAddr).Port))
	if proxy {
		ports = append(ports, uint16(backend.Addr().(*net.TCPAddr).Port))
	}
	return w.Path(), keyLog, ports
}
