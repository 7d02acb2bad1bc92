package listener

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/pki"
	"github.com/tlsgate/tlsgate/sniff"
)

// engineRequest is the plain HTTP request every scenario's client sends.
const engineRequest = "GET /engines HTTP/1.1\r\nHost: lab.test\r\n\r\n"

// engineBanner is what the server-first backend says before the client does.
const engineBanner = "220 lab.test ESMTP tlsgate-test\r\n"

// engineBackends are the servers behind the scenarios, shared by both
// engines' runs so that backend addresses in the outcomes compare equal.
type engineBackends struct {
	http, tls, banner, closed string
	roots                     *x509.CertPool // trusts the TLS backend
}

func (b *engineBackends) addr(name string) string {
	return map[string]string{"http": b.http, "tls": b.tls, "banner": b.banner, "closed": b.closed}[name]
}

// tlsBackendBody is what the TLS backend answers, naming what it negotiated
// so the client proves the bytes crossed tlsgate untouched.
func tlsBackendBody(sni, alpn string) string {
	return "tls backend saw sni=" + sni + " alpn=" + alpn + " GET /engines"
}

// tlsHTTPBackend serves one HTTP exchange per TLS connection and closes.
// Its key is Ed25519: the signature has a fixed length, so every handshake
// (and so every byte count) is the same size.
func tlsHTTPBackend(t *testing.T) (string, *x509.CertPool) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lab.test"},
		DNSNames: []string{"lab.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		NextProtos:   []string{"h2", "http/1.1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := c.(*tls.Conn)
				_ = tc.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
				br := bufio.NewReader(tc)
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					if line == "\r\n" {
						break
					}
				}
				st := tc.ConnectionState()
				body := tlsBackendBody(st.ServerName, st.NegotiatedProtocol)
				fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
			}()
		}
	}()
	return ln.Addr().String(), roots
}

// bannerBackend speaks first, like SMTP or SSH, then drains the client.
func bannerBackend(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.WriteString(c, engineBanner)
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// closedAddr is a loopback port nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// clientSaw is what a scenario's client observed.
type clientSaw struct {
	body string // every byte read (decrypted for TLS clients)
	alpn string // negotiated with the TLS backend
	err  error
}

// engineClient drives one connection to addr. hold runs once the client
// has everything it expects and before it closes, so the runner can see
// who owns the connection while it is still open.
type engineClient func(t *testing.T, addr string, b *engineBackends, hold func()) clientSaw

func dialGuarded(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard, not an assertion
	return c.(*net.TCPConn)
}

// plainHTTPClient sends engineRequest and reads until the relay ends.
func plainHTTPClient(t *testing.T, addr string, _ *engineBackends, hold func()) clientSaw {
	c := dialGuarded(t, addr)
	if _, err := io.WriteString(c, engineRequest); err != nil {
		return clientSaw{err: err}
	}
	got, err := io.ReadAll(c)
	if err == nil {
		hold()
	}
	_ = c.Close() // the relay, and so its outcome, ends with the client
	return clientSaw{body: string(got), err: err}
}

// splitWrite sends the first write in two TCP segments with a pause
// between, so the ClientHello arrives in two pieces.
type splitWrite struct {
	*net.TCPConn
	at   int
	done bool
}

func (s *splitWrite) Write(b []byte) (int, error) {
	if s.done || len(b) <= s.at {
		return s.TCPConn.Write(b)
	}
	s.done = true
	n, err := s.TCPConn.Write(b[:s.at])
	if err != nil {
		return n, err
	}
	time.Sleep(50 * time.Millisecond) // let the first half be peeked alone
	m, err := s.TCPConn.Write(b[s.at:])
	return n + m, err
}

// tlsClient handshakes with SNI lab.test and ALPN http/1.1, verifying the
// TLS backend, then makes one request. split > 0 splits the ClientHello
// after that many bytes. It closes the TCP socket without close_notify so
// the bytes each way are the same on every run.
func tlsClient(split int) engineClient {
	return func(t *testing.T, addr string, b *engineBackends, hold func()) clientSaw {
		raw := dialGuarded(t, addr)
		var conn net.Conn = raw
		if split > 0 {
			conn = &splitWrite{TCPConn: raw, at: split}
		}
		tc := tls.Client(conn, &tls.Config{ServerName: "lab.test", NextProtos: []string{"http/1.1"}, RootCAs: b.roots})
		if err := tc.Handshake(); err != nil {
			return clientSaw{err: err}
		}
		if _, err := io.WriteString(tc, engineRequest); err != nil {
			return clientSaw{err: err}
		}
		got, err := io.ReadAll(tc)
		if err == nil {
			hold()
		}
		_ = raw.Close()
		return clientSaw{body: string(got), alpn: tc.ConnectionState().NegotiatedProtocol, err: err}
	}
}

// silentClient says nothing until the backend's banner arrives, then quits.
func silentClient(t *testing.T, addr string, _ *engineBackends, hold func()) clientSaw {
	c := dialGuarded(t, addr)
	banner := make([]byte, len(engineBanner))
	if _, err := io.ReadFull(c, banner); err != nil {
		return clientSaw{body: string(banner), err: err}
	}
	hold()
	if _, err := io.WriteString(c, "QUIT\r\n"); err != nil {
		return clientSaw{err: err}
	}
	_ = c.CloseWrite()
	rest, err := io.ReadAll(c)
	_ = c.Close()
	return clientSaw{body: string(banner) + string(rest), err: err}
}

// engineWant is what a scenario must log and what its client must see,
// whichever engine serves it.
type engineWant struct {
	route      string
	kind       sniff.Kind
	peekEnd    explain.PeerEnd
	code       string
	sni        string   // "" = no ClientHello expected
	alpn       []string // offered in the ClientHello
	httpHost   string   // "" = no HTTP request expected
	backend    string   // engineBackends name, "" = none attempted
	refused    bool
	firstBytes string // FirstBytes must start with this; "" = empty
	up, down   int64  // exact byte counts; -1 = TLS-sized, checked loosely
	bigip      []string
	body       string // client must read exactly this ("" with reset)
	reset      bool   // client must see a TCP reset
	negotiated string // ALPN the client must end up with
	// epollServes is who owns the connection at the client's hold point
	// under the epoll engine: "loop", "goroutine", or "" (no hold point).
	epollServes string
	// epollDiverges marks a known difference of the epoll engine (see the
	// scenario): its run must still satisfy the client, its differing
	// fields are logged, and the test fails once they agree, so the mark
	// is removed with the fix.
	epollDiverges string
}

type engineScenario struct {
	name   string
	opts   func(b *engineBackends) Options
	client engineClient
	want   engineWant
}

func engineScenarios() []engineScenario {
	plain := func(backend func(b *engineBackends) string) func(b *engineBackends) Options {
		return func(b *engineBackends) Options { return Options{Mode: Plaintext, Backend: backend(b)} }
	}
	passthrough := func(b *engineBackends) Options { return Options{Mode: Passthrough, Backend: b.tls} }
	auto := func(b *engineBackends) Options { return Options{Mode: Auto, Backend: b.tls, PlainBackend: b.http} }
	quickPassthrough := func(b *engineBackends) Options {
		return Options{Mode: Passthrough, Backend: b.tls, PeekTimeout: 300 * time.Millisecond}
	}
	httpFirst := "GET /engines HTTP/1.1"
	tlsFirst := "\x16\x03\x01"
	tlsOK := engineWant{route: "passthrough", kind: sniff.TLSHandshake, code: explain.CodeOK, sni: "lab.test",
		alpn: []string{"http/1.1"}, backend: "tls", firstBytes: tlsFirst, up: -1, down: -1,
		body: fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			len(tlsBackendBody("lab.test", "http/1.1")), tlsBackendBody("lab.test", "http/1.1")),
		negotiated: "http/1.1", epollServes: "loop"}
	return []engineScenario{
		{name: "plaintext/http", opts: plain(func(b *engineBackends) string { return b.http }), client: plainHTTPClient,
			want: engineWant{route: "plain", kind: sniff.HTTP1, code: explain.CodeOK, httpHost: "lab.test", backend: "http",
				firstBytes: httpFirst, up: int64(len(engineRequest)), down: int64(len(benchResponse)), body: benchResponse,
				epollServes: "loop"}},
		{name: "plaintext/tls", opts: plain(func(b *engineBackends) string { return b.http }), client: tlsClient(0),
			want: engineWant{route: "tls_on_plain_reset", kind: sniff.TLSHandshake, code: explain.CodeTLSOnPlaintext,
				sni: "lab.test", alpn: []string{"http/1.1"}, firstBytes: tlsFirst, reset: true}},
		{name: "passthrough/tls", opts: passthrough, client: tlsClient(0), want: tlsOK},
		{name: "passthrough/http", opts: passthrough, client: plainHTTPClient,
			want: engineWant{route: "non_ssl_reset", kind: sniff.HTTP1, code: explain.CodePlaintextOnTLS, httpHost: "lab.test",
				firstBytes: httpFirst, bigip: []string{explain.IDConnectionError, explain.IDHandshakeFailed}, reset: true}},
		{name: "auto/tls", opts: auto, client: tlsClient(0), want: tlsOK},
		{name: "auto/http", opts: auto, client: plainHTTPClient,
			want: engineWant{route: "plain", kind: sniff.HTTP1, code: explain.CodeOK, httpHost: "lab.test", backend: "http",
				firstBytes: httpFirst, up: int64(len(engineRequest)), down: int64(len(benchResponse)), body: benchResponse,
				epollServes: "loop"}},
		{name: "plaintext/backend-refused", opts: plain(func(b *engineBackends) string { return b.closed }), client: plainHTTPClient,
			want: engineWant{route: "plain", kind: sniff.HTTP1, code: explain.CodeBackendRefused, httpHost: "lab.test",
				backend: "closed", refused: true, firstBytes: httpFirst, reset: true}},
		{name: "passthrough/split-hello", opts: passthrough, client: tlsClient(50), want: tlsOK},
		{name: "plaintext/silent", client: silentClient,
			opts: func(b *engineBackends) Options {
				return Options{Mode: Plaintext, Backend: b.banner, PeekTimeout: 300 * time.Millisecond}
			},
			want: engineWant{route: "plain", kind: sniff.Empty, peekEnd: explain.PeerSilent, code: explain.CodeOK,
				backend: "banner", up: int64(len("QUIT\r\n")), down: int64(len(engineBanner)), body: engineBanner,
				epollServes: "goroutine"}},
		{name: "passthrough/silent", client: earlyClient("", false), opts: quickPassthrough,
			want: engineWant{route: "closed", kind: sniff.Empty, peekEnd: explain.PeerSilent, code: explain.CodeClientSilent,
				bigip: []string{explain.IDHandshakeFailed}, reset: true}},
		{name: "passthrough/closed-early", client: earlyClient("GET", true), opts: quickPassthrough,
			// Undecided bytes count as "not SSL" even when the client left.
			want: engineWant{route: "closed", kind: sniff.Unknown, peekEnd: explain.PeerClosed, code: explain.CodePlaintextOnTLS,
				firstBytes: "GET", bigip: []string{explain.IDConnectionError, explain.IDHandshakeFailed}, reset: true}},
		// A client that sends an undecided beginning and then waits: the
		// epoll engine hands it off only at the peek deadline, and the
		// goroutine path must still read the queued bytes into the
		// outcome (a read under an expired deadline would not).
		{name: "plaintext/partial-then-quiet", client: partialClient("GET /engines HTTP/1.1\r\n"),
			opts: func(b *engineBackends) Options {
				return Options{Mode: Plaintext, Backend: b.banner, PeekTimeout: 300 * time.Millisecond}
			},
			want: engineWant{route: "plain", kind: sniff.HTTP1, code: explain.CodeOK, backend: "banner",
				firstBytes: "GET /engines HTTP/1.1\r\n", up: int64(len(engineRequest)), down: int64(len(engineBanner)),
				body: engineBanner, epollServes: "goroutine"}},
		// The same on a TLS listener decides the diagnosis and the route.
		{name: "passthrough/partial-then-quiet", client: partialClient("GET"), opts: quickPassthrough,
			want: engineWant{route: "non_ssl_reset", kind: sniff.Unknown, peekEnd: explain.PeerPartial,
				code: explain.CodePlaintextOnTLS, firstBytes: "GET",
				bigip: []string{explain.IDConnectionError, explain.IDHandshakeFailed}, reset: true}},
	}
}

// TestEnginesAgree runs each scenario once per engine on real sockets and
// checks both against the scenario's expectations and against each other.
func TestEnginesAgree(t *testing.T) {
	needEpoll(t)
	b := &engineBackends{http: benchBackend(t), banner: bannerBackend(t), closed: closedAddr(t)}
	b.tls, b.roots = tlsHTTPBackend(t)
	for _, sc := range engineScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			var facts [2][]engineFact
			for i, eng := range []Engine{EngineGoroutines, EngineEpoll} {
				opts := sc.opts(b)
				opts.Name, opts.Engine = "engines", eng
				h := startListener(t, opts, nil)
				served := ""
				saw := sc.client(t, h.addr, b, func() { served = servedBy(h.srv) })
				checkClient(t, eng, sc.want, saw)
				r := h.next()
				if eng == EngineGoroutines || sc.want.epollDiverges == "" {
					checkWant(t, eng, sc.want, b, r)
				}
				wantServed := "goroutine"
				if eng == EngineEpoll {
					wantServed = sc.want.epollServes
				}
				if sc.want.epollServes != "" && served != wantServed {
					t.Errorf("%s: connection served by %s, want %s", eng, served, wantServed)
				}
				facts[i] = engineFacts(r)
			}
			differ := false
			for i, g := range facts[0] {
				e := facts[1][i]
				switch {
				case g.value == e.value:
				case sc.want.epollDiverges != "":
					differ = true
					t.Logf("known epoll divergence (%s): %s: goroutines %q, epoll %q", sc.want.epollDiverges, g.name, g.value, e.value)
				default:
					t.Errorf("%s differs: goroutines %q, epoll %q", g.name, g.value, e.value)
				}
			}
			if sc.want.epollDiverges != "" && !differ {
				t.Errorf("the engines now agree: drop the known divergence %q", sc.want.epollDiverges)
			}
		})
	}
}

func needEpoll(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the epoll engine runs on Linux only")
	}
}

// servedBy names who owns the server's one open connection: the engine's
// event loop, or a goroutine (worker or hand-off).
func servedBy(s *Server) string {
	s.mu.Lock()
	eng, goroutines := s.eng, len(s.conns)
	s.mu.Unlock()
	var loops int64
	if eng != nil {
		loops = eng.Live()
	}
	switch {
	case loops == 1 && goroutines == 0:
		return "loop"
	case loops == 0 && goroutines == 1:
		return "goroutine"
	}
	return fmt.Sprintf("nobody clear (%d on loops, %d on goroutines)", loops, goroutines)
}

func checkClient(t *testing.T, eng Engine, w engineWant, saw clientSaw) {
	t.Helper()
	if w.reset {
		if !errors.Is(saw.err, syscall.ECONNRESET) {
			t.Errorf("%s: client error %v, want a connection reset", eng, saw.err)
		}
		return
	}
	if saw.err != nil {
		t.Errorf("%s: client: %v", eng, saw.err)
	}
	if saw.body != w.body {
		t.Errorf("%s: client read %q, want %q", eng, saw.body, w.body)
	}
	if saw.alpn != w.negotiated {
		t.Errorf("%s: client negotiated ALPN %q, want %q", eng, saw.alpn, w.negotiated)
	}
}

func checkWant(t *testing.T, eng Engine, w engineWant, b *engineBackends, r result) {
	t.Helper()
	o, d := r.o, r.d
	if o.Route != w.route || o.Kind != w.kind || o.PeekEnd != w.peekEnd || d.Code != w.code {
		t.Errorf("%s: route %q kind %s peek end %d code %s (%s); want %q %s %d %s",
			eng, o.Route, o.Kind, o.PeekEnd, d.Code, d.Summary, w.route, w.kind, w.peekEnd, w.code)
	}
	switch {
	case w.sni == "" && o.Hello != nil:
		t.Errorf("%s: unexpected ClientHello %+v", eng, o.Hello)
	case w.sni != "" && o.Hello == nil:
		t.Errorf("%s: no ClientHello logged (err %q)", eng, o.HelloErr)
	case w.sni != "":
		if o.Hello.ServerName != w.sni || fmt.Sprint(o.Hello.ALPN) != fmt.Sprint(w.alpn) ||
			len(o.Hello.SupportedVersions) == 0 || o.JA3 == "" || !strings.HasPrefix(o.JA4, "t13d") {
			t.Errorf("%s: hello sni %q alpn %q versions %x ja3 %q ja4 %q", eng, o.Hello.ServerName, o.Hello.ALPN,
				o.Hello.SupportedVersions, o.JA3, o.JA4)
		}
	}
	gotHost := ""
	if o.HTTP != nil {
		gotHost = o.HTTP.Host
		if o.HTTP.Method != "GET" || o.HTTP.Target != "/engines" || o.HTTP.Proto != "HTTP/1.1" {
			t.Errorf("%s: request line %+v", eng, o.HTTP)
		}
	}
	if gotHost != w.httpHost {
		t.Errorf("%s: HTTP host %q, want %q", eng, gotHost, w.httpHost)
	}
	if !strings.HasPrefix(string(o.FirstBytes), w.firstBytes) || (w.firstBytes == "") != (len(o.FirstBytes) == 0) {
		t.Errorf("%s: first bytes %q, want them to start %q", eng, o.FirstBytes, w.firstBytes)
	}
	if o.Backend.Addr != b.addr(w.backend) || o.Backend.Attempted != (w.backend != "") || o.Backend.Refused != w.refused {
		t.Errorf("%s: backend %+v, want addr %q refused %v", eng, o.Backend, b.addr(w.backend), w.refused)
	}
	if w.refused && !strings.Contains(o.Backend.DialErr, "connection refused") {
		t.Errorf("%s: dial error %q does not say refused", eng, o.Backend.DialErr)
	} else if !w.refused && o.Backend.DialErr != "" {
		t.Errorf("%s: dial error %q", eng, o.Backend.DialErr)
	}
	switch {
	case w.up >= 0:
		if o.BytesUp != w.up || o.BytesDown != w.down {
			t.Errorf("%s: bytes up %d down %d, want %d %d", eng, o.BytesUp, o.BytesDown, w.up, w.down)
		}
	case o.Hello == nil || o.BytesUp < int64(o.Hello.WireLen+len(engineRequest)) || o.BytesDown < int64(len(w.body)):
		// A TLS relay carries at least the hello and the request up, and
		// more than the plaintext response down.
		t.Errorf("%s: bytes up %d down %d, too few for the TLS exchange", eng, o.BytesUp, o.BytesDown)
	}
	var ids []string
	for _, l := range d.BigIP {
		ids = append(ids, l.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint(w.bigip) {
		t.Errorf("%s: BIG-IP lines %+v, want IDs %v", eng, d.BigIP, w.bigip)
	}
}

// engineFact is one logged field that must not depend on the engine.
type engineFact struct{ name, value string }

// engineFacts lists the fields both engines must log alike. Addresses that
// differ by run (client port, listener port, tlsgate's backend-side port)
// are replaced by their role in the texts that embed them.
func engineFacts(r result) []engineFact {
	o, d := r.o, r.d
	tookRE := regexp.MustCompile(` in [0-9.]+(ns|µs|ms|s)$`) // the duration ends the summary
	var sni, versions, alpn, method, target, proto, host string
	if o.Hello != nil {
		sni, versions, alpn = o.Hello.ServerName, fmt.Sprintf("%x", o.Hello.SupportedVersions), fmt.Sprintf("%q", o.Hello.ALPN)
	}
	if o.HTTP != nil {
		method, target, proto, host = o.HTTP.Method, o.HTTP.Target, o.HTTP.Proto, o.HTTP.Host
	}
	var lines []string
	for _, l := range d.BigIP {
		lines = append(lines, fmt.Sprintf("%s/%d %s", l.ID, l.Sev, roleAddrs(o, l.Text)))
	}
	f := []engineFact{
		{"Route", o.Route}, {"Kind", o.Kind.String()}, {"PeekEnd", fmt.Sprint(o.PeekEnd)},
		{"Hello.ServerName", sni}, {"Hello.SupportedVersions", versions}, {"Hello.ALPN", alpn}, {"HelloErr", o.HelloErr},
		{"JA3", o.JA3}, {"JA4", o.JA4},
		{"HTTP.Method", method}, {"HTTP.Target", target}, {"HTTP.Proto", proto}, {"HTTP.Host", host},
		{"FirstBytes", string(stableFirstBytes(o))},
		{"BytesUp", fmt.Sprint(o.BytesUp)}, {"BytesDown", fmt.Sprint(o.BytesDown)},
		{"Backend.Addr", o.Backend.Addr}, {"Backend.Attempted", fmt.Sprint(o.Backend.Attempted)},
		{"Backend.Refused", fmt.Sprint(o.Backend.Refused)}, {"Backend.TimedOut", fmt.Sprint(o.Backend.TimedOut)},
		{"Backend.DialErr", o.Backend.DialErr},
		{"Diagnosis.Code", d.Code}, {"Diagnosis.OK", fmt.Sprint(d.OK)},
		{"Diagnosis.Summary", tookRE.ReplaceAllString(roleAddrs(o, d.Summary), "")}, {"Diagnosis.BigIP", fmt.Sprintf("%q", lines)},
	}
	return f
}

// stableFirstBytes masks what a TLS client draws afresh for every
// connection (the hello's random and legacy session ID), so the first
// bytes of two runs compare.
func stableFirstBytes(o *explain.Outcome) []byte {
	b := append([]byte(nil), o.FirstBytes...)
	if o.Kind != sniff.TLSHandshake {
		return b
	}
	// record header 5, handshake header 4, legacy_version 2, then random
	// 32, session ID length 1 and the session ID.
	for i := 11; i < len(b); i++ {
		if i != 43 {
			b[i] = '*'
		}
	}
	return b
}

// roleAddrs replaces the run-specific endpoints of o in s (written ip:port
// or ip.port, as BIG-IP lines do) with their role.
func roleAddrs(o *explain.Outcome, s string) string {
	roles := map[string]string{}
	for ap, role := range map[netip.AddrPort]string{o.Client: "<client>", o.Virtual: "<virtual>", o.Backend.Local: "<tlsgate-side>"} {
		if ap.IsValid() {
			roles[ap.String()] = role
			roles[ap.Addr().String()+"."+fmt.Sprint(ap.Port())] = role
		}
	}
	re := regexp.MustCompile(`\d+\.\d+\.\d+\.\d+[:.]\d+`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		if role, ok := roles[m]; ok {
			return role
		}
		return m
	})
}

// TestEngineEpollRefusesWhatItCannotServe: engine = "epoll" must fail
// loudly where the event loops cannot serve a listener, naming it and the
// reason, while engine = "auto" with the same setup serves on goroutines.
func TestEngineEpollRefusesWhatItCannotServe(t *testing.T) {
	needEpoll(t)
	backend := benchBackend(t)
	var dials atomic.Int32
	countingDial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	cases := []struct {
		name   string
		opts   Options
		dial   func(ctx context.Context, network, addr string) (net.Conn, error)
		wrap   bool   // serve a net.Listener that is not a *net.TCPListener
		why    string // in Serve's error
		client func(t *testing.T, addr string) string
		check  func(t *testing.T, r result)
	}{
		{name: "terminate", opts: Options{Mode: Terminate, Backend: backend, ClientSSL: &ClientSSL{}},
			why: `mode = "terminate" decrypts every connection`, client: terminatedHTTPClient,
			check: func(t *testing.T, r result) {
				if r.o.Route != "terminate" || !r.o.ClientTLS.Done || r.o.ClientTLS.ServerName != "lab.test" {
					t.Errorf("route %q client leg %+v", r.o.Route, r.o.ClientTLS)
				}
			}},
		{name: "proxy_protocol v1", opts: Options{Mode: Plaintext, Backend: backend, ProxyProtocol: "v1"},
			why: "proxy_protocol needs the PROXY header parsed", client: proxiedHTTPClient,
			check: func(t *testing.T, r result) {
				if r.o.Route != "plain" || r.o.Proxy.Version != 1 || r.o.Client != netip.MustParseAddrPort("192.0.2.10:40000") {
					t.Errorf("route %q proxy %+v client %s", r.o.Route, r.o.Proxy, r.o.Client)
				}
			}},
		{name: "injected dialer", opts: Options{Mode: Plaintext, Backend: backend}, dial: countingDial,
			why: "backends are dialled through an injected dialer", client: rawHTTPClient,
			check: func(t *testing.T, r result) {
				if n := dials.Load(); n != 1 {
					t.Errorf("injected dialer used %d times, want 1", n)
				}
			}},
		{name: "not a TCP listener", opts: Options{Mode: Plaintext, Backend: backend}, wrap: true,
			why: "the listener is a listener.wrappedListener, not a TCP socket", client: rawHTTPClient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Name, opts.Engine = "refuser", EngineEpoll
			srv, err := New(opts, engineDeps(t, tc.dial, nil))
			if err != nil {
				t.Fatal(err)
			}
			ln := engineListen(t, tc.wrap)
			err = srv.Serve(ln) // returns at once: nothing to serve with
			if err == nil || !strings.Contains(err.Error(), "listener refuser") || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("Serve = %v, want an error naming listener refuser and %q", err, tc.why)
			}
			_ = srv.Shutdown(context.Background())

			opts.Engine = EngineAuto
			out := make(chan result, 1)
			srv, err = New(opts, engineDeps(t, tc.dial, func(o *explain.Outcome, d *explain.Diagnosis) { out <- result{o, d} }))
			if err != nil {
				t.Fatal(err)
			}
			ln = engineListen(t, tc.wrap)
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			if got := tc.client(t, ln.Addr().String()); got != benchResponse {
				t.Errorf("client read %q, want %q", got, benchResponse)
			}
			var r result
			select {
			case r = <-out:
			case <-time.After(30 * time.Second): // hang guard only
				t.Fatal("no outcome reported")
			}
			if r.d.Code != explain.CodeOK {
				t.Errorf("code %s (%s)", r.d.Code, r.d.Summary)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			srv.mu.Lock()
			eng := srv.eng
			srv.mu.Unlock()
			if eng != nil {
				t.Error("engine = auto ran the epoll engine on a listener it cannot serve")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Error(err)
			}
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
}

// wrappedListener hides the *net.TCPListener underneath.
type wrappedListener struct{ net.Listener }

func engineListen(t *testing.T, wrap bool) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	if wrap {
		return wrappedListener{ln}
	}
	return ln
}

func engineDeps(t *testing.T, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	onOutcome func(*explain.Outcome, *explain.Diagnosis)) Deps {
	t.Helper()
	ca, err := pki.New(time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Deps{Logger: zap.NewNop(), Minter: pki.NewMinter(ca, time.Now, rand.Reader), Dial: dial, OnOutcome: onOutcome}
}

// rawHTTPClient sends engineRequest in the clear and returns the response.
func rawHTTPClient(t *testing.T, addr string) string {
	c := dialGuarded(t, addr)
	_, _ = io.WriteString(c, engineRequest)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("client: %v", err)
	}
	_ = c.Close()
	return string(got)
}

// proxiedHTTPClient is rawHTTPClient behind a PROXY v1 header.
func proxiedHTTPClient(t *testing.T, addr string) string {
	c := dialGuarded(t, addr)
	_, _ = io.WriteString(c, "PROXY TCP4 192.0.2.10 192.0.2.20 40000 80\r\n"+engineRequest)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("client: %v", err)
	}
	_ = c.Close()
	return string(got)
}

// terminatedHTTPClient makes the request over TLS that tlsgate terminates
// (with a leaf minted by the lab CA, which this client does not check).
func terminatedHTTPClient(t *testing.T, addr string) string {
	tc := tls.Client(dialGuarded(t, addr), &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})
	if _, err := io.WriteString(tc, engineRequest); err != nil {
		t.Errorf("client: %v", err)
		return ""
	}
	got, err := io.ReadAll(tc)
	if err != nil {
		t.Errorf("client: %v", err)
	}
	_ = tc.Close()
	return string(got)
}

// TestFastPathBlocker: every feature the event loops cannot serve is named
// by its config key; relay-only listeners to IP backends have no blocker.
func TestFastPathBlocker(t *testing.T) {
	ok := Options{Mode: Passthrough, Backend: "127.0.0.1:443"}
	with := func(f func(o *Options)) Options {
		o := ok
		f(&o)
		return o
	}
	cases := []struct {
		key  string // "" = no blocker
		opts Options
	}{
		{"", ok},
		{"", Options{Mode: Plaintext, Backend: "127.0.0.1:80"}},
		{"", Options{Mode: Auto, Backend: "[::1]:443", PlainBackend: "127.0.0.1:80", NonSSL: NonSSLAllow, MaxConnections: 10}},
		{"mode", with(func(o *Options) { o.Mode = Terminate })},
		{"mode", with(func(o *Options) { o.Mode = Inspect })},
		{"proxy_protocol", with(func(o *Options) { o.ProxyProtocol = "v1" })},
		{"proxy_protocol", with(func(o *Options) { o.ProxyProtocol = "optional" })},
		{"backend_proxy_protocol", with(func(o *Options) { o.BackendProxyProtocol = "v2" })},
		{"transparent", with(func(o *Options) { o.Transparent = TransparentRedirect })},
		{"capture", with(func(o *Options) { o.Capture = t.TempDir() })},
		{"server_ssl", with(func(o *Options) { o.ServerSSL = &ServerSSL{} })},
		{"backend", with(func(o *Options) { o.Backend = "backend.lab.test:443" })},
		{"plain_backend", with(func(o *Options) { o.Mode, o.PlainBackend = Auto, "localhost:80" })},
	}
	for _, tc := range cases {
		why := FastPathBlocker(tc.opts)
		switch {
		case tc.key == "" && why != "":
			t.Errorf("%+v: blocked (%q), want served by the event loops", tc.opts, why)
		case tc.key != "" && !strings.HasPrefix(why, tc.key+" "):
			t.Errorf("%+v: blocker %q does not name %s", tc.opts, why, tc.key)
		}
	}
}

// TestEpollEngineIsUsed guards the default: a plaintext listener with an
// IP backend must be served by the event loops, not by goroutines.
func TestEpollEngineIsUsed(t *testing.T) {
	needEpoll(t)
	backend := benchBackend(t)
	for _, tc := range []struct {
		engine Engine
		want   string // servedBy at the hold point
	}{
		{"", "loop"}, {EngineAuto, "loop"}, {EngineEpoll, "loop"}, {EngineGoroutines, "goroutine"},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, Engine: tc.engine}, nil)
			served := ""
			saw := plainHTTPClient(t, h.addr, nil, func() { served = servedBy(h.srv) })
			if saw.err != nil || saw.body != benchResponse {
				t.Fatalf("client read %q, %v", saw.body, saw.err)
			}
			r := h.next()
			if r.d.Code != explain.CodeOK || r.o.Route != "plain" {
				t.Fatalf("code %s route %q", r.d.Code, r.o.Route)
			}
			h.srv.mu.Lock()
			eng := h.srv.eng
			h.srv.mu.Unlock()
			workers := h.srv.workers.Load()
			if served != tc.want {
				t.Errorf("connection served by %s, want %s", served, tc.want)
			}
			if tc.want == "loop" && (eng == nil || workers != 0) {
				t.Errorf("engine %v, %d goroutine workers: the relay did not run on the event loops", eng, workers)
			}
			if tc.want == "goroutine" && (eng != nil || workers == 0) {
				t.Errorf("engine %v, %d goroutine workers: engine = goroutines ran the event loops", eng, workers)
			}
		})
	}
}

// earlyClient sends first (maybe nothing), optionally half-closes, and
// reads until tlsgate ends the connection.
func earlyClient(first string, closeWrite bool) engineClient {
	return func(t *testing.T, addr string, _ *engineBackends, _ func()) clientSaw {
		c := dialGuarded(t, addr)
		if _, err := io.WriteString(c, first); err != nil {
			return clientSaw{err: err}
		}
		if closeWrite {
			_ = c.CloseWrite()
		}
		got, err := io.ReadAll(c)
		_ = c.Close()
		return clientSaw{body: string(got), err: err}
	}
}

// partialClient sends first, an undecided beginning, then waits: for a
// banner from a server-first backend (the relay started after the peek
// deadline) and finishes the request, or for the reset of a TLS listener.
func partialClient(first string) engineClient {
	return func(t *testing.T, addr string, _ *engineBackends, hold func()) clientSaw {
		c := dialGuarded(t, addr)
		if _, err := io.WriteString(c, first); err != nil {
			return clientSaw{err: err}
		}
		banner := make([]byte, len(engineBanner))
		if n, err := io.ReadFull(c, banner); err != nil {
			return clientSaw{body: string(banner[:n]), err: err}
		}
		hold()
		if _, err := io.WriteString(c, strings.TrimPrefix(engineRequest, first)); err != nil {
			return clientSaw{err: err}
		}
		_ = c.CloseWrite()
		rest, err := io.ReadAll(c)
		_ = c.Close()
		return clientSaw{body: string(banner) + string(rest), err: err}
	}
}
