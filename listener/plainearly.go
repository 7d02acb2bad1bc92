package listener

import (
	"errors"
	"net"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// settled says the first bytes b, which sniff cannot name yet, already
// settle where the connection goes, so the peek stops waiting: on a TLS
// listener when its non_ssl action needs no more (nonSSLSettled), on a
// plaintext or auto listener when they are plaintext (plainSettled).
func (s *Server) settled(b []byte) bool {
	return s.nonSSLSettled(b) || s.plainSettled(b)
}

// plainSettled says the first bytes b of a plaintext or auto listener are
// plaintext: they cannot begin TLS (at most five bytes tell, often the
// first), nor a PROXY header the listener takes. Such a listener relays
// plaintext (a plaintext listener to backend, an auto one to
// plain_backend) whatever protocol it turns out to be, so nothing is
// gained by waiting for sniff to name it: an upper-case token that is no
// known method ("FOOBAR", or the "PROPF" of a PROPFIND), the "S" of an SSH
// banner or half an HTTP/2 preface used to wait for the peek deadline when
// the client then waited for the backend. The backend answers them, or
// not, at once; the log names them from the bytes relayed after
// (namingConn). TLS stays undecided while its bytes may still begin it,
// so a plaintext listener still explains and resets a ClientHello.
//
// A client that sends nothing is not settled here: at the peek deadline it
// goes to the backend too (server-first protocols), as before.
func (s *Server) plainSettled(b []byte) bool {
	if !s.plainMode() || len(b) == 0 || sniff.CouldBeTLS(b) || s.mayBeConnect(b) {
		return false
	}
	if s.opts.ProxyProtocol != "" {
		if v1, v2 := sniff.ProxyPrefix(b); v1 || v2 {
			return false
		}
	}
	return true
}

// plainMode says the listener's job is to relay plaintext: a plaintext
// listener's, to backend, and an auto listener's, to plain_backend.
func (s *Server) plainMode() bool {
	return s.opts.Mode == Plaintext || s.opts.Mode == Auto
}

// relaysPlainAtOnce says plaintext is relayed as soon as it is known not
// to be TLS, before its bytes name their protocol or an HTTP/1 request its
// Host: by a plaintext or auto listener, and by a TLS listener whose
// non_ssl action is allow.
func (s *Server) relaysPlainAtOnce() bool { return s.opts.RelaysPlain() }

// plainNamed says the first bytes b of a plaintext stream are all a peek
// would have waited for: sniff names their protocol (or rules all out),
// and an HTTP/1 request has its request line and Host, or the end of its
// headers, or is malformed.
func plainNamed(b []byte) bool {
	k, err := sniff.Classify(b)
	if err != nil {
		return false
	}
	if k != sniff.HTTP1 {
		return true
	}
	r, err := sniff.ParseHTTPRequest(b)
	if err != nil {
		return !errors.Is(err, sniff.ErrNeedMore)
	}
	return r.Host != "" || headersDone(b)
}

// namingConn keeps a copy of what the relay reads from a plaintext client
// that was routed before its bytes were named, until they are (or the
// peek cap is reached), so the log names the protocol and the request as
// a peek that waited would have. It watches only: reads pass unchanged.
type namingConn struct {
	net.Conn
	seen  []byte // the peeked bytes, then what the relay read after them
	limit int
	named bool
}

// nameLater wraps c when p's bytes are plaintext that this listener
// relays at once although they do not name their protocol yet. It is
// installed beneath the fault wrappers, so it sees what the client sent.
// It returns c and nil when there is nothing to learn.
func (s *Server) nameLater(c net.Conn, p *peeked) (net.Conn, *namingConn) {
	if !s.relaysPlainAtOnce() || p.end != explain.PeerSpoke || len(p.buf) == 0 || p.kind.IsTLS() ||
		len(p.buf) >= s.opts.PeekMax || plainNamed(p.buf) {
		return c, nil
	}
	n := &namingConn{Conn: c, seen: append([]byte(nil), p.buf...), limit: s.opts.PeekMax}
	return n, n
}

func (n *namingConn) Read(b []byte) (int, error) {
	k, err := n.Conn.Read(b)
	if k > 0 && !n.named {
		n.seen = append(n.seen, b[:min(k, n.limit-len(n.seen))]...)
		n.named = len(n.seen) >= n.limit || plainNamed(n.seen)
	}
	return k, err
}

// Unwrap lets upstream.Pump half-close and reset the real connection, and
// delivered find a fault wrapper's count.
func (n *namingConn) Unwrap() net.Conn { return n.Conn }

// NetConn lets a fault wrapper above reach the socket to reset it.
func (n *namingConn) NetConn() net.Conn { return n.Conn }

// name refines o from the bytes seen once the relay has ended: the kind
// the peek would have named, the request and the first bytes. PeekEnd
// stays PeerSpoke: the route was decided on the bytes, not the deadline.
// Bytes that never named a protocol stay Unknown.
func (n *namingConn) name(o *explain.Outcome) {
	if n == nil {
		return
	}
	o.FirstBytes = firstBytes(n.seen)
	k, err := sniff.Classify(n.seen)
	if err != nil {
		return
	}
	o.Kind = k
	if k == sniff.HTTP1 {
		if r, err := sniff.ParseHTTPRequest(n.seen); err == nil {
			o.HTTP = r
		}
	}
}
