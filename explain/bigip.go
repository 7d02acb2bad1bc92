package explain

import (
	"net/netip"
	"strconv"
)

// BIG-IP message IDs tlsgate emits. Only IDs whose text is verified verbatim
// in public logs (bigip-log.md §2, tag [V]) appear here.
const (
	// IDConnectionError is "Connection error: <function>:<line>: <reason> (<alert>)".
	IDConnectionError = "01260009"
	// IDNoSharedCiphers is "No shared ciphers between SSL peers c.p:v.p.".
	IDNoSharedCiphers = "01260026"
	// IDHandshakeFailed is "SSL Handshake failed for TCP a:p -> b:p".
	IDHandshakeFailed = "01260013"
)

// SevWarning is the syslog severity all 0126xxxx SSL lines carry.
const SevWarning = 4

// sslReason is one verified 01260009 reason. The function:line pair is a
// TMM source location; one fixed value per reason (bigip-log.md §3.1).
type sslReason struct {
	function string
	line     int
	text     string
	alert    int
}

// The verified 01260009 reasons tlsgate can produce.
func reasonNotSSL() sslReason { return sslReason{"ssl_passthru", 5234, "not SSL", 40} }
func reasonUnsupportedVersion() sslReason {
	return sslReason{"ssl_hs_rxhello", 10026, "unsupported version", 40}
}
func reasonNoSharedCiphers() sslReason {
	return sslReason{"ssl_select_suite", 8181, "no shared ciphers", 40}
}

// reasonFallback is BIG-IP refusing a ClientHello that carries
// TLS_FALLBACK_SCSV below its highest version (RFC 7507), with alert 86.
func reasonFallback() sslReason {
	return sslReason{"ssl_select_suite", 9301, "TLS_FALLBACK_SCSV with a lower protocol", 86}
}

// connectionErrorLine renders a 01260009 reason line.
func connectionErrorLine(r sslReason) Line {
	return Line{ID: IDConnectionError, Sev: SevWarning,
		Text: "Connection error: " + r.function + ":" + strconv.Itoa(r.line) + ": " + r.text + " (" + strconv.Itoa(r.alert) + ")"}
}

// handshakeFailedLine renders the 01260013 summary. left is the side that
// opened the TCP connection (client, or BIG-IP self/SNAT on the server side).
func handshakeFailedLine(left, right netip.AddrPort) Line {
	return Line{ID: IDHandshakeFailed, Sev: SevWarning,
		Text: "SSL Handshake failed for TCP " + colonEndpoint(left) + " -> " + colonEndpoint(right)}
}

// noSharedCiphersLine renders the 01260026 detail; it separates IP and port
// with a dot, the peers with a colon, and ends with a period.
func noSharedCiphersLine(client, virtual netip.AddrPort) Line {
	return Line{ID: IDNoSharedCiphers, Sev: SevWarning,
		Text: "No shared ciphers between SSL peers " + dotEndpoint(client) + ":" + dotEndpoint(virtual) + "."}
}

// colonEndpoint writes ip:port for IPv4 and ip.port for IPv6, the form log
// parsers split on for BIG-IP v6 endpoints (bigip-log.md §2, [P] S6).
// IPv4-mapped IPv6 addresses from dual-stack sockets are shown as IPv4.
func colonEndpoint(ap netip.AddrPort) string {
	a := ap.Addr().Unmap()
	if a.Is4() {
		return a.String() + ":" + strconv.Itoa(int(ap.Port()))
	}
	return a.String() + "." + strconv.Itoa(int(ap.Port()))
}

// dotEndpoint writes ip.port, as 01260026 does for every family.
func dotEndpoint(ap netip.AddrPort) string {
	return ap.Addr().Unmap().String() + "." + strconv.Itoa(int(ap.Port()))
}

// group says which BIG-IP lines a diagnosis code produces.
type group uint8

const (
	groupNone       group = iota // BIG-IP logs no SSL line (or none is verified)
	groupSummary                 // 01260013 client → virtual, TLS listeners only
	groupNotSSL                  // 01260009 not SSL + 01260013
	groupVersion                 // 01260009 unsupported version + 01260013
	groupCiphers                 // 01260009 no shared ciphers + 01260026 + 01260013
	groupServerSide              // 01260013 tlsgate local → backend
	groupFallback                // 01260009 TLS_FALLBACK_SCSV with a lower protocol + 01260013
	// groupNoError overrides a code's group in a variant where BIG-IP's
	// side of the handshake worked, so it logs no SSL error at all (a
	// client that rejects the certificate only after the handshake).
	groupNoError
)

// clientGroup says g holds client-side lines: those of a client-ssl
// profile, which a listener that passes TLS through never logs.
func clientGroup(g group) bool {
	switch g {
	case groupSummary, groupNotSSL, groupVersion, groupCiphers, groupFallback:
		return true
	}
	return false
}

// bigipLines builds a code's group, reason first and summary last. Lines
// whose endpoints are unknown are left out rather than filled with invented
// addresses.
func bigipLines(g group, f *facts) []Line {
	o := f.o
	if g == groupNone || g == groupNoError || (g != groupServerSide && !f.tlsListener) {
		return nil
	}
	var out []Line
	vip := virtualEndpoint(o)
	clientKnown := o.Client.IsValid() && vip.IsValid()
	switch g {
	case groupNotSSL:
		out = append(out, connectionErrorLine(reasonNotSSL()))
	case groupVersion:
		out = append(out, connectionErrorLine(reasonUnsupportedVersion()))
	case groupFallback:
		out = append(out, connectionErrorLine(reasonFallback()))
	case groupCiphers:
		out = append(out, connectionErrorLine(reasonNoSharedCiphers()))
		if clientKnown {
			out = append(out, noSharedCiphersLine(o.Client, vip))
		}
	case groupServerSide:
		local, remote := backendEndpoints(o)
		if local.IsValid() && remote.IsValid() {
			out = append(out, handshakeFailedLine(local, remote))
		}
		return out
	}
	if clientKnown {
		out = append(out, handshakeFailedLine(o.Client, vip))
	}
	return out
}

// backendEndpoints prefers the TLS leg's addresses and falls back to the
// TCP leg's, which the listener records first.
func backendEndpoints(o *Outcome) (local, remote netip.AddrPort) {
	local, remote = o.Backend.TLS.Local, o.Backend.TLS.Remote
	if !local.IsValid() {
		local = o.Backend.Local
	}
	if !remote.IsValid() {
		remote = o.Backend.Remote
	}
	if !remote.IsValid() {
		if ap, err := netip.ParseAddrPort(o.Backend.Addr); err == nil {
			remote = ap
		}
	}
	return local, remote
}
