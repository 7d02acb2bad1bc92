package upstream

import (
	"context"
	"fmt"
	"net"
)

// ResetAfterConnect is the error of a dial whose connect succeeded but
// whose connection the backend had already reset by the time Go looked at
// the connect: Go then reports a failed connect ("connect: connection
// reset by peer", or "connect: broken pipe" when the backend's FIN came
// before its reset) and closes the socket, with the bytes the backend sent
// before its reset still queued on it. KeepingDial reads them first, so
// the caller can relay them and diagnose a reset after Tail, as for one in
// mid-relay, instead of a dial failure that dropped them.
type ResetAfterConnect struct {
	Addr  string
	Local net.Addr // tlsgate's end of the connection (nil if unknown)
	Tail  []byte   // what the backend sent before its reset
	// FIN: the backend's FIN came before its reset (Linux then reports
	// EPIPE, not ECONNRESET), so the stream ended with a close after Tail;
	// the reset only answered what reached a socket already closed.
	FIN bool
	Err error // the dial's error, wrapping ECONNRESET or EPIPE
}

func (e *ResetAfterConnect) Error() string {
	how := "reset"
	if e.FIN {
		how = "closed (FIN, then reset)"
	}
	return fmt.Sprintf("upstream: backend %s accepted, sent %d bytes and %s before the connect was seen: %v", e.Addr, len(e.Tail), how, e.Err)
}

// Unwrap returns the dial's error.
func (e *ResetAfterConnect) Unwrap() error { return e.Err }

// DialFunc is the shape of net.Dialer.DialContext, and of Dialer.Dial.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)
