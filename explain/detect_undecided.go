package explain

// A client that stops before its first bytes decide anything ends in one
// of a few ways, and what the client saw depends on which one: the
// listener's reset at the peek deadline (route "closed": bytes too few to
// name a protocol, or none), tlsgate's own TLS handshake that took over a
// stalled hello at that deadline and ran until handshake_timeout (a FIN),
// or the client leaving while that handshake still waited. The rules
// below tell them apart from the Outcome, so the texts name the end that
// really came and the timeout that really ended it.

// undecidedReset says the listener reset the connection at the peek
// deadline without routing it anywhere: on a TLS listener (passthrough,
// terminate, inspect) silence and bytes too few to name a protocol are
// aborted with an RST (listener chooseAbort, route "closed"), on every
// engine (the epoll loop hands a peek that reaches its deadline to the
// goroutine path, which decides).
func undecidedReset(o *Outcome) bool {
	return o.Route == "closed" && (o.PeekEnd == PeerSilent || o.PeekEnd == PeerPartial)
}

// stallHandedOver says a first message stalled at the peek deadline and
// tlsgate's own handshake took what had come and went on waiting for the
// rest (crypto/tls on a terminating route), reading nothing more: how
// that handshake ended is how the connection ended. With HelloTimeout set
// the handshake timeout already bounded the peek, and the peek's texts
// name it.
func stallHandedOver(o *Outcome) bool {
	l := o.ClientTLS
	return o.PeekEnd == PeerPartial && o.HelloTimeout == 0 && l.Attempted && !l.Done && !l.HelloRead && l.LateBytes == 0
}

// stallEnded picks the words for a first message that stalled at the peek
// deadline, by what ended the connection after it; ok=false leaves the
// plain "partial" words, which say the peek deadline ended it.
func stallEnded(o *Outcome) (verdict, bool) {
	if undecidedReset(o) {
		return verdict{code: CodeHandshakeTimeout, variant: "partial_reset"}, true
	}
	if !stallHandedOver(o) {
		return verdict{}, false
	}
	switch classifyErr(o.ClientTLS.Err) {
	case errTimeout:
		if o.HandshakeTimeout > 0 {
			return verdict{code: CodeHandshakeTimeout, variant: "partial_handshake"}, true
		}
	case errEOF:
		return verdict{code: CodeClientClosedEarly, variant: "partial_late"}, true
	case errReset:
		return verdict{code: CodeClientResetEarly, variant: "partial_late"}, true
	}
	return verdict{}, false
}

// leftAfterProxy says a client arrived through a load balancer that sent
// a valid PROXY header naming it, and the connection ended (FIN or RST)
// before a byte of data: the header came from the load balancer as soon
// as it connected, so the end came from that side, not from a TCP
// monitor or a port scan aimed at tlsgate, which send no header. A LOCAL
// header (no client) is the health check rule's.
func leftAfterProxy(o *Outcome) bool {
	p := o.Proxy
	return p.Version != 0 && p.Err == "" && !p.Local
}

// plainUnanswered picks the words for plaintext on a TLS listener whose
// non_ssl action answers a request (http400, redirect), when the client
// reset before its request line was whole: the listener did not apply the
// action (route "closed", no non_ssl_ route) and nothing it sent reached
// the client. ok=false when the action ran, or is one that needs no
// request (reset, allow act on the first bytes). A client's half-close
// instead gets the answer: no more bytes can come, so what came is the
// request (listener plainUntilEnd).
func plainUnanswered(o *Outcome) (verdict, bool) {
	if o.Route != "closed" || o.PeekEnd != PeerReset {
		return verdict{}, false
	}
	if a := nonSSLAction(o); a != "http400" && a != "redirect" {
		return verdict{}, false
	}
	return verdict{code: CodePlaintextOnTLS, variant: "client_reset_unanswered"}, true
}
