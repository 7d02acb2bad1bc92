package listener

import (
	"net"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/httpflow"
)

// maxExchanges bounds the HTTP requests kept per connection in the event.
const maxExchanges = 32

// observedConn feeds what is read from a decrypted leg to an HTTP tracker.
type observedConn struct {
	net.Conn
	feed func([]byte)
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
	s.pump(&observedConn{Conn: client, feed: t.Client}, &observedConn{Conn: backend, feed: t.Server}, o, nil, cc)
	for _, e := range t.Exchanges() {
		o.HTTP1 = append(o.HTTP1, explain.HTTPExchange{
			Method: e.Method, Target: e.Target, Host: e.Host, Proto: e.Proto,
			Status: e.Status, ReqBytes: e.ReqBodyBytes, RespBytes: e.RespBodyBytes, Upgraded: e.Upgraded,
		})
	}
	o.HTTPDropped = t.Dropped()
}
