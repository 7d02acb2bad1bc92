package faults

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// tcpConns returns the two ends of a loopback TCP connection.
func tcpConns(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return client, server
}

// TestStalledCloseSendsNoFIN: through a black hole our FIN would queue
// behind the lost bytes, so closing a stalled conn must leave the client
// waiting (curl (28), s_client hangs), then reset after StallHold. A
// handshake timeout closing the conn once gave the client an EOF instead
// (curl (35) SSL_ERROR_SYSCALL after 10 s). Not stalled, Close is a FIN.
func TestStalledCloseSendsNoFIN(t *testing.T) {
	tests := []struct {
		name  string
		rule  Rule
		write int
		want  string // what the client's read sees: "timeout", then "reset"; or "eof"
	}{
		{"mtu stalled", Rule{Action: ActMTU, MTU: 576}, 2000, "timeout"},
		{"mtu still passing", Rule{Action: ActMTU, MTU: 576}, 100, "eof"},
		{"blackhole holds", Rule{Action: ActBlackhole, Direction: S2C, Then: ThenHold}, 100, "timeout"},
		{"blackhole on the client's bytes only", Rule{Action: ActBlackhole, Direction: C2S, Then: ThenHold}, 0, "eof"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := tcpConns(t)
			w := Wrap(server, []*Rule{rule(t, tt.rule)}, FacingClient, WrapDeps{StallHold: 400 * time.Millisecond})
			if tt.write > 0 {
				if _, err := w.Write(make([]byte, tt.write)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			_ = client.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := io.Copy(io.Discard, client) // bytes that passed, then the end
			if tt.want == "eof" {
				if err != nil {
					t.Fatalf("client read = %d bytes, %v; want the FIN (EOF)", n, err)
				}
				return
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("client read = %d bytes, %v; want a timeout (no FIN through a black hole)", n, err)
			}
			_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := client.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("client read after StallHold = %v, want connection reset", err)
			}
		})
	}
}
