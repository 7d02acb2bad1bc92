package faults

import (
	"crypto/tls"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// latencyQueue is how many chunks may wait; Toxiproxy buffers 1024 too.
const latencyQueue = 1024

// latency delays each chunk by latency ± uniform jitter from the moment it
// is written, like Toxiproxy's latency toxic. Chunks wait in a queue and a
// goroutine delivers them when due, so back-to-back chunks overlap their
// waits and a bulk transfer is delayed, not throttled.
type latency struct {
	next     sink
	k        *ctl
	lat, jit time.Duration
	rng      *rand.Rand
	// spared, when set, sees every chunk in order and says how many of
	// its first bytes pass with no delay (behind any chunk still
	// queued); the rest is delayed. A request-stage latency on TLS
	// tlsgate does not decrypt spares the handshake: it delays requests
	// and what answers them. Nil delays every byte.
	spared func(p []byte) int
	// acted, when set, is told that bytes were delayed: a rule that fires
	// only when it acts (a request-stage latency) is marked there.
	acted func()

	mu      sync.Mutex
	started bool
	ended   bool
	err     error // first delivery error, reported to later writes
	q       chan lchunk
	done    chan struct{} // closed when the goroutine exits
}

type lchunk struct {
	b   []byte
	due time.Time
	end bool       // End marker: flush, then pass End on
	fin bool       // the End's fin
	ack chan error // the End's result
}

func newLatency(next sink, k *ctl, lat, jit time.Duration, rng *rand.Rand) *latency {
	return &latency{next: next, k: k, lat: lat, jit: jit, rng: rng,
		q: make(chan lchunk, latencyQueue), done: make(chan struct{})}
}

// delay draws this chunk's delay; jitter is uniform in [-jit, +jit] and the
// result never goes below zero.
func (l *latency) delay() time.Duration {
	d := l.lat
	if l.jit > 0 {
		d += time.Duration(l.rng.Int64N(2*int64(l.jit)+1)) - l.jit
	}
	return max(d, 0)
}

func (l *latency) Write(p []byte) (int, error) {
	l.mu.Lock()
	switch {
	case l.ended:
		l.mu.Unlock()
		return 0, net.ErrClosed
	case l.err != nil:
		err := l.err
		l.mu.Unlock()
		return 0, err
	}
	if !l.started {
		l.started = true
		go l.run()
	}
	d := l.delay()
	now := l.k.deps.Now()
	spare := 0
	if l.spared != nil {
		spare = l.spared(p)
	}
	var cs []lchunk
	if spare > 0 {
		cs = append(cs, lchunk{b: slices.Clone(p[:spare]), due: now})
	}
	if spare < len(p) {
		cs = append(cs, lchunk{b: slices.Clone(p[spare:]), due: now.Add(d)})
		if l.acted != nil && d > 0 {
			l.acted()
		}
	}
	l.mu.Unlock()
	// A write queues up to two chunks (spared, then delayed): if the
	// connection ends between them, the first is in and its bytes count,
	// as io.Writer's n must say.
	n := 0
	for _, c := range cs {
		select {
		case l.q <- c:
			n += len(c.b)
		case <-l.done:
			return n, l.errOr(net.ErrClosed)
		case <-l.k.done:
			return n, l.k.deadErr()
		}
	}
	return len(p), nil
}

// End waits until every queued chunk is delivered, then passes End on. On
// Close (fin false) the waits are already cut short: the queue goes out
// now, each chunk without the rest of its delay.
func (l *latency) End(fin bool) error {
	l.mu.Lock()
	if l.ended {
		started := l.started
		l.mu.Unlock()
		if !fin && started {
			// Close during a CloseWrite that is still draining the
			// queue: let the (now undelayed) drain finish before the
			// socket goes.
			select {
			case <-l.done:
			case <-l.k.done:
			}
		}
		return nil
	}
	l.ended = true
	started := l.started
	l.mu.Unlock()
	if !started {
		return l.next.End(fin)
	}
	ack := make(chan error, 1)
	select {
	case l.q <- lchunk{end: true, fin: fin, ack: ack}:
	case <-l.done:
		return l.errOr(nil)
	case <-l.k.done:
		return l.k.deadErr()
	}
	select {
	case err := <-ack:
		return err
	case <-l.k.done:
		return l.k.deadErr()
	}
}

func (l *latency) errOr(def error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	return def
}

// run delivers queued chunks when due, until End or the connection dies.
func (l *latency) run() {
	defer close(l.done)
	for {
		var c lchunk
		select {
		case c = <-l.q:
		case <-l.k.done:
			return
		}
		if c.end {
			c.ack <- l.next.End(c.fin)
			return
		}
		if l.errOr(nil) != nil {
			continue // a failed write: drop the rest, as the socket is gone
		}
		if d := c.due.Sub(l.k.deps.Now()); d > 0 {
			if l.k.wait(d) != nil {
				return // the connection ended: the socket is gone
			}
		}
		if _, err := l.next.Write(c.b); err != nil {
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
		}
	}
}

// delaysRequest reports whether the rule is a request-stage latency: it
// fires only when it delayed a request (see requestRecords), not on a
// connection whose client sent none, as one that leaves after the
// server's flight.
func (r *Rule) delaysRequest() bool { return r.Action == ActLatency && r.Stage == StageRequest }

// requestState is what a request-stage latency's two directions share
// on a conn carrying TLS tlsgate does not decrypt: where the handshake
// ends (the server's version, the client's encrypted records), and
// whether the client has sent a request.
type requestState struct {
	tls       corruptState
	requested atomic.Bool
}

// requestRecords tells, on a conn carrying TLS tlsgate does not decrypt,
// which of the client's bytes are a request: those of an
// application-data record past the handshake. Under TLS 1.2 that is any
// type 23 record; under TLS 1.3 the client's first ones are its
// sealed handshake flight and its close_notify is one more, which
// isRequest tells apart by their sizes (corruptState gives the version
// and the suite, from the server's hello). The client's CCS, its TLS
// 1.2 handshake records and a TLS 1.2 alert are none. Only requests
// are delayed, and what the server sends once one came: before
// it, the server's flight is the handshake, not an answer, and a
// terminating listener, whose request wrappers come after the
// handshake, never delays it either.
type requestRecords struct {
	st   *requestState
	scan sniff.RecordScan
	cur  bool // the record being scanned is a request's
	// flight follows the client's TLS 1.3 handshake flight, sealed in
	// type 23 records like its requests (sniff.ClientFlight).
	flight sniff.ClientFlight
}

// isRequest says whether a type 23 record of the client's, of body
// length n, is a request: past the handshake, under the version and
// suite the server's hello chose (sniff.ClientFlight.Request tells the
// TLS 1.3 flight and close_notify apart by their sizes). Before the
// server's hello is read, or when it never will be, none is.
func (q *requestRecords) isRequest(n int) bool {
	past := q.st.tls.appRecord(C2S) // counted even when it is not used
	v, suite := q.st.tls.choice()
	if v < tls.VersionTLS13 {
		return past && n > 0
	}
	return q.flight.Request(n, v, suite)
}

// spared says how many of the first bytes of a chunk going dir the rule
// leaves alone: on the client's side those before the first request
// record that p holds a byte of (all of p when it holds none), on the
// server's all of p until a request came, none after.
func (q *requestRecords) spared(p []byte, dir Direction) int {
	if dir == C2S {
		return q.firstRequest(p)
	}
	if q.st.requested.Load() {
		return 0
	}
	return len(p)
}

// firstRequest follows p through the client's records and returns where
// in p the first record holding a request byte begins (0 for one begun
// in an earlier chunk), len(p) when none does, noting that a request
// came. Bytes that are no TLS records (the scan lost its step) count as
// a request: nothing says they are not.
func (q *requestRecords) firstRequest(p []byte) int {
	first := len(p)
	if q.scan.Lost() {
		first = 0
	} else {
		q.scan.Feed(p, func(typ uint8, length int) {
			q.cur = typ == recordAppData && q.isRequest(length)
		}, func(at, bodyOff, n int) {
			if !q.cur || first < len(p) {
				return
			}
			first = at
			if bodyOff == 0 {
				first = max(at-5, 0) // its header, or what of it is in p
			}
		})
		if q.scan.Lost() && first == len(p) {
			first = q.scan.LostAt()
		}
	}
	if first < len(p) {
		q.st.requested.Store(true)
	}
	return first
}

// watch returns a pass-through filter for a direction the rule does not
// delay: it reads the server's hello, or the client's requests.
func (q *requestRecords) watch(next sink, dir Direction) sink {
	if dir == S2C {
		return helloWatch{next: next, st: &q.st.tls}
	}
	return requestWatch{next: next, q: q}
}

// helloWatch passes the server's bytes on unchanged, reading its hello.
type helloWatch struct {
	next sink
	st   *corruptState
}

func (w helloWatch) Write(p []byte) (int, error) {
	w.st.serverBytes(p)
	return w.next.Write(p)
}

func (w helloWatch) End(fin bool) error { return w.next.End(fin) }

// requestWatch passes the client's bytes on unchanged, noting a request.
type requestWatch struct {
	next sink
	q    *requestRecords
}

func (w requestWatch) Write(p []byte) (int, error) {
	w.q.firstRequest(p)
	return w.next.Write(p)
}

func (w requestWatch) End(fin bool) error { return w.next.End(fin) }
