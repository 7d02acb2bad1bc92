package faults

import (
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/tlsgate/tlsgate/sniff"
)

// recordAppData is the record type of application data, and in TLS 1.3 of
// every encrypted record (RFC 8446 §5.2).
const recordAppData = 23

// serverHelloCap bounds the server bytes kept to read its ServerHello: one
// record of the largest size TLS allows.
const serverHelloCap = 5 + 1<<14 + 256

// corruptState is what one record_corrupt rule knows of a conn's two
// directions, shared by their filters: the version the server chose and
// how many encrypted records the client has sent. Together they say where
// the handshake ends, which the relay cannot see inside TLS 1.3:
//
//   - TLS 1.2 and older encrypt the handshake's last messages as type 22
//     records, so the first type 23 record either way is application data.
//   - TLS 1.3 sends its encrypted handshake as type 23 too: the client's
//     first one is its Finished (an mTLS client's certificate comes first,
//     and is hit instead), and what the server sends after that Finished
//     arrived is past its handshake (a session ticket, then the response).
type corruptState struct {
	mu      sync.Mutex
	head    []byte // the server's first bytes, until its ServerHello reads
	version uint16 // the version the server chose; 0 until known
	suite   uint16 // the suite it chose, with version
	lost    bool   // the server's first bytes are no ServerHello: act on nothing
	c2sApp  int    // type 23 records the client has begun
	chosen  bool   // a record has been picked to flip: one per connection
}

// serverBytes takes the server's bytes until its ServerHello gives the
// version, or shows there is none.
func (s *corruptState) serverBytes(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.version != 0 || s.lost {
		return
	}
	s.head = append(s.head, p[:min(len(p), serverHelloCap-len(s.head))]...)
	v, suite, err := sniff.ServerHelloChoice(s.head)
	switch {
	case err == nil && v != 0:
		s.version, s.suite, s.head = v, suite, nil
	case err == nil, !errors.Is(err, sniff.ErrNeedMore), len(s.head) >= serverHelloCap:
		s.lost, s.head = true, nil
	}
}

// appRecord notes a type 23 record starting in direction dir and reports
// whether it is past the handshake. A client record counts toward the
// server's: the server's records after the client's Finished are.
func (s *corruptState) appRecord(dir Direction) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if dir == C2S {
		s.c2sApp++
	}
	switch {
	case s.lost || s.version == 0:
		return false
	case s.version < tls.VersionTLS13:
		return true
	case dir == C2S:
		return s.c2sApp >= 2
	}
	return s.c2sApp >= 1
}

// choice returns the version and suite the server chose, zeros until
// they are known or when they never will be.
func (s *corruptState) choice() (version, suite uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost {
		return 0, 0
	}
	return s.version, s.suite
}

// choose takes the connection's one flip, reporting false when a record
// (in either direction) already has it: a rule for both directions damages
// the first record after the handshake, not also the alert that answers it.
func (s *corruptState) choose() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chosen {
		return false
	}
	s.chosen = true
	return true
}

// spent reports whether the connection's flip is taken.
func (s *corruptState) spent() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chosen
}

// settled reports whether a direction that only watches has nothing more
// to tell: the version is known (or never will be), and under TLS 1.3 the
// client's Finished has been counted.
func (s *corruptState) settled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lost || s.version != 0 && (s.version < tls.VersionTLS13 || s.c2sApp >= 1)
}

// recordCorrupt is one direction of a record_corrupt rule: it follows the
// TLS records going its way and, if the rule covers that direction, flips
// one bit in the body of the first application-data record past the
// handshake, as a faulty NIC, a bad cable with offload checksums or a
// broken middlebox would. "Application data" is the type on the wire (23):
// under TLS 1.3 the server's first such record can be a NewSessionTicket
// (OpenSSL sends its after the client's Finished) or a KeyUpdate, sealed
// like data and rejected alike, so the record hit need not hold the
// response. A relay has no keys; the endpoint that decrypts the record
// finds its AEAD tag (or MAC) wrong and aborts with bad_record_mac
// (alert 20). The filter never changes a byte count.
type recordCorrupt struct {
	next sink
	k    *ctl
	r    *Rule
	dir  Direction
	st   *corruptState
	rng  *rand.Rand
	flip bool // the rule covers this direction; else it only watches

	mu     sync.Mutex
	scan   sniff.RecordScan
	target int // body offset to flip in the current record; -1: none
	mask   byte
	done   bool // flipped, or nothing more to do: pass bytes as they are
}

func newRecordCorrupt(next sink, k *ctl, r *Rule, dir Direction, rng *rand.Rand) *recordCorrupt {
	st := k.sharedState(r, func() any { return &corruptState{} }).(*corruptState)
	return &recordCorrupt{next: next, k: k, r: r, dir: dir, st: st, rng: rng, flip: r.Direction.has(dir), target: -1}
}

func (f *recordCorrupt) Write(p []byte) (int, error) {
	f.mu.Lock()
	out := p
	if !f.done {
		out = f.look(p)
	}
	f.mu.Unlock()
	if _, err := f.next.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// look follows p through the record stream and returns it, or a copy of
// it with the chosen bit flipped.
func (f *recordCorrupt) look(p []byte) []byte {
	if f.dir == S2C {
		f.st.serverBytes(p)
	}
	out, copied := p, false
	f.scan.Feed(p, func(typ uint8, length int) {
		f.target = -1
		if typ != recordAppData || !f.st.appRecord(f.dir) || !f.flip || length == 0 || !f.st.choose() {
			return
		}
		f.target, f.mask = f.rng.IntN(length), byte(1)<<f.rng.IntN(8)
	}, func(at, bodyOff, n int) {
		if f.target < bodyOff || f.target >= bodyOff+n {
			return
		}
		if !copied {
			out, copied = slices.Clone(p), true // the caller's buffer is not ours to change
		}
		out[at+f.target-bodyOff] ^= f.mask
		f.target = -1
		f.done = true
		f.k.markActed(f.r)
		f.k.corruptedBy(f.r, f.dir)
	})
	if f.scan.Lost() || !f.flip && f.st.settled() || f.target < 0 && f.st.spent() {
		f.done = true
	}
	return out
}

func (f *recordCorrupt) End(fin bool) error { return f.next.End(fin) }
