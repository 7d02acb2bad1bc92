package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
)

// startRelay runs the relay subcommand in-process toward target.
func startRelay(t *testing.T, target string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"relay", "--listen", "127.0.0.1:0", "--target", target}, osEnv(pw, &errOut))
		_ = pw.Close()
		done <- code
	}()
	addr, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("relay printed no address: %v (exit %d, stderr %q)", err, <-done, errOut.String())
	}
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("relay exited %d: %s", code, errOut.String())
		}
	})
	return strings.TrimSpace(addr)
}

func TestRelayCarriesBothWaysAndHalfCloses(t *testing.T) {
	relay := startRelay(t, startBackend(t, "--mode", "echo"))
	payload := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB: past the first read and into splice
	c, err := net.Dial("tcp", relay)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(c)
		got <- b
	}()
	if _, err := c.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, payload) {
		t.Fatalf("echo through the relay: %d bytes back, want the %d sent", len(b), len(payload))
	}
}

func TestRelayUnderConnrate(t *testing.T) {
	relay := startRelay(t, startBackend(t, "--mode", "http"))
	rs := runClient(t, "connrate", "--target", relay, "--duration", "10s", "--max", "200", "--concurrency", "4")
	if len(rs) != 1 || rs[0].Ops != 200 || rs[0].Errors != 0 {
		t.Fatalf("connrate through the relay: %+v, want 200 connections and no errors", rs)
	}
}

func TestRelayUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"relay", "--listen", "127.0.0.1:0"}, osEnv(&out, &errOut)); code != 2 || !strings.Contains(errOut.String(), "--target is required") {
		t.Fatalf("relay without --target: exit %d, stderr %q; want 2 and a message naming --target", code, errOut.String())
	}
}
