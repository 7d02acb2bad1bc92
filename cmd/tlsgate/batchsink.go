package main

import (
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
)

// batchMax is how many bytes of lines wait at most before a write: about
// 500 connection lines.
const batchMax = 64 << 10

// batchSink gathers whole log lines and appends them to the file with one
// write at most every interval, instead of one write per line. tlsgate logs
// every connection, and at thousands of connections a second that write
// was a system call per connection on the event loops, 2-3% of the
// CPU tlsgate spends per plain connection (BENCHMARKS.md, "Session 8").
//
// Only whole lines are written (each Write is one zap entry), so no line
// is split between two writes, as a bufio.Writer would split one (the
// reason an earlier buffered sink was removed, BENCHMARKS.md); lines
// reach a reader at most one interval late. Sync and Stop write what waits, so a stop signal
// loses nothing; a crash loses at most the last interval's lines.
type batchSink struct {
	out   zapcore.WriteSyncer
	every time.Duration
	timer *time.Timer

	mu      sync.Mutex // guards the fields below; never held across a write
	buf     []byte     // lines waiting
	spare   []byte     // the previous batch's buffer, for reuse
	armed   bool       // timer set to write buf
	stopped bool       // after Stop: write each line at once
	err     error      // a timed write's failure, told to the next Write or Sync

	wmu sync.Mutex // one batch written at a time, in order
}

func newBatchSink(out zapcore.WriteSyncer, every time.Duration) *batchSink {
	b := &batchSink{out: out, every: every}
	b.timer = time.AfterFunc(time.Hour, b.timed)
	b.timer.Stop()
	return b
}

// Write queues p, one encoded entry, and reports the last timed write's
// error if it failed (the lines it held are lost; zap prints the error).
func (b *batchSink) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		b.wmu.Lock()
		defer b.wmu.Unlock()
		return b.out.Write(p)
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= batchMax
	if !full && !b.armed {
		b.armed = true
		b.timer.Reset(b.every)
	}
	err := b.err
	b.err = nil
	b.mu.Unlock()
	if full {
		if ferr := b.flush(); ferr != nil {
			err = ferr
		}
	}
	return len(p), err
}

// timed is the timer's write.
func (b *batchSink) timed() {
	b.mu.Lock()
	b.armed = false
	b.mu.Unlock()
	if err := b.flush(); err != nil {
		b.mu.Lock()
		b.err = err
		b.mu.Unlock()
	}
}

// flush writes the waiting lines in one write. Writers only wait for the
// swap, not for the write.
func (b *batchSink) flush() error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	if len(b.buf) == 0 {
		b.mu.Unlock()
		return nil
	}
	// The spare leaves with the swap: nothing may alias the buffer that
	// writers append to.
	data := b.buf
	b.buf, b.spare = b.spare[:0], nil
	b.mu.Unlock()
	_, err := b.out.Write(data)
	if cap(data) <= 4*batchMax {
		b.mu.Lock()
		b.spare = data[:0]
		b.mu.Unlock()
	}
	return err
}

// Sync writes the waiting lines and syncs the file.
func (b *batchSink) Sync() error {
	err := b.flush()
	b.mu.Lock()
	if err == nil {
		err = b.err
	}
	b.err = nil
	b.mu.Unlock()
	if serr := b.out.Sync(); err == nil {
		err = serr
	}
	return err
}

// Stop writes the waiting lines and makes later writes immediate, so the
// file can be closed without a timer writing to it afterwards.
func (b *batchSink) Stop() error {
	b.mu.Lock()
	b.stopped = true
	b.armed = false
	b.timer.Stop()
	b.mu.Unlock()
	return b.flush()
}
