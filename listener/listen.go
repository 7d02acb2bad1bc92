package listener

import (
	"context"
	"errors"
	"net"
)

// Listen binds the listener's address with lc, for Serve. When a refuse
// rule already holds this listener down (one from the config file), the
// socket is bound but never listens until the rule ends: a SYN that
// arrives before Serve runs is refused as every later one is. Listening
// first and shutting the socket down in Serve would leave a window in
// which the kernel completes handshakes, and shutdown resets the
// connections it queued: their clients saw connect succeed and then
// read a reset, not a refusal. The down line and count wait for Serve.
func (s *Server) Listen(ctx context.Context, lc net.ListenConfig) (net.Listener, error) {
	if s.deps.Faults != nil {
		if rule, down, _ := s.deps.Faults.Down(s.opts.Name, ""); down {
			ln, addr, err := bindOnly(lc, s.opts.Listen)
			switch {
			case err == nil:
				// Serve logs and counts it (startDown): only a listener
				// that serves went down, and after its "listening" line.
				g := &s.down
				g.mu.Lock()
				g.rule, g.since, g.up, g.addr = rule, s.deps.Faults.Now(), make(chan struct{}), addr
				g.mu.Unlock()
				s.startDropAtListen(ln, rule)
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
