package listener

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// bypassList is an inspect listener's bypass entries, parsed once when the
// listener is built (parseBypass) rather than on every connection.
type bypassList struct {
	addrs []bypassAddr // in the configured order: the first match names the entry
	globs []bypassGlob
}

// bypassAddr is an IP or a CIDR entry.
type bypassAddr struct {
	entry string       // as configured, for the reason
	ip    netip.Addr   // an IP entry, compared exactly
	pfx   netip.Prefix // a CIDR entry (ip is zero)
}

// bypassGlob is an SNI glob entry.
type bypassGlob struct {
	entry   string // as configured, for the reason
	pattern string // lower-cased: SNIs are compared in lower case
}

// parseBypass sorts entries into addresses and SNI globs, refusing one
// that can never match (CheckBypassEntry), named by its index.
func parseBypass(entries []string) (bypassList, error) {
	var l bypassList
	for i, b := range entries {
		addr, isAddr, err := parseBypassEntry(b)
		if err != nil {
			return bypassList{}, fmt.Errorf("bypass[%d] %q: %w", i, b, err)
		}
		if isAddr {
			l.addrs = append(l.addrs, addr)
			continue
		}
		l.globs = append(l.globs, bypassGlob{entry: b, pattern: strings.ToLower(b)})
	}
	return l, nil
}

// CheckBypassEntry says why an inspect bypass entry can never match, or
// nil: the config file refuses such an entry with its line, and New with
// its index, through this one check.
func CheckBypassEntry(b string) error {
	_, _, err := parseBypassEntry(b)
	return err
}

// parseBypassEntry reads one entry: an IP or a CIDR (isAddr), or an SNI
// glob of hostname characters and '*'. An entry with '/' or ':' that is no
// address is a mistyped one (an SNI holds neither), and the address
// parser's error says what is wrong with it (a prefix length of 33, say).
func parseBypassEntry(b string) (addr bypassAddr, isAddr bool, err error) {
	if pfx, err := netip.ParsePrefix(b); err == nil {
		return bypassAddr{entry: b, pfx: pfx}, true, nil
	}
	if ip, err := netip.ParseAddr(b); err == nil {
		return bypassAddr{entry: b, ip: ip}, true, nil
	}
	switch {
	case b == "":
		return addr, false, errors.New("empty entry")
	case strings.Contains(b, "/"):
		_, perr := netip.ParsePrefix(b)
		return addr, false, fmt.Errorf("not an IP or a CIDR (%w), and an SNI glob cannot hold '/'", perr)
	case strings.Contains(b, ":"):
		_, perr := netip.ParseAddr(b)
		return addr, false, fmt.Errorf("not an IP or a CIDR (%w), and an SNI glob cannot hold ':'", perr)
	}
	// Hostname characters and '*' only, as fault rules' sni: '*' is the
	// one wildcard (faults.GlobMatch), every other character stands for
	// itself.
	if err := faults.CheckSNIGlob(b); err != nil {
		return addr, false, fmt.Errorf("not an IP, a CIDR or an SNI glob (%w)", err)
	}
	return addr, false, nil
}

// bypassReason says why this connection must not be decrypted, or "":
// an address entry, else an SNI glob matching the SNI tlsgate parsed.
func (s *Server) bypassReason(o *explain.Outcome) string {
	if why := s.addressBypass(o); why != "" {
		return why
	}
	if o.Hello != nil {
		return s.sniBypass(o.Hello.ServerName)
	}
	return ""
}

// addressBypass says which bypass entry (an IP or a CIDR) holds the
// client's or the original destination's address, or "". It needs no
// ClientHello, so it acts on every connection, one whose hello tlsgate
// could not read included.
func (s *Server) addressBypass(o *explain.Outcome) string {
	for _, b := range s.bypass.addrs {
		if b.pfx.IsValid() {
			switch {
			case b.pfx.Contains(o.Client.Addr()):
				return "client " + o.Client.Addr().String() + " is in bypass " + b.entry
			case o.OrigDst.IsValid() && b.pfx.Contains(o.OrigDst.Addr()):
				return "destination " + o.OrigDst.Addr().String() + " is in bypass " + b.entry
			}
			continue
		}
		if b.ip == o.Client.Addr() || (o.OrigDst.IsValid() && b.ip == o.OrigDst.Addr()) {
			return "address " + b.entry + " is in bypass"
		}
	}
	return ""
}

// sniBypass says which bypass glob the client's SNI matches, or "".
func (s *Server) sniBypass(serverName string) string {
	sni := strings.ToLower(serverName)
	if sni == "" {
		return ""
	}
	for _, b := range s.bypass.globs {
		// A fault rule's sni reads '*' the same way (RuleMisfit relies
		// on it), across any character: path.Match's would stop at a '/'
		// no host name holds, but a hand-made SNI may.
		if faults.GlobMatch(b.pattern, sni) {
			return "SNI " + sni + " matches bypass " + b.entry
		}
	}
	return ""
}

// hasSNIBypass says some bypass entry is an SNI glob, which only a read
// hello can match.
func (s *Server) hasSNIBypass() bool { return len(s.bypass.globs) > 0 }
