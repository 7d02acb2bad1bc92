package listener

import (
	"fmt"
	"slices"

	"github.com/tlsgate/tlsgate/faults"
)

// Site is what decides whether a fault rule can act on a listener: the
// listener as a config file defines it (Options.Site) or as a running
// tlsgate reports it to the admin API, whose /stats shows it with these
// JSON names. A zero Mode means unknown, and a rule aimed there is never
// second-guessed.
type Site struct {
	Name string `json:"name"`
	Mode Mode   `json:"mode,omitempty"`
	// Terminates is Options.Terminates, VerifiesUpstream
	// Options.VerifiesUpstream.
	Terminates       bool `json:"terminates"`
	VerifiesUpstream bool `json:"verifies_upstream"`
	// ServerSSL: the listener has a [listener.server_ssl] table.
	ServerSSL bool `json:"server_ssl"`
	// RelaysPlain is Options.RelaysPlain: plain HTTP a block page, a
	// rewrite or an abort can act on.
	RelaysPlain bool `json:"relays_plain"`
}

// Site is the listener as RuleMisfit judges it.
func (o *Options) Site() Site {
	return Site{Name: o.Name, Mode: o.Mode, Terminates: o.Terminates(), VerifiesUpstream: o.VerifiesUpstream(),
		ServerSSL: o.ServerSSL != nil, RelaysPlain: o.RelaysPlain()}
}

// RelaysPlain says whether the listener relays plaintext a client sends,
// whose HTTP a fault can then read: mode plaintext and auto always, and a
// TLS listener whose non_ssl is allow. Config and the admin API use it,
// with Terminates, to refuse a rule that acts on HTTP (a block page, a
// rewrite, an abort) aimed at a listener that never shows any.
func (o *Options) RelaysPlain() bool {
	return o.Mode == Plaintext || o.Mode == Auto || o.NonSSL == NonSSLAllow
}

// HTTPModes says, in config words, what a listener needs for a rule that
// acts on HTTP: Terminates or RelaysPlain.
const HTTPModes = `mode = "terminate", "inspect", "plaintext" or "auto", or non_ssl = "allow" for plain HTTP`

// TLSModes says, in config words, what a listener needs to carry TLS past
// the ClientHello: any mode but plaintext, which resets a TLS client.
const TLSModes = `mode = "passthrough", "terminate", "inspect" or "auto"`

// UpstreamModes says, in config words, what a listener needs for
// VerifiesUpstream to hold.
const UpstreamModes = `mode = "inspect", or a terminating listener with [listener.server_ssl] and verify on`

// RuleMisfit says why rule r, aimed at r.Listener or at every listener,
// would never fire on sites: the rule's field to blame and an error naming
// the rule as who (`fault[2]`, `rule "x"`), the listener and its mode. It
// returns "", nil when the rule can fire, when sites is empty (nothing to
// judge by) and when r.Listener is not among sites (the callers word that
// error themselves).
func RuleMisfit(r faults.Rule, who string, sites []Site) (string, error) {
	if len(sites) == 0 {
		return "", nil
	}
	need := r.Need()
	field, what, n := need.Field, need.What, need.Kind
	fits := func(s Site) bool { return siteMeets(s, n) }
	if r.Listener == "" {
		if slices.ContainsFunc(sites, fits) {
			return "", nil
		}
		switch n {
		case faults.NeedUpstream:
			return field, fmt.Errorf("%s %s, but no listener verifies a server certificate; this rule would never fire (it needs a listener with %s)",
				who, what, UpstreamModes)
		case faults.NeedHTTP:
			return field, fmt.Errorf("%s %s, but no listener decrypts TLS or relays plain HTTP; this rule would never fire (it needs a listener with %s)",
				who, what, HTTPModes)
		case faults.NeedTLSRelay, faults.NeedTLSRecords, faults.NeedHello:
			return field, fmt.Errorf("%s %s, but every listener has mode = %q and resets TLS; this rule would never fire (it needs a listener with %s)",
				who, what, Plaintext, TLSModes)
		}
		return field, fmt.Errorf("%s %s, but no listener terminates TLS; this rule would never fire (it needs a listener with %s)",
			who, what, TerminatingModes)
	}
	i := slices.IndexFunc(sites, func(s Site) bool { return s.Name == r.Listener })
	if i < 0 || fits(sites[i]) {
		return "", nil
	}
	s := sites[i]
	switch n {
	case faults.NeedUpstream:
		return field, fmt.Errorf("%s %s of listener %q, which has %s and verifies no server certificate; this rule would never fire (it needs %s)",
			who, what, s.Name, upstreamWords(s), UpstreamModes)
	case faults.NeedHTTP:
		return field, fmt.Errorf("%s on listener %q, which has %s without non_ssl = \"allow\": it passes TLS through undecrypted and relays no plain HTTP, so it sees none; this rule would never fire (it needs %s)",
			who+" "+what, s.Name, ModeWords(s.Mode, s.Terminates), HTTPModes)
	case faults.NeedTLSRelay, faults.NeedTLSRecords, faults.NeedHello:
		return field, fmt.Errorf("%s %s on listener %q, which has %s and resets a TLS client after its ClientHello; this rule would never fire (it needs %s)",
			who, what, s.Name, ModeWords(s.Mode, s.Terminates), TLSModes)
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

// siteMeets reports whether a listener meets need n: whether it carries a
// connection that meets it (faults.NeedKind says which do). A site of
// unknown mode is never second-guessed.
func siteMeets(s Site, n faults.NeedKind) bool {
	switch n {
	case faults.NeedTermination:
		return s.Mode == "" || s.Terminates
	case faults.NeedUpstream:
		return s.Mode == "" || s.VerifiesUpstream
	case faults.NeedHTTP:
		return s.Mode == "" || s.Terminates || s.RelaysPlain
	case faults.NeedTLSRelay, faults.NeedTLSRecords, faults.NeedHello:
		return s.Mode != Plaintext
	}
	// Nothing, or a TLS client: every listener meets TLS clients.
	return true
}
