package listener

import (
	"net"
	"sync/atomic"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/httpflow"
)

// maxExchanges bounds the HTTP requests kept per connection in the event.
const maxExchanges = 32

// observedConn feeds what is read from a decrypted leg to an HTTP tracker,
// and counts what the relay handed it to write.
type observedConn struct {
	net.Conn
	feed  func([]byte)
	wrote atomic.Int64
}

func (o *observedConn) Write(b []byte) (int, error) {
	n, err := o.Conn.Write(b)
	o.wrote.Add(int64(n))
	return n, err
}

func (o *observedConn) Read(b []byte) (int, error) {
	n, err := o.Conn.Read(b)
	if n > 0 {
		o.feed(b[:n])
	}
	return n, err
}

// Unwrap lets upstream.Pump half-close and reset the real connection.
func (o *observedConn) Unwrap() net.Conn { return o.Conn }

// relayDecrypted pumps between two decrypted legs and, for HTTP/1.x,
// records each exchange. h2 is framed binary, so only bytes are counted.
//
// The byte counts are of plaintext above TLS, by design: what the
// application exchanged, whatever TLS added. Where a fault beneath TLS
// withheld records from the client, the count toward it is what the client
// got whole (plainGate), not what the relay wrote.
func (s *Server) relayDecrypted(client, backend net.Conn, o *explain.Outcome, cc *connCtx) {
	client, gate := gateClient(client, &cc.fx)
	defer func() {
		if n, ok := gate.reached(); ok && n < o.BytesDown {
			o.BytesDown = n
		}
	}()
	if o.ClientTLS.ALPN == "h2" {
		s.pump(client, backend, o, nil, cc)
		return
	}
	t := httpflow.NewTracker(maxExchanges)
	cli := &observedConn{Conn: client, feed: t.Client}
	s.pump(cli, &observedConn{Conn: backend, feed: t.Server}, o, nil, cc)
	reached := clientReached(cli.wrote.Load(), gate, cc.fx.late)
	for _, e := range t.Exchanges() {
		o.HTTP1 = append(o.HTTP1, explain.HTTPExchange{
			Method: e.Method, Target: e.Target, Host: e.Host, Proto: e.Proto,
			Status: e.Status, ReqBytes: e.ReqBodyBytes, RespBytes: e.RespBodyBytes, Upgraded: e.Upgraded,
			Undelivered: e.Status > 0 && e.RespHeadEnd > reached,
		})
	}
	o.HTTPDropped = t.Dropped()
}

// clientReached is the most of the backend's stream that can have reached
// the client, in the tracker's offsets (the backend's bytes as the relay
// read them), so a response head that ends beyond it never got to the
// client: the tracker saw the backend's 200, but a fault reset, closed,
// alerted, truncated or stalled the client's side first. wrote is what
// the relay handed the client conn; a fault wrapper above TLS (late)
// withheld some of that, one beneath it (the gate's) the records from its
// first withheld one on. The gate knows which write that was, not which
// of its records got through before it: it says at most, so a head that
// may have arrived is not called undelivered.
func clientReached(wrote int64, gate *plainGate, late net.Conn) int64 {
	if late != nil {
		if w, ok := faults.Withheld(late); ok {
			wrote -= w
		}
	}
	if n, ok := gate.atMost(); ok && n < wrote {
		wrote = n
	}
	return wrote
}
