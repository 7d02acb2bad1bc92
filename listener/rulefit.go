package listener

import (
	"fmt"
	"slices"

	"github.com/tlsgate/tlsgate/faults"
)

// Site is what decides whether a fault rule can act on a listener: the
// listener as a config file defines it (Options.Site) or as a running
// tlsgate reports it to the admin API. A zero Mode means unknown, and a
// rule aimed there is never second-guessed.
type Site struct {
	Name string
	Mode Mode
	// Terminates is Options.Terminates, VerifiesUpstream
	// Options.VerifiesUpstream.
	Terminates       bool
	VerifiesUpstream bool
	// ServerSSL: the listener has a [listener.server_ssl] table.
	ServerSSL bool
}

// Site is the listener as RuleMisfit judges it.
func (o *Options) Site() Site {
	return Site{Name: o.Name, Mode: o.Mode, Terminates: o.Terminates(), VerifiesUpstream: o.VerifiesUpstream(), ServerSSL: o.ServerSSL != nil}
}

// UpstreamModes says, in config words, what a listener needs for
// VerifiesUpstream to hold.
const UpstreamModes = `mode = "inspect", or a terminating listener with [listener.server_ssl] and verify on`

// need is what a rule needs of a listener to ever fire.
type need int

const (
	needNothing     need = iota
	needTermination      // a TLS handshake tlsgate runs with the client
	needUpstream         // tlsgate verifying a server's certificate
	needHTTP             // HTTP tlsgate can read: anything but passthrough
)

// ruleNeeds is the one table of rules that act only where tlsgate runs a
// handshake of its own: the rule's field to blame, what the rule does in
// words, and what it needs. The config file and the admin API both refuse
// through RuleMisfit.
func ruleNeeds(r faults.Rule) (field, what string, n need) {
	switch {
	case r.Action == faults.ActChain:
		return "action", "serves a bad certificate chain", needTermination
	case r.Action == faults.ActOCSPTimes:
		return "action", "staples an OCSP response to the certificate of a handshake tlsgate runs", needTermination
	case r.Action == faults.ActHTTPDate:
		return "action", "rewrites the Date of HTTP responses", needHTTP
	case r.Action == faults.ActClientAuth:
		return "action", "asks for a client certificate in a handshake", needTermination
	case r.Action == faults.ActALPNDowngrade:
		return "action", "changes the ALPN of a handshake tlsgate runs", needTermination
	case r.Action == faults.ActProxySkew:
		return "action", "shifts tlsgate's clock on the upstream leg", needUpstream
	case r.Action == faults.ActSNIPolicy && r.HostMismatch != 0:
		return "host_mismatch", "compares the HTTP Host inside TLS with the SNI", needTermination
	case r.Stage == faults.StageHandshakeDone && r.Action != faults.ActRecordCorrupt:
		// record_corrupt finds the handshake's end in the records
		// themselves, so TLS passed through breaks too.
		return "stage", "acts after a handshake", needTermination
	}
	return "", "", needNothing
}

// RuleMisfit says why rule r, aimed at r.Listener or at every listener,
// would never fire on sites: the rule's field to blame and an error naming
// the rule as who (`fault[2]`, `rule "x"`), the listener and its mode. It
// returns "", nil when the rule can fire, when sites is empty (nothing to
// judge by) and when r.Listener is not among sites (the callers word that
// error themselves).
func RuleMisfit(r faults.Rule, who string, sites []Site) (string, error) {
	field, what, n := ruleNeeds(r)
	if n == needNothing || len(sites) == 0 {
		return "", nil
	}
	fits := func(s Site) bool {
		return s.Mode == "" || n == needTermination && s.Terminates || n == needUpstream && s.VerifiesUpstream ||
			n == needHTTP && s.Mode != Passthrough
	}
	if r.Listener == "" {
		if slices.ContainsFunc(sites, fits) {
			return "", nil
		}
		if n == needHTTP {
			return field, fmt.Errorf("%s %s, but every listener passes TLS through and reads no HTTP; this rule would never fire (it needs a listener with %s)",
				who, what, SeesHTTPModes)
		}
		if n == needUpstream {
			return field, fmt.Errorf("%s %s, but no listener verifies a server certificate; this rule would never fire (it needs a listener with %s)",
				who, what, UpstreamModes)
		}
		return field, fmt.Errorf("%s %s, but no listener terminates TLS; this rule would never fire (it needs a listener with %s)",
			who, what, TerminatingModes)
	}
	i := slices.IndexFunc(sites, func(s Site) bool { return s.Name == r.Listener })
	if i < 0 || fits(sites[i]) {
		return "", nil
	}
	s := sites[i]
	if n == needHTTP {
		return field, fmt.Errorf("%s %s on listener %q, which has %s and reads no HTTP (TLS it passes through is opaque to it); this rule would never fire (it needs %s)",
			who, what, s.Name, ModeWords(s.Mode, s.Terminates), SeesHTTPModes)
	}
	if n == needUpstream {
		return field, fmt.Errorf("%s %s of listener %q, which has %s and verifies no server certificate; this rule would never fire (it needs %s)",
			who, what, s.Name, upstreamWords(s), UpstreamModes)
	}
	return field, fmt.Errorf("%s %s on listener %q, which has %s and terminates no TLS; this rule would never fire (it needs %s)",
		who, what, s.Name, ModeWords(s.Mode, s.Terminates), TerminatingModes)
}

// upstreamWords says why a listener verifies no server certificate.
func upstreamWords(s Site) string {
	switch {
	case !s.Terminates:
		return ModeWords(s.Mode, s.Terminates) + " (no TLS terminated)"
	case s.Mode != Inspect && !s.ServerSSL:
		return fmt.Sprintf("mode = %q without [listener.server_ssl] (a plain backend)", s.Mode)
	}
	return "[listener.server_ssl] verify = false"
}
