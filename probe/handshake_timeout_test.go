package probe

import (
	"context"
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// dripConn writes in small pieces with a pause between them: a server on a
// busy machine whose flight keeps coming but takes, in all, longer than
// the probe's short Timeout.
type dripConn struct {
	net.Conn
	piece int
	pause time.Duration
}

func (c *dripConn) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		k := min(c.piece, len(b))
		m, err := c.Conn.Write(b[:k])
		n += m
		if err != nil {
			return n, err
		}
		b = b[k:]
		time.Sleep(c.pause)
	}
	return n, nil
}

// TestHandshakeOutlastsTimeout: a handshake that keeps making progress
// completes under HandshakeTimeout even when it takes, in all, many times
// Timeout. With one timeout for both, the chain step read a slow but
// healthy handshake as "no answer" or a stall (flaky under load). The
// server's pauses are a tenth of Timeout, so load cannot turn them into
// a stall.
func TestHandshakeOutlastsTimeout(t *testing.T) {
	pki := newPKI(t)
	leaf := pki.leafFor(t, certSpec{dns: manyNames(40)})
	cfg := &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}}
	const timeout = time.Second
	addr := startServer(t, func(c net.Conn, done <-chan struct{}) {
		tlsHandler(cfg)(&dripConn{Conn: c, piece: 256, pause: timeout / 10}, done)
	})
	o := Options{SNI: "lab.test", Roots: pki.pool, Timeout: timeout, Now: testClock(), Steps: []int{7}}
	rep := Run(context.Background(), addr, o)
	s, ok := rep.Step(7)
	if !ok || s.Verdict != Pass {
		t.Fatalf("step 7 on a slow but steady handshake: %+v", s)
	}
}
