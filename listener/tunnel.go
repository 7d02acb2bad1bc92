package listener

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/sniff"
)

// A listener with connect = "tunnel" is an explicit proxy for CONNECT, as
// Squid or a corporate gateway is to a client with https_proxy set: it
// reads the CONNECT's head, answers 200 Connection established, and relays
// the tunnel. Unlike a real proxy it never dials the authority the CONNECT
// names: every tunnel goes to the listener's own backend, so a lab tool
// cannot become an open proxy. The authority is evidence only. What the
// client sends through the tunnel is classified as any connection's first
// bytes are (a ClientHello's SNI, versions and JA4), and routed as on a
// passthrough listener: TLS relayed untouched, plaintext relayed as
// plaintext. A request other than CONNECT is served as on any plaintext
// listener.

// connectPrefix begins every CONNECT request line.
const connectPrefix = "CONNECT "

// tunnelEstablished is the answer that opens a tunnel, as Squid words it.
const tunnelEstablished = "HTTP/1.1 200 Connection established\r\n\r\n"

// mayBeConnect says b, the first bytes of a connection, may still become
// a CONNECT request line: the peek must not settle on a plaintext
// listener's first byte when the listener reads CONNECTs.
func (s *Server) mayBeConnect(b []byte) bool {
	// Up to and including the whole prefix: "CONNECT " alone is not yet
	// a request line sniff calls HTTP, and settling on it would relay
	// the CONNECT to the backend as plaintext.
	return s.opts.Connect != "" && len(b) <= len(connectPrefix) && bytes.HasPrefix([]byte(connectPrefix), b)
}

// isConnect says the peeked bytes are a CONNECT this listener reads.
func (s *Server) isConnect(p *peeked) bool {
	return s.opts.Connect != "" && p.kind == sniff.HTTP1 && bytes.HasPrefix(p.buf, []byte(connectPrefix))
}

// openTunnel reads the CONNECT whose first bytes p holds, by deadline and
// within the peek cap, and answers it: a 400 for a head that never ended
// or that names no host:port, a connect_policy rule's refusal, or 200.
// After a 200 it peeks at the tunnel's first bytes, into p, as the start
// of a connection is peeked, and returns the deadline of that peek and
// true: the caller goes on as for any connection's first bytes. It
// returns false when the connection ended here (o says how).
func (s *Server) openTunnel(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx, deadline time.Time) (time.Time, bool) {
	peekRead(c, p, s.opts.PeekMax, deadline, func(b []byte) bool { return headEnd(b) >= 0 })
	o.PeekEnd, o.Kind = p.end, sniff.HTTP1
	keepFirst(o, p.buf)
	n := headEnd(p.buf)
	if n < 0 {
		// The request line, when it ended, names the authority still.
		if o.HTTP, _ = sniff.ParseHTTPRequest(p.buf); o.HTTP != nil {
			o.Connect.Authority = o.HTTP.Target
		}
		switch p.end {
		case explain.PeerClosed, explain.PeerReset:
			// No one is left to read an answer.
			o.Route, o.Connect.Err = "connect_incomplete", "the client left before the CONNECT's head ended ("+strconv.Itoa(len(p.buf))+" bytes)"
			_ = c.Close()
			return deadline, false
		case explain.PeerSpoke:
			o.Connect.Err = "the CONNECT's head did not end within the peek cap of " + strconv.Itoa(s.opts.PeekMax) + " bytes"
		default:
			o.Connect.Err = "the CONNECT's head did not end within the peek timeout of " + s.opts.PeekTimeout.String() +
				" (" + strconv.Itoa(len(p.buf)) + " bytes, no blank line)"
		}
		s.refuseConnect(c, o)
		return deadline, false
	}
	o.Connect.HeadLen = n
	req, err := sniff.ParseHTTPRequest(p.buf[:n])
	if err == nil {
		o.HTTP = req
		o.Connect.Authority = req.Target
		o.Connect.ProxyAuth = proxyAuthScheme(p.buf[:n])
		err = checkAuthority(req.Target)
	}
	if err != nil {
		o.Connect.Err = err.Error()
		s.refuseConnect(c, o)
		return deadline, false
	}
	if r := s.planConnect(o, cc); r != nil {
		o.Connect.Status = r.Status
		o.FaultApplied, o.Route = string(r.Action), "fault_"+string(r.Action)
		cc.fx.stopped = r
		writeAndClose(c, faults.ConnectRefusal(r, o.Connect.Authority))
		return deadline, false
	}
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, tunnelEstablished); err != nil {
		o.Route, o.Connect.Err = "connect_incomplete", "the 200 could not be written: "+err.Error()
		abort(c)
		return deadline, false
	}
	_ = c.SetWriteDeadline(time.Time{})
	o.Connect.Status = 200
	// The head was the proxy's; the tunnel's first bytes are what follow
	// it, some perhaps sent before the 200 came.
	o.HTTP = nil
	*p = peeked{buf: append([]byte(nil), p.buf[n:]...)}
	deadline = time.Now().Add(s.opts.PeekTimeout)
	classify(c, p, s.opts.PeekMax, deadline, s.settled)
	return deadline, true
}

// proxyAuthScheme returns the scheme of the Proxy-Authorization header in
// head, a CONNECT's whole head ("Basic" of "Basic dTpw"), "" when there is
// none. The credentials themselves are never kept: the log says only that
// they came, and how.
func proxyAuthScheme(head []byte) string {
	lines := strings.Split(string(head), "\n")
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "Proxy-Authorization") {
			continue
		}
		scheme, _, _ := strings.Cut(strings.TrimSpace(value), " ")
		if scheme == "" {
			return "(empty)"
		}
		more := ""
		if len(scheme) > 32 {
			scheme, more = scheme[:32], "…"
		}
		return strings.Map(func(r rune) rune {
			if r < 0x21 || r > 0x7e {
				return '?'
			}
			return r
		}, scheme) + more
	}
	return ""
}

// checkAuthority checks a CONNECT's target: authority-form, host:port
// (RFC 9110 §9.3.6), with a port from 1 to 65535.
func checkAuthority(target string) error {
	host, port, err := net.SplitHostPort(target)
	if err != nil || host == "" {
		return fmt.Errorf("listener: CONNECT target %q is not host:port (authority-form, RFC 9110 §9.3.6)", target)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("listener: CONNECT target %q has port %q, want 1 to 65535", target, port)
	}
	return nil
}

// planConnect evaluates the connect_policy rules for the CONNECT in o and
// returns the one that refuses it, nil when none does. Its firing joins
// the connection's plan for the log.
func (s *Server) planConnect(o *explain.Outcome, cc *connCtx) *faults.Rule {
	fx := &cc.fx
	if fx.engine == nil || fx.engine.Empty() {
		return nil
	}
	host, _, _ := net.SplitHostPort(o.Connect.Authority)
	ci := fx.ci
	ci.Client = o.Client
	cp := fx.engine.PlanConnect(ci, strings.ToLower(host))
	r := cp.ConnectRefused()
	if r != nil {
		fx.plan = fx.plan.Merge(cp)
	}
	return r
}

// refuseConnect answers a CONNECT whose head tlsgate could not read with a
// 400 that says why, as a proxy does.
func (s *Server) refuseConnect(c net.Conn, o *explain.Outcome) {
	o.Route, o.Connect.Status = "connect_bad_request", 400
	replyAndClose(c, "400 Bad Request", "", "400 Bad Request: "+o.Connect.Err+".\n"+
		"tlsgate reads CONNECT host:port HTTP/1.1 followed by its headers and a blank line.\n")
}
