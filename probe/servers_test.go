package probe

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// server is a loopback listener whose connections a handler serves; the
// test's cleanup closes everything and waits for the handlers.
type server struct {
	ln    net.Listener
	done  chan struct{}
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// startServer listens on 127.0.0.1 and runs handle for every connection.
func startServer(t *testing.T, handle func(c net.Conn, done <-chan struct{})) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln, done: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				handle(c, s.done)
			}()
		}
	}()
	t.Cleanup(func() {
		close(s.done)
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return ln.Addr().String()
}

// tlsHandler completes a handshake with cfg, then answers one HTTP
// request with a small page, as a web server behind TLS does.
func tlsHandler(cfg *tls.Config) func(net.Conn, <-chan struct{}) {
	return httpsHandler(cfg, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
}

// httpsHandler completes a handshake with cfg, reads a request head and
// writes answer.
func httpsHandler(cfg *tls.Config, answer string) func(net.Conn, <-chan struct{}) {
	return httpsThen(cfg, answer, func(_ net.Conn, tc *tls.Conn, _ <-chan struct{}) { _ = tc.Close() })
}

// httpsThen is httpsHandler with the ending left to end, which gets the
// TCP conn and the TLS conn over it: a server that stops mid-answer writes
// only part of it and then resets, closes or stalls.
func httpsThen(cfg *tls.Config, answer string, end func(c net.Conn, tc *tls.Conn, done <-chan struct{})) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		tc := tls.Server(c, cfg)
		if err := tc.Handshake(); err != nil {
			return
		}
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
		if _, err := io.WriteString(tc, answer); err != nil {
			return
		}
		end(c, tc, done)
	}
}

// endReset ends an answer cut part-way with an RST, as a device that kills
// the connection does.
func endReset(c net.Conn, _ *tls.Conn, _ <-chan struct{}) { resetConn(c) }

// endClose ends an answer cut part-way with close_notify and a FIN, as a
// server whose worker gives up does.
func endClose(_ net.Conn, tc *tls.Conn, _ <-chan struct{}) { _ = tc.Close() }

// endStall leaves an answer cut part-way open with nothing more coming
// until the test ends.
func endStall(_ net.Conn, _ *tls.Conn, done <-chan struct{}) { <-done }

// tlsServer serves cfg on loopback.
func tlsServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	return startServer(t, tlsHandler(cfg))
}

// resetConn closes c with an RST instead of a FIN.
func resetConn(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	c.Close()
}

// readRecord reads one TLS record header and body, as a middlebox that
// inspects the ClientHello does.
func readRecord(c net.Conn) (hdr, body []byte, err error) {
	hdr = make([]byte, 5)
	if _, err = io.ReadFull(c, hdr); err != nil {
		return nil, nil, err
	}
	body = make([]byte, int(hdr[3])<<8|int(hdr[4]))
	_, err = io.ReadFull(c, body)
	return hdr, body, err
}

// resetAfterHello reads the ClientHello and answers with an RST, like an
// IPS that matched the hello. Bytes that do not start a handshake record
// (the probe's plain GET) are reset at once: read as a record header, "GET
// /" would declare an 8 KB body that never comes, and the probe would wait
// out its whole timeout for nothing.
func resetAfterHello(c net.Conn, _ <-chan struct{}) {
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return
	}
	if hdr[0] == 0x16 {
		body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
	}
	resetConn(c)
}

// blackhole accepts and never answers.
func blackhole(c net.Conn, _ <-chan struct{}) { _, _ = io.Copy(io.Discard, c) }

// sshBanner speaks first, as OpenSSH does, and gives up on a non-SSH peer.
func sshBanner(c net.Conn, _ <-chan struct{}) {
	if _, err := io.WriteString(c, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"); err != nil {
		return
	}
	buf := make([]byte, 4096)
	if _, err := c.Read(buf); err != nil {
		return
	}
	_, _ = io.WriteString(c, "Invalid SSH identification string.\r\n")
}

// plainHTTPServer is a real net/http server without TLS.
func plainHTTPServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// replayConn gives back bytes already read before the rest of the stream.
type replayConn struct {
	net.Conn
	r io.Reader
}

func (c *replayConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// largeHelloIntolerant resets a ClientHello record longer than limit bytes,
// like a middlebox that parses only the first segment, and hands smaller
// ones to a TLS server.
func largeHelloIntolerant(cfg *tls.Config, limit int) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		hdr, body, err := readRecord(c)
		if err != nil {
			return
		}
		if len(body) > limit {
			resetConn(c)
			return
		}
		prefix := append(hdr, body...)
		tlsHandler(cfg)(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(prefix), c)}, done)
	}
}

// versionIntolerant resets a ClientHello that offers TLS 1.3 in
// supported_versions, like a middlebox that reads the extension and cannot
// handle it, and hands other hellos to a TLS server.
func versionIntolerant(cfg *tls.Config) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		hdr, body, err := readRecord(c)
		if err != nil {
			return
		}
		prefix := append(hdr, body...)
		if h, err := sniff.ParseClientHello(prefix); err != nil || slices.Contains(h.SupportedVersions, tls.VersionTLS13) {
			resetConn(c)
			return
		}
		tlsHandler(cfg)(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(prefix), c)}, done)
	}
}

// stallConn lets the first limit bytes out and then blocks every write
// until the test ends: a path that drops every full-size segment.
type stallConn struct {
	net.Conn
	limit int
	sent  int
	done  <-chan struct{}
}

func (c *stallConn) Write(b []byte) (int, error) {
	if room := c.limit - c.sent; room > 0 {
		n, err := c.Conn.Write(b[:min(room, len(b))])
		c.sent += n
		if err != nil || n == len(b) {
			return n, err
		}
	}
	<-c.done
	return 0, net.ErrClosed
}

// stallingServer is a TLS server whose flight stalls after limit bytes.
func stallingServer(cfg *tls.Config, limit int) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		tlsHandler(cfg)(&stallConn{Conn: c, limit: limit, done: done}, done)
	}
}
