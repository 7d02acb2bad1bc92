package faults

import (
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"
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
	c := lchunk{b: slices.Clone(p), due: l.k.deps.Now().Add(l.delay())}
	l.mu.Unlock()
	select {
	case l.q <- c:
		return len(p), nil
	case <-l.done:
		return 0, l.errOr(net.ErrClosed)
	case <-l.k.done:
		return 0, l.k.deadErr()
	}
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
