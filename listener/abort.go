package listener

import (
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// serveAbort answers the client's requests itself, as the plan's abort or
// rate_limit rule says (faults.Plan.Handler), instead of relaying them:
// HTTP/1.x, and h2 when the client speaks it (negotiated in ALPN on TLS,
// with prior knowledge on plaintext), so a gRPC call gets its status in an
// HTTP 200. c is the client's decrypted (or plaintext) stream, the peeked
// bytes already replayed into it. No backend is dialled. It returns when
// the client closes, or the connection stays idle for the listener's idle
// timeout.
func (s *Server) serveAbort(c net.Conn, o *explain.Outcome, plan *faults.Plan) {
	r := plan.Abort()
	counted := &countingConn{Conn: c}
	var mu sync.Mutex
	answered := func(req *http.Request, status int) {
		mu.Lock()
		defer mu.Unlock()
		if len(o.HTTP1) >= maxExchanges {
			o.HTTPDropped++
			return
		}
		o.HTTP1 = append(o.HTTP1, explain.HTTPExchange{Method: req.Method, Target: req.RequestURI, Host: req.Host,
			Proto: req.Proto, Status: status, ReqBytes: max(req.ContentLength, 0), RespBytes: respBytes(r, req, status)})
	}
	var protos http.Protocols
	protos.SetHTTP1(true)
	// The stream is above TLS, or plaintext: h2 on it is h2 with prior
	// knowledge, whichever way the client came to speak it.
	protos.SetUnencryptedHTTP2(true)
	ln := &oneConnListener{conn: make(chan net.Conn, 1), done: make(chan struct{}), addr: c.LocalAddr()}
	idle := s.opts.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	srv := &http.Server{
		Handler:           plan.Handler(answered),
		Protocols:         &protos,
		ReadHeaderTimeout: idle,
		IdleTimeout:       idle,
		// A client's malformed request is its own; the one log line per
		// connection is the listener's.
		ErrorLog: log.New(io.Discard, "", 0),
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateClosed || st == http.StateHijacked {
				ln.close()
			}
		},
	}
	ln.conn <- counted
	_ = srv.Serve(ln)
	mu.Lock()
	o.BytesUp, o.BytesDown = counted.read.Load(), counted.written.Load()
	mu.Unlock()
}

// respBytes is the body an abort or a rate limit sends for a request
// answered with status.
func respBytes(r *faults.Rule, req *http.Request, status int) int64 {
	switch {
	case r.Action == faults.ActRateLimit:
		return int64(len(faults.RateLimitBody))
	case r.GRPCStatus != nil && faults.IsGRPC(req) && status == http.StatusOK:
		return 0
	}
	return int64(len(faults.AbortBody))
}

// oneConnListener hands one connection to an http.Server, then blocks
// Accept until the connection is done, so Serve returns with it.
type oneConnListener struct {
	conn chan net.Conn
	done chan struct{}
	once sync.Once
	addr net.Addr
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conn:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *oneConnListener) close() { l.once.Do(func() { close(l.done) }) }

// Close is the server's: it closes its listeners when it shuts down.
func (l *oneConnListener) Close() error {
	l.close()
	return nil
}

func (l *oneConnListener) Addr() net.Addr { return l.addr }

// countingConn counts the bytes of an abort's exchange, which no relay
// counts.
type countingConn struct {
	net.Conn
	read, written atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.written.Add(int64(n))
	return n, err
}

// NetConn exposes the conn beneath, so a reset reaches the socket and the
// listener finds the fault wrappers below.
func (c *countingConn) NetConn() net.Conn { return c.Conn }
