package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// dialer opens client connections to one target, with TLS when asked.
type dialer struct {
	e       *env
	target  string
	tls     *tls.Config
	timeout time.Duration
	// sniEach, when set, gives every connection its own server name: the
	// template with {n} replaced by the next value of seq. A proxy that
	// mints a certificate per name then misses its cache every time.
	sniEach string
	seq     atomic.Int64
}

func newDialer(e *env, c *clientOpts) (*dialer, error) {
	cfg, err := c.tlsConfig(e.readFile)
	if err != nil {
		return nil, err
	}
	return &dialer{e: e, target: c.target, tls: cfg, timeout: c.timeout, sniEach: c.sniEach}, nil
}

// config is the TLS config for the next connection.
func (d *dialer) config() *tls.Config {
	if d.sniEach == "" {
		return d.tls
	}
	cfg := d.tls.Clone()
	cfg.ServerName = eachName(d.sniEach, d.seq.Add(1))
	return cfg
}

// eachName fills the {n} of an --sni-each template.
func eachName(template string, n int64) string {
	return strings.Replace(template, "{n}", strconv.FormatInt(n, 10), 1)
}

// dial connects and, with TLS, completes the handshake, each step under
// the per-operation timeout.
func (d *dialer) dial(ctx context.Context) (net.Conn, error) {
	octx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	raw, err := d.e.dial(octx, "tcp", d.target)
	if err != nil {
		return nil, err
	}
	if d.tls == nil {
		return raw, nil
	}
	tc := tls.Client(raw, d.config())
	if err := tc.HandshakeContext(octx); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("tls handshake with %s: %w", d.target, err)
	}
	return tc, nil
}

// describe names the TLS session of c for the result, or "" for plain TCP.
func describe(c net.Conn) string {
	if tc, ok := c.(*tls.Conn); ok {
		return tlsInfo(tc.ConnectionState())
	}
	return ""
}

// tally collects counts and errors from concurrent workers. Errors seen
// once the run's deadline has passed are the run stopping, not failures.
type tally struct {
	now       func() time.Time
	ops, errs atomic.Int64
	mu        sync.Mutex
	firstErr  string
	tlsInfo   string
}

func (t *tally) fail(ctx context.Context, err error) {
	if runOver(ctx, t.now) {
		return
	}
	t.errs.Add(1)
	t.mu.Lock()
	if t.firstErr == "" {
		t.firstErr = err.Error()
	}
	t.mu.Unlock()
}

// runOver is true once ctx ended or its deadline passed. The second test
// matters because a socket deadline taken from ctx can fire a moment
// before ctx's own timer cancels it.
func runOver(ctx context.Context, now func() time.Time) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !now().Before(dl)
}

func (t *tally) noteTLS(c net.Conn) {
	t.mu.Lock()
	if t.tlsInfo == "" {
		t.tlsInfo = describe(c)
	}
	t.mu.Unlock()
}

// fill copies the tally into r.
func (t *tally) fill(r *result) {
	r.Ops, r.Errors = t.ops.Load(), t.errs.Load()
	t.mu.Lock()
	r.FirstError, r.TLSInfo = t.firstErr, t.tlsInfo
	t.mu.Unlock()
}

// tooManyErrors says when a run should give up: a target that refuses
// everything would otherwise spin for the whole duration.
func (t *tally) tooManyErrors() bool {
	e := t.errs.Load()
	return e >= 1000 && e > t.ops.Load()
}

// newResult starts a result from the shared flags.
func newResult(mode string, c *clientOpts, concurrency int) result {
	r := result{Mode: mode, Group: c.group, Name: c.name, Section: c.section, Baseline: c.baseline, Rep: c.rep,
		Command: c.command, Target: c.target, TLS: c.tls, Concurrency: concurrency}
	switch {
	case c.sniEach != "":
		r.SNI = c.sniEach + " (a new name per connection)"
	case c.tls && c.sni != "":
		r.SNI = c.sni
	}
	return r
}

// seconds is d in float seconds, never zero, so rates stay finite.
func seconds(d time.Duration) float64 {
	return max(d.Seconds(), 1e-9)
}
