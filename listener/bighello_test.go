package listener

import (
	"crypto/tls"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestHelloBeyondParseCap: a valid ClientHello longer than sniff's 16 KiB
// cap (here a long ALPN list) is relayed or terminated as usual. It must not
// be logged as malformed, since nothing is wrong with it; a warning says
// tlsgate could not read its SNI or JA4.
func TestHelloBeyondParseCap(t *testing.T) {
	backend, roots := tlsHTTPBackend(t)
	var alpn []string
	for i := range 100 {
		alpn = append(alpn, fmt.Sprintf("p%03d-%s", i, strings.Repeat("x", 195)))
	}
	alpn = append(alpn, "http/1.1")
	tests := []struct {
		name string
		opts Options
	}{
		{"passthrough", Options{Mode: Passthrough, Backend: backend, Engine: EngineGoroutines}},
		{"passthrough-epoll", Options{Mode: Passthrough, Backend: backend}},
		{"terminate", Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startListener(t, tc.opts, nil)
			cfg := &tls.Config{ServerName: "lab.test", RootCAs: roots, NextProtos: alpn}
			if tc.opts.Mode == Terminate {
				cfg.InsecureSkipVerify = true // the minted leaf is not what this test is about
			}
			c, err := tls.Dial("tcp", h.addr, cfg)
			if err != nil {
				t.Fatalf("handshake through %s: %v", tc.name, err)
			}
			if _, err := c.Write([]byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			// Half-close and read to the end, so neither side resets.
			if err := c.CloseWrite(); err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(c); err != nil || len(got) == 0 {
				t.Fatalf("reading the answer: %d bytes, %v", len(got), err)
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
		})
	}
}
