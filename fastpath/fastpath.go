// Package fastpath serves a listening TCP socket from epoll event loops
// instead of Go's netpoller and a goroutine per connection.
//
// Why it exists: on a small machine the cost of a short relayed connection
// is dominated by the runtime around the syscalls (goroutine parks and
// wakes, scheduler hand-offs, sysmon), not by the proxy's own work. A
// few event loops (one more than GOMAXPROCS) that own their sockets do
// the same syscalls with none of that (BENCHMARKS.md, "What the epoll
// engine changed"). It is a
// narrow tool: it accepts, reads the first bytes, asks its Handler what
// to do, and either relays bytes to one TCP backend or hands the socket
// back to Go as a net.Conn together with the bytes it read. Everything that needs more
// than a byte relay (diagnoses, TLS, faults, PROXY headers) happens on the
// goroutine path after a hand-off.
//
// It has no knowledge of tlsgate's outcomes or logs: the Handler, run on
// the loop's own thread, decides and records. Handlers must not block.
package fastpath

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/upstream"
)

// ErrUnsupported is returned by New where the engine cannot run (not Linux).
var ErrUnsupported = errors.New("fastpath: epoll engine is only available on Linux")

// Verdict is a Handler's answer to the bytes read so far.
type Verdict uint8

const (
	// Wait asks for more bytes (until the peek deadline or cap).
	Wait Verdict = iota
	// Relay dials the returned backend and relays both ways.
	Relay
	// Handoff gives the socket to Handler.Handoff with the bytes read.
	Handoff
	// Refuse closes the connection with a reset (from Open only).
	Refuse
)

// Conn is one accepted connection as the Handler sees it.
type Conn struct {
	Remote   netip.AddrPort // the client
	Local    netip.AddrPort // the address it connected to
	Accepted time.Time      // from Config.Now, when accept returned
	// State is the Handler's own per-connection data.
	State any
	// Consumed holds the bytes the engine read from the client before a
	// hand-off (nil when none): the goroutine path must treat them as
	// already read, ahead of anything it reads itself.
	Consumed []byte
	// ReadErr is the error of the engine's own read of the first bytes
	// when that read failed (a reset that arrived after the readiness
	// event). The socket reports such an error once: later reads see a
	// plain end of stream, so the goroutine path must take ReadErr as the
	// result of its next read.
	ReadErr error
	// Watch, when the Handler sets it in Decide, sees every relay read
	// of either side after the bytes Decide saw (upstream.Watcher, as
	// on the goroutine engine), on the loop's thread.
	Watch upstream.Watcher

	cfd, bfd int
	// cseq and bseq tag each socket's epoll registration: an event still
	// queued for a socket closed earlier in the same batch can name a new
	// socket that reused its number, and must be ignored.
	cseq, bseq int32
	phase      phase
	connecting bool // connect sent, not yet known to have succeeded
	// backendReset: the connect check took the backend's reset from its
	// socket (endedConnected), so the read that meets the end of what the
	// backend sent reports it.
	backendReset bool
	target       netip.AddrPort
	deadline     time.Time // peek or dial deadline, by phase
	last         time.Time // last byte either way, for the idle timeout
	cl, be       side
	res          Result
}

// Result is how a relayed connection ended. What it keeps of the relay's
// reads (DownHead, UpHead, UpLast) is sized by upstream's constants, the
// goroutine relay's, so both engines report the same bytes to the one
// listener code that reads them.
type Result struct {
	BackendLocal  netip.AddrPort // tlsgate's end of the backend connection
	BackendRemote netip.AddrPort
	Up, Down      int64 // bytes written to the backend and to the client
	// Undelivered counts the client's bytes the engine read (its first
	// bytes included) that never reached the backend because the
	// backend's connection had ended before the connect was seen: the
	// connect race (a backend that accepted, wrote and reset at once).
	// Up never includes them.
	Undelivered int64
	// DialErr is set when the backend could not be reached; the client
	// was then reset. It is a *net.OpError like net.Dial's, so callers
	// classify it the same way (refused, timeout).
	DialErr error
	// Err is why the relay ended abnormally: a reset from either side, the
	// idle timeout (wrapping ErrIdle), or Abort. Nil for clean closes.
	Err error
	// ResetBy is "client" or "backend" when Err is that side's reset (a
	// read that got one, or a write its peer refused); "" otherwise.
	ResetBy string
	// AfterClientEnd is set with ResetBy == "backend" when the client had
	// already ended its side (its FIN read, or waiting on its socket) when
	// the backend's reset came: the close race of a backend that closed
	// first and reset the client's closing bytes (upstream.Result's field
	// of the same name).
	AfterClientEnd bool
	// DownHead holds the first DownHeadLen bytes the backend sent, copied
	// from the relay's own reads (no read is made for them): enough for
	// the Handler to tell a TLS alert record from a ServerHello.
	DownHead    [upstream.HeadSize]byte
	DownHeadLen uint8
	// UpHead holds the first UpHeadLen bytes the client sent after the
	// ones Decide saw, copied from the relay's reads like DownHead: in a
	// passed-through handshake, what follows the ClientHello (the
	// client's Finished, or the alert it refused the server with).
	UpHead    [upstream.UpHeadSize]byte
	UpHeadLen uint8
	// UpLast holds the first bytes of the relay's last read from the
	// client, and UpLastLen that read's length (0: none): in a passed
	// through TLS stream, whether the client's last words were a closing
	// alert when a backend reset came (upstream.Result's fields of the
	// same name). A copy of a few bytes per read, no system call.
	UpLast    [upstream.LastSize]byte
	UpLastLen int
	// ClientFINFirst: the relay read the client's FIN before it had
	// written any of the backend's bytes to the client: a client that
	// half-closed right after its first bytes, without waiting for an
	// answer (upstream.Result's field of the same name). The order of the
	// loop's own reads and writes: one compare, no system call.
	ClientFINFirst bool
	// FirstFIN is "client" or "backend", the side whose FIN the relay read
	// while the other side was still open ("" when none came before the
	// end), and FirstFINAfter how long after Accepted, by the loop's clock
	// of that batch (upstream.Result's fields of the same name, whose
	// origin is the relay's start instead). Set once, at that EOF.
	FirstFIN      string
	FirstFINAfter time.Duration
}

// ErrIdle wraps Result.Err when neither side sent a byte for IdleTimeout.
var ErrIdle = errors.New("fastpath: idle timeout")

// ErrAborted wraps Result.Err for connections closed by Abort.
var ErrAborted = errors.New("fastpath: aborted at shutdown")

// Handler decides what each connection is and records how it ended. Its
// methods run on an event loop's thread: they must be quick and must not
// block. Loops run in parallel, and Open runs on the loop that accepted,
// which may then pass the connection to a sibling owning fewer: the other
// methods for it run there.
type Handler interface {
	// Open sees a connection just accepted, before anything is read. Wait
	// goes on to peek; Handoff hands it off at once; Refuse closes it with
	// a reset (the Handler has counted or logged the refusal).
	Open(c *Conn) Verdict
	// Decide sees every byte the client has sent so far and returns a
	// verdict; with Relay, the backend address. The bytes are only valid
	// during the call.
	Decide(c *Conn, first []byte) (Verdict, netip.AddrPort)
	// Handoff receives a connection the engine no longer owns, as a
	// net.Conn whose first bytes (c.Consumed) were already read, or the
	// error that made that impossible (the socket is then closed, and
	// c.Consumed holds everything the client had sent). Start a goroutine
	// here; do not serve it on the loop. The engine never reuses a Conn it
	// handed off (unlike one it reported Closed).
	Handoff(c *Conn, nc net.Conn, err error)
	// Closed reports the end of a relayed connection (or of a failed dial).
	// c is the engine's again once Closed returns, for a later connection:
	// keep nothing of it, its State included.
	Closed(c *Conn, r Result)
}

// Config tunes an Engine. Zero durations and sizes mean the defaults.
type Config struct {
	Loops       int           // event loops; default GOMAXPROCS+1
	PeekMax     int           // first bytes read before handing off; default 16 KiB
	PeekTimeout time.Duration // a client silent this long is handed off; default 5s
	DialTimeout time.Duration // default 5s
	IdleTimeout time.Duration // default 300s; negative disables
	// BusyPoll is how long a loop polls for its next events before it
	// parks, while the engine serves at most one connection; default
	// 100µs, negative disables. It trades a little CPU for latency when
	// the machine has CPU to spare (see spin_linux.go).
	BusyPoll time.Duration
	// Uring serves with io_uring loops instead of epoll ones (URING.md;
	// Linux 5.19+). New fails, wrapping ErrUringUnavailable and the errno,
	// where the kernel refuses io_uring. BusyPoll does not apply yet.
	Uring bool
	// UringHoldP lets each io_uring loop keep its P while it waits (a raw
	// io_uring_enter; see ring.wait): less CPU per connection, but every
	// such loop then takes one of the GOMAXPROCS Ps from the rest of the
	// process while it waits, until a preemption signal ends the wait.
	// An idle loop (no connection, no request of an ended one still out,
	// no paused accept) waits without it all the same (uringWait).
	// Set it only when the process runs fewer such loops than GOMAXPROCS
	// (tlsgate run counts its io_uring listeners).
	UringHoldP bool
	Now        func() time.Time
}

type phase uint8

const (
	peeking phase = iota
	relaying
	done
)

// side is one socket's relay state.
type side struct {
	pending []byte // bytes read from the other side, not yet written here
	rdEOF   bool   // this socket's peer sent FIN
	wrShut  bool   // we sent FIN on this socket
	stalled bool   // reading from this socket paused while the other's pending drains
}
