package bigiplog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap/zapcore"
)

const (
	// syslogDialTimeout bounds the initial connect and each reconnect.
	syslogDialTimeout = 5 * time.Second
	// syslogWriteTimeout bounds one write of at most syslogWriteChunk on a
	// TCP stream, so a collector that accepts and stops reading costs a
	// reconnect, not a stuck sender.
	syslogWriteTimeout = 5 * time.Second
	// syslogWriteChunk is the most written under one deadline.
	syslogWriteChunk = 64 << 10
	// syslogBackoffMin and syslogBackoffMax bound the wait between
	// reconnects after a failure; it doubles per failure and resets once a
	// batch has gone out whole.
	syslogBackoffMin = 100 * time.Millisecond
	syslogBackoffMax = 30 * time.Second
	// syslogQueueLines and syslogQueueBytes bound the lines waiting for
	// the sender; an entry that does not fit is dropped and counted.
	syslogQueueLines = 4096
	syslogQueueBytes = 4 << 20
	// syslogFlushTimeout bounds how long Close waits for queued lines.
	syslogFlushTimeout = 2 * time.Second
	// syslogDatagramMax is the longest datagram sent over UDP (RFC 3164
	// §4.1); longer lines are cut and end in syslogEllipsis.
	syslogDatagramMax = 1024
	// syslogStreamLineMax is the longest line sent over TCP, without its
	// newline: rsyslog's default maximum message size (8 KiB). A longer
	// line is cut and ends in syslogEllipsis: sent whole, the collector
	// cuts it and takes the rest for a message of its own, with no PRI,
	// time or host. Lines carry lists from the ClientHello (its cipher
	// suites), so a client decides how long they are.
	syslogStreamLineMax = 8192
)

const syslogEllipsis = "…"

// NewSyslogCore forwards every entry to an RFC 3164 collector, in the form a
// BIG-IP forwards /var/log/ltm: each rendered line carries <PRI> with
// facility local0 (<132> warning, <134> info). network is "udp", "udp4",
// "udp6" (one datagram per line, each cut to 1024 bytes) or "tcp", "tcp4",
// "tcp6" (newline framing, each line cut to 8 KiB). The rendering is always the bigip form;
// o.Format is ignored.
//
// The collector is dialled once here, so a refused or unresolvable target
// is an error at start-up. After that, logging never waits on the network:
// Write hands the lines to a bounded queue (4096 lines or 4 MiB) that one
// goroutine sends. When the queue is full the entry is dropped whole and
// its lines counted; the count goes to the collector as one warning line
// ("N log lines dropped: ...") ahead of the next lines that get through.
//
// The sender leaves a TCP collector that takes no bytes for 5 s. On any
// error it closes the connection and reconnects, at once the first time,
// then after a wait doubling from 100 ms to 30 s until a batch goes out.
// Delivery is at least once for the line a failed write interrupted: it is
// sent again on the next connection (the collector may also have the first
// copy, cut short). Lines the kernel had already accepted on a connection
// that then fails, up to its send buffer, are lost uncounted: TCP does not
// say whether the collector read them. A collector that closes the
// connection (a restart) is noticed before the next write, so only a line
// written while its FIN is still on the way is lost.
//
// status, when not nil, is told each change in forwarding from the sender
// goroutine: once when the collector stops taking lines (a refused dial,
// a failed write, a collector that closed the stream), and once when a
// batch goes out again, with how long it was down and how many lines were
// dropped since the last status; and, while forwarding is up, once per
// batch that follows lines dropped because a slow collector let the queue
// fill (Behind), with their count. Without it an outage or a gap is
// invisible where the operator looks first, the local log, until exit. It
// must not block.
//
// The returned core also implements io.Closer (send what is queued, for at
// most 2 s, then drop the rest and release the connection) and
// Dropped() uint64 (lines dropped so far).
func NewSyslogCore(network, addr string, o Options, level zapcore.LevelEnabler, status func(SyslogStatus)) (zapcore.Core, error) {
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
	dial := func(ctx context.Context) (net.Conn, error) {
		d := net.Dialer{Timeout: syslogDialTimeout}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, fmt.Errorf("bigiplog: dial syslog %s %s: %w", network, addr, err)
		}
		return c, nil
	}
	conn, err := dial(context.Background())
	if err != nil {
		return nil, err
	}
	w := newSyslogWriter(conn, stream, dial, newLTMEncoder(o, true), status)
	return &syslogCore{Core: zapcore.NewCore(newLTMEncoder(o, true), w, level), w: w}, nil
}

// SyslogStatus is a change in forwarding: the collector stopped taking
// lines (Up false, Err says why), took them again (Up true, after Down,
// with Dropped lines lost since the last status), or takes them but more
// slowly than they come (Up and Behind: Dropped lines did not fit the
// queue). Each dropped line is counted in one status only.
type SyslogStatus struct {
	Up      bool
	Err     error
	Down    time.Duration
	Dropped uint64
	Behind  bool
}

// syslogCore is a zap core bound to one collector.
type syslogCore struct {
	zapcore.Core
	w *syslogWriter
}

// Close sends what is queued, for at most 2 s, then closes the connection;
// later writes fail. It reports the lines it had to drop.
func (c *syslogCore) Close() error { return c.w.Close() }

// Dropped returns how many lines were not sent: dropped because the queue
// was full, or still queued when Close gave up.
func (c *syslogCore) Dropped() uint64 { return c.w.Dropped() }

// syslogWriter queues rendered lines for its sender goroutine. mu guards
// only the queue; no network I/O happens under it.
type syslogWriter struct {
	stream bool
	dial   func(context.Context) (net.Conn, error)
	status func(SyslogStatus) // nil: nobody listens

	mu         sync.Mutex
	queue      []byte // whole lines, each ending in '\n'
	queueLines int
	unreported uint64 // dropped since the last notice was queued for sending
	closed     bool

	dropped atomic.Uint64
	wake    chan struct{} // one pending signal: the queue changed or Close
	ctx     context.Context
	cancel  context.CancelFunc // aborts the sender: Close gave up waiting
	done    chan struct{}      // closed when the sender has exited
	lost    uint64             // lines the sender abandoned; read after done
}

var errSyslogClosed = errors.New("bigiplog: syslog writer closed")

func newSyslogWriter(conn net.Conn, stream bool, dial func(context.Context) (net.Conn, error), enc *ltmEncoder, status func(SyslogStatus)) *syslogWriter {
	ctx, cancel := context.WithCancel(context.Background())
	w := &syslogWriter{
		stream: stream,
		dial:   dial,
		status: status,
		wake:   make(chan struct{}, 1),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	s := &syslogSender{w: w, enc: enc}
	s.use(conn)
	go s.run()
	return w
}

// Write implements zapcore.WriteSyncer. p holds one or more lines, each
// ending in '\n'. It never blocks on the network: the entry is queued
// whole, or dropped whole (and counted) when the queue is full.
func (w *syslogWriter) Write(p []byte) (int, error) {
	n := len(p)
	if w.stream {
		p = cutLongLines(p, syslogStreamLineMax)
	}
	lines := bytes.Count(p, []byte{'\n'})
	if len(p) > 0 && p[len(p)-1] != '\n' {
		lines++
	}
	if lines == 0 {
		return n, nil
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return 0, errSyslogClosed
	}
	if w.queueLines+lines > syslogQueueLines || len(w.queue)+len(p)+1 > syslogQueueBytes {
		w.unreported += uint64(lines)
		w.mu.Unlock()
		w.dropped.Add(uint64(lines))
		return n, nil
	}
	w.queue = append(w.queue, p...)
	if p[len(p)-1] != '\n' {
		w.queue = append(w.queue, '\n')
	}
	w.queueLines += lines
	w.mu.Unlock()
	w.signal()
	return n, nil
}

func (w *syslogWriter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Sync implements zapcore.WriteSyncer. It does not wait for the sender:
// a log call must not block on the collector.
func (w *syslogWriter) Sync() error { return nil }

// Dropped returns how many lines were not sent.
func (w *syslogWriter) Dropped() uint64 { return w.dropped.Load() }

// Close lets the sender send what is queued, for at most
// syslogFlushTimeout, then stops it and closes the connection. Lines it
// could not send are counted as dropped and reported in the error.
func (w *syslogWriter) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		<-w.done
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	w.signal()
	t := time.NewTimer(syslogFlushTimeout)
	defer t.Stop()
	select {
	case <-w.done:
	case <-t.C:
		w.cancel() // closes the connection, ends a dial or a backoff wait
		<-w.done
	}
	w.cancel()
	if w.lost > 0 {
		return fmt.Errorf("bigiplog: syslog close: %d queued lines not sent", w.lost)
	}
	return nil
}

// take returns the queued lines, swapping in spare as the new queue, and
// the count of lines dropped since the last call. closed says Close was
// called.
func (w *syslogWriter) take(spare []byte) (lines []byte, n int, dropped uint64, closed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	lines, n, dropped = w.queue, w.queueLines, w.unreported
	w.queue, w.queueLines, w.unreported = spare[:0], 0, 0
	return lines, n, dropped, w.closed
}
