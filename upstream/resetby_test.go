package upstream

import (
	"io"
	"net"
	"testing"
)

// TestPumpResetBy: a reset from one side in mid-relay is attributed to
// that side, through a plain read (the first bytes), a splice (bulk, where
// the error says neither) and TLS.
func TestPumpResetBy(t *testing.T) {
	tests := []struct {
		name   string
		tls    bool
		before int    // bytes the backend sends the client first
		resets string // who resets afterwards
	}{
		{name: "backend, first bytes", before: 100, resets: SideBackend},
		{name: "backend, during splice", before: 1 << 20, resets: SideBackend},
		{name: "client, during splice", before: 1 << 20, resets: SideClient},
		{name: "client, first bytes", before: 100, resets: SideClient},
		{name: "backend, over TLS", tls: true, before: 100, resets: SideBackend},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.tls)
			done := r.start(nil, 0)
			go func() { _, _ = stream(r.backendApp, 7, tt.before) }()
			if _, err := io.ReadFull(r.clientApp, make([]byte, tt.before)); err != nil {
				t.Fatalf("client read the first %d bytes: %v", tt.before, err)
			}
			gone := r.backendApp
			if tt.resets == SideClient {
				gone = rawApp(t, r.clientApp)
			}
			_ = gone.SetLinger(0)
			_ = gone.Close()
			pr := <-done
			if pr.res.ResetBy != tt.resets {
				t.Errorf("ResetBy = %q (pump error %v), want %q", pr.res.ResetBy, pr.err, tt.resets)
			}
		})
	}
}

// rawApp is the TCP socket under a rig's client application end.
func rawApp(t *testing.T, c net.Conn) *net.TCPConn {
	t.Helper()
	if tcp, ok := beneath(c).(*net.TCPConn); ok {
		return tcp
	}
	t.Fatalf("%T has no TCP socket beneath", c)
	return nil
}
