package listener

import (
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/explain"
)

// TestHandoffKeepsWhatTheLoopSaw: the goroutine path takes a hand-off's
// endpoints and failed read from the engine, not from the socket, which
// after a reset shows a plain end of stream and no peer.
func TestHandoffKeepsWhatTheLoopSaw(t *testing.T) {
	got := make(chan *explain.Outcome, 1)
	srv, err := New(Options{Name: "handoff", Mode: Plaintext, Backend: "127.0.0.1:9"},
		Deps{Logger: zap.NewNop(), OnOutcome: func(o *explain.Outcome, _ *explain.Diagnosis) { got <- o }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	_ = client.Close() // the socket itself now reads EOF
	seen := netip.MustParseAddrPort("127.0.0.7:40001")
	now := time.Now()
	srv.handleFrom(server, &worker{}, &accepted{id: 7, start: now, at: now, buf: []byte("\x16\x03"),
		remote: seen, local: netip.MustParseAddrPort("127.0.0.1:8080"),
		readErr: os.NewSyscallError("read", syscall.ECONNRESET)}, nil)
	o := <-got
	if o.Client != seen || o.Virtual.Port() != 8080 {
		t.Errorf("client %v -> %v, want the endpoints the engine accepted", o.Client, o.Virtual)
	}
	if o.PeekEnd != explain.PeerReset || string(o.FirstBytes) != "\x16\x03" || o.Route != "closed" {
		t.Errorf("peek end %d, first bytes %q, route %q; want a reset after \"\\x16\\x03\", closed", o.PeekEnd, o.FirstBytes, o.Route)
	}
	if d := explain.Diagnose(o); d.Code != explain.CodeClientResetEarly {
		t.Errorf("diagnosis %s (%s), want %s", d.Code, d.Summary, explain.CodeClientResetEarly)
	}
}
