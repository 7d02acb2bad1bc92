package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

type latencyOpts struct {
	clientOpts
	requests    int64
	concurrency int
	duration    time.Duration
	warmup      int
}

func cmdLatency(ctx context.Context, args []string, e *env) error {
	var o latencyOpts
	fs := newFlags("latency", "--target host:port --requests 5000 --concurrency 1 [--tls ...]", e.stdout)
	o.register(fs)
	fs.Int64Var(&o.requests, "requests", 5000, "requests to time, in total")
	fs.IntVar(&o.concurrency, "concurrency", 1, "persistent connections, each with one request in flight")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "stop after this long even if requests are left")
	fs.IntVar(&o.warmup, "warmup", 20, "untimed requests per connection first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.checkLatency(); err != nil {
		return err
	}
	return measured(e, &o.clientOpts, append([]string{"latency"}, args...), func() (result, error) { return runLatency(ctx, e, o) })
}

func (o *latencyOpts) checkLatency() error {
	if err := o.check("latency"); err != nil {
		return err
	}
	if err := positive("latency", "requests", o.requests); err != nil {
		return err
	}
	if err := positive("latency", "concurrency", int64(o.concurrency)); err != nil {
		return err
	}
	if err := positive("latency", "duration", int64(o.duration)); err != nil {
		return err
	}
	if o.warmup < 0 {
		return usageError{"latency: --warmup must not be negative"}
	}
	return nil
}

// runLatency times small request/response round trips on kept-alive
// connections, one in flight per connection, so each sample is the path's
// latency and not queueing behind our own requests. Connections and
// warm-up happen before the clock starts.
func runLatency(ctx context.Context, e *env, o latencyOpts) (result, error) {
	r := newResult("latency", &o.clientOpts, o.concurrency)
	d, err := newDialer(e, &o.clientOpts)
	if err != nil {
		return r, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()

	conns := make([]net.Conn, 0, o.concurrency)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	readers := make([]*bufio.Reader, 0, o.concurrency)
	for range o.concurrency {
		c, err := d.dial(ctx)
		if err != nil {
			return r, fmt.Errorf("latency: connect to %s: %w", o.target, err)
		}
		conns = append(conns, c)
		br := bufio.NewReaderSize(c, 4096)
		readers = append(readers, br)
		for i := range o.warmup {
			if err := roundTrip(c, br, d.timeout, e.now); err != nil {
				return r, fmt.Errorf("latency: warm-up request %d to %s: %w", i+1, o.target, err)
			}
		}
	}

	t := tally{now: e.now}
	var mu sync.Mutex
	var claimed int64
	claim := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if claimed >= o.requests {
			return false
		}
		claimed++
		return true
	}
	samples := make([][]time.Duration, o.concurrency)
	var wg sync.WaitGroup
	start := e.now()
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stop := context.AfterFunc(ctx, func() { _ = c.Close() })
			defer stop()
			for ctx.Err() == nil && claim() {
				t0 := e.now()
				if err := roundTrip(c, readers[i], d.timeout, e.now); err != nil {
					t.fail(ctx, err)
					return // the connection is in an unknown state
				}
				samples[i] = append(samples[i], e.now().Sub(t0))
				t.ops.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := e.now().Sub(start)

	var all []time.Duration
	for _, s := range samples {
		all = append(all, s...)
	}
	t.fill(&r)
	r.TLSInfo = describe(conns[0])
	s := summarize(all)
	r.Ops = int64(s.N)
	r.setLatency(s)
	r.Seconds = elapsed.Seconds()
	r.Value = r.P50us
	r.Unit = "µs p50"
	r.Cut = r.Ops+r.Errors < o.requests
	return r, nil
}

// roundTrip sends one request on c and reads one 200 response.
func roundTrip(c net.Conn, br *bufio.Reader, timeout time.Duration, now func() time.Time) error {
	if err := c.SetDeadline(now().Add(timeout)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, benchRequest); err != nil {
		return err
	}
	h, err := readResponse(br)
	if err != nil {
		return err
	}
	if h.status != 200 {
		return fmt.Errorf("status %d (%q)", h.status, h.first)
	}
	if h.close {
		return fmt.Errorf("server closed the kept-alive connection after %q", h.first)
	}
	return nil
}
