package listener

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// TestPlainAtOnce: plaintext that tlsgate relays (a plaintext listener, an
// auto listener, a TLS listener with non_ssl allow) goes to its backend as
// soon as its bytes exclude TLS, also after a PROXY header, and the log
// names it from what the relay read after. The client waits for the backend's banner before
// it says more, and the peek timeout is ten minutes: a peek that waited
// for the bytes to be named would not relay within the test's guard.
// The goroutine engine serves all of these (PROXY headers and terminate
// need it); TestEnginesAgree covers plaintext and auto on both engines.
func TestPlainAtOnce(t *testing.T) {
	const header = "PROXY TCP4 10.0.0.1 127.0.0.1 40000 443\r\n"
	cases := []struct {
		name        string
		opts        Options
		first, rest string
		route       string
		kind        sniff.Kind
		firstBytes  string
	}{
		{"plaintext/token", Options{Mode: Plaintext}, "FOOBAR", " x\r\n", "plain", sniff.Unknown, "FOOBAR x\r\n"},
		{"plaintext/proxy-v1/token", Options{Mode: Plaintext, ProxyProtocol: "v1"}, header + "FOOBAR", " x\r\n", "plain", sniff.Unknown, "FOOBAR x\r\n"},
		{"plaintext/proxy-optional/http", Options{Mode: Plaintext, ProxyProtocol: "optional"}, "PROPF", "IND /dav HTTP/1.1\r\nHost: lab.test\r\n\r\n",
			"plain", sniff.HTTP1, "PROPFIND /dav HTTP/1.1\r\n"},
		{"auto/token", Options{Mode: Auto}, "FOOBAR", " x\r\n", "plain", sniff.Unknown, "FOOBAR x\r\n"},
		{"auto/proxy-v1/token", Options{Mode: Auto, ProxyProtocol: "v1"}, header + "FOOBAR", " x\r\n", "plain", sniff.Unknown, "FOOBAR x\r\n"},
		{"auto/proxy-optional/ssh", Options{Mode: Auto, ProxyProtocol: "optional"}, "S", "S" + sshRest, "plain", sniff.SSH, "SS" + sshRest},
		{"auto/proxy-unset/prefix", Options{Mode: Auto}, "PROX", "IMA x\r\n", "plain", sniff.Unknown, "PROXIMA x\r\n"},
		{"terminate/allow/ssh", Options{Mode: Terminate, NonSSL: NonSSLAllow}, "SS", sshRest, "non_ssl_allow", sniff.SSH, "SS" + sshRest},
		{"passthrough/allow/http", Options{Mode: Passthrough, NonSSL: NonSSLAllow}, "PROPF", "IND /dav HTTP/1.1\r\nHost: lab.test\r\n\r\n",
			"non_ssl_allow", sniff.HTTP1, "PROPFIND /dav HTTP/1.1\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan string, 1)
			backend := serveEach(t, nil, func(bc net.Conn) {
				_, _ = io.WriteString(bc, engineBanner)
				b, _ := io.ReadAll(bc)
				got <- string(b)
			})
			opts := tc.opts
			opts.Backend, opts.PlainBackend, opts.PeekTimeout = "127.0.0.1:1", backend, 10*time.Minute
			if opts.Mode == Plaintext {
				opts.Backend, opts.PlainBackend = backend, ""
			}
			h := startListener(t, opts, nil)
			saw := splitClient(tc.first, tc.rest)(t, h.addr, nil, func() {})
			if saw.err != nil || saw.body != engineBanner {
				t.Fatalf("client read %q, %v; want the banner: the first bytes were not relayed at once", saw.body, saw.err)
			}
			// A header the listener takes is its own, not the backend's.
			if b, want := <-got, strings.TrimPrefix(tc.first+tc.rest, header); b != want {
				t.Errorf("plain_backend read %q, want %q", b, want)
			}
			r := h.next()
			if r.o.Route != tc.route || r.o.PeekEnd != explain.PeerSpoke || r.o.Kind != tc.kind ||
				len(r.o.FirstBytes) < len(tc.firstBytes) || string(r.o.FirstBytes[:len(tc.firstBytes)]) != tc.firstBytes {
				t.Errorf("route %q peek end %v kind %s first %q; want %q on the bytes, %s, first %q",
					r.o.Route, r.o.PeekEnd, r.o.Kind, r.o.FirstBytes, tc.route, tc.kind, tc.firstBytes)
			}
			if tc.kind == sniff.HTTP1 && (r.o.HTTP == nil || r.o.HTTP.Method != "PROPFIND" || r.o.HTTP.Host != "lab.test") {
				t.Errorf("request %+v, want PROPFIND with Host lab.test, named from the relayed bytes", r.o.HTTP)
			}
		})
	}
}

// TestPlainAtOnceKeepsHeaderWait: on a plaintext or auto listener that
// takes PROXY headers, the start of one is never relayed as plaintext; a
// header begun and never finished is still its own diagnosis at the peek
// deadline.
func TestPlainAtOnceKeepsHeaderWait(t *testing.T) {
	for _, tc := range []struct {
		mode   Mode
		policy string
	}{{Auto, "v1"}, {Auto, "optional"}, {Plaintext, "v1"}, {Plaintext, "optional"}} {
		t.Run(string(tc.mode)+"/"+tc.policy, func(t *testing.T) {
			t.Parallel() // each waits out the deadline, its input (stallPeek)
			h := startListener(t, Options{Mode: tc.mode, Backend: "127.0.0.1:1", PlainBackend: "127.0.0.1:1",
				ProxyProtocol: tc.policy, PeekTimeout: stallPeek}, nil)
			c := dialGuarded(t, h.addr)
			if _, err := io.WriteString(c, "PROX"); err != nil {
				t.Fatal(err)
			}
			_, _ = io.ReadAll(c)
			if r := h.next(); r.o.Route != "proxy_malformed" || r.o.PeekEnd != explain.PeerPartial || r.o.Backend.Attempted {
				t.Errorf("route %q peek end %v backend attempted %v; want proxy_malformed at the deadline, nothing relayed",
					r.o.Route, r.o.PeekEnd, r.o.Backend.Attempted)
			}
		})
	}
}

// TestPlainSettled: the rule itself, per mode and PROXY policy.
func TestPlainSettled(t *testing.T) {
	cases := []struct {
		mode  Mode
		proxy string
		b     string
		want  bool
	}{
		{Auto, "", "FOOBAR", true},
		{Auto, "", "S", true},
		{Auto, "", "PRI * HTTP/2.0\r\n", true},
		{Auto, "", "GE", true},
		{Auto, "", "PROX", true}, // no header taken: plaintext like any other
		{Auto, "v1", "PROX", false},
		{Auto, "optional", "\r\n\r\n", false},
		{Auto, "v2", "FOOBAR", true},
		{Auto, "", "\x16\x03", false}, // may still be a ClientHello
		{Auto, "", "\x80", false},     // may still be an SSLv2 hello
		{Auto, "", "", false},         // silence waits for the deadline
		{Plaintext, "", "FOOBAR", true},
		{Plaintext, "", "GE", true},
		{Plaintext, "", "S", true},
		{Plaintext, "v1", "PROX", false},
		{Plaintext, "", "\x16\x03", false}, // a ClientHello is explained and reset
		{Plaintext, "", "\x80", false},
		{Plaintext, "", "", false},
		{Terminate, "", "FOOBAR", false},   // nonSSLSettled's to say
		{Passthrough, "", "FOOBAR", false}, // nonSSLSettled's to say
		{Inspect, "", "FOOBAR", false},     // nonSSLSettled's to say
	}
	for _, tc := range cases {
		s := &Server{opts: Options{Mode: tc.mode, ProxyProtocol: tc.proxy}}
		if got := s.plainSettled([]byte(tc.b)); got != tc.want {
			t.Errorf("%s proxy=%q %q: settled %v, want %v", tc.mode, tc.proxy, tc.b, got, tc.want)
		}
		if _, err := sniff.Classify([]byte(tc.b)); tc.want && !errors.Is(err, sniff.ErrNeedMore) {
			t.Errorf("%q: sniff decides it already (%v), so the case tests nothing", tc.b, err)
		}
	}
}

// FuzzPlainSettled: whatever the first bytes, a plaintext or auto listener
// never relays as plaintext what could still be TLS or, when it takes
// PROXY headers, the start of one; other modes never settle here; and
// naming the bytes later never panics.
func FuzzPlainSettled(f *testing.F) {
	for _, seed := range []string{"FOOBAR", "S", "SSH-2.0-x\r\n", "PRI * HTTP/2.0\r\n", "GET /", "PROX", "\r\n\r\n\x00", "\x16\x03", "\x80\x25\x01", "hello"} {
		f.Add([]byte(seed))
	}
	servers := []*Server{
		{opts: Options{Mode: Auto}},
		{opts: Options{Mode: Auto, ProxyProtocol: "optional"}},
		{opts: Options{Mode: Auto, ProxyProtocol: "v2"}},
		{opts: Options{Mode: Plaintext}},
		{opts: Options{Mode: Plaintext, ProxyProtocol: "v1"}},
		{opts: Options{Mode: Passthrough, NonSSL: NonSSLAllow}},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range servers {
			if !s.plainSettled(b) {
				continue
			}
			if s.opts.Mode != Auto && s.opts.Mode != Plaintext {
				t.Fatalf("%s: settled %q, but only plaintext and auto relay plaintext at once here", s.opts.Mode, b)
			}
			if sniff.CouldBeTLS(b) {
				t.Fatalf("settled on %q, which may still be TLS", b)
			}
			if v1, v2 := sniff.ProxyPrefix(b); s.opts.ProxyProtocol != "" && (v1 || v2) {
				t.Fatalf("proxy %s: settled on %q, which may still be a PROXY header", s.opts.ProxyProtocol, b)
			}
		}
		n := &namingConn{seen: b, limit: DefaultPeekMax}
		o := &explain.Outcome{}
		n.name(o)
		if k, err := sniff.Classify(b); err == nil && o.Kind != k {
			t.Fatalf("%q named %s, sniff says %s", b, o.Kind, k)
		}
		_ = plainNamed(b)
	})
}
