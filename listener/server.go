// Package listener owns one tlsgate listener: the accept loop, PROXY-in, the
// peek and classification, routing, TLS termination, and the single log call
// per connection. It is the only package (besides cmd/tlsgate) with a logger.
package listener

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/fastpath"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/pki"
	"github.com/tlsgate/tlsgate/upstream"
)

// Deps are what a listener needs from outside: injected so tests and labs can
// replace the network, the clock and the CA.
type Deps struct {
	Logger *zap.Logger
	Now    func() time.Time
	// Dial reaches backends; nil means a plain net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Minter issues per-SNI leaves when client_ssl has no cert/key.
	Minter *pki.Minter
	// NextID numbers connections; share one across listeners so IDs are
	// unique in the log. nil gives this listener its own counter.
	NextID func() uint64
	// SessionSalt is copied into every Outcome (explain.Outcome's
	// SessionSalt): one value per process, drawn at start from the
	// injected randomness, so the session lines' SIDs differ from one run
	// to the next while IDs restart at 1. Zero leaves them unsalted.
	SessionSalt uint64
	// UringHoldP lets an engine = "uring" listener's loop keep its P
	// while it waits (fastpath.Config.UringHoldP): tlsgate run sets it
	// when it serves fewer such listeners than GOMAXPROCS.
	UringHoldP bool
	// OriginalDst learns where a transparently intercepted connection was
	// going (SO_ORIGINAL_DST for "redirect", the local address for
	// "tproxy"). Required when a listener sets transparent.
	OriginalDst func(c net.Conn, mode string) (netip.AddrPort, error)
	// LocalIPs lists the host's own addresses. A transparent listener on a
	// wildcard address asks it, only when an intercepted connection's
	// destination port is the listener's own, whether the destination is
	// this host (a direct dial: a loop) or a host it intercepted for. Nil:
	// only loopback counts as this host. It is asked per connection, from
	// the fast path's loops and the handlers at once: tlsgate run passes a
	// transparent.AddrCache's Get (a listing at most once a second on Now)
	// rather than transparent.LocalIPs, an interface dump per call.
	LocalIPs func() ([]netip.Addr, error)
	// Faults is the fault engine; nil means no fault injection at all.
	Faults *faults.Engine
	// AdminToken says the admin API AdminURL names wants a token ([admin]
	// token): a refuse rule's down line then adds --token to the
	// `tlsgate fault rm` it advises, which gets HTTP 401 without one.
	AdminToken bool
	// Lang is the language of the explanations ([log] lang, "en" or
	// "ja"): a syn_drop rule's down lines word their advice in it.
	Lang string
	// Reuse lets the fast path reuse a connection's state (its Outcome,
	// Diagnosis and log fields) once its line is written and OnOutcomeLent
	// gave it back. Set it only when every core of Logger encodes an entry
	// before its Write returns, as tlsgate's do (zap's test observer keeps
	// the fields instead). It is ignored while OnOutcome is set.
	Reuse bool
	// OnOutcome, when set, sees every finished connection after it is logged
	// (admin event stream, tests). It must not block. The Diagnosis is the
	// one the log line was made from: for a connection that worked it is
	// Brief, and explain.Complete words the rest when it is shown. It may
	// keep both.
	OnOutcome func(*explain.Outcome, *explain.Diagnosis)
	// OnOutcomeLent, when set, is OnOutcome for a hook that reads o and d
	// after it returns (the admin event stream encodes an event only when
	// someone asks for it): it must call done once when it has stopped
	// reading them, and the connection's memory may be reused from then
	// on (Reuse).
	OnOutcomeLent func(o *explain.Outcome, d *explain.Diagnosis, done func())
	// OnFiring, when set, sees each fault firing that no Outcome carries:
	// a refuse rule taking the listener down, once per time (the SYNs it
	// refuses never reach tlsgate). rule and action are the rule's name
	// and action, as OnOutcome's Outcome.Faults would name them. It must
	// not block.
	OnFiring func(rule, action string)
	// OnDown, when set, sees each of the listener's own lines under a
	// refuse rule (down, up, stays down, also held) as a DownEvent, after
	// it is logged: the admin API's event stream, where an operator who
	// watches it instead of the log sees the port close and open. It is
	// called from the one goroutine that watches the rules and must not
	// block.
	OnDown func(DownEvent)
	// SkewedDials, shared by every listener of the process, records the
	// upstream connections a proxy_skew rule shifts, so that a listener
	// they reach (the lab's origin) explains their certificate alerts by
	// the shifted clock. nil: nothing is recorded or looked up.
	SkewedDials *SkewedDials
	// AdminURL returns this process's admin API as `tlsgate fault
	// --admin` takes it (http://HOST:PORT); nil or "" when it has none (no
	// [admin] table). A refuse rule's down line says how to end the rule:
	// through it, or without one by the config file, since `tlsgate
	// fault` would reach nothing, or another instance on the default
	// address. It is a func so that a port the kernel chose, known once
	// the admin API is bound, is in it: New runs before any socket is
	// bound, since what it loads can fail for the config's reasons, and
	// tlsgate reports those before it binds anything.
	AdminURL func() string
	// FaultAdmin returns the --admin a `tlsgate fault` command needs to
	// reach this process, "" when the command's default reaches it (or
	// nil); the explanations' commands carry it.
	FaultAdmin func() string
	// CAFile is the lab CA's certificate file, which a client trusts to
	// accept the minted leaves; the explanations' curl and openssl
	// commands pass it. "" leaves them naming the exported file.
	CAFile string
}

// Server is one running listener.
type Server struct {
	opts      Options
	deps      Deps
	clientTLS *tls.Config // nil unless the listener terminates TLS
	clientKey string      // key type of clientTLS's certificate, for the diagnosis
	// clientSubject and clientIssuer name clientTLS's configured
	// certificate, "" when leaves are minted by the lab CA.
	// clientName is a host name on that certificate.
	clientSubject, clientIssuer, clientName string
	// clientKeyDetail is the configured certificate's key with its size
	// or curve, "" for minted leaves.
	clientKeyDetail string
	// upstreamTLSBase is the server-ssl profile, cloned per connection.
	upstreamTLSBase *tls.Config
	bypass          bypassList    // opts.Bypass, parsed once
	keylog          *lockedWriter // nil = no key log
	streaks         streaks
	connIndex       atomic.Uint64 // per-listener connection index for fault selectors
	ownDials        sync.Map      // netip.AddrPort of our open upstream sockets (transparent only)
	caFiles         sync.Map      // accept_cas file path → []*x509.Certificate, read once (clientAuthPool)

	sem chan struct{} // max_connections slots; nil = unlimited
	// states holds the fast path's per-connection state for reuse. At
	// 3.3 KiB a connection, allocating it afresh made a garbage collection
	// every ~700 connections, and reusing it raised the plain rate 2-6%
	// in paired rounds (BENCHMARKS.md, "Session 21").
	states sync.Pool
	// cut is set when Shutdown's grace ran out and it closed the live
	// connections: every connection logged after that was ended by us.
	cut atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	// holds are client sockets a fault keeps open after their connection
	// was logged (see lease); each keeps its lease until it closes.
	holds   map[*faults.Held]struct{}
	ln      net.Listener
	closing bool
	wg      sync.WaitGroup // one per live connection
	// handoff passes an accepted connection to an idle worker; quit, closed
	// by Shutdown, sends idle workers home.
	handoff  chan net.Conn
	quit     chan struct{}
	workers  atomic.Int32 // live worker goroutines, for tests
	refusals refusalLog
	down     downGate // a refuse rule's hold on the listening socket (down.go)
	// fileConn makes a socket a refuse rule took from the accept queue
	// into a net.Conn: net.FileConn, which fails when the process is out
	// of descriptors (it duplicates the socket). A field only so that a
	// test can make it fail and see that connection still logged.
	fileConn func(*os.File) (net.Conn, error)
	// held names the refuse rules the last down line counted as holding
	// the listener (downadvice.go). Only startDown and then watchDown, the
	// goroutine it starts, use it, so it needs no lock.
	held []string
	// defaultDial: Deps.Dial was nil, so the event-loop engine's own
	// non-blocking connect is the same dialer.
	defaultDial bool
	eng         *fastpath.Engine // nil unless Serve runs the event-loop engine
}

// New validates opts against deps and prepares TLS material. It does not listen.
func New(opts Options, deps Deps) (*Server, error) {
	if deps.Logger == nil {
		return nil, errors.New("listener: a logger is required")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.NextID == nil {
		var n atomic.Uint64
		deps.NextID = func() uint64 { return n.Add(1) }
	}
	defaultDial := deps.Dial == nil
	if deps.Dial == nil {
		// No TCP keepalive probes: idle_timeout already ends dead flows,
		// and the three setsockopt calls per dial are measurable at high
		// connection rates (BENCHMARKS.md). upstream's default dial also
		// keeps a backend's bytes before a reset Go saw as a failed
		// connect (upstream.ResetAfterConnect); built once per Server.
		deps.Dial = upstream.DefaultDial()
	}
	fillDefaults(&opts)
	s := &Server{opts: opts, deps: deps, conns: make(map[net.Conn]struct{}), holds: make(map[*faults.Held]struct{}),
		handoff: make(chan net.Conn), quit: make(chan struct{}), defaultDial: defaultDial, fileConn: net.FileConn}
	if opts.MaxConnections > 0 {
		s.sem = make(chan struct{}, opts.MaxConnections)
	}
	bypass, err := parseBypass(opts.Bypass)
	if err != nil {
		return nil, fmt.Errorf("listener %s: %w", opts.Name, err)
	}
	s.bypass = bypass
	if opts.Transparent != "" && deps.OriginalDst == nil {
		return nil, fmt.Errorf("listener %s: transparent = %q needs an original-destination lookup", opts.Name, opts.Transparent)
	}
	if opts.ClientSSL != nil && opts.ClientSSL.SNIRequire && !opts.Terminates() {
		// Refused rather than ignored: without a handshake of its own,
		// tlsgate could check the SNI only of hellos its parser reads,
		// and a larger one (SNI unknown) would pass unchecked.
		return nil, fmt.Errorf("listener %s: sni_require needs a listener that terminates TLS (%s), not %s: only crypto/tls on tlsgate's own handshake reads the SNI of every hello, including one beyond the %d-byte parse cap",
			opts.Name, TerminatingModes, ModeWords(opts.Mode, false), opts.PeekMax)
	}
	if opts.Capture != "" {
		if err := os.MkdirAll(opts.Capture, 0o750); err != nil {
			return nil, &OptionError{Key: "capture", Err: fmt.Errorf("listener %s: capture directory: %w", opts.Name, err)}
		}
	}
	var keylog io.Writer
	if opts.KeyLog != "" {
		kl, err := openKeyLog(opts.KeyLog)
		if err != nil {
			return nil, &OptionError{Key: "keylog", Err: fmt.Errorf("listener %s: %w", opts.Name, err)}
		}
		s.keylog, keylog = kl, kl
	}
	if s.terminates() {
		cfg, err := clientTLSConfig(opts, deps.Minter, keylog)
		if err != nil {
			s.closeKeyLog()
			return nil, fmt.Errorf("listener %s: %w", opts.Name, err)
		}
		s.clientTLS, s.clientKey = cfg, servedKeyType(cfg)
		s.clientSubject, s.clientIssuer, s.clientName = servedNames(cfg)
		s.clientKeyDetail = servedKeyDetail(cfg)
	}
	if opts.ServerSSL != nil || opts.Mode == Inspect {
		cfg, err := upstreamBase(opts.ServerSSL, keylog)
		if err != nil {
			s.closeKeyLog()
			return nil, fmt.Errorf("listener %s: %w", opts.Name, err)
		}
		s.upstreamTLSBase = cfg
	}
	return s, nil
}

func fillDefaults(o *Options) {
	if o.PeekTimeout <= 0 {
		o.PeekTimeout = DefaultPeekTimeout
	}
	if o.PeekMax <= 0 {
		o.PeekMax = DefaultPeekMax
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.NonSSL == "" {
		o.NonSSL = NonSSLReset
	}
}

// terminates says whether TLS from clients is decrypted here.
func (s *Server) terminates() bool { return s.opts.Terminates() }

func (s *Server) closeKeyLog() {
	if s.keylog != nil {
		_ = s.keylog.Close()
	}
}

// Options returns the listener's effective options (defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Serve accepts connections on ln until it is closed or Shutdown is called.
// It returns nil after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.ln = ln
	// The down watcher's count is taken here, under the lock that
	// Shutdown sets closing under: an Add racing Shutdown's Wait at zero
	// is a data race. startDown hands it to the watcher or gives it back.
	s.wg.Add(1)
	s.mu.Unlock()
	s.startDown(ln)
	if eng, err := s.fastEngine(ln); eng != nil {
		return s.serveFast(eng)
	} else if err != nil {
		return err
	}
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing || errors.Is(err, net.ErrClosed) {
				return nil
			}
			if s.waitUp(err) {
				continue // a refuse rule held the socket down; it listens again
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporaryAccept(err) {
				// EMFILE and friends: back off instead of spinning.
				backoff = min(max(backoff*2, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("listener %s: accept on %s: %w", s.opts.Name, ln.Addr(), err)
		}
		backoff = 0
		admitted, stopping := s.admit(c)
		if stopping {
			_ = c.Close()
			return nil
		}
		if !admitted {
			continue
		}
		select {
		case s.handoff <- c: // an idle worker takes it
		default:
			go s.runWorker(c)
		}
	}
}

// admit takes a max_connections slot for c and tracks it, for every
// connection accepted outside the engines (Serve, a refuse rule's queue).
// Over the limit c is refused (reset and counted): not admitted. Once
// Shutdown began the slot is given back and stopping is set; c is left to
// the caller to close.
func (s *Server) admit(c net.Conn) (admitted, stopping bool) {
	if s.sem != nil {
		select {
		case s.sem <- struct{}{}:
		default:
			s.refuse(c)
			return false, false
		}
	}
	if !s.track(c) {
		s.release()
		return false, true
	}
	return true, false
}

func (s *Server) release() {
	if s.sem != nil {
		<-s.sem
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Shutdown stops accepting, lets live connections finish until ctx ends,
// then closes whatever is left. It returns ctx.Err() when it had to force.
//
// A client socket a fault still holds open (faults.Held, after its
// connection was logged) counts as live: its client has not given up and
// is still waiting, so it too may end by itself within the grace, and is
// reset with the rest when the grace runs out. Ending holds at once would
// show every held client a reset the moment shutdown begins.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing {
		close(s.quit)
	}
	s.closing = true
	if s.ln != nil {
		_ = s.ln.Close()
	}
	eng := s.eng
	s.mu.Unlock()
	if eng != nil {
		eng.Stop()
	}
	s.reportRefusals()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.closeKeyLog()
		return nil
	case <-ctx.Done():
	}
	s.cut.Store(true)
	s.mu.Lock()
	for c := range s.conns {
		// A reset, as the epoll engine sends: a FIN in the middle of a
		// response can pass for its end with a client that reads to EOF.
		abort(c)
	}
	for h := range s.holds {
		_ = h.Reset() // its hold ends, and deletes it, on its own goroutine
	}
	s.mu.Unlock()
	if eng != nil {
		eng.Abort()
	}
	<-done
	s.closeKeyLog()
	return ctx.Err()
}

// log writes the one event for a finished connection, at the level every
// format shows it at (bigiplog.Level).
func (s *Server) log(o *explain.Outcome, d *explain.Diagnosis) {
	s.logIn(new(connLog), o, d, nil)
}

// connLog is the memory of one connection's log call. The event goes into
// its field as a pointer, and the field slice is its own: a value Event
// boxed into the field and Info's variadic slice cost an allocation each.
type connLog struct {
	ev     bigiplog.Event
	fields [1]zap.Field
}

// logIn is log with l as the call's memory; the epoll path keeps it in
// the connection's state. done, when set, is called once nothing reads o,
// d or l any more, at once or by OnOutcomeLent's hook.
func (s *Server) logIn(l *connLog, o *explain.Outcome, d *explain.Diagnosis, done func()) {
	l.ev = bigiplog.Event{Outcome: o, Diagnosis: d}
	l.fields[0] = zap.Object(bigiplog.EventKey, &l.ev)
	level := bigiplog.Level(*d)
	// Info and Warn are Check and Write.
	if ce := s.deps.Logger.Check(level, d.Summary); ce != nil {
		ce.Write(l.fields[:]...)
	}
	if s.deps.OnOutcome != nil {
		s.deps.OnOutcome(o, d)
	}
	switch {
	case s.deps.OnOutcomeLent != nil:
		if done == nil {
			done = noop
		}
		s.deps.OnOutcomeLent(o, d, done)
	case done != nil:
		done()
	}
}

func noop() {}
