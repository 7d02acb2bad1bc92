package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Backend modes. The mode is fixed per process rather than chosen by the
// first byte, so a proxy in front sees exactly the client's bytes and
// nothing of ours.
const (
	modeEcho = "echo" // every byte back, full duplex
	modeSink = "sink" // read to EOF, answer the byte count
	modeHTTP = "http" // a small 200 per request, kept alive
)

type backendOpts struct {
	listen   string
	mode     string
	tls      bool
	tlsSelf  bool
	cert     string
	key      string
	certOut  string
	hosts    string
	lifetime time.Duration
}

func cmdBackend(ctx context.Context, args []string, e *env) error {
	var o backendOpts
	fs := newFlags("backend", "--listen 127.0.0.1:0 --mode echo|sink|http [--tls --cert f --key f | --tls-self]", e.stdout)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on; the bound address is printed on stdout")
	fs.StringVar(&o.mode, "mode", modeEcho, "echo, sink or http")
	fs.BoolVar(&o.tls, "tls", false, "serve TLS with --cert and --key")
	fs.BoolVar(&o.tlsSelf, "tls-self", false, "serve TLS with a self-signed certificate made at start")
	fs.StringVar(&o.cert, "cert", "", "PEM certificate (chain) for --tls")
	fs.StringVar(&o.key, "key", "", "PEM private key for --tls")
	fs.StringVar(&o.certOut, "cert-out", "", "with --tls-self: write the certificate here for clients' --ca")
	fs.StringVar(&o.hosts, "hosts", "localhost,127.0.0.1,bench.local", "with --tls-self: comma-separated names and IPs for the certificate")
	fs.DurationVar(&o.lifetime, "lifetime", 30*time.Minute, "stop by itself after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.mode != modeEcho && o.mode != modeSink && o.mode != modeHTTP {
		return usageError{fmt.Sprintf("backend: --mode %q: want echo, sink or http", o.mode)}
	}
	if o.tls && o.tlsSelf {
		return usageError{"backend: --tls and --tls-self exclude each other"}
	}
	if o.tls && (o.cert == "" || o.key == "") {
		return usageError{"backend: --tls needs --cert and --key"}
	}
	if o.lifetime <= 0 {
		return usageError{"backend: --lifetime must be positive"}
	}
	cfg, err := backendTLS(o, e)
	if err != nil {
		return err
	}
	ln, err := e.listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("backend: %w", err)
	}
	fmt.Fprintln(e.stdout, ln.Addr().String())
	ctx, cancel := context.WithTimeout(ctx, o.lifetime)
	defer cancel()
	b := newBackend(o.mode, cfg)
	err = b.serve(ctx, ln)
	// The tally tells whether a proxy in front resumed its TLS sessions
	// to us (HAProxy and nginx do by default), which changes what each of
	// its connections costs.
	fmt.Fprintf(e.stderr, "backend %s: %d connections, %d TLS handshakes, %d of them resumed\n",
		ln.Addr(), b.conns.Load(), b.handshakes.Load(), b.resumed.Load())
	return err
}

// backendTLS loads or makes the server certificate; nil means plain TCP.
func backendTLS(o backendOpts, e *env) (*tls.Config, error) {
	switch {
	case o.tls:
		pair, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			return nil, fmt.Errorf("backend: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{pair}}, nil
	case o.tlsSelf:
		pair, certPEM, err := selfSigned(strings.Split(o.hosts, ","), e.now(), e.rand)
		if err != nil {
			return nil, err
		}
		if o.certOut != "" {
			if err := os.WriteFile(o.certOut, certPEM, 0o644); err != nil {
				return nil, fmt.Errorf("backend: --cert-out: %w", err)
			}
		}
		return &tls.Config{Certificates: []tls.Certificate{pair}}, nil
	}
	return nil, nil
}

// selfSigned makes an ECDSA P-256 certificate for hosts that clients can
// trust directly (it is its own root), the same key type the bench gives
// every TLS server so handshakes cost the same everywhere.
func selfSigned(hosts []string, now time.Time, rnd io.Reader) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rnd)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("backend: key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "tlsgate-load backend"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rnd, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("backend: certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}

// backend serves one mode on one listener and closes every connection it
// holds when it stops.
type backend struct {
	mode string
	tls  *tls.Config

	mu   sync.Mutex
	open map[net.Conn]struct{}
	wg   sync.WaitGroup

	conns, handshakes, resumed atomic.Int64
}

func newBackend(mode string, cfg *tls.Config) *backend {
	return &backend{mode: mode, tls: cfg, open: map[net.Conn]struct{}{}}
}

// serve accepts until ctx ends, then closes the listener, gives open
// connections a second to finish, closes the rest and waits for their
// handlers.
func (b *backend) serve(ctx context.Context, ln net.Listener) error {
	// At the end only the listener closes here; open connections get a
	// moment to finish below.
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	var err error
	for {
		var c net.Conn
		c, err = ln.Accept()
		if err != nil {
			break
		}
		if !b.track(c) {
			_ = c.Close()
			break
		}
		b.wg.Add(1)
		go b.handle(c)
	}
	_ = ln.Close()
	stop()
	// Let connections already accepted finish (a client's last handshake
	// may still be in flight), briefly, then close whatever is left, so
	// the tally counts every handshake the clients completed.
	finished := make(chan struct{})
	go func() { b.wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(time.Second):
	}
	b.mu.Lock()
	for c := range b.open {
		_ = c.Close()
	}
	b.open = nil
	b.mu.Unlock()
	b.wg.Wait()
	if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return fmt.Errorf("backend: accept on %s: %w", ln.Addr(), err)
}

// track records c unless the backend is already shutting down.
func (b *backend) track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		return false
	}
	b.open[c] = struct{}{}
	b.conns.Add(1)
	return true
}

func (b *backend) handle(raw net.Conn) {
	defer b.wg.Done()
	defer func() {
		_ = raw.Close()
		b.mu.Lock()
		delete(b.open, raw)
		b.mu.Unlock()
	}()
	var c net.Conn = raw
	if b.tls != nil {
		c = tls.Server(raw, b.tls)
	}
	switch b.mode {
	case modeEcho:
		// Between two TCP conns io.Copy splices in the kernel; with TLS
		// it is a plain read/write loop.
		_, _ = io.Copy(c, c)
	case modeSink:
		n, err := io.Copy(io.Discard, c)
		if err == nil {
			fmt.Fprintf(c, "%d\n", n)
		}
	case modeHTTP:
		serveHTTP(c)
	}
	if tc, ok := c.(*tls.Conn); ok {
		if st := tc.ConnectionState(); st.HandshakeComplete {
			b.handshakes.Add(1)
			if st.DidResume {
				b.resumed.Add(1)
			}
		}
		_ = tc.Close()
	}
}

// serveHTTP answers every request on c with benchResponse until the peer
// closes or asks to close.
func serveHTTP(c net.Conn) {
	br := bufio.NewReaderSize(c, 4096)
	for {
		h, err := readRequest(br)
		if err != nil {
			return
		}
		if _, err := io.WriteString(c, benchResponse); err != nil || h.close {
			return
		}
	}
}
