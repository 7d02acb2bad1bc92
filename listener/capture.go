package listener

import (
	"context"
	"net"
	"time"

	"github.com/tlsgate/tlsgate/capture"
	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/upstream"
)

// connCtx is what one connection carries through the listener besides its
// Outcome: its fault plan, its capture file and its real-clock start (socket
// deadlines run on the real clock; the injected one only stamps the log).
type connCtx struct {
	start time.Time
	fx    connFaults
	cap   *capture.Writer // nil unless the listener captures
	// bufs are the relay buffers of the worker running this connection.
	bufs *upstream.Buffers
}

// startCapture opens the connection's pcap file and wraps the raw socket,
// below every other layer, so the capture holds exactly what crossed the
// wire, peeked bytes and fault-shaped segments included.
func (s *Server) startCapture(c net.Conn, o *explain.Outcome, cc *connCtx) net.Conn {
	if s.opts.Capture == "" {
		return c
	}
	w, err := capture.Create(s.opts.Capture, o.ID, time.Now)
	if err != nil {
		o.CaptureErr = err.Error()
		return c
	}
	cc.cap = w
	o.Capture = w.Path()
	w.Open(capture.ClientLeg, o.Peer, o.Virtual)
	return capture.Conn(c, w, capture.ClientLeg, true)
}

// captureDial wraps dial so the backend leg lands in the same file.
func (cc *connCtx) captureDial(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	if cc == nil || cc.cap == nil {
		return dial
	}
	w := cc.cap
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dial == nil {
			dial = upstream.DefaultDial()
		}
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		w.Open(capture.ServerLeg, addrPort(c.LocalAddr()), addrPort(c.RemoteAddr()))
		return capture.Conn(c, w, capture.ServerLeg, false), nil
	}
}

func (cc *connCtx) closeCapture() {
	if cc.cap != nil {
		_ = cc.cap.Close()
	}
}
