package bigiplog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"time"
	"unicode/utf8"
)

// syslogSender is the state of the sender goroutine; only it touches it.
type syslogSender struct {
	w       *syslogWriter
	enc     *ltmEncoder
	conn    net.Conn
	gone    func() bool   // reports that the collector ended the TCP stream
	stop    func() bool   // unregisters the close-on-abort hook
	backoff time.Duration // next wait before a reconnect; 0: none yet

	downSince time.Time // when the collector stopped taking lines; zero: up
	lastFail  time.Time // the latest failed send or dial
	// told is w.dropped as last told to the status hook: each drop is
	// told once, whether it happened in an outage or while a slow
	// collector held the sender in a write that never failed.
	told uint64

	buf    []byte // the batch being sent: whole lines
	off    int    // the bytes of buf before off are sent
	notice int    // length of the drop notice at the head of buf, if any
}

// use makes c the current connection.
func (s *syslogSender) use(c net.Conn) {
	s.conn = c
	s.stop = context.AfterFunc(s.w.ctx, func() { _ = c.Close() })
	s.gone = nil
	if s.w.stream {
		s.gone = watchPeer(c)
	}
}

// watchPeerReading returns a check that c's peer has closed the stream,
// from a goroutine reading c: a syslog collector never sends, so the read
// returns only when the collector closes (or resets) the stream. The
// goroutine ends when c is closed.
func watchPeerReading(c net.Conn) func() bool {
	dead := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, c)
		close(dead)
	}()
	return func() bool {
		select {
		case <-dead:
			return true
		default:
			return false
		}
	}
}

func (s *syslogSender) drop() {
	if s.conn == nil {
		return
	}
	s.stop()
	_ = s.conn.Close()
	s.conn = nil
}

func (s *syslogSender) run() {
	defer close(s.w.done)
	defer s.drop()
	for {
		if s.off == len(s.buf) {
			if !s.next() {
				return
			}
			continue
		}
		if s.w.ctx.Err() != nil {
			s.abandon()
			return
		}
		if s.conn == nil && !s.reconnect() {
			continue // the context ended: abandon on the next round
		}
		if err := s.send(); err != nil {
			s.drop()
			s.failed(err)
			continue
		}
		s.backoff = 0
		if s.w.stream || time.Since(s.lastFail) >= datagramSettle {
			s.resumed()
		}
	}
}

// datagramSettle is how long UDP sends must go unrefused before forwarding
// counts as resumed. A datagram's write succeeds whether or not anything
// listens: the port-unreachable answer comes back as the next write's
// ECONNREFUSED, so a send right after a redial proves nothing, and taking
// it as the collector's return made the local log alternate "interrupted"
// and "resumed" while nothing was listening.
const datagramSettle = time.Second

// errCollectorClosed is why a stream ended that the collector closed.
var errCollectorClosed = errors.New("bigiplog: syslog collector closed the connection")

// failed tells the status hook, once per outage, that the collector stopped
// taking lines. Close's abort is no outage.
func (s *syslogSender) failed(err error) {
	s.lastFail = time.Now()
	if s.w.ctx.Err() != nil || !s.downSince.IsZero() {
		return
	}
	s.downSince = time.Now()
	if s.w.status != nil {
		s.w.status(SyslogStatus{Err: err})
	}
}

// resumed tells the status hook that a batch went out after an outage,
// with the lines dropped since the last status: also those dropped while
// the write that then failed was still waiting on the collector.
func (s *syslogSender) resumed() {
	if s.downSince.IsZero() {
		return
	}
	st := SyslogStatus{Up: true, Down: time.Since(s.downSince), Dropped: s.untold()}
	s.downSince = time.Time{}
	if s.w.status != nil {
		s.w.status(st)
	}
}

// untold returns the lines dropped since the last status and marks them told.
func (s *syslogSender) untold() uint64 {
	now := s.w.dropped.Load()
	n := now - s.told
	s.told = now
	return n
}

// behind tells the status hook of lines dropped while forwarding was up:
// the collector took lines, but more slowly than they came, so the queue
// filled while the sender waited in a write. Without it the local log
// learnt of those drops only at exit. During an outage resumed tells them.
func (s *syslogSender) behind() {
	if !s.downSince.IsZero() {
		return
	}
	if n := s.untold(); n > 0 && s.w.status != nil {
		s.w.status(SyslogStatus{Up: true, Behind: true, Dropped: n})
	}
}

// next loads the next batch, waiting for lines. It returns false when the
// writer is closed and nothing is left.
func (s *syslogSender) next() bool {
	for {
		// The sent batch's memory becomes the queue's.
		lines, _, dropped, closed := s.w.take(s.buf)
		s.buf, s.off, s.notice = lines, 0, 0
		if dropped > 0 {
			s.prependNotice(dropped)
			s.behind()
		}
		if len(s.buf) > 0 {
			return true
		}
		if closed {
			return false
		}
		select {
		case <-s.w.wake:
		case <-s.w.ctx.Done():
			return false
		}
	}
}

// prependNotice puts the warning that n lines were dropped ahead of the
// batch: the collector sees it where the gap is.
func (s *syslogSender) prependNotice(n uint64) {
	b := s.enc.pool.Get()
	defer b.Free()
	s.enc.writeOwn(b, time.Now(), sevWarning, strconv.FormatUint(n, 10)+" log lines dropped: syslog collector too slow or unreachable")
	s.notice = b.Len()
	out := make([]byte, 0, b.Len()+len(s.buf))
	out = append(out, b.Bytes()...)
	s.buf = append(out, s.buf...)
}

// abandon counts what is left of the batch as dropped; Close gave up.
func (s *syslogSender) abandon() {
	rest := s.buf[s.off:]
	n := uint64(bytes.Count(rest, []byte{'\n'}))
	if s.off < s.notice {
		n-- // the notice itself is not a log line
	}
	_, queued, _, _ := s.w.take(nil)
	n += uint64(queued)
	s.w.lost = n
	s.w.dropped.Add(n)
	s.buf, s.off = nil, 0
}

// reconnect waits out the backoff and dials. It returns false if the
// dial failed or the context ended.
func (s *syslogSender) reconnect() bool {
	if s.backoff > 0 {
		t := time.NewTimer(s.backoff)
		select {
		case <-t.C:
		case <-s.w.ctx.Done():
			t.Stop()
			return false
		}
	}
	switch {
	case s.backoff == 0:
		s.backoff = syslogBackoffMin
	case s.backoff < syslogBackoffMax:
		s.backoff = min(2*s.backoff, syslogBackoffMax)
	}
	c, err := s.w.dial(s.w.ctx)
	if err != nil {
		s.failed(err)
		return false
	}
	s.use(c)
	return true
}

// send writes the rest of the batch. On an error, s.off stays at the start
// of the line that failed, so it goes again on the next connection.
func (s *syslogSender) send() error {
	if s.w.stream {
		return s.sendStream()
	}
	for s.off < len(s.buf) {
		end := s.off + bytes.IndexByte(s.buf[s.off:], '\n')
		line := truncateDatagram(s.buf[s.off:end])
		if len(line) > 0 {
			if _, err := s.conn.Write(line); err != nil {
				return err
			}
		}
		s.off = end + 1
	}
	return nil
}

// sendStream writes the rest of the batch in chunks, each with its own
// deadline: a collector that reads slowly is kept, one that stops reading
// for syslogWriteTimeout is left.
func (s *syslogSender) sendStream() error {
	for s.off < len(s.buf) {
		if s.gone() {
			// The collector closed the stream: a write would "succeed"
			// into the dead connection and the lines would be lost.
			return errCollectorClosed
		}
		if err := s.conn.SetWriteDeadline(time.Now().Add(syslogWriteTimeout)); err != nil {
			return err
		}
		end := min(s.off+syslogWriteChunk, len(s.buf))
		n, err := s.conn.Write(s.buf[s.off:end])
		if err != nil {
			s.off = bytes.LastIndexByte(s.buf[:s.off+n], '\n') + 1
			return err
		}
		s.off = end
	}
	return nil
}

// truncateDatagram cuts line to syslogDatagramMax bytes (RFC 3164 §4.1),
// at a UTF-8 character boundary, ending it in "…" to show the cut.
func truncateDatagram(line []byte) []byte { return truncateLine(line, syslogDatagramMax) }

// truncateLine cuts line to limit bytes at a UTF-8 character boundary,
// ending it in "…"; a line that fits is returned as it is.
func truncateLine(line []byte, limit int) []byte {
	if len(line) <= limit {
		return line
	}
	cut := limit - len(syslogEllipsis)
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	out := make([]byte, 0, cut+len(syslogEllipsis))
	out = append(out, line[:cut]...)
	return append(out, syslogEllipsis...)
}

// cutLongLines returns p, lines each ending in '\n', with every line longer
// than limit bytes (its newline aside) cut by truncateLine. p itself is
// returned, unchanged and uncopied, when every line fits.
func cutLongLines(p []byte, limit int) []byte {
	long := false
	for rest := p; len(rest) > 0; {
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			end = len(rest)
		}
		if end > limit {
			long = true
			break
		}
		rest = rest[min(end+1, len(rest)):]
	}
	if !long {
		return p
	}
	out := make([]byte, 0, len(p))
	for rest := p; len(rest) > 0; {
		end := bytes.IndexByte(rest, '\n')
		if end < 0 {
			return append(out, truncateLine(rest, limit)...)
		}
		out = append(out, truncateLine(rest[:end], limit)...)
		out = append(out, '\n')
		rest = rest[end+1:]
	}
	return out
}
