package listener

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
	"github.com/tlsgate/tlsgate/upstream"
)

// choice is the way route sends a connection once its first bytes are
// known, before any fault acts on it.
type choice uint8

const (
	chooseClose         choice = iota // closed: gone, or nothing to relay
	chooseAbort                       // closed with a reset: a TLS listener's undecided bytes or silence
	chooseResetTLS                    // TLS on a plaintext listener: reset
	chooseNonSSL                      // plaintext on a TLS listener: the non_ssl action
	choosePlain                       // relayed as plaintext (to plain_backend on auto)
	choosePassthrough                 // TLS relayed to backend untouched
	chooseTerminate                   // TLS given to tlsgate's handshake
	chooseInspect                     // a parsed hello to inspect (or bypass)
	chooseInspectUnread               // TLS inspect mode could not read: crypto/tls answers
)

// terminates says the choice gives the client's TLS to tlsgate's own
// handshake (explain.Outcome.Terminated).
func (c choice) terminates() bool {
	return c == chooseTerminate || c == chooseInspect || c == chooseInspectUnread
}

// choose is route's choice for o, from the facts the peek recorded in it
// (Kind, PeekEnd, FirstBytes, Hello). handleFrom makes it once and hands
// the same choice to the fault plan (endsAtFirstBytes) and to route, so
// the rules judge the connection by what route does with it; nothing
// between them changes those facts (planHello only wraps the conn, or
// ends the connection itself).
func (s *Server) choose(o *explain.Outcome) choice {
	if o.PeekEnd == explain.PeerReset {
		// The client is gone before a decision: there is no one to relay
		// for, and a backend sent its first bytes (half a ClientHello)
		// would log a failure of its own.
		return chooseClose
	}
	// A hello stalled at the peek deadline after bytes that only, or
	// nearly only, TLS begins with (explain.BeganTLS) is the TLS it
	// began, on every mode: the same route, and so the same diagnosis,
	// as the same stall a byte later.
	isTLS := explain.BeganTLS(o)
	silent := o.PeekEnd == explain.PeerSilent
	switch s.opts.Mode {
	case Plaintext:
		switch {
		case isTLS && o.Connect.Status == 200:
			// TLS inside an explicit proxy's tunnel: relayed untouched,
			// as the client asked the proxy to.
			return choosePassthrough
		case isTLS:
			return chooseResetTLS
		case o.PeekEnd == explain.PeerClosed && !plainUntil(o, explain.PeerClosed):
			return chooseClose
		}
		// Silence is fine here: server-first protocols wait for the
		// backend. So is a half-close before the bytes named a protocol
		// ("GE", or a request line whose headers never end): the client
		// has said all it will, and the backend is the one to answer it.
		return choosePlain
	case Auto:
		switch {
		case isTLS && s.terminates():
			return chooseTerminate
		case isTLS:
			return choosePassthrough
		case silent || o.PeekEnd == explain.PeerSpoke || o.PeekEnd == explain.PeerPartial || plainUntil(o, explain.PeerClosed):
			// Like sslh's on-timeout: a silent client may be waiting for a
			// server banner, so it goes to the plaintext backend.
			return choosePlain
		}
		return chooseClose
	case Inspect:
		switch {
		case o.Kind == sniff.TLSHandshake && o.Hello != nil:
			return chooseInspect
		case isTLS:
			// SSLv2, stray records, unparsable hellos and hellos beyond
			// the parse cap: crypto/tls answers them with a lab-CA leaf
			// so the client sees a real refusal, unless bypass holds.
			return chooseInspectUnread
		case o.PeekEnd == explain.PeerSpoke || plainUntilEnd(o):
			return chooseNonSSL
		}
		return chooseAbort
	default: // Passthrough, Terminate: TLS expected
		switch {
		case isTLS && s.terminates():
			// SSLv2 hellos, stray records or a hello we could not parse
			// go to the handshake too: crypto/tls answers them so the
			// client sees a real TLS refusal.
			return chooseTerminate
		case isTLS:
			return choosePassthrough
		case o.PeekEnd == explain.PeerSpoke || plainUntilEnd(o):
			return chooseNonSSL
		}
		// Silent, closed or undecided before any decision.
		return chooseAbort
	}
}

// endsAtFirstBytes says route will end the connection itself once its
// first bytes are known, relaying none of it: TLS at a plaintext listener,
// plaintext at a TLS listener whose non_ssl is not allow, and bytes (or
// silence) route closes undecided. The engine must know
// (faults.ConnInfo.ListenerEnds): a rule aimed at every listener would
// otherwise fire there, be counted and logged with a symptom the client
// never shows, and one at a later stage would act on tlsgate's own 400.
func (s *Server) endsAtFirstBytes(ch choice) bool {
	switch ch {
	case chooseClose, chooseAbort, chooseResetTLS:
		return true
	case chooseNonSSL:
		return s.opts.NonSSL != NonSSLAllow
	}
	return false
}

// route sends a classified connection where its kind belongs on this
// listener (ch, from choose), and records what it did in o.Route.
func (s *Server) route(c net.Conn, o *explain.Outcome, p *peeked, cc *connCtx, ch choice) {
	switch ch {
	case chooseClose:
		o.Route = "closed"
		_ = c.Close()
	case chooseAbort:
		o.Route = "closed"
		abort(c)
	case chooseResetTLS:
		o.Route = "tls_on_plain_reset"
		abort(c)
	case chooseNonSSL:
		s.nonSSL(c, o, p, cc)
	case choosePlain:
		o.Route = "plain"
		if cc.fx.plan.Abort() != nil {
			s.serveAbort(&replayConn{Conn: c, first: p.first()}, o, cc.fx.plan)
			return
		}
		backend := s.backendAddr(o)
		if s.opts.Mode == Auto {
			backend = s.opts.PlainBackend
		}
		s.relay(c, o, p.first(), backend, cc)
	case choosePassthrough:
		o.Route = "passthrough"
		s.relay(c, o, p.first(), s.backendAddr(o), cc)
	case chooseTerminate:
		o.Route = "terminate"
		s.terminate(c, o, p, cc)
	case chooseInspect:
		s.inspect(c, o, p, cc)
	case chooseInspectUnread:
		s.inspectUnread(c, o, p, cc)
	}
}

// plainUntil says the peek ended with end (the client's half-close, or
// quiet until the peek deadline) after bytes that cannot begin TLS: nothing
// more will come to decide by, and what came is plaintext. Half-closed, a
// listener that relays plaintext passes it on rather than dropping it;
// stalled, a TLS listener's non_ssl action answers it. Bytes that could
// still begin TLS ("\x16", "\x16\x03") are a ClientHello cut short, which
// names no backend and must not get an HTTP 400 or a redirect; an empty
// stream has nothing to relay. The Outcome's first bytes decide as the
// peek's whole buffer would: CouldBeTLS reads at most five.
func plainUntil(o *explain.Outcome, end explain.PeerEnd) bool {
	return o.PeekEnd == end && len(o.FirstBytes) > 0 && !sniff.CouldBeTLS(o.FirstBytes)
}

// plainUntilEnd says a TLS listener's peek ended, the client quiet until
// the deadline or half-closed, after plaintext: its non_ssl action answers
// what came. After a half-close no more bytes can come, so a request line
// whose headers never ended is as whole as it will be, and http400 and
// redirect answer it as they answer a whole request (a reset here would
// destroy the answer a client still reading waits for).
func plainUntilEnd(o *explain.Outcome) bool {
	return plainUntil(o, explain.PeerPartial) || plainUntil(o, explain.PeerClosed)
}

// delivered finds the fault wrapper's count of bytes that reached the
// client, looking through the listener's own wrappers (a decrypted relay
// observes the stream above it) but not through TLS.
func delivered(c net.Conn) (int64, bool) {
	for c != nil {
		if d, ok := c.(interface{ Delivered() (int64, bool) }); ok {
			return d.Delivered()
		}
		u, ok := c.(interface{ Unwrap() net.Conn })
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	return 0, false
}

// backendAddr is where TLS (or everything, outside auto mode) goes: the
// original destination on a transparent listener, else the configured one.
func (s *Server) backendAddr(o *explain.Outcome) string {
	if o.OrigDst.IsValid() {
		return o.OrigDst.String()
	}
	return s.opts.Backend
}

// dialer builds the upstream dialer for one backend leg.
func (s *Server) dialer(cc *connCtx) *upstream.Dialer {
	return &upstream.Dialer{
		Dial:             cc.captureDial(s.deps.Dial),
		Timeout:          s.opts.DialTimeout,
		ProxyHeader:      s.opts.BackendProxyProtocol,
		HandshakeTimeout: s.opts.HandshakeTimeout,
	}
}

// relay connects to addr and pumps bytes both ways, replaying first.
func (s *Server) relay(c net.Conn, o *explain.Outcome, first []byte, addr string, cc *connCtx) {
	bc, ok := s.dialBackend(c, o, addr, s.dialer(cc), first)
	if !ok {
		return
	}
	s.pump(c, bc, o, first, cc)
}

// dialBackend dials addr (with server-ssl when d has TLS) and records the
// backend facts. On failure it resets the client and returns false.
// unsent is what the client sent that waits for the backend (the first
// bytes a relay replays): in the connect race it never reaches it.
func (s *Server) dialBackend(c net.Conn, o *explain.Outcome, addr string, d *upstream.Dialer, unsent []byte) (net.Conn, bool) {
	o.Backend.Addr = addr
	o.Backend.Attempted = true
	ctx := context.Background()
	if d.Timeout <= 0 || d.TLS != nil && d.HandshakeTimeout <= 0 {
		// The dialer's own timeouts bound each step when both are set; an
		// outer deadline would only add a timer to every connection.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.DialTimeout+s.opts.HandshakeTimeout)
		defer cancel()
	}
	bc, err := d.DialBackend(ctx, addr, clientAddr(o, c), virtualAddr(o, c))
	if rac := (*upstream.ResetAfterConnect)(nil); d.TLS == nil && errors.As(err, &rac) {
		s.resetAfterConnect(c, o, rac, unsent)
		return nil, false
	}
	if err != nil {
		recordBackendErr(o, err)
		abort(c)
		return nil, false
	}
	o.Backend.Local = addrPort(bc.LocalAddr())
	o.Backend.Remote = addrPort(bc.RemoteAddr())
	if s.opts.Transparent != "" {
		// Remember our own upstream sockets so a rule that intercepts
		// them again is recognised as a loop, not relayed forever.
		// handle forgets it when the connection ends.
		s.ownDials.Store(o.Backend.Local, struct{}{})
	}
	return bc, true
}

// resetAfterConnect ends a relay whose backend accepted, wrote and reset
// before the dial saw its connect finish: the connection was up, so what
// the backend sent goes to the client and then its end, as in mid-relay and
// as the epoll engine reports the same race. The client's first bytes
// (unsent) never reached the backend: BytesUp leaves them out and
// BytesUpUndelivered counts them. A reset alone is the backend's reset after
// those bytes. A FIN before the reset (rac.FIN) was the backend's close: the
// client gets the FIN and the relay waits for the client's end, as it does
// after any backend FIN; bytes the client still sends have nowhere to go,
// so they reset it (and are counted undelivered too), and a client that
// resets is the client's reset.
func (s *Server) resetAfterConnect(c net.Conn, o *explain.Outcome, rac *upstream.ResetAfterConnect, unsent []byte) {
	o.BytesUp, o.BytesUpUndelivered = 0, int64(len(unsent))
	o.Backend.Local = addrPort(rac.Local)
	if ap := addrPort(rac.Remote); ap.IsValid() {
		o.Backend.Remote = ap
	} else if ap, err := netip.ParseAddrPort(rac.Addr); err == nil {
		o.Backend.Remote = ap
	}
	n, _ := c.Write(rac.Tail)
	o.BytesDown = int64(n)
	recordHelloAlert(o, rac.Tail[:min(len(rac.Tail), upstream.HeadSize)])
	if !rac.FIN {
		o.End = explain.EndBackendReset
		abort(c)
		return
	}
	o.FirstFIN, o.FirstFINAfter = explain.SideBackend, s.deps.Now().Sub(o.Start)
	if cw, ok := c.(interface{ CloseWrite() error }); !ok || cw.CloseWrite() != nil {
		abort(c)
		return
	}
	if s.opts.IdleTimeout > 0 {
		_ = c.SetReadDeadline(s.deps.Now().Add(s.opts.IdleTimeout))
	}
	var one [1]byte
	n, err := c.Read(one[:])
	o.BytesUpUndelivered += int64(n)
	switch {
	case errors.Is(err, io.EOF):
		c.Close() // both FINs: a clean end
	case errors.Is(err, syscall.ECONNRESET):
		o.End = explain.EndClientReset
		abort(c)
	case errors.Is(err, os.ErrDeadlineExceeded):
		o.End = explain.EndIdleTimeout
		abort(c)
	default:
		abort(c)
	}
}

// pump relays until both directions end and records the byte counts. The
// client's last read is kept only where closeRace reads it.
func (s *Server) pump(c, bc net.Conn, o *explain.Outcome, first []byte, cc *connCtx) {
	began := s.deps.Now()
	opt := upstream.Options{Idle: s.opts.IdleTimeout, Bufs: cc.bufs, KeepLast: explain.PassesTLS(o)}
	var aw *answerWatch
	var hw *h2Watch
	if explain.PassesTLS(o) {
		aw = &answerWatch{}
		aw.start(first)
		opt.Watch = aw
	} else if h2Relay(o) {
		hw = newH2Watch(first)
		opt.Watch = hw
	}
	res, err := upstream.PumpWith(c, bc, first, opt)
	o.BytesUp, o.BytesDown = res.Up, res.Down
	if aw != nil {
		o.Backend.Exchange = aw.result(res.Down)
	}
	if hw != nil {
		o.H2 = hw.result(res.Up, res.Down)
	}
	if res.FirstFIN != "" {
		// The relay times its FIN from its own start.
		o.FirstFIN, o.FirstFINAfter = res.FirstFIN, began.Sub(o.Start)+res.FirstFINAfter
	}
	o.End = relayEnd(errors.Is(err, upstream.ErrIdle), res.ResetBy, closeRace(o, res.AfterClientEnd, res.Down, res.UpLast[:], res.UpLastLen))
	// On a faulted connection the client's side of the story is what the
	// wrapper let through: less than the relay wrote when a truncate or
	// mtu fault swallowed some, more when a fault wrote a block page.
	if n, ok := delivered(c); ok {
		o.BytesDown = n
	}
	recordLateAlert(&o.Backend.TLS, res.DownErr, res.UpErr)
	recordHelloAlert(o, res.DownHead[:res.DownHeadLen])
	recordClientEnd(o, tailOf(o, first), res.UpHead[:res.UpHeadLen], res.DownHead[:res.DownHeadLen], res.ClientFINFirst)
}

// recordHelloAlert keeps head, the first bytes a backend answered a
// passed-through ClientHello with, and the alert they hold. tlsgate takes no
// part in that handshake, so those bytes are the only sign of the refusal;
// without this the connection was logged as working. Only the routes that
// pass TLS through are read (explain.PassesTLS).
func recordHelloAlert(o *explain.Outcome, head []byte) {
	if !explain.PassesTLS(o) {
		return
	}
	// An answer that is no TLS record at all (a plaintext server's 400, a
	// banner), or none, is a refusal of its own.
	o.Backend.AnswerLen = copy(o.Backend.AnswerHead[:], head)
	if v, level, desc, ok := sniff.FirstRecordAlert(head); ok {
		o.Backend.HelloAlert = explain.RecordAlert{Version: v, Level: level, Desc: desc}
	}
}

// recordLateAlert keeps an alert the backend sent after tlsgate's side of
// the handshake was done. Under TLS 1.3 a server checks the client's
// certificate only after the client's Finished, so a backend that wants
// one (alert 116 certificate_required) or rejects it refuses on the first
// read of the relay; without this the connection was logged as working.
func recordLateAlert(leg *explain.Leg, errs ...error) {
	if !leg.Done || leg.Err != "" {
		return
	}
	for _, err := range errs {
		if err == nil {
			continue
		}
		msg := err.Error()
		if a := explain.AlertFromError(msg); a > 0 && strings.Contains(msg, "remote error") {
			leg.Err, leg.AlertRecv = msg, a
			return
		}
	}
}

// relayEnd names how a relay ended from what either engine reports: its
// idle timer fired, or a side (upstream.SideClient or SideBackend; the
// epoll engine uses the same words) reset it. closeRace says the backend's
// reset came after it had answered and the client had ended its side: a
// backend that closes first resets the client's closing bytes (its
// close_notify) because they met a closed socket, or were still unread when
// it closed. The client had everything by then, so it is a normal end. A
// backend reset while the client still waits stays backend_reset.
func relayEnd(idle bool, resetBy string, closeRace bool) explain.End {
	switch {
	case idle:
		return explain.EndIdleTimeout
	case resetBy == upstream.SideClient:
		return explain.EndClientReset
	case resetBy == upstream.SideBackend && !closeRace:
		return explain.EndBackendReset
	}
	return ""
}

// closeRace says a backend reset that ended a relay came after the client
// had finished with it: the backend had answered (down > 0), and the
// client had ended its side first. Both engines report the same facts and
// decide here, so they agree.
//
// The client's FIN read or waiting on its socket (afterClientEnd) says so
// at the TCP level. But a backend that closes while the client's
// close_notify is unread in its socket resets instead of sending a FIN,
// and that reset can reach tlsgate before the client's own FIN does (a
// client writes its close_notify and closes its socket in two calls).
// Then the client's last bytes decide, on the routes that pass its TLS
// through: one read that was exactly one closing alert record
// (sniff.ClosingRecord). Its close_notify is the last thing a client
// sends, and TLS lets it send nothing after (RFC 8446 §6.1), so a reset
// that follows it cost the client nothing.
//
// Why the client's record, and not the backend's end: in this ordering
// the backend sends no FIN at all (its kernel resets instead), its own
// close_notify is as hidden as the client's under TLS 1.3, and the
// goroutine relay splices a long answer, so its last record is not seen
// there while the epoll engine would see it, and the two would disagree.
// The client's close_notify is short, follows the answer, and comes
// through both engines' own reads. Under TLS 1.3 it is only a record of an
// encrypted alert's size, which two bytes of data share: a 19-byte record
// as a client's very last bytes, with an answer already sent, is read as
// its close_notify. A client that sent more after it (a pipelined request
// the backend's reset lost), or whose last bytes went by splice (over 64
// KiB on the goroutine engine, UpLastLen -1), keeps backend_reset.
func closeRace(o *explain.Outcome, afterClientEnd bool, down int64, last []byte, lastLen int) bool {
	if down == 0 {
		return false
	}
	if afterClientEnd {
		return true
	}
	if !explain.PassesTLS(o) || lastLen <= 0 {
		return false
	}
	return sniff.ClosingRecord(last[:min(len(last), lastLen)], lastLen)
}

// markCut records that tlsgate ended o itself if Shutdown's grace ran out
// before o was logged, whatever the sockets showed afterwards.
func (s *Server) markCut(o *explain.Outcome) {
	if s.cut.Load() {
		o.End = explain.EndShutdown
	}
}

func clientAddr(o *explain.Outcome, c net.Conn) net.Addr {
	if o.Client.IsValid() {
		return net.TCPAddrFromAddrPort(o.Client)
	}
	return c.RemoteAddr()
}

func virtualAddr(o *explain.Outcome, c net.Conn) net.Addr {
	if o.Virtual.IsValid() {
		return net.TCPAddrFromAddrPort(o.Virtual)
	}
	return c.LocalAddr()
}
