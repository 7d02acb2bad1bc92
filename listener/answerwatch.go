package listener

import (
	"crypto/tls"
	"errors"
	"sync"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// answerWatch follows, on a relay that passes TLS through, the record
// headers both ways after the ClientHello (upstream.Watcher, for both
// engines), to tell whether the backend answered the client's request
// before it ended the connection. The handshake's bytes count as the
// backend's "down" bytes, so without this a backend that completed the
// handshake and then closed (an application that crashes on the request,
// a TLS-terminating backend whose own upstream is down, one that closes
// on a Host or path it refuses) was logged ok.
//
// A request is a client application_data record past the handshake,
// told by sniff.ClientFlight, the same reading the request-stage faults
// use. An answer is a backend record that came after a request was read
// and can carry data:
//
//   - TLS 1.2 and earlier: any non-empty application_data record (type
//     23). Its alerts (a close_notify or a fatal alert) are type 21 and its
//     handshake records type 22, so neither is taken for an answer.
//   - TLS 1.3: everything after the ServerHello is type 23, so only the
//     size tells. A record of a sealed alert's size (sniff.Sealed13: 19
//     bytes under the common suites) is the backend's close_notify or
//     alert, not an answer: an answer that small (2 bytes of data in a
//     record of their own) cannot be told from it and is taken for an
//     alert. The backend's handshake flight and its NewSessionTicket
//     records are not answers because they come before the request:
//     crypto/tls sends its tickets with its Finished, and a server that
//     sends them only after reading the client's Finished (OpenSSL's)
//     sends them at once, usually before the client's request has
//     crossed the relay. When such a ticket comes after the request it is
//     taken for an answer: the connection is then logged ok, as before
//     (a missed failure, never a false one). For the same reason an
//     HTTP/2 server's SETTINGS, sent without waiting for a request, counts
//     as an answer when it follows one.
//
// Anything the watch cannot follow (a backend whose first bytes are no
// ServerHello, records out of step, a client record before the server's
// version is known, backend bytes a splice moved unseen) leaves it
// without a verdict (Followed false), and the connection is logged as
// before.
type answerWatch struct {
	mu sync.Mutex
	// head holds the backend's first bytes until its ServerHello gives
	// the version and suite.
	head           []byte
	version, suite uint16
	client, server sniff.RecordScan
	flight         sniff.ClientFlight
	lost           bool  // something could not be followed: no verdict
	asked          bool  // a client request record was read
	answered       bool  // a backend record that can be an answer came after one
	down           int64 // backend bytes seen
	// backendEnded: the relay read the backend's FIN (End). clientClosed:
	// a client alert record (close_notify, or a fatal one) came after its
	// request, before that.
	backendEnded, clientClosed bool
	// requests and requestBytes count the client's request records and
	// their bytes; closes the backend's records after the first that
	// cannot hold an answer.
	requests, requestBytes, closes int
}

// serverHelloCap bounds the backend bytes kept to read its ServerHello:
// one record of the largest size TLS allows.
const serverHelloCap = 5 + 1<<14 + 256

// start takes the client's first bytes, which the relay writes before
// its own reads (the peek: the ClientHello, and whatever followed it).
func (w *answerWatch) start(first []byte) {
	w.Read(false, first)
}

// Read takes one relay read (upstream.Watcher).
func (w *answerWatch) Read(down bool, p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lost || w.answered {
		return
	}
	if !down {
		w.client.Feed(p, w.clientRecord, nil)
		w.lost = w.lost || w.client.Lost()
		return
	}
	w.down += int64(len(p))
	if w.version == 0 {
		w.hello(p)
	}
	w.server.Feed(p, w.serverRecord, nil)
	w.lost = w.lost || w.server.Lost()
}

// hello reads the backend's bytes until its ServerHello names the
// version and suite. A ServerHello whole in the first read is read where
// it lies: only one split across reads is copied.
func (w *answerWatch) hello(p []byte) {
	b := p
	if len(w.head) > 0 {
		w.head = append(w.head, p[:min(len(p), serverHelloCap-len(w.head))]...)
		b = w.head
	}
	v, suite, err := sniff.ServerHelloChoice(b)
	switch {
	case err == nil && v != 0:
		w.version, w.suite, w.head = v, suite, nil
	case err == nil, !errors.Is(err, sniff.ErrNeedMore), len(b) >= serverHelloCap:
		w.lost, w.head = true, nil
	case len(w.head) == 0:
		w.head = append(w.head, p[:min(len(p), serverHelloCap)]...)
	}
}

// End takes the end of one direction's reads (upstream.EndWatcher): the
// backend's FIN, read in order with the client's records, says whether
// the client closed its session first.
func (w *answerWatch) End(down bool) {
	if down {
		w.mu.Lock()
		w.backendEnded = true
		w.mu.Unlock()
	}
}

func (w *answerWatch) clientRecord(typ uint8, length int) {
	if typ == 21 && w.asked {
		w.clientClose() // TLS 1.2 and earlier: an alert in the clear
	}
	if typ != 23 {
		return
	}
	if w.version == 0 {
		w.lost = true // data before the server's hello: 0-RTT, or not followed
		return
	}
	if w.flight.Request(length, w.version, w.suite) {
		w.asked = true
		w.requests++
		w.requestBytes += 5 + length
	} else if w.asked && length > 0 {
		// Past the flight (a request came), a record ClientFlight takes
		// for no request is a sealed alert's size: TLS 1.3's close_notify.
		w.clientClose()
	}
}

// clientClose notes the client's closing alert after its request, when it
// came before the backend's FIN: the client ended the session first, and
// a backend that closes in turn without answering only followed it.
func (w *answerWatch) clientClose() {
	if !w.backendEnded && !w.answered {
		w.clientClosed = true
	}
}

func (w *answerWatch) serverRecord(typ uint8, length int) {
	if !w.asked {
		return
	}
	if typ == 21 {
		w.closes++ // an alert: close_notify or fatal, both end its side
	}
	if typ != 23 || length == 0 {
		return
	}
	if w.version >= tls.VersionTLS13 {
		if _, alert, ok := sniff.Sealed13(w.suite); ok && length == alert {
			w.closes++
			return
		}
	}
	w.answered = true
}

// result gives the facts for the Outcome once the relay has ended, down
// being the backend bytes it relayed: a relay that moved some of them by
// splice, unseen, leaves it without a verdict.
func (w *answerWatch) result(down int64) explain.Exchange {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answered {
		// Final once seen: what follows an answer (even bytes out of
		// step) changes nothing, and the watch reads no more of it.
		return explain.Exchange{Followed: true, Asked: true, Answered: true}
	}
	if w.lost || w.version == 0 || w.down < down {
		return explain.Exchange{}
	}
	return explain.Exchange{Followed: true, Asked: w.asked, Requests: w.requests, RequestBytes: w.requestBytes, Closes: w.closes, ClientClosed: w.clientClosed}
}
