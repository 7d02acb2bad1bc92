package faults

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/tlsgate/tlsgate/sniff"
)

// hostHeadCap bounds the request head a host check waits for: past it the
// request passes unjudged, as a server would refuse it anyway.
const hostHeadCap = 16 << 10

// StatusMisdirected is the status of a request a server cannot answer on
// this connection (RFC 9110 §15.5.20), what an sni_policy's host_mismatch
// answers.
const StatusMisdirected = 421

// Verdicts of a request head against the connection's SNI.
const (
	hostUndecided = iota // the head is not complete yet
	hostMatch            // the Host names the SNI, or there is nothing to compare
	hostMismatch         // the Host names another server than the SNI
)

// hostVerdict judges the first request head on a TLS connection against
// its server name (SNI), as a server that checks them does (Apache httpd's
// mod_ssl, nginx, Envoy): the name in an absolute-form target, else the
// Host header, without its port and any trailing dot, compared with the
// SNI case-insensitively. A connection without SNI (to an IP literal), a
// head without a Host, and bytes that are not HTTP/1 have nothing to
// compare, and pass. It also returns the name the request asked for.
func hostVerdict(head []byte, sni string) (verdict int, host string) {
	end := bytes.Index(head, []byte("\r\n\r\n"))
	switch {
	case end >= 0 && end+4 <= hostHeadCap:
	case len(head) >= hostHeadCap:
		return hostMatch, "" // a head this long passes unjudged, however it arrived
	default:
		if _, err := sniff.ParseHTTPRequest(head); err == nil || errors.Is(err, sniff.ErrNeedMore) {
			return hostUndecided, ""
		}
		return hostMatch, "" // not HTTP/1: not for this check
	}
	req, err := sniff.ParseHTTPRequest(head[:end+4])
	if err != nil {
		return hostMatch, ""
	}
	host = req.Host
	if t, err := sniff.ParseTarget(req.Method, req.Target); err == nil && t.Form == sniff.AbsoluteForm {
		// An absolute-form target overrides Host (RFC 9112 §3.2.2).
		host = t.Authority
	}
	name := hostName(host)
	if sni == "" || name == "" || strings.EqualFold(name, strings.TrimSuffix(sni, ".")) {
		return hostMatch, name
	}
	return hostMismatch, name
}

// HostPass is a host check (sni_policy with host_mismatch) that compared
// a connection's first request with its SNI and let it through: Rule is
// the rule's name, Host the name the request asked for.
type HostPass struct {
	Rule, Host string
}

// HostPassed reports the host check on c (a conn Wrap returned, or one
// wrapping it) that passed the connection's first request, ok false when
// none compared one and found it matching. Only the first request is
// compared, so a log can say the later ones were not.
func HostPassed(c net.Conn) (HostPass, bool) {
	for c != nil {
		if w, ok := c.(*conn); ok {
			if p := w.k.hostPassed.Load(); p != nil {
				return *p, true
			}
		}
		nc, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = nc.NetConn()
	}
	return HostPass{}, false
}

// hostName is the host of a Host header or authority: without the port,
// brackets or a trailing dot.
func hostName(authority string) string {
	h := strings.TrimSpace(authority)
	if name, _, err := net.SplitHostPort(h); err == nil {
		h = name
	}
	return strings.TrimSuffix(strings.Trim(h, "[]"), ".")
}

// MisdirectedResponse is the 421 a server sends for a request whose Host
// is not the connection's SNI, in the words of Apache httpd's page. It
// closes the connection: the client needs a new one for that name.
func MisdirectedResponse(sni, host string) []byte {
	body := "Misdirected Request\n\nThe client needs a new connection for this request as the requested host name (" + host +
		") does not match the Server Name Indication (SNI) in use for this connection (" + sni + ").\n"
	return fmt.Appendf(nil, "HTTP/1.1 421 Misdirected Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		len(body), body)
}

// hostCheck is an sni_policy with host_mismatch, on the client's side of a
// decrypted connection: it holds the first request head until it is
// complete, then lets it through when its Host names the SNI, or answers
// 421 itself and never passes it to the server. Only the first request of
// a connection is judged; a connection refused so is closed.
type hostCheck struct {
	next sink
	k    *ctl
	r    *Rule
	sni  string

	mu      sync.Mutex
	head    []byte
	decided bool
	refused bool
}

func (h *hostCheck) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.refused:
		return len(p), nil // the server never hears of this request
	case h.decided:
		return h.next.Write(p)
	}
	h.head = append(h.head, p...)
	v, host := hostVerdict(h.head, h.sni)
	switch v {
	case hostUndecided:
		return len(p), nil
	case hostMatch:
		h.decided = true
		if host != "" && h.sni != "" {
			// Compared and found equal: the rule does not fire, but the
			// log can say what was checked, and what was not.
			h.k.hostPassed.Store(&HostPass{Rule: h.r.Name, Host: host})
		}
		head := h.head
		h.head = nil
		if _, err := h.next.Write(head); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	h.refused, h.head = true, nil
	h.k.markActed(h.r)
	if h.k.w != nil {
		_, _ = h.k.w.Write(MisdirectedResponse(h.sni, host))
		_ = h.k.w.CloseWrite()
	}
	_ = h.next.End(true)
	return len(p), nil
}

// End passes on what was held: a head the client never finished goes to
// the server as it is, as without the check.
func (h *hostCheck) End(fin bool) error {
	h.mu.Lock()
	head, refused := h.head, h.refused
	h.head = nil
	h.mu.Unlock()
	if refused {
		return nil
	}
	if len(head) > 0 {
		if _, err := h.next.Write(head); err != nil {
			return err
		}
	}
	return h.next.End(fin)
}
