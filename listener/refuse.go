package listener

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// refusalLog aggregates connections refused by max_connections so that a
// flood produces one line per second, not one per connection.
type refusalLog struct {
	mu      sync.Mutex
	count   int64 // refused since the last line
	total   int64
	lastLog time.Time
	// pending is armed while refusals wait for the next line: the rest of
	// a burst shorter than a second would otherwise be reported only with
	// the next refusal, maybe hours later, or at shutdown.
	pending *time.Timer
}

// refuse closes a connection over the limit with a reset and counts it.
func (s *Server) refuse(c net.Conn) {
	// Count before the reset goes out, so anyone who saw the reset also
	// sees it counted.
	defer func() {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
	}()
	s.countRefusal()
}

// countRefusal counts one refused connection and logs at most once a
// second; the caller resets the connection afterwards.
func (s *Server) countRefusal() {
	r := &s.refusals
	now := s.deps.Now()
	r.mu.Lock()
	r.count++
	r.total++
	var n, total int64
	if wait := time.Second - now.Sub(r.lastLog); wait <= 0 {
		n, total = r.takeLocked(now)
	} else if r.pending == nil {
		r.pending = time.AfterFunc(wait, s.reportRefusals)
	}
	r.mu.Unlock()
	s.logRefusals(n, total)
}

// reportRefusals writes the refusals not yet reported: a second after the
// last line (the rest of a burst), and at shutdown.
func (s *Server) reportRefusals() {
	r := &s.refusals
	r.mu.Lock()
	n, total := r.takeLocked(s.deps.Now())
	r.mu.Unlock()
	s.logRefusals(n, total)
}

// takeLocked hands over the count since the last line and starts the next
// second; r.mu is held.
func (r *refusalLog) takeLocked(now time.Time) (n, total int64) {
	n, total = r.count, r.total
	r.count = 0
	r.lastLog = now
	if r.pending != nil {
		r.pending.Stop()
		r.pending = nil
	}
	return n, total
}

// logRefusals writes one line for n refusals; none for n = 0.
func (s *Server) logRefusals(n, total int64) {
	if n == 0 {
		return
	}
	s.deps.Logger.Warn("max_connections reached: connections refused with a reset",
		zap.String("listener", s.opts.Name),
		zap.Int("max_connections", s.opts.MaxConnections),
		zap.Int64("refused", n),
		zap.Int64("refused_total", total),
		zap.String("client_saw", refusedClientSaw),
		zap.String("check", "raise max_connections or find the client opening so many connections"))
}

// refusedClientSaw is what a refused client prints. The TCP handshake
// completes before the reset, and curl, when the RST beats its first send,
// calls that "Couldn't connect to server": a closed port to the eye, so the
// line says it is not one. Measured with curl 7.88, OpenSSL 3.0 and Go.
const refusedClientSaw = "a reset right after the TCP handshake: curl often prints (7) Couldn't connect to server, " +
	"which looks like a closed port but is this limit, else (35)/(56) Send/Recv failure: Connection reset by peer; " +
	"openssl s_client CONNECTED then write:errno=104; Go dial tcp ...: connect: connection reset by peer"

// Refused returns how many connections max_connections has turned away.
func (s *Server) Refused() int64 {
	s.refusals.mu.Lock()
	defer s.refusals.mu.Unlock()
	return s.refusals.total
}

func isTemporaryAccept(err error) bool {
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS)
}

// Active returns how many connections are open right now, client sockets
// a fault holds open after their connection was logged included.
func (s *Server) Active() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int64(len(s.conns) + len(s.holds))
	if s.eng != nil {
		n += s.eng.Live()
	}
	return n
}
