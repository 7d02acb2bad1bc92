package faults

import (
	"slices"

	"github.com/tlsgate/tlsgate/sniff"
)

// The certificate rules (chain, ocsp_times) decide what tlsgate's own
// handshake serves. Whether one can act depends on more than the route
// actsOn judges: on what the client asked for and on the other certificate
// rules of the connection. A rule that cannot act must not fire, or it is
// counted and logged with a symptom the client never shows.

// extStatusRequest is the ClientHello's status_request extension (RFC 6066
// §8, type 5): a server staples an OCSP response only to a client that
// sent it (crypto/tls does so, as OpenSSL does).
const extStatusRequest = 5

// servesCert reports whether the rule decides the certificate tlsgate's
// handshake serves.
func (r *Rule) servesCert() bool { return r.Action == ActChain || r.Action == ActOCSPTimes }

// certFits reports whether r, if a certificate rule, can act on the
// connection ci describes, given p, the rules already fired on it in rule
// order. A connection is served one certificate, so only the first
// certificate rule to fire decides it, and a later one does not fire (the
// listener's TLSPolicy takes the first). An ocsp_times rule acts only
// through its staple, which is sent only to a client whose hello asks for
// one: curl without --cert-status and openssl s_client without -status get
// none and connect. A hello tlsgate's parser could not read (ci.Hello nil)
// shows no request, so it gets none either.
func certFits(r *Rule, ci *ConnInfo, p *Plan) bool {
	if !r.servesCert() {
		return true
	}
	if p != nil && slices.ContainsFunc(p.rules, (*Rule).servesCert) {
		return false
	}
	return r.Action != ActOCSPTimes || asksStatus(ci.Hello)
}

// asksStatus reports whether the hello carries status_request.
func asksStatus(h *sniff.ClientHello) bool {
	return h != nil && slices.Contains(h.Extensions, extStatusRequest)
}

// CertUnserved returns the plan for a connection whose handshake ended
// before tlsgate served a certificate (a hello refused for its missing
// SNI, its versions, suites or ALPN, or a client gone first): its
// certificate rules fired when planned but never acted, so they are
// dropped and give back the firing they took from their count, max_fires
// budget and last fire time, and the diagnosis blames none of them. Call
// it at most once per connection. p itself is unchanged.
func (p *Plan) CertUnserved() *Plan {
	if p.Empty() {
		return p
	}
	return p.keep(func(r *Rule) bool { return !r.servesCert() })
}
