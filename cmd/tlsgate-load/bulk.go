package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

type bulkOpts struct {
	clientOpts
	bytes    byteSize
	conns    int
	duration time.Duration
	chunk    byteSize
}

func cmdBulk(ctx context.Context, args []string, e *env) error {
	o := bulkOpts{bytes: 256 << 20, chunk: 64 << 10}
	fs := newFlags("bulk", "--target host:port --bytes 256MiB --conns 1 [--tls --ca f --sni name]", e.stdout)
	o.register(fs)
	fs.Var(&o.bytes, "bytes", "bytes to send in total, split over the connections, and to read back")
	fs.IntVar(&o.conns, "conns", 1, "parallel connections")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "stop after this long even if not all bytes came back")
	fs.Var(&o.chunk, "chunk", "size of each write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.checkBulk(); err != nil {
		return err
	}
	return measured(e, &o.clientOpts, append([]string{"bulk"}, args...), func() (result, error) { return runBulk(ctx, e, o) })
}

func (o *bulkOpts) checkBulk() error {
	if err := o.check("bulk"); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"bytes", int64(o.bytes)}, {"conns", int64(o.conns)}, {"duration", int64(o.duration)}, {"chunk", int64(o.chunk)}} {
		if err := positive("bulk", c.name, c.v); err != nil {
			return err
		}
	}
	if int64(o.bytes) < int64(o.conns) {
		return usageError{fmt.Sprintf("bulk: --bytes %d is fewer than --conns %d", o.bytes, o.conns)}
	}
	return nil
}

// runBulk sends o.bytes to an echo server over o.conns connections and
// reads them back at the same time, so both directions of the path carry
// the full load. The clock starts once every connection is up: the
// number is relay throughput, not connection set-up.
func runBulk(ctx context.Context, e *env, o bulkOpts) (result, error) {
	r := newResult("bulk", &o.clientOpts, o.conns)
	d, err := newDialer(e, &o.clientOpts)
	if err != nil {
		return r, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()

	conns := make([]net.Conn, 0, o.conns)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range o.conns {
		c, err := d.dial(ctx)
		if err != nil {
			return r, fmt.Errorf("bulk: connect to %s: %w", o.target, err)
		}
		conns = append(conns, c)
	}

	payload := make([]byte, o.chunk)
	if _, err := io.ReadFull(e.rand, payload); err != nil {
		return r, fmt.Errorf("bulk: payload: %w", err)
	}
	t := tally{now: e.now}
	var received atomic.Int64
	var wg sync.WaitGroup
	start := e.now()
	for i, c := range conns {
		share := int64(o.bytes) / int64(o.conns)
		if i == 0 {
			share += int64(o.bytes) % int64(o.conns)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n, err := pumpEcho(ctx, c, payload, share, &received); err != nil {
				t.fail(ctx, fmt.Errorf("bulk: %d of %d bytes back: %w", n, share, err))
			}
		}()
	}
	wg.Wait()
	elapsed := e.now().Sub(start)

	t.fill(&r)
	r.TLSInfo = describe(conns[0])
	r.Ops = int64(o.conns)
	r.Bytes = received.Load()
	r.Seconds = elapsed.Seconds()
	r.Value = float64(r.Bytes) / seconds(elapsed) / 1e6
	r.Unit = "MB/s"
	r.HigherBetter = true
	r.Cut = r.Bytes < int64(o.bytes)
	return r, nil
}

// pumpEcho writes share bytes to c while reading as many back, and returns
// how many came back. The context's end closes c, which unblocks both.
func pumpEcho(ctx context.Context, c net.Conn, payload []byte, share int64, received *atomic.Int64) (int64, error) {
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	werr := make(chan error, 1)
	go func() {
		left := share
		for left > 0 {
			n := min(left, int64(len(payload)))
			if _, err := c.Write(payload[:n]); err != nil {
				werr <- err
				return
			}
			left -= n
		}
		werr <- nil
	}()
	buf := make([]byte, 64<<10)
	var got int64
	for got < share {
		n, err := c.Read(buf)
		got += int64(n)
		received.Add(int64(n))
		if err != nil {
			_ = c.Close() // unblock the writer
			<-werr
			return got, err
		}
	}
	return got, <-werr
}
