package listener

import (
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// nonSSL applies the listener's non_ssl action to plaintext on a TLS port.
func (s *Server) nonSSL(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx) {
	switch s.opts.NonSSL {
	case NonSSLAllow:
		o.Route = "non_ssl_allow"
		s.relay(c, o, p.first(), s.opts.PlainBackend, cc)
	case NonSSLHTTP400:
		o.Route = "non_ssl_http400"
		body := fmt.Sprintf("400 Bad Request: a plain HTTP request was sent to a TLS port (%s).\n"+
			"This port expects TLS. Use https:// instead of http://.\n", o.Virtual)
		replyAndClose(c, "400 Bad Request", "", body)
	case NonSSLRedirect:
		o.Route = "non_ssl_redirect"
		loc := redirectTarget(o)
		replyAndClose(c, "301 Moved Permanently", loc, "Moved to "+loc+"\n")
	default:
		o.Route = "non_ssl_reset"
		abort(c)
	}
}

// redirectTarget keeps the host and port the client asked for, switching
// only the scheme: the port already speaks TLS.
func redirectTarget(o *explain.Outcome) string {
	host := o.Virtual.String()
	target := "/"
	if o.HTTP != nil {
		if o.HTTP.Host != "" {
			host = o.HTTP.Host
		}
		switch t := o.HTTP.Target; {
		case strings.HasPrefix(t, "/"):
			target = t
		case strings.HasPrefix(t, "http://"):
			rest := strings.TrimPrefix(t, "http://")
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				host, target = rest[:i], rest[i:]
			} else {
				host = rest
			}
		}
	}
	return "https://" + host + target
}

// replyAndClose writes a small HTTP response, half-closes, and drains what
// the client still sends so the close is a FIN, not an RST that could
// destroy the response in the client's receive buffer.
func replyAndClose(c net.Conn, status, location, body string) {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n", status)
	if location != "" {
		fmt.Fprintf(&b, "Location: %s\r\n", location)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(c, b.String())
	// Any half-closer: the fault and capture wrappers pass CloseWrite on,
	// and without the FIN the client would wait for the drain below.
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = hc.CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = io.CopyN(io.Discard, c, 1<<20)
	_ = c.Close()
}
