package listener

import (
	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
	"github.com/tlsgate/tlsgate/upstream"
)

// helloTail is what the peek read past the ClientHello, at most as much as
// a relay's up head keeps (both engines keep the same 16 bytes): clients wait for the server's answer, so
// it is nearly always empty, but a relay's up head starts after the peeked
// bytes, not after the hello.
type helloTail struct {
	b [upstream.UpHeadSize]byte
	n int
}

// tailOf keeps what first holds past a parsed hello.
func tailOf(o *explain.Outcome, first []byte) helloTail {
	var t helloTail
	if o.Hello != nil && o.Hello.WireLen < len(first) {
		t.n = copy(t.b[:], first[o.Hello.WireLen:])
	}
	return t
}

// recordClientEnd keeps how a passed-through client ended its handshake
// with the backend, from tail (peeked past the hello) and upHead (the
// relay's first client bytes after the peek). tlsgate decrypts nothing
// there, so a client that refuses the backend's certificate shows only in
// the shape of what it sent after its hello; without this the connection
// was logged as ok. Like recordHelloAlert it reads passthrough routes only:
// on the others the client's bytes are tlsgate's own handshake's, or not
// TLS at all.
//
// finFirst is the relay's word that it read the client's FIN before it
// wrote the backend's first bytes to it (ClientFINFirst, from either
// engine): a client that half-closed right after its hello, not one that
// read the backend's certificate and hung up. Both engines decide here so
// they agree, as closeRace does for a backend's reset.
func recordClientEnd(o *explain.Outcome, tail helloTail, upHead, downHead []byte, finFirst bool) {
	if !explain.PassesTLS(o) || o.Hello == nil {
		return
	}
	var buf [2 * upstream.UpHeadSize]byte
	n := copy(buf[:], tail.b[:tail.n])
	if tail.n == len(tail.b) {
		// The tail filled its array: what it dropped lies between it and
		// the up head, so the up head cannot be appended to it.
		upHead = nil
	}
	n += copy(buf[n:], upHead)
	o.Backend.ClientEnd = sniff.ClientAfterHello(o.Hello.WireLen, buf[:n], o.BytesUp)
	o.Backend.FlightSent = sniff.ServerSentFlight(downHead, o.BytesDown)
	// Only a client that sent nothing after its hello: a FIN after an
	// alert or a Finished has those bytes to tell its story, and a relay
	// that read more from the client saw it answer something.
	o.Backend.FINBeforeFlight = finFirst && o.Backend.FlightSent && o.Backend.ClientEnd.Kind == sniff.ClientEndSilent
}
