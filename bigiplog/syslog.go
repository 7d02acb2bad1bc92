package bigiplog

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
)

// syslogDialTimeout bounds the initial connect (and a TCP reconnect) so a
// dead collector cannot stall startup or a log call for long.
const syslogDialTimeout = 5 * time.Second

// NewSyslogCore forwards every entry to an RFC 3164 collector, in the form a
// BIG-IP forwards /var/log/ltm: each rendered line carries <PRI> with
// facility local0 (<132> warning, <134> info). network is "udp", "udp4",
// "udp6" (one datagram per line) or "tcp", "tcp4", "tcp6" (newline
// framing). The rendering is always the bigip form; o.Format is ignored.
// The returned core also implements io.Closer to release the connection.
func NewSyslogCore(network, addr string, o Options, level zapcore.LevelEnabler) (zapcore.Core, error) {
	var stream bool
	switch network {
	case "udp", "udp4", "udp6":
	case "tcp", "tcp4", "tcp6":
		stream = true
	default:
		return nil, fmt.Errorf("bigiplog: syslog network %q not supported (want udp or tcp)", network)
	}
	o.Format = "bigip"
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	dial := func() (net.Conn, error) {
		c, err := net.DialTimeout(network, addr, syslogDialTimeout)
		if err != nil {
			return nil, fmt.Errorf("bigiplog: dial syslog %s %s: %w", network, addr, err)
		}
		return c, nil
	}
	conn, err := dial()
	if err != nil {
		return nil, err
	}
	w := &syslogWriter{conn: conn, stream: stream, dial: dial}
	return &syslogCore{Core: zapcore.NewCore(newLTMEncoder(o, true), w, level), w: w}, nil
}

// syslogCore is a zap core bound to one collector connection.
type syslogCore struct {
	zapcore.Core
	w *syslogWriter
}

// Close closes the collector connection; later writes fail.
func (c *syslogCore) Close() error { return c.w.Close() }

// syslogWriter sends rendered lines. The mutex keeps one entry's group
// together on a TCP stream and serialises datagrams.
type syslogWriter struct {
	mu     sync.Mutex
	conn   net.Conn
	stream bool
	closed bool
	dial   func() (net.Conn, error)
}

var errSyslogClosed = errors.New("bigiplog: syslog writer closed")

// Write implements zapcore.WriteSyncer. p holds one or more lines, each
// ending in '\n'.
func (w *syslogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, errSyslogClosed
	}
	if w.stream {
		return len(p), w.writeStream(p)
	}
	for line := range bytes.SplitSeq(p, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		if _, err := w.conn.Write(line); err != nil {
			return 0, fmt.Errorf("bigiplog: syslog datagram to %s: %w", w.conn.RemoteAddr(), err)
		}
	}
	return len(p), nil
}

// writeStream writes to TCP and, when the collector dropped the connection,
// reconnects once and retries, so a collector restart loses at most the
// entry in flight.
func (w *syslogWriter) writeStream(p []byte) error {
	if _, err := w.conn.Write(p); err == nil {
		return nil
	}
	_ = w.conn.Close()
	c, err := w.dial()
	if err != nil {
		return err
	}
	w.conn = c
	if _, err := c.Write(p); err != nil {
		return fmt.Errorf("bigiplog: syslog stream to %s: %w", c.RemoteAddr(), err)
	}
	return nil
}

// Sync implements zapcore.WriteSyncer; lines are written unbuffered.
func (w *syslogWriter) Sync() error { return nil }

// Close closes the connection.
func (w *syslogWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return w.conn.Close()
}
