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
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
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
	alpn := bigALPN()
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
	alpn := bigALPN()[:100]
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

// TestPolicyBeyondParseCap: a passthrough listener judges a TLS version or
// cipher rule by the hello it parsed, and relays a hello beyond sniff's
// cap unread, so such a rule cannot act there: the handshake goes through
// with the backend untouched, and the rule must be neither logged nor
// counted as fired. Before, both were, with a refusal the client never saw.
func TestPolicyBeyondParseCap(t *testing.T) {
	sca := newTestServerCA(t)
	roots := x509.NewCertPool()
	roots.AddCert(sca.cert)
	tlsLn, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}})
	if err != nil {
		t.Fatal(err)
	}
	backend := serveEach(t, tlsLn, func(c net.Conn) {
		if !skipHeaders(bufio.NewReader(c)) {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, c)
	})
	alpn := bigALPN()
	for _, rule := range []faults.Rule{
		{Name: "ceiling", Action: faults.ActVersion, MaxVersion: faults.VersionTLS12},
		{Name: "p384-only", Action: faults.ActCipher, Groups: []string{"P-384"}},
	} {
		t.Run(rule.Name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(rule); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Passthrough, Backend: backend}, func(d *Deps) { d.Faults = e })
			// TLS 1.3 with X25519 first: a hello either rule refuses,
			// had tlsgate read it.
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: roots,
				NextProtos: alpn, MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}})
			if err != nil {
				t.Fatalf("handshake: %v; the rule cannot act on a hello relayed unread", err)
			}
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(c); err != nil || !strings.HasSuffix(string(got), "ok") {
				t.Fatalf("reading the answer: %q, %v", got, err)
			}
			_ = c.Close()
			r := h.next()
			if !r.o.HelloTooLarge {
				t.Fatalf("hello too large %v: the test proves nothing", r.o.HelloTooLarge)
			}
			if len(r.o.Faults) != 0 || len(r.o.FaultFirings) != 0 {
				t.Errorf("faults %q logged as fired (%+v) on a hello tlsgate never read", r.o.Faults, r.o.FaultFirings)
			}
			if st := e.List()[0]; st.Fires != 0 || !st.LastFire.IsZero() {
				t.Errorf("%s counted %d fires, last %v; want none", rule.Name, st.Fires, st.LastFire)
			}
		})
	}
}

// bigALPN is an ALPN list that makes a ClientHello of about 20 KiB, beyond
// sniff's 16 KiB parse cap: 100 made-up protocols of 200 bytes, then
// http/1.1, which the servers under test choose.
func bigALPN() []string {
	var alpn []string
	for i := range 100 {
		alpn = append(alpn, fmt.Sprintf("p%03d-%s", i, strings.Repeat("x", 195)))
	}
	return append(alpn, "http/1.1")
}
