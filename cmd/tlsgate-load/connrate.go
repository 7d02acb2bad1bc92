package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// rateOpts bound a run of short connections by time and by count.
type rateOpts struct {
	clientOpts
	duration    time.Duration
	concurrency int
	max         int64
	headline    string
}

func (o *rateOpts) registerRate(fs *flag.FlagSet) {
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to run")
	fs.IntVar(&o.concurrency, "concurrency", 8, "parallel workers, each one connection at a time")
	fs.Int64Var(&o.max, "max", 1_000_000, "stop after this many connections even if time is left")
	fs.StringVar(&o.headline, "headline", "rate", "the result's headline: rate (per second), or p50 (a connection's median time, for --concurrency 1 runs that measure what one connection costs)")
}

func (o *rateOpts) checkRate(cmd string) error {
	if err := o.check(cmd); err != nil {
		return err
	}
	if err := positive(cmd, "duration", int64(o.duration)); err != nil {
		return err
	}
	if err := positive(cmd, "concurrency", int64(o.concurrency)); err != nil {
		return err
	}
	if o.headline != "rate" && o.headline != "p50" {
		return usageError{fmt.Sprintf("%s: --headline %q: want rate or p50", cmd, o.headline)}
	}
	return positive(cmd, "max", o.max)
}

func cmdConnRate(ctx context.Context, args []string, e *env) error {
	var o rateOpts
	fs := newFlags("connrate", "--target host:port --duration 10s --concurrency 8 --max N [--tls ...]", e.stdout)
	o.register(fs)
	o.registerRate(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.checkRate("connrate"); err != nil {
		return err
	}
	return measured(e, &o.clientOpts, append([]string{"connrate"}, args...), func() (result, error) { return runConnRate(ctx, e, o) })
}

func cmdHandshakes(ctx context.Context, args []string, e *env) error {
	var o rateOpts
	fs := newFlags("handshakes", "--target host:port --duration 10s --concurrency 8 --tls [--ca f --sni name]", e.stdout)
	o.register(fs)
	o.registerRate(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.checkRate("handshakes"); err != nil {
		return err
	}
	if !o.tls {
		return usageError{"handshakes: --tls is required (this mode counts TLS handshakes)"}
	}
	return measured(e, &o.clientOpts, append([]string{"handshakes"}, args...), func() (result, error) { return runHandshakes(ctx, e, o) })
}

// runConnRate makes one connection per request: connect, handshake when
// TLS, one HTTP request, read the response, close.
func runConnRate(ctx context.Context, e *env, o rateOpts) (result, error) {
	r, err := runShortConns(ctx, e, o, func(c net.Conn) error {
		if _, err := io.WriteString(c, benchRequest); err != nil {
			return err
		}
		h, err := readResponse(bufio.NewReaderSize(c, 1024))
		if err != nil {
			return err
		}
		if h.status != 200 {
			return fmt.Errorf("status %d (%q)", h.status, h.first)
		}
		return nil
	})
	r.Mode, r.Unit = "connrate", "conn/s"
	useHeadline(&r, o.headline)
	return r, err
}

// runHandshakes counts connect + full TLS handshake + close.
func runHandshakes(ctx context.Context, e *env, o rateOpts) (result, error) {
	r, err := runShortConns(ctx, e, o, func(net.Conn) error { return nil })
	r.Mode, r.Unit = "handshakes", "hs/s"
	useHeadline(&r, o.headline)
	return r, err
}

// useHeadline makes a run's median connection time its headline, so the
// report puts it with the latencies: one connection at a time, that time
// is what the path adds to each new connection, free of queueing.
func useHeadline(r *result, headline string) {
	if headline != "p50" {
		return
	}
	r.Value, r.Unit, r.HigherBetter = r.P50us, "µs p50", false
}

// runShortConns runs o.concurrency workers that each open a connection,
// run op on it, close it and start over, until o.duration passes or
// o.max connections were started. Each connection's whole life is one
// latency sample.
func runShortConns(ctx context.Context, e *env, o rateOpts, op func(net.Conn) error) (result, error) {
	r := newResult("", &o.clientOpts, o.concurrency)
	d, err := newDialer(e, &o.clientOpts)
	if err != nil {
		return r, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()

	t := tally{now: e.now}
	var started int64
	var startMu sync.Mutex
	claim := func() bool {
		startMu.Lock()
		defer startMu.Unlock()
		if started >= o.max {
			return false
		}
		started++
		return true
	}
	samples := make([][]time.Duration, o.concurrency)
	var wg sync.WaitGroup
	start := e.now()
	for w := range o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !runOver(ctx, e.now) && !t.tooManyErrors() && claim() {
				t0 := e.now()
				if err := oneShortConn(ctx, d, &t, op); err != nil {
					t.fail(ctx, err)
					continue
				}
				samples[w] = append(samples[w], e.now().Sub(t0))
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
	r.Ops = int64(len(all))
	r.setLatency(summarize(all))
	r.Seconds = elapsed.Seconds()
	r.Value = float64(r.Ops) / seconds(elapsed)
	r.HigherBetter = true
	if t.tooManyErrors() {
		return r, fmt.Errorf("%s: gave up after %d errors and %d successes; first: %s", o.target, r.Errors, r.Ops, r.FirstError)
	}
	return r, nil
}

func oneShortConn(ctx context.Context, d *dialer, t *tally, op func(net.Conn) error) error {
	c, err := d.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	t.noteTLS(c)
	if err := c.SetDeadline(d.e.now().Add(d.timeout)); err != nil {
		return err
	}
	return op(c)
}
