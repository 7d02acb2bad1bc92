package listener

import (
	"context"
	"errors"
	"net"
	"syscall"

	"github.com/tlsgate/tlsgate/faults"
)

// Listen binds the listener's address with lc, for Serve. When a refuse
// rule already holds this listener down (one from the config file), the
// socket is bound but never listens until the rule ends: a SYN that
// arrives before Serve runs is refused as every later one is. Listening
// first and shutting the socket down in Serve would leave a window in
// which the kernel completes handshakes, and shutdown resets the
// connections it queued: their clients saw connect succeed and then
// read a reset, not a refusal. A syn_drop rule's socket listens, with the
// filter that drops SYNs attached before it does (listenDropping). The
// down line and count wait for Serve.
//
// The socket is TCP, not MPTCP (Go's default for a ListenConfig where the
// kernel has MPTCP): only a TCP socket takes the syn_drop filter, and the
// socket bindOnly makes is TCP too, so every listener is the same kind
// whatever rules it starts under. Clients that do not speak MPTCP (curl,
// browsers, Go's dialer by default) see no difference: an MPTCP listener
// served them over plain TCP anyway.
func (s *Server) Listen(ctx context.Context, lc net.ListenConfig) (net.Listener, error) {
	lc.SetMultipathTCP(false)
	if s.deps.Faults != nil {
		if rule, down, _ := s.deps.Faults.Down(s.opts.Name, ""); down {
			if s.deps.Faults.RefuseMode(rule) == faults.ModeSynDrop {
				if ln, err := s.listenDropping(ctx, lc); err == nil {
					s.heldAtListen(rule, nil, portOf(ln))
					return ln, nil
				}
				// The filter failed: the socket refuses with RSTs
				// below, and Serve's startDown tries again and logs why.
			}
			ln, addr, err := bindOnly(lc, s.opts.Listen)
			switch {
			case err == nil:
				s.heldAtListen(rule, addr, 0)
				return ln, nil
			case !errors.Is(err, errNoDown):
				return nil, err
			}
			// No way to bind without listening here: Serve's startDown
			// logs that the rule cannot act.
		}
	}
	return lc.Listen(ctx, "tcp", s.opts.Listen)
}

// heldAtListen records that Listen made the socket refuse for rule:
// bound without listening to addr (its gate's up channel then waits for
// it to listen), or dropping SYNs on port drop. Serve logs and counts it
// (startDown): only a listener that serves went down, and after its
// "listening" line.
func (s *Server) heldAtListen(rule string, addr syscall.Sockaddr, drop uint16) {
	g := &s.down
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rule, g.since, g.drop = rule, s.deps.Faults.Now(), drop
	if drop == 0 {
		g.up, g.addr = make(chan struct{}), addr
	}
}

// ShownAddr is the address to show for a listener configured as listen
// and bound as bound: the configured IP with the bound port (port 0 is
// the kernel's choice). Go binds "0.0.0.0:P" as a dual-stack [::] socket,
// which accepts IPv6 too, and its Addr says [::]:P: an operator who wrote
// 0.0.0.0 would read an address they never configured, and a hint built
// on it (doctor --listen) would check IPv6 rules for an IPv4 set-up. A
// host name, or an address that does not parse, shows the bound address,
// which says what the name resolved to.
func ShownAddr(listen string, bound net.Addr) net.Addr {
	tcp, ok := bound.(*net.TCPAddr)
	host, _, err := net.SplitHostPort(listen)
	if !ok || err != nil {
		return bound
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return bound
	}
	return &net.TCPAddr{IP: ip, Port: tcp.Port}
}
