package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// relayOpts configures the reference relay.
type relayOpts struct {
	listen, target string
	lifetime       time.Duration
}

// cmdRelay runs the smallest honest Go TCP relay: accept, read the first
// bytes (as a sniffing proxy must), dial the target, then copy both ways
// with half-close, a goroutine per direction and io.Copy (splice on Linux).
// It logs nothing and decides nothing. The bench measures it next to
// tlsgate and HAProxy as the floor that Go's runtime and net package
// alone set for a goroutine-per-connection proxy on this machine, so the
// report can tell tlsgate's own per-connection cost from the runtime's.
func cmdRelay(ctx context.Context, args []string, e *env) error {
	var o relayOpts
	fs := newFlags("relay", "--listen 127.0.0.1:0 --target host:port", e.stdout)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to listen on; the bound address is printed on stdout")
	fs.StringVar(&o.target, "target", "", "where to relay every connection (host:port)")
	fs.DurationVar(&o.lifetime, "lifetime", 30*time.Minute, "stop by itself after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.target == "" {
		return usageError{"relay: --target is required"}
	}
	if o.lifetime <= 0 {
		return usageError{"relay: --lifetime must be positive"}
	}
	ln, err := e.listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	fmt.Fprintln(e.stdout, ln.Addr().String())
	ctx, cancel := context.WithTimeout(ctx, o.lifetime)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	var live sync.Map // open client conns, closed when the relay stops
	defer live.Range(func(k, _ any) bool { _ = k.(net.Conn).Close(); return true })
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("relay: accept: %w", err)
		}
		live.Store(c, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer live.Delete(c)
			relayOne(ctx, e, c, o.target)
		}()
	}
}

// relayOne relays one client connection to target.
func relayOne(ctx context.Context, e *env, c net.Conn, target string) {
	defer c.Close()
	first := make([]byte, 2048)
	n, err := c.Read(first)
	if err != nil {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	b, err := e.dial(dctx, "tcp", target)
	cancel()
	if err != nil {
		return
	}
	defer b.Close()
	if _, err := b.Write(first[:n]); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(b, c)
		halfClose(b)
	}()
	_, _ = io.Copy(c, b)
	halfClose(c)
	<-done
}

// halfClose sends FIN and keeps reading.
func halfClose(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}
