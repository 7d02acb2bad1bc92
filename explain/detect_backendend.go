package explain

import (
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// ruleBackendClosedEarly: the backend ended the relay (a reset, or its
// FIN) without having sent the client a byte. An HTTP client then gets no
// answer at all: curl (52) Empty reply from server after a FIN, (56) after
// a reset, (18) over HTTP/2. The relay's own end looks clean after a FIN
// (the client closes in turn), and a reset can reach tlsgate only on its
// write of the client's request, so without this rule such a connection
// was logged ok or as a reset "mid-stream". A backend that answered (a
// byte down) and closed stays ok. On a passed-through handshake the
// missing answer is the ServerHello, which backend_no_server_hello names
// (ruleBackendAnswer, for the reset too).
//
// The FIN (the code without a variant) needs the client to have sent
// something: a backend that closes a connection on which the client never
// spoke answered nothing because nothing was asked. It also needs a
// connection that looks like request and response (askedForAnswer): on a
// one-way plaintext flow (TCP syslog, a push feed) the server never
// answers, and its FIN on an idle connection is a normal close, not a
// failure. That is a limit: a plaintext request/response protocol other
// than HTTP (a database's, say) whose server closes without answering is
// logged ok, as tlsgate cannot tell it from a one-way flow. A FIN that
// tlsgate's write of the client's next bytes then met as a reset is a
// failure whatever the protocol (those bytes were refused), and so is a
// reset.
func ruleBackendClosedEarly(f *facts) (verdict, bool) {
	o := f.o
	if PassesTLS(o) {
		return closedAfterHandshake(o)
	}
	if !o.Backend.Attempted || o.Backend.DialErr != "" || o.Backend.TLS.Err != "" || o.BytesDown != 0 {
		return verdict{}, false
	}
	if len(o.FaultFirings) > 0 || o.FaultApplied != "" {
		return verdict{}, false
	}
	// A backend's FIN that came first is what it did, even when tlsgate's
	// write of the request then met its closed socket and the relay ended
	// on that reset: the client read the end of the stream, or the reset
	// tlsgate passed on, whichever reached it first.
	switch {
	case o.FirstFIN == SideBackend && (o.End == EndBackendReset || o.End == "" && o.BytesUp > 0 && askedForAnswer(o)):
		return verdict{code: CodeBackendClosedEarly}, true
	case o.End == EndBackendReset:
		return verdict{code: CodeBackendClosedEarly, variant: "reset"}, true
	}
	return verdict{}, false
}

// closedAfterHandshake: on a relay that passed TLS through, the backend
// completed the handshake, the client sent its request (an application
// data record), and the backend ended the connection (its FIN, or a
// reset) without a record after it that can carry an answer. The
// handshake's bytes went down, so the rule above, which reads byte counts,
// cannot see it; the records' headers tell (Backend.Exchange, whose limits
// the listener's answerWatch documents). A FIN that came first names the
// variant even when the relay then ended on a reset, as above.
func closedAfterHandshake(o *Outcome) (verdict, bool) {
	e := o.Backend.Exchange
	if !o.Backend.Attempted || o.Backend.DialErr != "" || !e.Followed || !e.Asked || e.Answered {
		return verdict{}, false
	}
	if len(o.FaultFirings) > 0 || o.FaultApplied != "" {
		return verdict{}, false
	}
	switch {
	case o.FirstFIN == SideBackend:
		if o.End != EndBackendReset && (oneWayTLS(o) || e.ClientClosed) {
			// A FIN in answer to the client's closing alert is no early
			// close: the no-answer warning tells it (passFINUnanswered).
			return verdict{}, false
		}
		return verdict{code: CodeBackendClosedEarly, variant: "after_handshake"}, true
	case o.End == EndBackendReset:
		return verdict{code: CodeBackendClosedEarly, variant: "after_handshake_reset"}, true
	}
	return verdict{}, false
}

// oneWayTLS says a passed-through client's records may be a one-way flow,
// whose end without an answer is normal (syslog over TLS: the server never
// answers and closes an idle session), as askedForAnswer tells for
// plaintext. A client that offered HTTP waits for an answer; one that
// offered no ALPN (Go's net/http with its own tls.Config, s_client) and
// sent a single record most likely did too. Several records and no HTTP
// offered are taken for a one-way flow: a missed failure (a request of
// more than one record from such a client), never a false one.
func oneWayTLS(o *Outcome) bool {
	return !offersHTTP(o.Hello) && o.Backend.Exchange.Requests > 1
}

// askedForAnswer reports whether the client's bytes look like a request
// that waits for an answer: an HTTP request (parsed, or the first bytes of
// HTTP/1 or the HTTP/2 preface), TLS (whose ClientHello waits for the
// server's), or a TLS client leg tlsgate terminated (what runs inside is
// HTTPS in practice). An unknown plaintext protocol is not assumed to be.
func askedForAnswer(o *Outcome) bool {
	return o.HTTP != nil || o.Kind == sniff.HTTP1 || o.Kind == sniff.HTTP2 || o.Kind.IsTLS() || o.ClientTLS.Done
}

// offersHTTP says whether a ClientHello's ALPN names an HTTP version, so
// the client waits for an answer to each request.
func offersHTTP(h *sniff.ClientHello) bool {
	if h == nil {
		return false
	}
	for _, p := range h.ALPN {
		if p == "h2" || p == "h3" || strings.HasPrefix(p, "http/") {
			return true
		}
	}
	return false
}
