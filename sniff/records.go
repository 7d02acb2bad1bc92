package sniff

import "crypto/tls"

// A relay that passes TLS through reads only record headers once the
// handshake keys are in use: a record's type, version and length stay in
// the clear. What follows is shared by the fault rules that act on a
// passed-through stream (faults) and by the listener, which reads from
// the same headers whether a backend answered the client's request.

// RecordScan follows a stream of TLS records across reads of any size. It
// stops (Lost) at a header that cannot start a TLS record: bytes that are
// not TLS, or a stream it joined out of step. The zero value is ready.
type RecordScan struct {
	hdr  [5]byte
	nh   int // header bytes held
	left int // body bytes still to come in the current record
	off  int // body bytes of the current record already passed
	lost bool
	// lostAt is where in the chunk that lost the step its bad header
	// began (0 when it began in an earlier one).
	lostAt int
}

// Feed walks p. For each record header completed it calls head with the
// record's type and body length; for each run of body bytes in p it calls
// body (when not nil) with the run's index in p, its offset in the
// record's body and its length.
func (s *RecordScan) Feed(p []byte, head func(typ uint8, length int), body func(at, bodyOff, n int)) {
	for i := 0; i < len(p) && !s.lost; {
		if s.left == 0 {
			take := min(5-s.nh, len(p)-i)
			copy(s.hdr[s.nh:], p[i:i+take])
			s.nh += take
			i += take
			if s.nh < 5 {
				return
			}
			s.nh = 0
			// change_cipher_spec (20) to heartbeat (24), major version 3.
			if typ := s.hdr[0]; typ < 20 || typ > 24 || s.hdr[1] != 3 {
				s.lost, s.lostAt = true, max(i-5, 0)
				return
			}
			s.left, s.off = int(s.hdr[3])<<8|int(s.hdr[4]), 0
			head(s.hdr[0], s.left)
			continue
		}
		n := min(s.left, len(p)-i)
		if body != nil {
			body(i, s.off, n)
		}
		s.off += n
		s.left -= n
		i += n
	}
}

// Lost reports whether the scan met a header that starts no TLS record;
// it reads nothing after it.
func (s *RecordScan) Lost() bool { return s.lost }

// LostAt is where in the chunk that lost the step the bad header began
// (0 when it began in an earlier chunk).
func (s *RecordScan) LostAt() int { return s.lostAt }

// MaxFlight13 is the most encrypted records a TLS 1.3 client's flight
// holds: Certificate, CertificateVerify, Finished (RFC 8446 §4.4).
const MaxFlight13 = 3

// Sealed13 gives the body lengths, under a TLS 1.3 suite, of a sealed
// Finished (the verify_data of the suite's hash length, its 4-byte
// handshake header, the inner content type and the AEAD tag) and of a
// sealed alert (2 bytes, the type, the tag), without padding. ok is false
// for a suite it does not know.
func Sealed13(suite uint16) (finished, alert int, ok bool) {
	hash, tag := 32, 16
	switch suite {
	case 0x1301, 0x1303, 0x1304: // AES-128-GCM, ChaCha20-Poly1305, AES-128-CCM
	case 0x1302: // AES-256-GCM-SHA384
		hash = 48
	case 0x1305: // AES-128-CCM-8: an 8-byte tag
		tag = 8
	default:
		return 0, 0, false
	}
	return hash + 5 + tag, 2 + 1 + tag, true
}

// ClientFlight tells which of a client's application_data records (type
// 23), in the order it sent them after its ClientHello, are requests. The
// zero value is ready; the caller passes the version and suite the
// server's hello chose (ServerHelloChoice).
type ClientFlight struct {
	// The client's TLS 1.3 flight after the server's hello: how many of
	// its encrypted records came, and whether its Finished has.
	flight   int
	finished bool
}

// Request says whether a type 23 record of the client's, of body length
// n, is a request, under version v and suite. Under TLS 1.2 and earlier
// any non-empty one is (the handshake is in type 22 records). Under TLS
// 1.3 the client's handshake flight is sealed in type 23 records too: its
// Finished, and with a client certificate a Certificate and a
// CertificateVerify before it. The Finished is told by its size, which
// the suite fixes; the flight ends there, or after MaxFlight13 records
// when none had that size (a client that pads its records; then a request
// among them is missed). Under an unknown suite the flight is taken to be
// the first record alone. Past the flight, a record the size of a sealed
// alert is the client's close_notify (or another alert), not a request:
// that leaves out a request of 2 bytes sent in a record of its own, as no
// HTTP request is.
func (q *ClientFlight) Request(n int, v, suite uint16) bool {
	if n == 0 {
		return false
	}
	if v < tls.VersionTLS13 {
		return true
	}
	finished, alert, ok := Sealed13(suite)
	if !q.finished {
		q.flight++
		q.finished = !ok || n == finished || q.flight >= MaxFlight13
		return false
	}
	return !ok || n != alert
}
