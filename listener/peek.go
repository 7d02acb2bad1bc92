package listener

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// peeked is what the peek phase learned. buf holds every byte read so far;
// all of it is replayed to whoever handles the connection next.
type peeked struct {
	buf   []byte
	kind  sniff.Kind
	end   explain.PeerEnd
	reads int // reads that returned bytes: segments, roughly
	// replayed: a fault wrapper's conn hands buf to Read again (see
	// replayConn), so the relay must not send it itself.
	replayed bool
}

// first is what the relay replays to the backend before pumping.
func (p *peeked) first() []byte {
	if p.replayed {
		return nil
	}
	return p.buf
}

// peekRead reads into p.buf until decide says enough, the cap is hit, the
// peer stops, or the deadline passes. decide returns true when done.
func peekRead(c net.Conn, p *peeked, limit int, deadline time.Time, decide func([]byte) bool) {
	if decide(p.buf) {
		return
	}
	_ = c.SetReadDeadline(deadline)
	for len(p.buf) < limit {
		// Read straight into the buffer's spare room: most first flights
		// fit one read, so this is usually the only allocation.
		if cap(p.buf)-len(p.buf) < 512 {
			grown := make([]byte, len(p.buf), min(max(2*cap(p.buf), 2048), limit))
			copy(grown, p.buf)
			p.buf = grown
		}
		room := p.buf[len(p.buf):min(cap(p.buf), limit)]
		n, err := c.Read(room)
		p.buf = p.buf[:len(p.buf)+n]
		if n > 0 {
			p.reads++
		}
		if n > 0 && decide(p.buf) {
			return
		}
		if err != nil {
			p.end = classifyReadErr(err, len(p.buf))
			return
		}
	}
}

// classifyReadErr turns the error that ended the peek into a PeerEnd.
func classifyReadErr(err error, have int) explain.PeerEnd {
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		if have == 0 {
			return explain.PeerSilent
		}
		return explain.PeerPartial
	case errors.Is(err, syscall.ECONNRESET):
		return explain.PeerReset
	case errors.Is(err, io.EOF):
		return explain.PeerClosed
	default:
		return explain.PeerClosed
	}
}

// classify peeks until sniff can name the protocol, or until settled
// (which may be nil) says the bytes, still unnamed, already settle what the
// listener does with them: then p.kind is Unknown and p.end PeerSpoke.
func classify(c net.Conn, p *peeked, limit int, deadline time.Time, settled func([]byte) bool) {
	p.end = explain.PeerSpoke
	peekRead(c, p, limit, deadline, func(b []byte) bool {
		if len(b) == 0 {
			return false
		}
		k, err := sniff.Classify(b)
		if err != nil {
			if errors.Is(err, sniff.ErrNeedMore) && settled != nil && settled(b) {
				p.kind = sniff.Unknown
				return true
			}
			return false
		}
		p.kind = k
		return true
	})
	if p.end != explain.PeerSpoke {
		p.kind = sniff.Empty
		if len(p.buf) > 0 {
			// Bytes that never became decidable: name them as best we can.
			p.kind = sniff.Unknown
		}
	}
}

// readHello keeps peeking until the whole ClientHello is present (it may span
// several records and TCP segments) or the cap or deadline ends the wait.
func readHello(c net.Conn, p *peeked, limit int, deadline time.Time) (*sniff.ClientHello, error) {
	var hello *sniff.ClientHello
	var perr error
	peekRead(c, p, limit, deadline, func(b []byte) bool {
		hello, perr = sniff.ParseClientHello(b)
		return !errors.Is(perr, sniff.ErrNeedMore)
	})
	if perr != nil && errors.Is(perr, sniff.ErrNeedMore) && p.end == explain.PeerSpoke && len(p.buf) >= limit {
		perr = errors.Join(perr, errors.New("listener: client hello larger than the peek cap"))
	}
	return hello, perr
}

// readSSLv2Hello is readHello for an SSLv2-format ClientHello: its
// two-byte header names the message's length, so the peek waits for all
// of it (within the cap and the deadline) as it does for a TLS record. A
// client that stalls after the first bytes is then logged with what it
// sent and when it stopped, instead of routed on a hello not yet read.
func readSSLv2Hello(c net.Conn, p *peeked, limit int, deadline time.Time) (*sniff.SSLv2ClientHello, error) {
	var hello *sniff.SSLv2ClientHello
	var perr error
	peekRead(c, p, limit, deadline, func(b []byte) bool {
		hello, perr = sniff.ParseSSLv2Hello(b)
		return !errors.Is(perr, sniff.ErrNeedMore)
	})
	if perr != nil && errors.Is(perr, sniff.ErrNeedMore) && p.end == explain.PeerSpoke && len(p.buf) >= limit {
		perr = errors.Join(perr, errors.New("listener: sslv2 client hello larger than the peek cap"))
	}
	return hello, perr
}

// readHTTP peeks until the request line is complete, then briefly for the
// headers (Host is needed for a redirect).
func readHTTP(c net.Conn, p *peeked, limit int, deadline time.Time) *sniff.HTTPRequest {
	var req *sniff.HTTPRequest
	peekRead(c, p, limit, deadline, func(b []byte) bool {
		r, err := sniff.ParseHTTPRequest(b)
		if err != nil {
			return !errors.Is(err, sniff.ErrNeedMore)
		}
		req = r
		return r.Host != "" || headersDone(b)
	})
	return req
}

// headersDone says the header section has ended: an empty line, with CRLF
// or a bare LF as its terminator (RFC 9112 §2.2 lets a recipient accept
// LF alone, and sniff's Host parser does). Without the LF forms, a
// request from a tool that writes bare LFs would wait out the peek
// deadline, or be dropped if the client half-closed after it.
func headersDone(b []byte) bool {
	return headEnd(b) >= 0
}

// headEnd returns the length of the HTTP head at the start of b, through
// the blank line that ends it (CRLF or a bare LF), or -1 while it has not
// ended.
func headEnd(b []byte) int {
	i, j := bytes.Index(b, []byte("\n\r\n")), bytes.Index(b, []byte("\n\n"))
	switch {
	case i < 0 && j < 0:
		return -1
	case j < 0 || i >= 0 && i < j:
		return i + 3
	}
	return j + 2
}
