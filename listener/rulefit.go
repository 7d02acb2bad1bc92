package listener

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

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
	// Connect: the listener reads CONNECT as an explicit proxy
	// (connect = "tunnel"): a connect_policy rule acts there, and TLS in
	// its tunnels is carried past the hello even on a plaintext listener.
	Connect bool `json:"connect_tunnel,omitempty"`
	// SNIBypass is an inspect listener's bypass SNI globs, as configured:
	// it relays a connection whose SNI one matches undecrypted, so a rule
	// that needs decryption and whose sni names only such servers never
	// fires there.
	SNIBypass []string `json:"sni_bypass,omitempty"`
	// AddrBypass is an inspect listener's bypass IPs and CIDRs, as
	// configured: it relays TLS from a client inside one undecrypted, so
	// a rule that needs decryption and whose client range lies wholly
	// inside one never fires there.
	AddrBypass []string `json:"addr_bypass,omitempty"`
}

// Site is the listener as RuleMisfit judges it.
func (o *Options) Site() Site {
	s := Site{Name: o.Name, Mode: o.Mode, Terminates: o.Terminates(), VerifiesUpstream: o.VerifiesUpstream(),
		ServerSSL: o.ServerSSL != nil, RelaysPlain: o.RelaysPlain(), Connect: o.Connect != ""}
	if o.Mode == Inspect {
		for _, b := range o.Bypass {
			switch _, isAddr, err := parseBypassEntry(b); {
			case err != nil:
			case isAddr:
				s.AddrBypass = append(s.AddrBypass, b)
			default:
				s.SNIBypass = append(s.SNIBypass, b)
			}
		}
	}
	return s
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

// ConnectModes says, in config words, what a listener needs to read an
// explicit proxy's CONNECT.
const ConnectModes = `mode = "plaintext" and connect = "tunnel"`

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
	fits := func(s Site) bool {
		return siteMeets(s, n) && clientBypassedBy(r, s, n) == "" && bypassedBy(r, s, n) == ""
	}
	meets := func(s Site) bool { return siteMeets(s, n) }
	if r.Listener == "" {
		if slices.ContainsFunc(sites, fits) {
			return "", nil
		}
		if slices.ContainsFunc(sites, meets) {
			// Every listener it could act on bypasses its clients or
			// its names.
			var byClient, bySNI []string
			for _, s := range sites {
				if !meets(s) {
					continue
				}
				if b := clientBypassedBy(r, s, n); b != "" {
					byClient = append(byClient, fmt.Sprintf("listener %q (bypass %q)", s.Name, b))
				} else {
					bySNI = append(bySNI, fmt.Sprintf("listener %q (bypass %q)", s.Name, bypassedBy(r, s, n)))
				}
			}
			var why []string
			if len(byClient) > 0 {
				why = append(why, fmt.Sprintf("its client %q lies wholly inside what %s relays undecrypted", r.Client, strings.Join(byClient, " and ")))
			}
			if len(bySNI) > 0 {
				why = append(why, fmt.Sprintf("its sni %q names only servers that %s relays undecrypted", r.SNI, strings.Join(bySNI, " and ")))
			}
			field, advice := "sni", bypassAdvice
			if len(byClient) > 0 {
				field, advice = "client", clientBypassAdvice
				if len(bySNI) > 0 {
					advice += "; " + bypassAdvice
				}
			}
			return field, fmt.Errorf("%s %s, but %s; this rule would never fire (%s)",
				who, what, strings.Join(why, ", and "), advice)
		}
		switch n {
		case faults.NeedConnect:
			return field, fmt.Errorf("%s %s, but no listener reads CONNECT; this rule would never fire (it needs a listener with %s)",
				who, what, ConnectModes)
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
	if b := clientBypassedBy(r, s, n); b != "" && meets(s) {
		return "client", fmt.Errorf("%s %s on listener %q, but its client %q lies wholly inside that listener's bypass %q, whose clients it relays undecrypted; this rule would never fire (%s)",
			who, what, s.Name, r.Client, b, clientBypassAdvice)
	}
	if meets(s) {
		return "sni", fmt.Errorf("%s %s on listener %q, but its sni %q names only servers that listener relays undecrypted (bypass %q); this rule would never fire (%s)",
			who, what, s.Name, r.SNI, bypassedBy(r, s, n), bypassAdvice)
	}
	switch n {
	case faults.NeedConnect:
		return field, fmt.Errorf("%s %s on listener %q, which has %s without connect = %q and reads no CONNECT; this rule would never fire (it needs %s)",
			who, what, s.Name, ModeWords(s.Mode, s.Terminates), ConnectTunnel, ConnectModes)
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

// bypassAdvice ends an error for a rule whose sni names only servers an
// inspect listener's bypass relays undecrypted.
const bypassAdvice = "aim the rule at names outside the bypass, or take them out of it"

// clientBypassAdvice ends an error for a rule whose client range lies
// inside an inspect listener's address bypass.
const clientBypassAdvice = "aim the rule at clients outside the bypass, or take them out of it"

// clientBypassedBy returns the bypass address entry (an IP or a CIDR) of
// inspect listener s that holds every address rule r's client range
// does, when r needs a connection tlsgate decrypts: s relays TLS from
// each such client undecrypted, so r never fires there. It returns ""
// when that is not provable: another mode, no client, a range that only
// overlaps an entry (the clients outside it are decrypted), or a rule
// that needs the HTTP inside while the listener also relays plain HTTP,
// which no address bypass takes.
func clientBypassedBy(r faults.Rule, s Site, n faults.NeedKind) string {
	switch {
	case n == faults.NeedHTTP && s.RelaysPlain:
		return ""
	case n != faults.NeedTermination && n != faults.NeedUpstream && n != faults.NeedHTTP:
		return ""
	case s.Mode != Inspect || r.Client == "":
		return ""
	}
	rp, err := faults.ParseClient(r.Client)
	if err != nil {
		return ""
	}
	for _, b := range s.AddrBypass {
		bp, ok := bypassPrefix(b)
		if ok && bp.Bits() <= rp.Bits() && bp.Contains(rp.Addr()) {
			return b
		}
	}
	return ""
}

// bypassPrefix is an address bypass entry as the prefix it holds, ok
// false for an SNI glob. It is taken as addressBypass compares it, with
// client addresses the listener has unmapped: an IPv4-mapped entry holds
// none of them, and a zoned IP none either (the prefix is then invalid).
func bypassPrefix(b string) (netip.Prefix, bool) {
	addr, isAddr, err := parseBypassEntry(b)
	switch {
	case err != nil || !isAddr:
		return netip.Prefix{}, false
	case addr.pfx.IsValid():
		return addr.pfx.Masked(), true
	}
	p := netip.PrefixFrom(addr.ip, addr.ip.BitLen())
	return p, p.IsValid()
}

// bypassedBy returns the bypass glob of inspect listener s that covers
// every name rule r's sni matches, when r needs a connection tlsgate
// decrypts (n: a handshake it runs, its verified upstream, the HTTP
// inside): s relays every such connection undecrypted, so r never fires
// there. It returns "" when that is not provable: another mode, no sni, an
// sni that also matches a hello without one (bypass never takes those), or
// no single glob that covers it.
func bypassedBy(r faults.Rule, s Site, n faults.NeedKind) string {
	switch n {
	case faults.NeedTermination, faults.NeedUpstream, faults.NeedHTTP:
	default:
		return ""
	}
	sni := strings.ToLower(r.SNI)
	if s.Mode != Inspect || sni == "" || r.SNI == faults.SNINone || faults.GlobMatch(sni, "") {
		return ""
	}
	for _, b := range s.SNIBypass {
		// The sni's own '*' is matched as a character, which only a
		// bypass '*' can take (a bypass glob's other characters are host
		// name characters): the match then holds for every run the
		// sni's '*' stands for, so every name it matches is bypassed.
		if faults.GlobMatch(strings.ToLower(b), sni) {
			return b
		}
	}
	return ""
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
		return s.Mode != Plaintext || s.Connect
	case faults.NeedConnect:
		return s.Mode == "" || s.Connect
	}
	// Nothing, or a TLS client: every listener meets TLS clients.
	return true
}
