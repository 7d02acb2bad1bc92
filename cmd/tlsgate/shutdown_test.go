package main

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
)

// echoServer accepts connections on loopback and echoes them.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

// relays says whether addr accepts a new connection and echoes through it.
func relays(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("late")); err != nil {
		return false
	}
	_, err = io.ReadFull(c, make([]byte, 4))
	return err == nil
}

// TestStopSignalStopsEveryListener: on the stop signal every listener
// stops accepting at once, while a live connection on another one drains.
// Listeners used to be shut down one after another: the second kept
// accepting for as long as the first drained (up to the whole grace).
func TestStopSignalStopsEveryListener(t *testing.T) {
	for _, eng := range []string{"goroutines", "epoll"} {
		t.Run(eng, func(t *testing.T) {
			echo := echoServer(t)
			listener := func(name string) string {
				return "[[listener]]\nname = \"" + name + "\"\nlisten = \"127.0.0.1:0\"\nbackend = \"" + echo +
					"\"\nmode = \"plaintext\"\nengine = \"" + eng + "\"\n"
			}
			// A grace far longer than the wait below: a listener still
			// accepting after that wait is waiting for another's drain.
			toml := "[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[admin]\nlisten = \"\"\n" +
				"[shutdown]\ngrace = \"60s\"\n" + listener("a") + listener("b")
			cfg, err := config.Parse([]byte(toml), "stop.toml")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrs := make(chan map[string]net.Addr, 1)
			done := make(chan error, 1)
			go func() { done <- serve(ctx, cfg, io.Discard, func(m map[string]net.Addr) { addrs <- m }) }()
			m := <-addrs
			held, err := net.Dial("tcp", m["a"].String())
			if err != nil {
				t.Fatal(err)
			}
			defer held.Close()
			if _, err := held.Write([]byte("ping")); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(held, make([]byte, 4)); err != nil {
				t.Fatal(err)
			}
			cancel() // the stop signal, with a's connection still live
			for end := time.Now().Add(10 * time.Second); relays(m["b"].String()); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(end) { // a bound, not a timing check: b should stop within a tick
					t.Fatal("listener b still relays new connections 10s after the stop signal")
				}
			}
			// a's live connection still works: it drains within the grace.
			if _, err := held.Write([]byte("pong")); err != nil {
				t.Fatalf("the live connection on a broke during the grace: %v", err)
			}
			if _, err := io.ReadFull(held, make([]byte, 4)); err != nil {
				t.Fatalf("the live connection on a broke during the grace: %v", err)
			}
			_ = held.Close()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v", err)
			}
		})
	}
}
