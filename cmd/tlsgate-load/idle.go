package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

type idleOpts struct {
	clientOpts
	conns    int
	pid      int
	steps    int
	settle   time.Duration
	duration time.Duration
}

func cmdIdle(ctx context.Context, args []string, e *env) error {
	var o idleOpts
	fs := newFlags("idle", "--target host:port --conns 1000 --pid PID [--steps 5] [--tls ...]", e.stdout)
	o.register(fs)
	fs.IntVar(&o.conns, "conns", 1000, "idle connections to add per step")
	fs.IntVar(&o.pid, "pid", 0, "process whose VmRSS to read (the proxy); required")
	fs.IntVar(&o.steps, "steps", 1, "add --conns connections this many times, keeping the earlier ones open; one result per step")
	fs.DurationVar(&o.settle, "settle", 500*time.Millisecond, "wait after opening before reading VmRSS, so the proxy's last allocations land")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := o.checkIdle(); err != nil {
		return err
	}
	o.command = commandLine(append([]string{"idle"}, args...))
	return runIdle(ctx, e, o, func(r result) error { return r.print(e.stdout, o.json) })
}

func (o *idleOpts) checkIdle() error {
	if err := o.check("idle"); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"conns", int64(o.conns)}, {"pid", int64(o.pid)}, {"steps", int64(o.steps)}, {"duration", int64(o.duration)}} {
		if err := positive("idle", c.name, c.v); err != nil {
			return err
		}
	}
	if o.settle < 0 {
		return usageError{"idle: --settle must not be negative"}
	}
	return nil
}

// runIdle opens connections that have crossed the proxy for real (a
// request went through and its response came back, so the proxy holds
// both legs and whatever it keeps per relayed connection), leaves them
// idle and charges the growth of the proxy's VmRSS to them. Steps keep
// the earlier connections open, so memory the proxy freed and reused
// cannot hide the cost of the next batch.
func runIdle(ctx context.Context, e *env, o idleOpts, emit func(result) error) error {
	d, err := newDialer(e, &o.clientOpts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var open []net.Conn
	defer func() {
		for _, c := range open {
			_ = c.Close()
		}
	}()
	statusPath := fmt.Sprintf("/proc/%d/status", o.pid)
	for step := range o.steps {
		r := newResult("idle", &o.clientOpts, o.conns)
		before, err := readRSS(e.readFile, statusPath)
		if err != nil {
			return err
		}
		start := e.now()
		for i := range o.conns {
			c, err := d.dial(ctx)
			if err == nil {
				err = roundTrip(c, bufio.NewReaderSize(c, 1024), d.timeout, e.now)
				if err == nil {
					err = c.SetDeadline(time.Time{})
				}
				if err != nil {
					_ = c.Close()
				}
			}
			if err != nil {
				return fmt.Errorf("idle: step %d, connection %d to %s: %w", step+1, i+1, o.target, err)
			}
			if r.TLSInfo == "" {
				r.TLSInfo = describe(c)
			}
			open = append(open, c)
		}
		r.Seconds = e.now().Sub(start).Seconds()
		if err := sleepCtx(ctx, o.settle); err != nil {
			return fmt.Errorf("idle: %w", err)
		}
		after, err := readRSS(e.readFile, statusPath)
		if err != nil {
			return err
		}
		r.Ops = int64(o.conns)
		r.RSSBeforeKiB, r.RSSAfterKiB = before, after
		r.Value = float64(after-before) / float64(o.conns)
		r.Unit = "KiB/conn"
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// sleepCtx waits d or until ctx ends. This is a tool's settle time, not a
// test's synchronisation.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readRSS reads VmRSS in KiB from a /proc/PID/status file.
func readRSS(readFile func(string) ([]byte, error), path string) (int64, error) {
	b, err := readFile(path)
	if err != nil {
		return 0, fmt.Errorf("idle: %w", err)
	}
	kib, err := parseVmRSS(b)
	if err != nil {
		return 0, fmt.Errorf("idle: %s: %w", path, err)
	}
	return kib, nil
}

// parseVmRSS finds "VmRSS:   12345 kB" in the text of /proc/PID/status.
// The kernel's "kB" means KiB.
func parseVmRSS(status []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, fmt.Errorf("VmRSS line %q: want \"VmRSS: <n> kB\"", clip(sc.Bytes()))
		}
		n, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("VmRSS line %q: bad number", clip(sc.Bytes()))
		}
		return n, nil
	}
	if err := sc.Err(); err != nil && err != io.EOF {
		return 0, fmt.Errorf("reading status: %w", err)
	}
	return 0, fmt.Errorf("no VmRSS line in %d bytes (a kernel thread, or a process that exited?)", len(status))
}
