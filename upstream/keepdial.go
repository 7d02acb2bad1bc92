package upstream

import (
	"context"
	"fmt"
	"net"
	"net/netip"
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
	Addr  string   // the address dialled, as the caller gave it
	Local net.Addr // tlsgate's end of the connection (nil if unknown)
	// Remote is the backend's end: the address of the attempt that
	// connected, which a name (or one with both address families) does
	// not tell. Nil if unknown.
	Remote net.Addr
	Tail   []byte // what the backend sent before its reset
	// FIN: the backend's FIN came before its reset (Linux then reports
	// EPIPE, not ECONNRESET), so the stream ended with a close after Tail;
	// the reset only answered what reached a socket already closed.
	FIN bool
	// Err is the dial's error: it wraps ECONNRESET or EPIPE, or, when Go
	// reported another attempt's failure instead (a refused ::1 before a
	// 127.0.0.1 found reset), that failure.
	Err error
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

// DefaultDial is the dial a Dialer without Dial uses, and the one callers
// that wrap a dial must fall back to so a backend's bytes before a reset
// are kept on every leg: KeepingDial over a net.Dialer without TCP
// keep-alives (idle timeouts end dead flows).
func DefaultDial() DialFunc { return KeepingDial(&net.Dialer{KeepAlive: -1}) }

// DialFunc is the shape of net.Dialer.DialContext, and of Dialer.Dial.
type DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// tlsError is e as the failed handshake of a server-ssl leg: the connect
// succeeded, so it was the backend that ended the connection, before (or
// instead of) answering tlsgate's ClientHello, which never left. It names
// tlsgate's end and the backend's as a handshake failure does. Alert is -1:
// reading an alert out of Tail is sniff's job, and upstream is a leaf, so
// the listener does it.
func (e *ResetAfterConnect) tlsError() *TLSError {
	remote := e.Remote
	if ap, err := netipAddrPort(e.Addr); remote == nil && err == nil {
		remote = net.TCPAddrFromAddrPort(ap)
	}
	how := "reset the connection"
	if e.FIN {
		how = "closed the connection and reset it"
	}
	return &TLSError{Addr: e.Addr, Local: e.Local, Remote: remote, Alert: -1,
		Err: fmt.Errorf("the backend %s before the TLS handshake began (after sending %d bytes; the ClientHello was never sent): %w", how, len(e.Tail), e)}
}

// netipAddrPort parses "ip:port" with an IPv4-mapped address unmapped, so
// the text of a net.Addr and the address a dial attempt was given compare
// equal.
func netipAddrPort(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return ap, err
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}
