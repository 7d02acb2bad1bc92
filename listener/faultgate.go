package listener

import (
	"net"
	"sync"

	"github.com/tlsgate/tlsgate/faults"
)

// plainGate counts the plaintext a terminated client really got when a
// fault wrapper sits beneath its TLS session (a client_hello or
// server_flight rule: mtu, truncate, timeout, a one-way blackhole). Such a
// wrapper sees only records, and the relay's count above TLS includes
// every record it swallowed: a PMTUD black hole that let the handshake
// through and stalled the response was logged with the whole response as
// delivered. The gate keeps the plaintext written before the wrapper first
// withheld a byte toward the client: after that the client cannot decrypt
// anything that follows, whatever else gets through.
//
// The count is in whole relay writes: a write whose records reached the
// client only in part counts as not delivered, since which records of it
// passed is not known above TLS. It is a floor, exact when the stall
// begins on a write's first record (an MTU stall does: the first
// full-size record stalls, and the records before it were written
// earlier).
type plainGate struct {
	net.Conn          // the client's TLS session, with any late wrappers
	below    net.Conn // the fault wrapper beneath TLS

	mu    sync.Mutex
	whole int64 // plaintext written before the first withheld byte
	held  bool
	// part bounds what of the write during which the wrapper first
	// withheld got through anyway: its records before the withheld one,
	// counted in wire bytes (so never too few), at most the write itself.
	part int64
}

// gateClient puts a plainGate over client when a fault wrapper sits
// beneath its TLS session, and returns client itself otherwise.
func gateClient(client net.Conn, fx *connFaults) (net.Conn, *plainGate) {
	if fx.early == nil {
		return client, nil
	}
	if _, ok := faults.Withheld(fx.early); !ok {
		return client, nil
	}
	g := &plainGate{Conn: client, below: fx.early}
	return g, g
}

func (g *plainGate) Write(p []byte) (int, error) {
	sent := wireSent(g.below)
	n, err := g.Conn.Write(p)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.held {
		if w, _ := faults.Withheld(g.below); w > 0 {
			g.held = true
			g.part = min(int64(n), wireSent(g.below)-sent)
		} else {
			g.whole += int64(n)
		}
	}
	return n, err
}

// wireSent is what the fault wrapper c let onto the socket so far: TLS
// records, with their overhead.
func wireSent(c net.Conn) int64 {
	n, _ := delivered(c)
	return n
}

// Unwrap lets upstream.Pump half-close and reset the real connection.
func (g *plainGate) Unwrap() net.Conn { return g.Conn }

// reached is the plaintext that reached the client, and false when the
// wrapper beneath withheld nothing in the end (an MTU stall that
// recovered delivered everything, late): then the relay's count stands.
func (g *plainGate) reached() (int64, bool) {
	if g == nil {
		return 0, false
	}
	if w, _ := faults.Withheld(g.below); w == 0 {
		return 0, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.whole, true
}

// atMost is the most plaintext that can have reached the client: reached's
// floor and what of the write that first stalled may have got through.
// ok is false as for reached.
func (g *plainGate) atMost() (int64, bool) {
	n, ok := g.reached()
	if !ok {
		return 0, false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return n + g.part, true
}
