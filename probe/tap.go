package probe

import (
	"errors"
	"net"
	"sync"
	"time"
)

// maxTapped caps the bytes a tap keeps from the server: enough for a long
// certificate flight, small enough that a server streaming garbage cannot
// grow the report.
const maxTapped = 64 << 10

// tap wraps a client connection and records what crosses it, so that a
// failed crypto/tls handshake still leaves the raw bytes and their timing
// as evidence (crypto/tls itself only says "EOF" or "i/o timeout").
type tap struct {
	net.Conn
	now func() time.Time

	mu        sync.Mutex
	start     time.Time
	firstOut  int       // size of the first write: the ClientHello record
	out       int       // bytes written
	in        []byte    // bytes read, up to maxTapped
	inTotal   int       // bytes read, all of them
	reads     int       // reads that returned data
	firstRead time.Time // when the first byte arrived
	lastRead  time.Time // when the last byte arrived

	// dl guards the deadlines of the idle limit (tapidle.go).
	dl     sync.Mutex
	idle   time.Duration // longest wait for the next bytes; 0: no limit of its own
	end    time.Time     // the whole exchange's deadline under idle
	pinned bool          // a deadline set from outside (a cancel) stands
}

func newTap(c net.Conn, now func() time.Time) *tap {
	return &tap{Conn: c, now: now, start: now()}
}

// Write records the size; crypto/tls writes the whole ClientHello record in
// one call, so the first write is the hello.
func (t *tap) Write(b []byte) (int, error) {
	n, err := t.Conn.Write(b)
	t.mu.Lock()
	if t.out == 0 {
		t.firstOut = n
	}
	t.out += n
	t.mu.Unlock()
	return n, err
}

// Read records the bytes and when they arrived.
func (t *tap) Read(b []byte) (int, error) {
	t.armRead()
	n, err := t.Conn.Read(b)
	if n > 0 {
		at := t.now()
		t.mu.Lock()
		if t.inTotal == 0 {
			t.firstRead = at
		}
		t.lastRead = at
		t.inTotal += n
		t.reads++
		if room := maxTapped - len(t.in); room > 0 {
			t.in = append(t.in, b[:min(n, room)]...)
		}
		t.mu.Unlock()
	}
	return n, err
}

// tapStats is a snapshot of a tap.
type tapStats struct {
	helloLen  int
	out       int
	in        []byte
	inTotal   int
	reads     int
	firstByte time.Duration // from connect to the first byte; 0 when none came
	lastByte  time.Duration // from connect to the last byte
}

func (t *tap) stats() tapStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := tapStats{helloLen: t.firstOut, out: t.out, in: append([]byte(nil), t.in...), inTotal: t.inTotal, reads: t.reads}
	if t.inTotal > 0 {
		s.firstByte = t.firstRead.Sub(t.start)
		s.lastByte = t.lastRead.Sub(t.start)
	}
	return s
}

// errCaptured ends the handshake on a capture conn once the hello is out.
var errCaptured = errors.New("probe: hello captured")

// captureConn is a net.Conn that swallows writes and fails reads. Running
// crypto/tls against it yields the exact ClientHello bytes it would send,
// which step 3 then writes on a real socket and reads back raw.
type captureConn struct {
	mu  sync.Mutex
	out []byte
}

func (c *captureConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.out = append(c.out, b...)
	c.mu.Unlock()
	return len(b), nil
}

func (c *captureConn) Read([]byte) (int, error)         { return 0, errCaptured }
func (c *captureConn) Close() error                     { return nil }
func (c *captureConn) LocalAddr() net.Addr              { return captureAddr{} }
func (c *captureConn) RemoteAddr() net.Addr             { return captureAddr{} }
func (c *captureConn) SetDeadline(time.Time) error      { return nil }
func (c *captureConn) SetReadDeadline(time.Time) error  { return nil }
func (c *captureConn) SetWriteDeadline(time.Time) error { return nil }

func (c *captureConn) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.out...)
}

// captureAddr is the placeholder address of a captureConn.
type captureAddr struct{}

func (captureAddr) Network() string { return "capture" }
func (captureAddr) String() string  { return "capture" }
