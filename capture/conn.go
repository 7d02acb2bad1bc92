package capture

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// Conn wraps c so that every byte read from or written to it is recorded
// on leg of w, in the direction it travelled. facingClient says that the
// peer of c is the client of the leg (the accepted conn of ClientLeg); for
// the conn tlsgate dialled to the backend it is false.
//
// Open the leg first: bytes on a leg not yet opened are not recorded. Wrap
// the socket itself as soon as it exists (below any tls.Conn, and before a
// peek reads the first bytes) so the capture holds what crossed the wire,
// which Wireshark decrypts with the key log.
//
// What the wrapper records beyond the bytes:
//   - Close and CloseWrite: tlsgate's FIN (a Close that fails: nothing).
//   - a Read ending in io.EOF: the peer's FIN.
//   - ECONNRESET from Read or Write: the peer's RST.
//   - Reset (a method of the returned conn): tlsgate's RST, sent for real
//     with SO_LINGER 0.
//
// The returned conn exposes the wrapped one as NetConn, so code that looks
// for the socket (original destination, SO_LINGER) still finds it; an RST
// sent that way is not seen here and should be recorded with Writer.Reset.
// It deliberately has no Unwrap: wrappers peeled that way would half-close
// the socket behind the recorder's back.
func Conn(c net.Conn, w *Writer, leg Leg, facingClient bool) net.Conn {
	return &conn{Conn: c, w: w, leg: leg, peerIsClient: facingClient}
}

// conn is the recording wrapper Conn returns.
type conn struct {
	net.Conn
	w            *Writer
	leg          Leg
	peerIsClient bool
}

// Read records what the peer sent, then its FIN or RST when the read says
// so.
func (c *conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.w.Data(c.leg, c.peerIsClient, b[:n])
	}
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		c.w.Fin(c.leg, c.peerIsClient)
	case errors.Is(err, syscall.ECONNRESET):
		c.w.Reset(c.leg, c.peerIsClient)
	}
	return n, err
}

// Write records what the socket accepted: a short write sent only n bytes.
// The bytes are announced to the Writer before the socket sees them, so
// that the peer's answer, read by another goroutine before this one runs
// again, is recorded after them; if anything is recorded on the leg while
// the write runs, the whole write is recorded first (see Writer.writing).
func (c *conn) Write(b []byte) (int, error) {
	c.w.writing(c.leg, !c.peerIsClient, b)
	n, err := c.Conn.Write(b)
	c.w.wrote(c.leg, !c.peerIsClient, b, n)
	if err != nil && errors.Is(err, syscall.ECONNRESET) {
		c.w.Reset(c.leg, c.peerIsClient)
	}
	return n, err
}

// Close closes the conn and records tlsgate's FIN (nothing if it already
// sent one or the leg was reset). A close that fails sent nothing: the
// socket was closed beneath the recorder already (a fault holding it open
// and silent, a shutdown's reset), so nothing is recorded.
func (c *conn) Close() error {
	err := c.Conn.Close()
	if err == nil {
		c.w.Fin(c.leg, !c.peerIsClient)
	}
	return err
}

// CloseWrite half-closes the wrapped conn and records the FIN. A conn that
// cannot half-close returns an error and records nothing, so the caller's
// fallback (closing, or leaving it open) stays its own decision.
func (c *conn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("capture: %T (%v -> %v) cannot half-close", c.Conn, c.Conn.LocalAddr(), c.Conn.RemoteAddr())
	}
	err := cw.CloseWrite()
	if err == nil {
		c.w.Fin(c.leg, !c.peerIsClient)
	}
	return err
}

// Reset aborts the connection with an RST (SO_LINGER 0, then close) and
// records it. Without a TCP socket underneath it can only close, and then
// records a FIN, which is what the peer sees.
func (c *conn) Reset() error {
	if tcp := tcpSocket(c.Conn); tcp != nil {
		if err := tcp.SetLinger(0); err == nil {
			c.w.Reset(c.leg, !c.peerIsClient)
			return c.Conn.Close()
		}
	}
	return c.Close()
}

// NetConn returns the wrapped conn, as crypto/tls does, for code that needs
// the socket.
func (c *conn) NetConn() net.Conn { return c.Conn }

// tcpSocket peels NetConn wrappers down to a *net.TCPConn, or nil. The
// bound stops a wrapper that returns itself.
func tcpSocket(c net.Conn) *net.TCPConn {
	for range 16 {
		switch x := c.(type) {
		case *net.TCPConn:
			return x
		case interface{ NetConn() net.Conn }:
			c = x.NetConn()
		default:
			return nil
		}
	}
	return nil
}
