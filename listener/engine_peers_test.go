package listener

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/internal/heldport"
)

// engineRequest is the plain HTTP request every scenario's client sends.
const engineRequest = "GET /engines HTTP/1.1\r\nHost: lab.test\r\n\r\n"

// engineBanner is what the server-first backend says before the client does.
const engineBanner = "220 lab.test ESMTP tlsgate-test\r\n"

// engineBackends are the servers behind the scenarios, shared by both
// engines' runs so that backend addresses in the outcomes compare equal.
type engineBackends struct {
	http, tls, banner, closed, reset string
	roots                            *x509.CertPool // trusts the TLS backend
	// tls13 accepts only TLS 1.3 and h2: it refuses other hellos.
	tls13 string
	// hangup reads the first flight and closes without a byte, as a TLS
	// server with no certificate for the name asked does.
	hangup string
	// quiet reads whatever comes and never says a byte.
	quiet string
	// finAnswer answers only once it has read the client's FIN, and
	// answerClose answers the request and closes at once: which side
	// half-closes first is certain with each (the client, the backend).
	finAnswer, answerClose string
}

func (b *engineBackends) addr(name string) string {
	return map[string]string{"http": b.http, "tls": b.tls, "banner": b.banner, "closed": b.closed, "reset": b.reset,
		"tls13": b.tls13, "hangup": b.hangup, "quiet": b.quiet, "finAnswer": b.finAnswer, "answerClose": b.answerClose}[name]
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
	return tlsBackendWith(t, nil)
}

// tls13Backend is tlsHTTPBackend refusing what a strict server refuses:
// anything below TLS 1.3 (alert 70) and clients whose ALPN list lacks
// http/1.1 (alert 120; crypto/tls lets a client that offers http/1.1
// through without ALPN). It answers both in the clear, before its
// ServerHello.
func tls13Backend(t *testing.T) string {
	t.Helper()
	addr, _ := tlsBackendWith(t, func(c *tls.Config) {
		c.MinVersion, c.NextProtos = tls.VersionTLS13, []string{"http/1.1"}
	})
	return addr
}

// labTestLeaf is a self-signed ed25519 certificate for lab.test, valid
// around now: its DER, its key, and a pool that trusts it.
func labTestLeaf(t *testing.T) ([]byte, ed25519.PrivateKey, *x509.CertPool) {
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
	return der, key, roots
}

// tlsBackendWith is tlsHTTPBackend with its config adjusted by adjust.
func tlsBackendWith(t *testing.T, adjust func(*tls.Config)) (string, *x509.CertPool) {
	t.Helper()
	der, key, roots := labTestLeaf(t)
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		NextProtos:   []string{"h2", "http/1.1"},
	}
	if adjust != nil {
		adjust(cfg)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveEach(t, ln, func(c net.Conn) {
		tc := c.(*tls.Conn)
		_ = tc.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
		if !skipHeaders(bufio.NewReader(tc)) {
			return
		}
		st := tc.ConnectionState()
		body := tlsBackendBody(st.ServerName, st.NegotiatedProtocol)
		fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	})
	return addr, roots
}

// bannerBackend speaks first, like SMTP or SSH, then drains the client.
func bannerBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		_, _ = io.WriteString(c, engineBanner)
		_, _ = io.Copy(io.Discard, c)
	})
}

// quietBackend reads until the connection ends and never answers.
func quietBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// finAnswerBackend reads to the client's FIN, then sends engineBanner
// and closes: the client's FIN is always the first.
func finAnswerBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		_, _ = io.Copy(io.Discard, c)
		_, _ = io.WriteString(c, engineBanner)
	})
}

// answerCloseBackend reads a request to its empty line, sends
// engineBanner and closes with nothing unread (a FIN, not a reset): the
// backend's FIN is always the first for a client that waits for it.
func answerCloseBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil || line == "\r\n" {
				break
			}
		}
		_, _ = io.WriteString(c, engineBanner)
	})
}

// hangupBackend reads once and closes without answering.
func hangupBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
	})
}

// closedAddr is a loopback port nothing listens on: held bound without
// listen, so connecting is refused.
func closedAddr(t *testing.T) string {
	t.Helper()
	addr, _ := heldport.Refusing(t)
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
// who owns the connection while it is still open. sent runs once the
// client's first bytes (and a FIN or reset that goes with them) are on
// their way, or at once for a client that starts silent: the runner may
// hold the listener's accept until then (see startListenerHeld), so that
// no peek deadline starts before those bytes were sent. A client that
// needs an answer before it calls sent never gets one.
type engineClient func(t *testing.T, addr string, b *engineBackends, hold, sent func()) clientSaw

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
func plainHTTPClient(t *testing.T, addr string, _ *engineBackends, hold, sent func()) clientSaw {
	c := dialGuarded(t, addr)
	if _, err := io.WriteString(c, engineRequest); err != nil {
		return clientSaw{err: err}
	}
	sent()
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

// sentAfterWrite calls sent after its first Write: a TLS client's hello
// is on its way.
type sentAfterWrite struct {
	net.Conn
	sent func()
	once sync.Once
}

func (s *sentAfterWrite) Write(b []byte) (int, error) {
	n, err := s.Conn.Write(b)
	s.once.Do(s.sent)
	return n, err
}

// tlsClient handshakes with SNI lab.test and ALPN http/1.1, verifying the
// TLS backend, then makes one request. split > 0 splits the ClientHello
// after that many bytes. It closes the TCP socket without close_notify so
// the bytes each way are the same on every run.
func tlsClient(split int) engineClient {
	return func(t *testing.T, addr string, b *engineBackends, hold, sent func()) clientSaw {
		raw := dialGuarded(t, addr)
		var conn net.Conn = &sentAfterWrite{Conn: raw, sent: sent}
		if split > 0 {
			// The hello's halves must reach a peek that runs: no hold.
			sent()
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

// refusedTLSClient offers at most max and ALPN alpn to a backend that
// refuses it: the handshake must fail with the backend's alert, which
// tlsgate relays untouched.
func refusedTLSClient(max uint16, alpn string) engineClient {
	return func(t *testing.T, addr string, b *engineBackends, _, sent func()) clientSaw {
		raw := dialGuarded(t, addr)
		tc := tls.Client(&sentAfterWrite{Conn: raw, sent: sent}, &tls.Config{ServerName: "lab.test", NextProtos: []string{alpn}, RootCAs: b.roots,
			MaxVersion: max})
		err := tc.Handshake()
		_ = raw.Close()
		if err == nil {
			return clientSaw{alpn: tc.ConnectionState().NegotiatedProtocol}
		}
		return clientSaw{err: err}
	}
}

// untrustingTLSClient offers at most max to the TLS backend without
// trusting its certificate: the handshake must fail on the client's side,
// and its alert goes to the backend through tlsgate untouched.
func untrustingTLSClient(max uint16) engineClient {
	return func(t *testing.T, addr string, _ *engineBackends, _, sent func()) clientSaw {
		raw := dialGuarded(t, addr)
		tc := tls.Client(&sentAfterWrite{Conn: raw, sent: sent}, &tls.Config{ServerName: "lab.test", NextProtos: []string{"http/1.1"}, MaxVersion: max,
			RootCAs: x509.NewCertPool()})
		err := tc.Handshake()
		_ = raw.Close()
		if err == nil {
			return clientSaw{alpn: tc.ConnectionState().NegotiatedProtocol}
		}
		return clientSaw{err: err}
	}
}

// silentClient says nothing until the backend's banner arrives, then quits.
func silentClient(t *testing.T, addr string, _ *engineBackends, hold, sent func()) clientSaw {
	c := dialGuarded(t, addr)
	sent()
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

// earlyClient sends first (possibly nothing), half-closes when asked,
// and reads whatever comes back until the end.
func earlyClient(first string, closeWrite bool) engineClient {
	return func(t *testing.T, addr string, _ *engineBackends, _, sent func()) clientSaw {
		c := dialGuarded(t, addr)
		if _, err := io.WriteString(c, first); err != nil {
			return clientSaw{err: err}
		}
		if closeWrite {
			_ = c.CloseWrite()
		}
		sent()
		got, err := io.ReadAll(c)
		_ = c.Close()
		return clientSaw{body: string(got), err: err}
	}
}

// afterBanner sends first to a backend that answers with its banner and
// then waits, reads the banner, and then does last with the still open
// connection; what last reads follows the banner in the client's body.
func afterBanner(first string, last func(c *net.TCPConn) (string, error)) engineClient {
	return func(t *testing.T, addr string, _ *engineBackends, hold, sent func()) clientSaw {
		c := dialGuarded(t, addr)
		if _, err := io.WriteString(c, first); err != nil {
			return clientSaw{err: err}
		}
		sent()
		banner := make([]byte, len(engineBanner))
		if n, err := io.ReadFull(c, banner); err != nil {
			return clientSaw{body: string(banner[:n]), err: err}
		}
		hold()
		rest, err := last(c)
		return clientSaw{body: string(banner) + rest, err: err}
	}
}

// midResetClient resets the connection after the banner.
var midResetClient = afterBanner(engineRequest, func(c *net.TCPConn) (string, error) {
	_ = c.SetLinger(0)
	return "", c.Close()
})

// resetBackend answers a request with part of a response, then resets.
func resetBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		skipHeaders(bufio.NewReader(c))
		_, _ = io.WriteString(c, engineBanner)
		_ = c.(*net.TCPConn).SetLinger(0)
	})
}

// resetClient sends first (possibly nothing) and resets the connection,
// as a TCP half-open health monitor or a port scanner does.
func resetClient(first string) engineClient {
	return func(t *testing.T, addr string, _ *engineBackends, _, sent func()) clientSaw {
		c := dialGuarded(t, addr)
		// The reset reaches a listener that already accepted, as before
		// there was a hold: a reset in the accept queue is another path.
		sent()
		if _, err := io.WriteString(c, first); err != nil {
			return clientSaw{err: err}
		}
		_ = c.SetLinger(0)
		return clientSaw{err: c.Close()}
	}
}

// partialClient sends first, an undecided beginning, then waits: for a
// banner from a server-first backend (the relay started after the peek
// deadline) and finishes the request, or for the reset of a TLS listener.
func partialClient(first string) engineClient {
	return afterBanner(first, func(c *net.TCPConn) (string, error) {
		if _, err := io.WriteString(c, strings.TrimPrefix(engineRequest, first)); err != nil {
			return "", err
		}
		_ = c.CloseWrite()
		rest, err := io.ReadAll(c)
		_ = c.Close()
		return string(rest), err
	})
}

// splitClient sends first, bytes that do not name their protocol yet, and
// waits for a server-first backend's banner before it sends rest and
// half-closes: the banner can only come once tlsgate has relayed first.
func splitClient(first, rest string) engineClient {
	return afterBanner(first, func(c *net.TCPConn) (string, error) {
		if _, err := io.WriteString(c, rest); err != nil {
			return "", err
		}
		_ = c.CloseWrite()
		got, err := io.ReadAll(c)
		_ = c.Close()
		return string(got), err
	})
}
