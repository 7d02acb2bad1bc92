// Package httpflow follows HTTP/1.1 exchanges in the decrypted bytes of an
// inspected connection, so that each request and response that passed can
// be shown: method, target, Host, status and sizes.
//
// The tracker frames messages as RFC 9112 says a recipient must (head up to
// the empty line, body by Content-Length, chunked coding or connection
// close) but never keeps a body: known lengths are skipped, not scanned, and
// only a partial head is buffered. Memory per tracker is therefore bounded
// whatever the traffic: two heads of at most MaxHeadBytes, two holding
// buffers of at most 64 KiB (see Tracker), a queue of at most 65536 one-byte
// entries for pipelined requests, and the kept exchanges.
package httpflow

import (
	"fmt"
	"sync"
)

// Exchange is one request and its response as seen on the wire. Fields of
// the response stay zero until its head has passed.
type Exchange struct {
	Method, Target, Host, Proto string // request line and Host field (Proto is the request's version)
	Status                      int    // final status; interim 1xx responses are not recorded here
	Reason                      string // reason phrase of the final status line

	// ReqHeaderBytes and RespHeaderBytes count head bytes including the
	// empty line; RespHeaderBytes includes interim (1xx) response heads.
	ReqHeaderBytes, RespHeaderBytes int

	// ReqBodyBytes and RespBodyBytes count payload bytes: for the chunked
	// coding, chunk data only, without chunk-size lines, CRLFs or trailers.
	// A body delimited by connection close counts every byte that follows
	// the head. They grow while the body flows.
	ReqBodyBytes, RespBodyBytes int64

	// Upgraded marks a 101 Switching Protocols response or a 2xx answer to
	// CONNECT: the bytes after it (and after the rest of the request's
	// body, which precedes the switch) are another protocol, so tracking
	// stops without an error.
	Upgraded bool

	// RespHeadEnd is where the final response head ends in the server's
	// byte stream (its offset just past the empty line), 0 until it has
	// passed. A relay that got fewer of the server's bytes to the client
	// never delivered the status the tracker saw.
	RespHeadEnd int64
}

const (
	// maxHold caps the bytes one direction may hold while it waits for the
	// other (see Tracker).
	maxHold = 64 << 10
	// maxPending caps the requests still waiting for a final response.
	maxPending = 64 << 10
)

// Request flags the server side needs to frame the response.
const (
	flagHead uint8 = 1 << iota
	flagConnect
	flagUpgrade
)

type state uint8

const (
	stStart state = iota // between messages
	stHead
	stLength
	stUntilClose
	stHold
	stOpaque // after an upgrade: another protocol, ignored
	stChunkSize
	stChunkExt
	stChunkData
	stChunkDataEnd
	stChunkDataLF
	stTrailerStart
	stTrailerLine
	stTrailerCR
)

// dir is the parsing state of one direction.
type dir struct {
	client bool
	state  state
	active bool  // inside feed; guards against re-entry through release
	off    int64 // stream offset of the next byte to consume
	msg    int   // 1-based number of the current message, for errors

	// Partial head.
	buf      []byte
	scan     int // where headEnd resumes
	lineScan int // where the search for the start line's end resumes
	lineOK   bool
	headOff  int64

	seq    int   // index of the exchange whose body is flowing
	flags  uint8 // client: flags of the current request
	await  int   // client: request whose response decides an upgrade
	remain int64 // Content-Length or chunk data still to skip

	// Chunked coding (RFC 9112 §7.1), parsed in place without buffering.
	size    int64
	digits  int
	lineLen int

	hold      []byte
	replaying bool // feeding hold, which the tracker owns
}

// Tracker follows the HTTP/1.1 exchanges of one connection. Client and
// Server may be called concurrently, one goroutine per direction; each must
// see its direction's bytes in order.
//
// Feed each direction before forwarding it (as io.TeeReader does on the
// read side), so a response is never seen before its request. The tracker
// copes with the opposite order anyway by holding bytes that depend on the
// other direction, up to 64 KiB: server bytes while no request is waiting
// for an answer, and client bytes after a CONNECT or Upgrade request until
// its response tells whether they are still HTTP. Past that it stops with
// an error.
type Tracker struct {
	mu       sync.Mutex
	max      int
	ex       []Exchange
	dropped  int
	err      error
	done     bool // failed: bytes are no longer parsed
	upgraded bool // a 101 or a CONNECT 2xx has passed

	cli, srv dir
	queue    []uint8 // flags of requests without a final response, oldest first
	reqs     int     // request heads seen
	finals   int     // final response heads seen
}

// NewTracker returns a tracker that keeps the first maxExchanges exchanges
// and counts the rest in Dropped. Later exchanges are still framed, so the
// byte stream stays in step.
func NewTracker(maxExchanges int) *Tracker {
	t := &Tracker{max: max(maxExchanges, 0)}
	t.cli.client = true
	return t
}

// Client feeds bytes sent from client to server. b is not retained.
func (t *Tracker) Client(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.feed(&t.cli, b)
}

// Server feeds bytes sent from server to client. b is not retained.
func (t *Tracker) Server(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.feed(&t.srv, b)
}

// Exchanges returns a copy of the kept exchanges, in request order,
// including the one in flight.
func (t *Tracker) Exchanges() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Exchange(nil), t.ex...)
}

// Dropped returns how many exchanges were seen beyond maxExchanges.
func (t *Tracker) Dropped() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}

// Err returns the first framing error. After it the tracker ignores all
// bytes; an upgrade also ends tracking but is not an error.
func (t *Tracker) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *Tracker) feed(d *dir, b []byte) {
	d.active = true
	for len(b) > 0 && !t.done {
		switch d.state {
		case stHold:
			if t.released(d) {
				d.state = stStart
				continue
			}
			if len(d.hold)+len(b) > maxHold {
				t.failHold(d)
				break
			}
			if d.replaying && len(d.hold) == 0 {
				// Re-holding the tail of our own buffer: keep it rather
				// than copy, or each release would copy the whole rest.
				d.hold = b
			} else {
				d.hold = append(d.hold, b...)
			}
			b = nil
		case stStart:
			if !d.client && len(t.queue) == 0 {
				d.state = stHold
				continue
			}
			// RFC 9112 §2.2: ignore empty lines before a start line.
			i := 0
			for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
				i++
			}
			d.off += int64(i)
			b = b[i:]
			if len(b) > 0 {
				d.state, d.headOff = stHead, d.off
				if d.client {
					d.msg = t.reqs + 1
				} else {
					d.msg = t.finals + 1
				}
			}
		case stHead:
			b = b[t.head(d, b):]
		case stLength:
			n := min(d.remain, int64(len(b)))
			t.count(d, n)
			d.remain -= n
			d.off += n
			b = b[n:]
			if d.remain == 0 {
				t.endMessage(d)
			}
		case stUntilClose:
			t.count(d, int64(len(b)))
			d.off += int64(len(b))
			b = nil
		case stOpaque:
			b = nil
		default:
			b = b[t.chunk(d, b):]
		}
	}
	d.active = false
}

// released reports whether a holding direction may go on.
func (t *Tracker) released(d *dir) bool {
	if d.client {
		return t.finals > d.await
	}
	return len(t.queue) > 0
}

// release re-feeds a direction's held bytes once the other direction has
// made them parseable.
func (t *Tracker) release(d *dir) {
	if d.state != stHold || d.active || t.done || !t.released(d) {
		return
	}
	held := d.hold
	d.hold, d.state, d.replaying = nil, stStart, true
	t.feed(d, held)
	d.replaying = false
}

// endMessage moves a direction past a complete message. A client that asked
// to switch protocols holds what follows until the response says whether
// the switch happened.
func (t *Tracker) endMessage(d *dir) {
	d.state = stStart
	if d.client && t.upgraded {
		d.state = stOpaque
		return
	}
	if d.client && d.flags&(flagConnect|flagUpgrade) != 0 && t.finals <= d.seq {
		d.state, d.await = stHold, d.seq
	}
}

// count adds body bytes to the exchange they belong to.
func (t *Tracker) count(d *dir, n int64) {
	if d.seq >= len(t.ex) {
		return
	}
	if d.client {
		t.ex[d.seq].ReqBodyBytes += n
	} else {
		t.ex[d.seq].RespBodyBytes += n
	}
}

// fail records the first error with where it happened in the stream, and
// stops tracking.
func (t *Tracker) fail(d *dir, off int64, err error) {
	if t.err == nil {
		what := "client request"
		if !d.client {
			what = "server response"
		}
		t.err = fmt.Errorf("%w (%s %d, stream byte %d)", err, what, d.msg, off)
	}
	t.done = true
}

func (t *Tracker) failTooLarge(d *dir) {
	t.fail(d, d.headOff, fmt.Errorf("%w: no empty line in the first %d bytes", ErrHeadTooLarge, MaxHeadBytes))
}

func (t *Tracker) failHold(d *dir) {
	if d.client {
		d.msg = d.await + 1
		t.fail(d, d.off, fmt.Errorf("%w: more than %d client bytes after a CONNECT or Upgrade request with no response yet",
			ErrMalformed, maxHold))
		return
	}
	d.msg = t.finals + 1
	t.fail(d, d.off, fmt.Errorf("%w: more than %d server bytes with no request waiting for a response", ErrMalformed, maxHold))
}
