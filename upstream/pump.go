package upstream

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrIdle is wrapped by Pump's error when neither direction carried a byte
// for a full idle period (BIG-IP's tcp profile idle-timeout).
var ErrIdle = errors.New("upstream: idle timeout")

// Result counts what Pump delivered and why each direction ended.
type Result struct {
	Up      int64 // bytes written to the backend, firstUp included
	Down    int64 // bytes written to the client
	UpErr   error // why client→backend stopped; nil on a clean EOF or when the other direction failed first
	DownErr error // why backend→client stopped; same rules
	// ResetBy is SideClient or SideBackend when the relay ended because
	// that side's socket was reset (a read that got a reset, or a write
	// the peer refused); "" when it ended any other way or it is unknown.
	ResetBy string
	// AfterClientEnd is set with ResetBy == SideBackend when the client
	// had already ended its side (its FIN read by the relay, or waiting on
	// its socket) when the backend's reset came. A backend that closed
	// with the client's closing bytes (a close_notify) unread, or that got
	// them after it closed, answers with a reset: the common close race of
	// a backend that closes first, not a failure of the stream.
	AfterClientEnd bool
	// DownHead holds the first DownHeadLen bytes the backend sent, as the
	// relay's own reads returned them: enough for a caller to tell a TLS
	// alert record from a ServerHello. No read is made for it.
	DownHead    [HeadSize]byte
	DownHeadLen int
	// UpHead holds the first UpHeadLen bytes the client sent after
	// firstUp, from the relay's own reads like DownHead: in a passed
	// through handshake, the record that follows the ClientHello (the
	// client's Finished, or the alert it ended the handshake with).
	UpHead    [UpHeadSize]byte
	UpHeadLen int
	// UpLast holds the first bytes of the relay's last read from the
	// client, and UpLastLen that read's length: in a passed-through TLS
	// stream, whether the client's last words were a closing alert when
	// a backend reset came (sniff.ClosingRecord). The reads are the
	// relay's own; keeping them costs a copy of a few bytes per read and
	// no system call, and only a relay asked (Options.KeepLast) pays it.
	// UpLastLen is 0 when the relay read nothing from the client, and -1
	// when the last bytes went by splice and were not seen, or were not
	// asked for.
	UpLast    [LastSize]byte
	UpLastLen int
	// ClientFINFirst: the relay read the client's FIN before it began to
	// write the backend's first bytes to the client. A client that sent
	// its ClientHello and half-closed at once, without waiting for the
	// answer, ends its side in this order; one that read the answer and
	// then closed cannot. The order is the relay's own (no system call):
	// a FIN the relay read late, after it had started writing, does not
	// set it.
	ClientFINFirst bool
	// FirstFIN is the side whose FIN the relay read while the other side
	// was still open (SideClient or SideBackend; "" when no FIN came
	// before the relay ended), and FirstFINAfter how long after the
	// relay began it was read. A backend's alert or close that follows a
	// client's half-close is its reaction to it, not the cause of the
	// end. Set from the time the relay takes at that EOF anyway: no
	// system call and no clock read of its own.
	FirstFIN      string
	FirstFINAfter time.Duration
}

// LastSize is how many of the first bytes of the relay's last read from
// the client Result keeps: a TLS record header and an alert's two bytes,
// with one to spare.
const LastSize = 8

// UpHeadSize is how many of the client's bytes after firstUp Result keeps:
// a ChangeCipherSpec record and the next record's header and two bytes,
// with room to spare.
const UpHeadSize = 16

// HeadSize is how many of the backend's first bytes Result keeps: a TLS
// record header and the two bytes of an alert, with one to spare.
const HeadSize = 8

// Names of the two directions, for errors and idle bookkeeping.
const (
	up   = 0
	down = 1
)

func dirName(d int) string {
	if d == up {
		return "client→backend"
	}
	return "backend→client"
}

// sideOf names the side whose socket direction d reads: the client's
// for client→backend.
func sideOf(d int) string {
	if d == up {
		return SideClient
	}
	return SideBackend
}

// idleChunk bounds one splice call when an idle timeout is armed, so a
// busy direction reports progress at least this often; without a timeout a
// single io.Copy runs to the end.
const idleChunk = 1 << 20

// spliceAfter is how many bytes a direction copies through a small user
// buffer before it switches to splice(2). Handshakes, requests and replies
// of short flows are a few KiB: for them a read/write pair is cheaper than
// splice's pipe (two more fds per direction, and its drain calls), while a
// bulk transfer still spends almost all its bytes on the splice path.
const spliceAfter = 64 << 10

// warmBuf is the small buffer of the read/write phase.
const warmBuf = 4 << 10

// errMore says a window ended at its byte limit, not at EOF: keep copying.
var errMore = errors.New("upstream: window full")

// readerOnly and writerOnly hide ReaderFrom/WriterTo so io.CopyBuffer
// really uses the buffer instead of splicing.
type readerOnly struct{ io.Reader }
type writerOnly struct{ io.Writer }

// Pump replays firstUp to the backend, then copies both ways until each
// direction has ended, and closes both conns.
//
// A FIN on one side is passed on as a half-close (CloseWrite) while the
// other direction keeps flowing. A reset or any other error on either side
// resets both conns at once, so nothing hangs. With idle > 0 the pump ends
// with ErrIdle once both directions have been idle for a full period.
//
// When client and backend are both *net.TCPConn the kernel splices the
// bytes; callers must therefore pass the raw TCP conns (after replaying any
// peeked bytes through firstUp), not wrappers that hide ReaderFrom.
//
// Pump reports everything Result holds; PumpWith chooses (Options).
func Pump(client, backend net.Conn, firstUp []byte, idle time.Duration) (Result, error) {
	return PumpWith(client, backend, firstUp, Options{Idle: idle, KeepLast: true})
}

// Options are one PumpWith call's choices. The zero value relays with no
// idle timeout and buffers of its own, and keeps no last read.
type Options struct {
	// Idle ends the relay with ErrIdle once neither direction has carried
	// a byte for this long (see Pump); 0 never does.
	Idle time.Duration
	// Bufs are the copy buffers; nil allocates them.
	Bufs *Buffers
	// KeepLast keeps the client's last read in Result.UpLast, at a copy of
	// LastSize bytes per read from the client: wanted only where the
	// client's own TLS records pass through, whose last one may be its
	// closing alert. A relay of decrypted or plaintext bytes has no use
	// for it.
	KeepLast bool
	// Watch, when set, sees every read the relay makes through its own
	// buffers: the client's bytes after firstUp and the backend's, as
	// read, before they are written on. Bytes that go by splice (past
	// spliceAfter on a direction between two TCP conns) are not seen: a
	// caller compares what it saw with Result's counts. The two
	// directions call it from two goroutines.
	Watch Watcher
}

// Watcher sees a relay's reads (Options.Watch, and the fastpath engine's
// Conn.Watch), so a caller can follow what crosses a relay it does not
// run, such as the TLS records of a passed-through stream. Read is given
// the bytes of one read from the backend (down) or from the client; it
// must not keep p, and must be quick: the relay waits for it.
type Watcher interface {
	Read(down bool, p []byte)
}

// An EndWatcher is a Watcher also told when a direction's reads end
// cleanly (its peer's FIN), before the relay passes that FIN on: in order
// with the reads, so it can tell which came first, a record the other side
// sent or this end.
type EndWatcher interface {
	Watcher
	End(down bool)
}

// WatchEnd tells w, when it is an EndWatcher, that direction down ended.
func WatchEnd(w Watcher, down bool) {
	if ew, ok := w.(EndWatcher); ok {
		ew.End(down)
	}
}

// Buffers are the copy buffers of one Pump at a time. A caller that relays
// connections one after another (a listener's worker) keeps one and passes
// it to every PumpWith, so a short flow allocates no buffer at all. The
// zero value is ready; a nil *Buffers makes PumpWith allocate.
type Buffers struct {
	dir [2][]byte
}

// get returns direction d's buffer of at least size bytes.
func (b *Buffers) get(d, size int) []byte {
	if b == nil {
		return make([]byte, size)
	}
	if cap(b.dir[d]) < size {
		b.dir[d] = make([]byte, size)
	}
	return b.dir[d][:size]
}

// PumpWith is Pump with the choices of opt: the copy buffers supplied by
// the caller, which must not be shared by two PumpWith calls running at
// the same time, and what Result keeps.
//
// The backend→client direction runs on the calling goroutine and only the
// other one on a new goroutine: a short connection costs one goroutine
// start and one wake-up fewer, which shows in the new-connection rate.
func PumpWith(client, backend net.Conn, firstUp []byte, opt Options) (Result, error) {
	idle, bufs := opt.Idle, opt.Bufs
	p := &pump{conns: [2]net.Conn{client, backend}, idle: idle, span: idle / windowsPerIdle, firstFIN: -1}
	p.taps[down].head, p.taps[up].head = p.downBuf[:], p.upBuf[:]
	p.taps[up].keepLast = opt.KeepLast
	p.taps[up].watch, p.taps[down].watch, p.taps[down].down = opt.Watch, opt.Watch, true
	if !opt.KeepLast {
		p.taps[up].lastLen = -1 // not asked for, so not seen
	}
	now := time.Now()
	p.began = now
	for i := range p.flows {
		p.flows[i].windowStart = now
	}
	// The replay happens here, before the other goroutine starts, so the
	// backend has the request one scheduling hop sooner. A failed replay
	// has reset both conns; the two directions then end at once.
	upOn := p.replay(up, backend, firstUp)
	done := make(chan struct{})
	if upOn {
		go func() {
			defer close(done)
			p.run(up, backend, client, bufs)
		}()
	} else {
		close(done)
	}
	p.run(down, client, backend, bufs)
	<-done
	client.Close()
	backend.Close()

	res := Result{Up: p.flows[up].n, Down: p.flows[down].n, UpErr: p.flows[up].err, DownErr: p.flows[down].err, ResetBy: p.resetBy, AfterClientEnd: p.afterClientEnd,
		DownHead: p.downBuf, DownHeadLen: p.taps[down].headLen, UpHead: p.upBuf, UpHeadLen: p.taps[up].headLen,
		UpLast: p.taps[up].last, UpLastLen: p.taps[up].lastLen, ClientFINFirst: p.clientFINFirst}
	if p.firstFIN >= 0 {
		res.FirstFIN = sideOf(p.firstFIN)
		res.FirstFINAfter = p.flows[p.firstFIN].doneAt.Sub(p.began)
	}
	return res, p.cause
}

// windowsPerIdle: each direction reads in windows of idle/windowsPerIdle.
// Expiry is noticed only at a window's end, and the last byte's time only
// to within a window, so a connection is reset between 1 and 1+2/8 idle
// periods after its last byte (with windows of a whole period, up to two
// periods). Shorter windows cost a wake-up per direction per window on
// quiet connections.
const windowsPerIdle = 8

// pump is the state one Pump call shares between its two goroutines.
type pump struct {
	conns [2]net.Conn // client, backend
	idle  time.Duration
	span  time.Duration // one read window (see windowsPerIdle)

	mu      sync.Mutex
	flows   [2]flow
	aborted bool
	// upFailed, made by awaitWriteFail, is closed when the client→backend
	// direction records its failure (failBy, drainDown).
	upFailed chan struct{}
	// draining: a write to the backend failed and the backend→client
	// direction passes on what the backend had sent before it resets
	// both sides (drainDown).
	draining bool
	cause    error  // first failure, returned by Pump
	resetBy  string // Result.ResetBy
	// afterClientEnd is Result.AfterClientEnd.
	afterClientEnd bool
	// clientFINFirst is Result.ClientFINFirst, set by the client→backend
	// direction at its EOF from downStarted.
	clientFINFirst bool
	// firstFIN is the direction whose EOF came while the other was still
	// open (-1: none yet), for Result.FirstFIN; began is when the relay
	// started, the origin of Result.FirstFINAfter.
	firstFIN int
	began    time.Time
	// downStarted is set by the backend→client direction just before its
	// first write to the client, through downFirst. Set before the write,
	// not after: a client that read the answer and then closed must never
	// be taken for one whose FIN came first, while the converse mistake
	// (a FIN read just after the flag, though sent before the write) only
	// keeps the older, vaguer diagnosis.
	downStarted atomic.Bool
	downFirst   firstWriter

	// taps keep what Result reports of each direction's reads: the
	// backend's first bytes in downBuf, the client's in upBuf, and the
	// client's last read. Each is touched only by its direction's
	// goroutine: down's is Pump's own, which also builds the Result, and
	// up's ends before Pump builds it, so they need no lock.
	taps    [2]tap
	downBuf [HeadSize]byte
	upBuf   [UpHeadSize]byte
}

// tap passes reads through unchanged and copies from them what Result
// reports of a direction: the stream's first len(head) bytes, and, with
// keepLast, the first bytes and the length of the latest read that
// returned any, and passes each read to a Watcher. A window is put
// through it only while it wants one of them (wants), so a relay's splice
// path, which begins after spliceAfter bytes, never sees it.
type tap struct {
	r        io.Reader
	head     []byte // an array of the pump's, so a head costs no allocation
	headLen  int
	keepLast bool
	last     [LastSize]byte
	lastLen  int
	watch    Watcher // Options.Watch, for every read through the tap
	down     bool    // the tap reads the backend
}

func (t *tap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.headLen += copy(t.head[t.headLen:], p[:n])
	if t.keepLast && n > 0 {
		copy(t.last[:], p[:n])
		t.lastLen = n
	}
	if t.watch != nil && n > 0 {
		t.watch.Read(t.down, p[:n])
	}
	return n, err
}

// wants says the next window must read through t: its head still lacks
// bytes, or it keeps the last read or has a watch, and the window's reads
// can be seen (a window that splices, with splicing set, moves its bytes
// unseen).
func (t *tap) wants(splicing bool) bool {
	return t.headLen < len(t.head) || (t.keepLast || t.watch != nil) && !splicing
}

// firstWriter passes writes through and sets started before the first
// one. A window is put through it only while started is unset, so the
// splice path never sees it.
type firstWriter struct {
	w       io.Writer
	started *atomic.Bool
}

func (f *firstWriter) Write(b []byte) (int, error) {
	f.started.Store(true)
	return f.w.Write(b)
}

// flow is one direction's progress, read by the other direction to decide
// whether the whole connection is idle.
type flow struct {
	n   int64
	err error
	// windowStart is when the current read window was armed.
	windowStart time.Time
	// idleSince starts the current run of windows that moved no byte; zero
	// while the latest window carried data.
	idleSince time.Time
	// doneAt is when the direction ended with EOF; it stays idle forever.
	doneAt time.Time
}

// replay writes the bytes already read from the source (the peek) to dst.
// It reports whether direction d goes on; a failed write ended it.
//
// A failed write is attributed like one of run's (resetSide, drainDown):
// a backend that reset at accept, before the replay, leaves its error to
// this write, and its reads then end in a plain EOF. Recorded with no
// side, as a plain failure, that reset was logged as a working connection
// whenever the replay came after it, about one curl run in twelve.
func (p *pump) replay(d int, dst net.Conn, first []byte) bool {
	if len(first) == 0 {
		return true
	}
	n, err := dst.Write(first)
	p.add(d, int64(n))
	if err == nil {
		return true
	}
	err = fmt.Errorf("upstream: %s: replay %d first bytes (%d written): %w", dirName(d), len(first), n, err)
	by := p.resetSide(d, err)
	if d == up && p.resetIndex(d, err) == 1 && p.drainDown(err, by) {
		return false // the backend→client direction ends the relay
	}
	p.failBy(d, err, by)
	return false
}

// run copies src to dst for direction d until EOF, error, idle expiry or
// an abort by the other direction.
func (p *pump) run(d int, dst, src net.Conn, bufs *Buffers) {
	if p.isAborted() { // a drain that began already is this direction's to do
		return
	}
	var buf []byte
	var warm []byte // read/write buffer of a spliceable direction's first bytes
	if spliceable(dst, src) {
		warm = bufs.get(d, warmBuf)
	} else {
		// Reused across windows; io.CopyBuffer still prefers
		// ReaderFrom/WriterTo when either side offers them.
		buf = bufs.get(d, 32<<10)
	}
	for {
		if warm != nil && p.count(d) >= spliceAfter {
			warm = nil // bulk from here on: splice
		}
		n, err := p.window(d, dst, src, buf, warm)
		p.add(d, n)
		switch {
		case errors.Is(err, errMore):
			p.progress(d, n)
		case err == nil:
			if p.idle == 0 {
				// io.Copy without a limit only returns nil at EOF.
				p.finish(d, dst)
				return
			}
			p.progress(d, n)
		case errors.Is(err, io.EOF):
			p.finish(d, dst)
			return
		case p.idle > 0 && isTimeout(err) && !p.isEnding():
			if n > 0 {
				p.progress(d, n)
				continue
			}
			if p.expired(d, time.Now()) {
				p.fail(d, fmt.Errorf("%w: no byte in either direction for %s (up %d B, down %d B)", ErrIdle, p.idle, p.count(up), p.count(down)))
				return
			}
		default:
			// Attributed before failBy resets both sockets.
			err := fmt.Errorf("upstream: %s: %w", dirName(d), err)
			by := p.resetSide(d, err)
			if d == up && p.resetIndex(d, err) == 1 && p.drainDown(err, by) { // conns[1]: the backend
				return // the backend→client direction ends the relay
			}
			p.failBy(d, err, by)
			return
		}
	}
}

// window copies until EOF or a byte limit: with an idle timeout one read
// window of at most idleChunk bytes, and while warm is set (a spliceable
// direction's first spliceAfter bytes) through warm instead of splice. It
// returns errMore when it stopped at the limit. An io.LimitedReader keeps
// the splice path: net's TCPConn.ReadFrom unwraps it.
func (p *pump) window(d int, dst, src net.Conn, buf, warm []byte) (int64, error) {
	limit := int64(-1)
	if p.idle > 0 {
		if err := src.SetReadDeadline(time.Now().Add(p.span)); err != nil {
			return 0, err
		}
		limit = idleChunk
	}
	if warm != nil {
		if rest := spliceAfter - p.count(d); limit < 0 || rest < limit {
			limit = max(rest, 1)
		}
	}
	var r io.Reader = src
	t := &p.taps[d]
	splicing := warm == nil && spliceable(dst, src)
	tapped := t.wants(splicing) // r reads src through t
	if tapped {
		// A field of p: no allocation. A head alone takes only the
		// first window: the warm phase (splice starts after it) or one
		// idle window. Without either, the window is the whole stream,
		// copied through buf with the same reads and writes that src's
		// own WriteTo would make; bounding it at the head instead would
		// cost a write (and a TLS record) more.
		t.r = src
		r = t
	} else if t.keepLast {
		// splice moves these bytes unseen: the last read is unknown
		// from here on (a client that sends over spliceAfter).
		t.lastLen = -1
	}
	var w io.Writer = dst
	if d == down && !p.downStarted.Load() {
		// A field of p like the heads: no allocation. Only the copies
		// through writerOnly below write through it; the last one (dst's
		// ReadFrom, splice) runs only once the down head is full, and
		// the window that filled it had begun writing.
		p.downFirst.w, p.downFirst.started = dst, &p.downStarted
		w = &p.downFirst
	}
	var lr *io.LimitedReader
	if limit >= 0 {
		lr = &io.LimitedReader{R: r, N: limit}
		r = lr
	}
	var n int64
	var err error
	switch {
	case warm != nil:
		n, err = io.CopyBuffer(writerOnly{w}, readerOnly{r}, warm)
	case tapped:
		// Through buf: dst's ReadFrom would find no socket under r to
		// splice from and copy through a buffer of its own, allocated
		// per call.
		n, err = io.CopyBuffer(writerOnly{w}, r, buf)
	default:
		n, err = io.CopyBuffer(dst, r, buf)
	}
	if err == nil && lr != nil {
		if lr.N > 0 {
			err = io.EOF // the source ended before the limit did
		} else {
			err = errMore
		}
	}
	return n, err
}

// spliceable reports whether io.Copy between the two will use splice(2).
func spliceable(dst, src net.Conn) bool {
	_, a := dst.(*net.TCPConn)
	_, b := src.(*net.TCPConn)
	return a && b
}

func (p *pump) add(d int, n int64) {
	p.mu.Lock()
	p.flows[d].n += n
	p.mu.Unlock()
}

func (p *pump) count(d int) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flows[d].n
}

// isAborted says the relay was aborted (a direction failed, or Close).
func (p *pump) isAborted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.aborted
}

// isEnding says the relay is ending: aborted, or draining the backend's
// last bytes, which an idle timeout must not cut short.
func (p *pump) isEnding() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.aborted || p.draining
}

// progress closes a window for direction d and arms the next one.
func (p *pump) progress(d int, n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := &p.flows[d]
	if n > 0 {
		f.idleSince = time.Time{}
	}
	f.windowStart = time.Now()
}

// expired closes an empty window for direction d and reports whether both
// directions have now been idle together for a full period. The other
// direction's idleness is known only up to the end of its last finished
// window, unless it has ended, or it is stuck writing: its read deadline
// lapses one window after the window opened, so a window still open a
// full period after that means the peer stopped reading, which counts as
// idle from the lapse on.
func (p *pump) expired(d int, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	self, other := &p.flows[d], &p.flows[1-d]
	if self.idleSince.IsZero() {
		self.idleSince = self.windowStart
	}
	self.windowStart = now

	var from, to time.Time
	switch {
	case !other.doneAt.IsZero():
		from, to = other.doneAt, now
		if !other.idleSince.IsZero() {
			from = other.idleSince
		}
	case now.Sub(other.windowStart) > p.span+p.idle:
		from, to = other.windowStart.Add(p.span), now
		if !other.idleSince.IsZero() {
			from = other.idleSince
		}
	case !other.idleSince.IsZero():
		from, to = other.idleSince, other.windowStart
	default:
		return false
	}
	start := self.idleSince
	if from.After(start) {
		start = from
	}
	end := now
	if to.Before(end) {
		end = to
	}
	return end.Sub(start) >= p.idle
}

// finish handles a clean EOF on direction d: pass the FIN on and, if the
// other direction is over too, stop. The end of a drain (drainDown) is no
// FIN: what the backend sent is all passed on, and its reset follows.
func (p *pump) finish(d int, dst net.Conn) {
	if w := p.taps[d].watch; w != nil {
		WatchEnd(w, d == down)
	}
	if d == down {
		p.awaitWriteFail()
	}
	p.mu.Lock()
	if p.aborted {
		p.mu.Unlock()
		return
	}
	if p.draining {
		p.aborted = true
		p.mu.Unlock()
		p.resetBoth()
		return
	}
	p.flows[d].doneAt = time.Now()
	if d == up {
		p.clientFINFirst = !p.downStarted.Load()
	}
	otherDone := !p.flows[1-d].doneAt.IsZero()
	if !otherDone && p.firstFIN < 0 {
		p.firstFIN = d
	}
	p.mu.Unlock()
	if otherDone {
		// Both peers have sent their FIN and Pump closes both conns next:
		// that close sends this FIN (nothing is left unread, so it is a
		// FIN, not an RST), and a shutdown first would only add a syscall
		// to every short connection.
		return
	}
	if err := closeWrite(dst); err != nil && !errors.Is(err, net.ErrClosed) {
		// The peer is gone (ENOTCONN, EPIPE): the other direction cannot
		// deliver anything either.
		p.fail(d, fmt.Errorf("upstream: %s: half-close: %w", dirName(d), err))
	}
}

// fail records err for direction d and, if it is the first failure,
// resets both conns so the other direction unblocks immediately.
func (p *pump) fail(d int, err error) { p.failBy(d, err, "") }

// failBy is fail for a reset of side by (Result.ResetBy).
func (p *pump) failBy(d int, err error, by string) {
	p.mu.Lock()
	if p.aborted {
		p.mu.Unlock()
		return // a consequence of our own abort, not a cause
	}
	p.aborted = true
	if !p.draining { // a drain's end: the cause was the failed write
		p.recordLocked(d, err, by)
	}
	p.signalLocked()
	p.mu.Unlock()
	p.resetBoth()
}

// recordLocked keeps err, direction d's failure and the relay's cause,
// with the side whose reset it was; p.mu is held.
func (p *pump) recordLocked(d int, err error, by string) {
	p.flows[d].err = err
	p.cause = err
	p.resetBy = by
	// Read before any reset changes the client socket's state.
	p.afterClientEnd = by == SideBackend && (!p.flows[up].doneAt.IsZero() || PeerFINPending(p.conns[up]))
}

func (p *pump) resetBoth() {
	for _, c := range p.conns {
		reset(c)
	}
}

// drainGrace bounds how long a drain (drainDown) may wait on a client that
// does not read: the bytes are what its socket buffer takes, not a wait.
const drainGrace = time.Second

// drainDown handles a write to the backend that failed (its reset came)
// while the backend→client direction still runs: what the backend sent
// before its reset may still be queued on its socket, and its reads return
// that before the end. Instead of resetting both sides at once, which
// dropped those bytes, the failure is recorded and that direction goes on
// to the end of what is queued, then resets both sides (finish, failBy).
// Its writes to the client get drainGrace, so a client that reads nothing
// cannot hold the relay. It reports false when there is nothing to drain
// (the relay already ended, or the backend's FIN was read).
func (p *pump) drainDown(err error, by string) bool {
	p.mu.Lock()
	if p.aborted || p.draining || !p.flows[down].doneAt.IsZero() {
		p.mu.Unlock()
		return false
	}
	p.draining = true
	p.recordLocked(up, err, by)
	p.signalLocked()
	p.mu.Unlock()
	_ = p.conns[up].SetWriteDeadline(time.Now().Add(drainGrace))
	return true
}

// signalLocked wakes a backend→client direction waiting in awaitWriteFail;
// p.mu is held.
func (p *pump) signalLocked() {
	if p.upFailed != nil {
		close(p.upFailed)
		p.upFailed = nil
	}
}

// awaitWriteFail runs at the backend→client direction's EOF, before it is
// taken for the backend's FIN. A reset leaves the queued bytes readable
// and then one error, taken by whichever call meets it first: when the
// client→backend write took it, the reads here end in a plain EOF with
// the backend's socket closed (TCP_CLOSE, which a FIN alone never leaves)
// and no error left on it, while that write's failure is still on its way
// to drainDown. Passed on as a FIN, that EOF hid the reset from the client
// and from ResetBy. So this waits for the other direction to record its
// failure, then finish ends the drain with a reset as drainDown means to.
// A backend that sent its FIN and then reset bytes the relay wrote leaves
// its error pending instead, for a write that may never come (a client
// that sends nothing more): its EOF is its FIN, and no wait. drainGrace
// bounds the wait all the same, after which the EOF is a FIN as before.
// A relay whose client has ended cannot be in that race and pays no
// system call.
func (p *pump) awaitWriteFail() {
	p.mu.Lock()
	if p.aborted || p.draining || !p.flows[up].doneAt.IsZero() {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if !peerReset(p.conns[down]) || errPending(p.conns[down]) {
		return
	}
	p.mu.Lock()
	if p.aborted || p.draining {
		p.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	p.upFailed = ch
	p.mu.Unlock()
	t := time.NewTimer(drainGrace)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
		p.mu.Lock()
		if p.upFailed == ch {
			p.upFailed = nil
		}
		p.mu.Unlock()
	}
}

// closeWrite sends FIN (and close_notify on TLS) while keeping the read
// side open. A conn that cannot half-close is left open: closing it would
// cut the direction still flowing.
func closeWrite(c net.Conn) error {
	c = unwrapObservers(c)
	if tc, ok := c.(*tls.Conn); ok {
		err := tc.CloseWrite()
		if cw, ok := tc.NetConn().(interface{ CloseWrite() error }); ok {
			// crypto/tls sends only close_notify; peers that wait for
			// the TCP FIN (or ignore close_notify) need the FIN too.
			err = errors.Join(err, cw.CloseWrite())
		}
		return err
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// reset closes c with an RST where it can, like BIG-IP propagating a reset
// to the other side: a FIN would look like a clean end of the stream.
func reset(c net.Conn) {
	raw := beneath(c)
	// A recording wrapper (a pcap capture) resets the socket itself so the
	// RST is both sent and recorded.
	if r, ok := raw.(interface{ Reset() error }); ok {
		_ = r.Reset()
		return
	}
	// A *net.TCPConn, or a wrapper that passes SetLinger down to one.
	if l, ok := raw.(interface{ SetLinger(int) error }); ok {
		_ = l.SetLinger(0)
	}
	_ = raw.Close()
}

// unwrapObservers peels wrappers that only watch bytes (they expose the conn
// they wrap with Unwrap) so half-close and reset reach the real socket.
// *tls.Conn is not peeled here: its own CloseWrite must run.
func unwrapObservers(c net.Conn) net.Conn {
	for {
		u, ok := c.(interface{ Unwrap() net.Conn })
		if !ok {
			return c
		}
		c = u.Unwrap()
	}
}
