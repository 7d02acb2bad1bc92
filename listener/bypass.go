package listener

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strings"

	"github.com/tlsgate/tlsgate/explain"
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

// parseBypass sorts entries into addresses and SNI globs, and refuses one
// that can never match: empty, a malformed glob, or one with a '/' or ':'
// that is not an IP or a CIDR (an SNI holds neither, so the entry is a
// mistyped address, not a glob).
func parseBypass(entries []string) (bypassList, error) {
	var l bypassList
	for i, b := range entries {
		if pfx, err := netip.ParsePrefix(b); err == nil {
			l.addrs = append(l.addrs, bypassAddr{entry: b, pfx: pfx})
			continue
		}
		if ip, err := netip.ParseAddr(b); err == nil {
			l.addrs = append(l.addrs, bypassAddr{entry: b, ip: ip})
			continue
		}
		var err error
		switch {
		case b == "":
			err = errors.New("empty entry")
		case strings.ContainsAny(b, "/:"):
			_, perr := netip.ParsePrefix(b)
			if !strings.Contains(b, "/") {
				_, perr = netip.ParseAddr(b)
			}
			err = fmt.Errorf("not an IP or a CIDR (%w), and an SNI glob cannot hold '/' or ':'", perr)
		default:
			// path.Match checks the whole pattern even when the name
			// does not match, so any name finds a malformed glob.
			if _, merr := path.Match(b, "x"); merr != nil {
				err = fmt.Errorf("bad SNI glob: %w", merr)
			}
		}
		if err != nil {
			return bypassList{}, fmt.Errorf("bypass[%d] %q: %w", i, b, err)
		}
		l.globs = append(l.globs, bypassGlob{entry: b, pattern: strings.ToLower(b)})
	}
	return l, nil
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
		if ok, _ := path.Match(b.pattern, sni); ok {
			return "SNI " + sni + " matches bypass " + b.entry
		}
	}
	return ""
}

// hasSNIBypass says some bypass entry is an SNI glob, which only a read
// hello can match.
func (s *Server) hasSNIBypass() bool { return len(s.bypass.globs) > 0 }
