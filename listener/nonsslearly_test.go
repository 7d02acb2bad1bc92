package listener

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// TestNonSSLAtOnce: plaintext on a TLS listener that then goes quiet gets
// its non_ssl action as soon as the bytes exclude TLS, when the action
// needs no more of them (reset, allow). An upper-case token that is no
// known method ("FOOBAR") used to wait for the peek deadline, as did a
// request cut short ("GET /"). The peek timeout here is ten minutes, so
// a wait would end the test at the harness's 30-second guard instead;
// PeerSpoke (not PeerPartial) says the peek ended on the bytes, not on
// the deadline.
func TestNonSSLAtOnce(t *testing.T) {
	for _, mode := range []Mode{Passthrough, Terminate} {
		for _, first := range []string{"FOOBAR", "GET /", "G"} {
			t.Run(string(mode)+"/reset/"+first, func(t *testing.T) {
				h := startListener(t, Options{Mode: mode, Backend: "127.0.0.1:1", PeekTimeout: 10 * time.Minute}, nil)
				c := dialGuarded(t, h.addr)
				if _, err := io.WriteString(c, first); err != nil {
					t.Fatal(err)
				}
				// The client stays quiet: only the reset ends its read.
				if got, err := io.ReadAll(c); len(got) != 0 || !errors.Is(err, syscall.ECONNRESET) {
					t.Errorf("client read %q, %v; want a reset", got, err)
				}
				r := h.next()
				if r.o.Route != "non_ssl_reset" || r.o.PeekEnd != explain.PeerSpoke || r.d.Code != explain.CodePlaintextOnTLS ||
					string(r.o.FirstBytes) != first {
					t.Errorf("route %q peek end %v code %q first %q; want non_ssl_reset on the bytes, plaintext_on_tls",
						r.o.Route, r.o.PeekEnd, r.d.Code, r.o.FirstBytes)
				}
			})
		}
		t.Run(string(mode)+"/allow", func(t *testing.T) {
			got := make(chan string, 1)
			backend := serveEach(t, nil, func(bc net.Conn) {
				b := make([]byte, 64)
				n, _ := bc.Read(b)
				got <- string(b[:n])
				_, _ = io.Copy(io.Discard, bc)
			})
			h := startListener(t, Options{Mode: mode, Backend: "127.0.0.1:1", NonSSL: NonSSLAllow, PlainBackend: backend,
				PeekTimeout: 10 * time.Minute}, nil)
			c := dialGuarded(t, h.addr)
			if _, err := io.WriteString(c, "FOOBAR"); err != nil {
				t.Fatal(err)
			}
			select {
			case b := <-got:
				if b != "FOOBAR" {
					t.Errorf("plain_backend read %q, want FOOBAR", b)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("FOOBAR never reached plain_backend: the peek waited for its deadline")
			}
			_ = c.Close()
			if r := h.next(); r.o.Route != "non_ssl_allow" || r.o.PeekEnd != explain.PeerSpoke {
				t.Errorf("route %q peek end %v; want non_ssl_allow on the bytes", r.o.Route, r.o.PeekEnd)
			}
		})
	}
}

// TestNonSSLWaitsForRequest: http400 and redirect answer a request, and a
// redirect keeps its path, so while the bytes may still become a request
// line they wait for it, up to the peek deadline; a known method cut
// short waits the same way. Bytes that cannot be a request line are
// answered at once. On a listener that takes PROXY headers, the start of
// one is never cut short, whatever the action.
func TestNonSSLWaitsForRequest(t *testing.T) {
	cases := []struct {
		name, first string
		opts        Options
		route       string
		end         explain.PeerEnd
		reply       string // the client's read begins so; "" = a reset
	}{
		{"http400/token", "FOOBAR", Options{NonSSL: NonSSLHTTP400}, "non_ssl_http400", explain.PeerPartial, "HTTP/1.1 400 "},
		{"http400/get", "GET /", Options{NonSSL: NonSSLHTTP400}, "non_ssl_http400", explain.PeerPartial, "HTTP/1.1 400 "},
		{"redirect/token", "PROPFIND /dav", Options{NonSSL: NonSSLRedirect}, "non_ssl_redirect", explain.PeerPartial, "HTTP/1.1 301 "},
		{"redirect/get", "GET /a", Options{NonSSL: NonSSLRedirect}, "non_ssl_redirect", explain.PeerPartial, "HTTP/1.1 301 "},
		// No request line begins with a lower-case byte: sniff names
		// nothing, and that is known at once.
		{"http400/not-http", "hello", Options{NonSSL: NonSSLHTTP400}, "non_ssl_http400", explain.PeerSpoke, "HTTP/1.1 400 "},
		{"proxy/unfinished", "PROX", Options{ProxyProtocol: "v1"}, "proxy_malformed", explain.PeerPartial, ""},
		{"proxy/v2-signature", "\r\n\r\n\x00", Options{ProxyProtocol: "optional"}, "proxy_malformed", explain.PeerPartial, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // the stalled ones wait out the deadline
			opts := tc.opts
			// The stall at the deadline is the input: stallPeek.
			opts.Mode, opts.Backend, opts.PeekTimeout = Terminate, "127.0.0.1:1", stallPeek
			h := startListener(t, opts, nil)
			c := dialGuarded(t, h.addr)
			if _, err := io.WriteString(c, tc.first); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c)
			_ = c.Close() // the reply's drain ends at once
			if tc.reply == "" && (len(got) != 0 || !errors.Is(err, syscall.ECONNRESET)) ||
				tc.reply != "" && !strings.HasPrefix(string(got), tc.reply) {
				t.Errorf("client read %q, %v; want %q", got, err, tc.reply)
			}
			r := h.next()
			if r.o.Route != tc.route || r.o.PeekEnd != tc.end {
				t.Errorf("route %q peek end %v; want %q %v", r.o.Route, r.o.PeekEnd, tc.route, tc.end)
			}
		})
	}
}

// TestNonSSLSettled: the rule itself, per mode and action.
func TestNonSSLSettled(t *testing.T) {
	cases := []struct {
		mode   Mode
		nonSSL NonSSL
		proxy  string
		b      string
		want   bool
	}{
		{Passthrough, NonSSLReset, "", "FOOBAR", true},
		{Terminate, NonSSLAllow, "", "G", true},
		{Inspect, NonSSLReset, "", "PROPF", true},
		{Terminate, NonSSLReset, "", "\x16\x03", false}, // may still be a ClientHello
		{Terminate, NonSSLReset, "", "\x80", false},     // may still be an SSLv2 hello
		{Terminate, NonSSLReset, "", "", false},
		{Terminate, NonSSLHTTP400, "", "FOOBAR", false},
		{Terminate, NonSSLRedirect, "", "GET /", false},
		{Terminate, NonSSLReset, "v1", "PROX", false},
		{Terminate, NonSSLReset, "optional", "\r\n\r\n", false},
		{Terminate, NonSSLReset, "v2", "FOOBAR", true},
		{Terminate, NonSSLReset, "", "PROX", true}, // no header taken: plaintext like any other
		{Plaintext, NonSSLReset, "", "FOOBAR", false},
		{Auto, NonSSLReset, "", "FOOBAR", false},
	}
	for _, tc := range cases {
		s := &Server{opts: Options{Mode: tc.mode, NonSSL: tc.nonSSL, ProxyProtocol: tc.proxy}}
		if got := s.nonSSLSettled([]byte(tc.b)); got != tc.want {
			t.Errorf("%s non_ssl=%s proxy=%q %q: settled %v, want %v", tc.mode, tc.nonSSL, tc.proxy, tc.b, got, tc.want)
		}
		if _, err := sniff.Classify([]byte(tc.b)); tc.want && !errors.Is(err, sniff.ErrNeedMore) {
			t.Errorf("%q: sniff decides it already (%v), so the case tests nothing", tc.b, err)
		}
	}
}

// FuzzNonSSLSettled: whatever the first bytes, the early decision never
// cuts short what could still be TLS, nor, on a listener that takes
// PROXY headers, the start of one; it never panics.
func FuzzNonSSLSettled(f *testing.F) {
	for _, seed := range []string{"FOOBAR", "GET /", "G", "PROPF", "\x16\x03", "\x80\x25\x01", "PROX", "\r\n\r\n\x00", "hello", "\x17\x03\x03"} {
		f.Add([]byte(seed))
	}
	servers := []*Server{
		{opts: Options{Mode: Terminate, NonSSL: NonSSLReset}},
		{opts: Options{Mode: Passthrough, NonSSL: NonSSLAllow, ProxyProtocol: "optional"}},
		{opts: Options{Mode: Inspect, NonSSL: NonSSLReset, ProxyProtocol: "v2"}},
		{opts: Options{Mode: Terminate, NonSSL: NonSSLHTTP400}},
		{opts: Options{Mode: Auto, NonSSL: NonSSLReset}},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range servers {
			if !s.nonSSLSettled(b) {
				continue
			}
			if sniff.CouldBeTLS(b) {
				t.Fatalf("%s: settled on %q, which may still be TLS", s.opts.Mode, b)
			}
			if v1, v2 := sniff.ProxyPrefix(b); s.opts.ProxyProtocol != "" && (v1 || v2) {
				t.Fatalf("%s proxy %s: settled on %q, which may still be a PROXY header", s.opts.Mode, s.opts.ProxyProtocol, b)
			}
			if !s.expectsTLS() || s.nonSSLNeedsRequest() {
				t.Fatalf("%s non_ssl %s: settled although plaintext is relayed or the request is needed", s.opts.Mode, s.opts.NonSSL)
			}
		}
	})
}
