package listener

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// nonSSL applies the listener's non_ssl action to plaintext on a TLS port.
func (s *Server) nonSSL(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx) {
	switch s.opts.NonSSL {
	case NonSSLAllow:
		o.Route = "non_ssl_allow"
		if cc.fx.plan.Abort() != nil {
			// Plain HTTP relayed to plain_backend is readable, so an
			// abort answers it, as on a plaintext or auto listener.
			s.serveAbort(&replayConn{Conn: c, first: p.first()}, o, cc.fx.plan)
			return
		}
		s.relay(c, o, p.first(), s.opts.PlainBackend, cc)
	case NonSSLHTTP400:
		o.Route = "non_ssl_http400"
		reply400(c, o)
	case NonSSLRedirect:
		loc, ok := redirectTarget(o)
		if !ok {
			// CONNECT and OPTIONS * name no resource a Location could
			// point at, and a request cut short names no host: a 301
			// would leave the client stuck or send it elsewhere, so it
			// gets the readable 400 instead (o.NonSSL still says
			// redirect, and explain's summary says it answered 400, and
			// why).
			o.Route = "non_ssl_http400"
			reply400(c, o)
			return
		}
		o.Route = "non_ssl_redirect"
		replyAndClose(c, "301 Moved Permanently", loc, "Moved to "+loc+"\n")
	default:
		o.Route = "non_ssl_reset"
		abort(c)
	}
}

// expectsTLS says the listener's clients should speak TLS, so plaintext
// gets the non_ssl action: passthrough, terminate and inspect. Plaintext
// and auto listeners relay plaintext instead.
func (s *Server) expectsTLS() bool {
	return s.opts.Mode == Passthrough || s.opts.Mode == Terminate || s.opts.Mode == Inspect
}

// nonSSLNeedsRequest says the non_ssl action is an HTTP answer that needs
// the request: redirect builds its Location from the request line and
// Host, and http400 answers a request, and its diagnosis quotes it.
func (s *Server) nonSSLNeedsRequest() bool {
	return s.opts.NonSSL == NonSSLHTTP400 || s.opts.NonSSL == NonSSLRedirect
}

// nonSSLSettled says the first bytes b, which sniff cannot name yet, already
// settle what this listener does with them, so the peek stops waiting. On a
// TLS listener that is as soon as b cannot begin TLS (at most five bytes, a
// record header, tell; often the first does) when the non_ssl action needs
// nothing more: reset ends the connection, and allow relays every byte,
// later ones included, to plain_backend. Waiting would only answer an
// upper-case token that is no known method ("FOOBAR", or "PROPF" of a
// PROPFIND) at the peek deadline instead of at once. A request whose
// method sniff knows ("GET /") is named at once and read no further for
// these two actions either (handle), so both answer as early.
//
// http400 and redirect wait for the request line (and Host) as long as the
// bytes may still be one, up to the peek deadline: a Location needs the
// path, and a 400 is an answer to a request. Bytes that cannot be a request
// line are Unknown to sniff at once and answered at once.
//
// Not while the bytes may be a PROXY header the listener takes ("PROX",
// or a piece of the v2 signature): the header comes first and is read
// whole, and a header begun and never finished is its own diagnosis.
func (s *Server) nonSSLSettled(b []byte) bool {
	if !s.expectsTLS() || s.nonSSLNeedsRequest() || len(b) == 0 || sniff.CouldBeTLS(b) {
		return false
	}
	if s.opts.ProxyProtocol != "" {
		if v1, v2 := sniff.ProxyPrefix(b); v1 || v2 {
			return false
		}
	}
	return true
}

// reply400 is net/http's and nginx's answer to plaintext on a TLS port: a
// 400 a person can read.
func reply400(c net.Conn, o *explain.Outcome) {
	body := fmt.Sprintf("400 Bad Request: a plain HTTP request was sent to a TLS port (%s).\n"+
		"This port expects TLS. Use https:// instead of http://.\n", o.Virtual)
	replyAndClose(c, "400 Bad Request", "", body)
}

// redirectTarget keeps the host, port, path and query the client asked
// for, switching only the scheme: the port already speaks TLS. It returns
// false for a target no redirect can serve: CONNECT's authority-form and
// OPTIONS' asterisk-form, and a request the client half-closed before its
// headers ended (a bare request line) that named no host in its target:
// its Host may have been in the headers that never came, so the virtual
// address would be a guess. A whole request without Host (HTTP/1.0) has
// said it names none, and is sent to the address it reached: the one host
// it is sure to reach again, as nginx and Apache fall back to their own
// server name; browsers and curl -L follow a Location with an IP literal
// as they do a name (explain says the redirect went there, and why).
func redirectTarget(o *explain.Outcome) (string, bool) {
	// A request that names no host goes back to the address the client
	// dialled: on a transparent listener that is the original
	// destination, not tlsgate's own socket (which, behind a REDIRECT
	// rule, is an address the client never meant and may not reach).
	host := o.Virtual.String()
	if o.Transparent != "" && o.OrigDst.IsValid() {
		host = netip.AddrPortFrom(o.OrigDst.Addr().Unmap(), o.OrigDst.Port()).String()
	}
	named := false
	path := "/"
	if o.HTTP != nil {
		if o.HTTP.Host != "" {
			host, named = o.HTTP.Host, true
		}
		t, err := sniff.ParseTarget(o.HTTP.Method, o.HTTP.Target)
		switch {
		case err != nil:
			// Not a target any form allows: the root of the host is
			// the best a redirect can offer.
		case t.Form == sniff.AuthorityForm, t.Form == sniff.AsteriskForm:
			return "", false
		case t.Form == sniff.OriginForm:
			path = t.Path
		case t.Scheme == "http" || t.Scheme == "https":
			// RFC 9112 §3.2.2: the target's authority wins over Host.
			if t.Authority != "" {
				host, named = t.Authority, true
			}
			path = t.Path
		}
	}
	if !named && o.PeekEnd == explain.PeerClosed {
		return "", false
	}
	return "https://" + host + path, true
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
	writeAndClose(c, []byte(b.String()))
}

// writeAndClose writes a whole response, half-closes, and drains what the
// client still sends, so the close is a FIN, not an RST that could
// destroy the response in the client's receive buffer.
func writeAndClose(c net.Conn, resp []byte) {
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write(resp)
	// Any half-closer: the fault and capture wrappers pass CloseWrite on,
	// and without the FIN the client would wait for the drain below.
	if hc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = hc.CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = io.CopyN(io.Discard, c, 1<<20)
	_ = c.Close()
}
