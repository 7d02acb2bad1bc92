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
// listener's TLSPolicy takes the first). An ocsp_times rule, and a chain
// rule whose fault is its staple (revoked, ocsp_unknown, ocsp_expired),
// acts only through that staple, which is sent only to a client whose
// hello asks for one: curl without --cert-status and openssl s_client
// without -status get none and connect. A hello tlsgate's parser could not read (ci.Hello nil)
// shows no request, so it gets none either.
func certFits(r *Rule, ci *ConnInfo, p *Plan) bool {
	if !r.servesCert() {
		return true
	}
	if p != nil && slices.ContainsFunc(p.rules, (*Rule).servesCert) {
		return false
	}
	return !r.actsThroughStaple() || asksStatus(ci.Hello)
}

// actsThroughStaple reports whether everything wrong with the certificate
// r serves is in its OCSP staple: an ocsp_times rule, or a chain whose
// leaf and issuers are good and whose staple says revoked, unknown or
// expired. The other chains (expired, self_signed, …) are wrong for every
// client, staple or not.
func (r *Rule) actsThroughStaple() bool {
	switch {
	case r.Action == ActOCSPTimes:
		return true
	case r.Action == ActChain:
		return r.Chain == ChainRevoked || r.Chain == ChainOCSPUnknown || r.Chain == ChainOCSPExpired
	}
	return false
}

// asksStatus reports whether the hello carries status_request.
func asksStatus(h *sniff.ClientHello) bool {
	return h != nil && slices.Contains(h.Extensions, extStatusRequest)
}

// ServedCert records that tlsgate's handshake flight carried the
// certificate the plan's certificate rule (chain, ocsp_times) chose: the
// rule acted, and Settle keeps its firing. Such a rule fires only when it
// acts (Rule.firesOnAct), and no conn wrapper sees it act: its certificate
// goes out in the handshake crypto/tls runs, which may still refuse the
// hello after taking the certificate (under TLS 1.2 it picks the suite
// after it), or lose the client first. Only the listener, which sees the
// flight written, can tell. A plan on which ServedCert never ran drops its
// certificate rule at Settle, and the rule gives back its firing.
func (p *Plan) ServedCert() {
	if p == nil {
		return
	}
	for i, r := range p.rules {
		if r.servesCert() {
			p.stats[i].acted.Store(true)
		}
	}
}
