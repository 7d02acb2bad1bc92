package listener

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestHelloBeyondParseCap: a valid ClientHello longer than sniff's 16 KiB
// cap (here a long ALPN list) is relayed or terminated as usual. It must not
// be logged as malformed, since nothing is wrong with it; a warning says
// tlsgate could not read its SNI or JA4.
func TestHelloBeyondParseCap(t *testing.T) {
	sca := newTestServerCA(t)
	roots := x509.NewCertPool()
	roots.AddCert(sca.cert)
	// Answers one request, half-closes, then drains until the client
	// closes: neither side closes with bytes unread, so no reset.
	answer := func(c net.Conn) {
		if !skipHeaders(bufio.NewReader(c)) {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, c)
	}
	tlsLn, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}})
	if err != nil {
		t.Fatal(err)
	}
	tlsBackend := serveEach(t, tlsLn, answer)
	plainBackend := serveEach(t, nil, answer)
	var alpn []string
	for i := range 100 {
		alpn = append(alpn, fmt.Sprintf("p%03d-%s", i, strings.Repeat("x", 195)))
	}
	alpn = append(alpn, "http/1.1")
	tests := []struct {
		name string
		opts Options
	}{
		{"passthrough", Options{Mode: Passthrough, Backend: tlsBackend, Engine: EngineGoroutines}},
		{"passthrough-epoll", Options{Mode: Passthrough, Backend: tlsBackend}},
		{"terminate", Options{Mode: Terminate, Backend: plainBackend, ClientSSL: &ClientSSL{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startListener(t, tc.opts, nil)
			cfg := &tls.Config{ServerName: "lab.test", RootCAs: roots, NextProtos: alpn}
			if tc.opts.Mode == Terminate {
				cfg.RootCAs = h.srv.deps.Minter.CA().Pool()
			}
			c, err := tls.Dial("tcp", h.addr, cfg)
			if err != nil {
				t.Fatalf("handshake through %s: %v", tc.name, err)
			}
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			// To the backend's end of stream, then close.
			if got, err := io.ReadAll(c); err != nil || !strings.HasSuffix(string(got), "ok") {
				t.Fatalf("reading the answer: %q, %v", got, err)
			}
			_ = c.Close()
			r := h.next()
			if r.o.HelloErr == "" || !r.o.HelloTooLarge {
				t.Errorf("hello error %q, too large %v: want the parse cap named", r.o.HelloErr, r.o.HelloTooLarge)
			}
			if r.d.Code == explain.CodeHelloMalformed {
				t.Fatalf("code %s (%s): a valid hello beyond the parse cap is not malformed", r.d.Code, r.d.Summary)
			}
			if !r.d.OK {
				t.Errorf("code %s (%s), want a connection that worked", r.d.Code, r.d.Summary)
			}
			if !strings.Contains(strings.Join(r.d.Warnings, "\n"), "larger than tlsgate parses") {
				t.Errorf("warnings %q: want the unread hello flagged", r.d.Warnings)
			}
			// Terminated, crypto/tls read the hello: its SNI is known.
			if tc.opts.Mode == Terminate && (!strings.Contains(r.d.Summary, "sni=lab.test") || r.o.LeafName != "lab.test") {
				t.Errorf("summary %q, leaf %q: want the SNI crypto/tls read, and the leaf served for it", r.d.Summary, r.o.LeafName)
			}
		})
	}
}

// TestHelloBeyondParseCapWithoutSNI: terminated without SNI, a hello
// beyond the parse cap gets a leaf for the address dialled, and the log
// names that address rather than a stand-in for the certificate's name.
func TestHelloBeyondParseCapWithoutSNI(t *testing.T) {
	var alpn []string
	for i := range 100 {
		alpn = append(alpn, fmt.Sprintf("p%03d-%s", i, strings.Repeat("x", 195)))
	}
	h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, nil)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool(), NextProtos: append(alpn, "http/1.1"), ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	_ = c.Close()
	r := h.next()
	if !r.o.HelloTooLarge || r.o.ClientTLS.ServerName != "" || r.o.LeafName != "127.0.0.1" || !strings.Contains(r.d.Summary, "sni=(none)") {
		t.Errorf("too large %v, SNI %q, leaf %q, summary %q; want no SNI and a leaf for 127.0.0.1",
			r.o.HelloTooLarge, r.o.ClientTLS.ServerName, r.o.LeafName, r.d.Summary)
	}
}
