package listener

import (
	"sync"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// h2Watch follows an HTTP/2 relay's frame headers both ways
// (upstream.Watcher, on both engines) to tell whether the backend answered
// any stream the client opened. Byte counts cannot: SETTINGS and
// WINDOW_UPDATE cross both ways before any request, so a backend that
// read the request and closed without a response was logged plain ok.
//
// It is installed only on a relay that carries HTTP/2 (h2Relay): the
// plaintext preface, or ALPN h2 on a decrypted one. An HTTP/1 relay, the
// benchmark's hot path, never has one.
//
// A stream is opened by the client's HEADERS on a new odd id; an answer
// is any HEADERS frame of the backend's on an odd id (a response, or an
// interim 1xx). A PUSH_PROMISE and the pushed response's HEADERS (on an
// even id) answer nothing the client asked. A RST_STREAM or GOAWAY of the
// backend's is counted: a refusal the client was told of, which the
// no-answer warning leaves alone.
type h2Watch struct {
	mu             sync.Mutex
	client, server sniff.H2Scan
	up, down       int64  // bytes seen each way
	top            uint32 // the highest stream id the client opened
	x              explain.H2Exchange
}

// newH2Watch returns a watch that has read first, the client's bytes the
// relay writes before its own reads (the peek; nil on a decrypted relay,
// where the preface comes through the relay's reads).
func newH2Watch(first []byte) *h2Watch {
	w := &h2Watch{client: sniff.NewH2Scan(true), server: sniff.NewH2Scan(false)}
	w.Read(false, first)
	return w
}

// h2Relay says o's relay carries HTTP/2 that tlsgate can read: the
// preface in plaintext, or h2 negotiated on a client leg tlsgate
// terminated. TLS passed through is answerWatch's.
func h2Relay(o *explain.Outcome) bool {
	if explain.PassesTLS(o) {
		return false
	}
	return o.Kind == sniff.HTTP2 || o.ClientTLS.Done && o.ClientTLS.ALPN == "h2"
}

// Read takes one relay read (upstream.Watcher).
func (w *h2Watch) Read(down bool, p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.x.Answered {
		return // final: the watch reads no more
	}
	if down {
		w.down += int64(len(p))
		w.server.Feed(p, w.serverFrame)
		return
	}
	w.up += int64(len(p))
	w.client.Feed(p, w.clientFrame)
}

func (w *h2Watch) clientFrame(h sniff.H2FrameHeader) {
	// Stream ids only grow (RFC 9113 §5.1.1): a HEADERS on a lower odd
	// id is trailers or CONTINUATION's kin, no new stream.
	if h.Type == sniff.H2Headers && h.Stream%2 == 1 && h.Stream > w.top {
		w.top = h.Stream
		w.x.Streams++
	}
}

func (w *h2Watch) serverFrame(h sniff.H2FrameHeader) {
	w.x.BackendFrames[min(int(h.Type), explain.H2Extension)]++
	if h.Type == sniff.H2Headers && h.Stream%2 == 1 {
		w.x.Answered = true
	}
}

// result gives the facts for the Outcome once the relay has ended, up
// and down being the bytes it relayed each way: a relay that moved some
// of them by splice, unseen, or bytes the scans could not follow, leave
// it without a verdict.
func (w *h2Watch) result(up, down int64) explain.H2Exchange {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.x.Answered {
		return explain.H2Exchange{Followed: true, Streams: w.x.Streams, Answered: true, BackendFrames: w.x.BackendFrames}
	}
	x := w.x
	x.Followed = !w.client.Lost() && !w.server.Lost() && w.up >= up && w.down >= down
	return x
}
