package explain

import (
	"crypto/tls"
	"slices"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// Defaults of a Go 1.26 tls.Server when the listener leaves MinVersion or
// MaxVersion at zero: servers refuse TLS 1.0/1.1 by default since Go 1.22.
const (
	goServerMinVersion = tls.VersionTLS12
	goServerMaxVersion = tls.VersionTLS13
)

// Signalling suite values that are not real ciphers (RFC 5746, RFC 7507).
const (
	scsvRenegotiation = 0x00ff
	scsvFallback      = 0x5600
)

// facts is what Diagnose derives once from an Outcome before any rule runs,
// so that detection and rendering agree on the same numbers.
type facts struct {
	o           *Outcome
	tlsListener bool // a listener that expects TLS: BIG-IP would log SSL errors here
	// noProfile: the listener expects TLS but no client-ssl profile ran
	// for this connection (clientSSL is false): no 0126xxxx line is
	// shown, and the BIG-IP comparisons are a virtual server's without
	// one.
	noProfile bool
	// passedTLS: the connection's TLS went (or on a passthrough listener
	// would go) to the backend untouched, so a certificate the client
	// saw or would see is the backend's.
	passedTLS bool

	versions         []uint16 // versions offered, GREASE removed, wire order
	explicitVersions bool     // offered through supported_versions (else legacy_version only)
	minOffered       uint16
	maxOffered       uint16
	floor, ceiling   uint16 // ours, defaults resolved
	negotiable       uint16 // highest mutually acceptable version, 0 if none

	suites []uint16 // offered cipher suites, GREASE and SCSVs removed
	ours   []uint16 // our suites usable at negotiable
	shared []uint16

	alert int // alert received from the client during the handshake, -1 if none

	stop int // index in o.FaultFirings of the stop that ended the connection, -1 if none

	lang string // language of the words the templates are filled with
}

// expectsTLS says whether a listener mode puts a client-ssl profile in
// front of the client. auto counts: it is a client-ssl profile with
// allow-non-ssl, which still times out silent peers. inspect terminates the
// client like terminate does (BIG-IP: an SSL forward proxy, a client-ssl
// profile on a wildcard virtual). passthrough expects TLS too, but has no
// client-ssl profile to log for it: clientSSL leaves it out.
func expectsTLS(mode string) bool {
	switch mode {
	case "passthrough", "terminate", "auto", "inspect":
		return true
	}
	return false
}

// clientSSL says BIG-IP's SSL code would meet this client: a listener that
// expects TLS and whose client-ssl side ran for the connection. A
// passthrough listener, or a connection whose TLS was passed through (an
// auto listener without a client_ssl table, inspect's bypass), stands for
// a virtual server without a client-ssl profile: TMM runs no SSL code for
// its connections, so none of the 0126xxxx lines (bigip-log.md §2, all
// from TMM's SSL code) can come from it, whatever the client sent.
// ssl_passthru's `not SSL` is no exception: it is the client-ssl profile
// refusing bytes that are not TLS (allow-non-ssl disabled, §4.1), not a
// line of a passthrough virtual server. terminate and inspect stand for a
// profile without allow-non-ssl, which meets every connection; auto's
// client-ssl side meets only what the listener took to terminate
// (Terminated): a connection it closed before its bytes were TLS, or
// relayed as plaintext, met none (§4.1: with allow-non-ssl enabled no
// SSL error is logged).
func clientSSL(o *Outcome) bool {
	switch o.Mode {
	case "terminate", "inspect":
		return !PassesTLS(o)
	case "auto":
		return o.Terminated && !PassesTLS(o)
	}
	return false
}

// backendCert says the client's TLS went, or on this listener would go,
// to the backend untouched (a passthrough listener, or a route that passed
// it through), so the certificate it saw or would see is the backend's.
func backendCert(o *Outcome) bool {
	return o.Mode == "passthrough" || PassesTLS(o)
}

// deriveFacts computes the version and cipher picture of an Outcome.
func deriveFacts(o *Outcome) *facts {
	f := &facts{o: o, tlsListener: expectsTLS(o.Mode), noProfile: expectsTLS(o.Mode) && !clientSSL(o), passedTLS: backendCert(o), alert: -1, stop: stopFiring(o)}
	f.floor, f.ceiling = o.ClientTLS.MinVersion, o.ClientTLS.MaxVersion
	if f.floor == 0 {
		f.floor = goServerMinVersion
	}
	if f.ceiling == 0 {
		f.ceiling = goServerMaxVersion
	}
	switch {
	case o.Hello != nil:
		f.offerFromHello(o.Hello)
	case o.SSLv2 != nil:
		v := o.SSLv2.Version
		f.versions, f.minOffered, f.maxOffered = []uint16{v}, 0x0002, v
	}
	f.pickVersion()
	if o.Hello != nil && f.negotiable != 0 {
		f.pickCiphers()
	}
	// An alert only explains a handshake that failed; a zero-value Leg has
	// AlertRecv 0, which must not read as close_notify.
	if f.legFailed() {
		if o.ClientTLS.AlertRecv >= 0 {
			f.alert = o.ClientTLS.AlertRecv
		} else if n := AlertFromError(o.ClientTLS.Err); n >= 0 {
			f.alert = n
		}
	}
	return f
}

// OfferedVersions lists the protocol versions the client offered, GREASE
// removed, in wire order: supported_versions when present, else the
// ClientHello's legacy_version (or the SSLv2 hello's version). Nil when no
// hello was seen.
func OfferedVersions(o *Outcome) []uint16 {
	if o == nil {
		return nil
	}
	return deriveFacts(o).versions
}

// offerFromHello reads the offered versions: supported_versions when
// present, else legacy_version standing for itself and everything below.
func (f *facts) offerFromHello(h *sniff.ClientHello) {
	for _, v := range h.SupportedVersions {
		if !IsGREASE(v) {
			f.versions = append(f.versions, v)
		}
	}
	if len(f.versions) > 0 {
		f.explicitVersions = true
		f.minOffered, f.maxOffered = slices.Min(f.versions), slices.Max(f.versions)
	} else {
		f.versions = []uint16{h.LegacyVersion}
		f.minOffered, f.maxOffered = 0x0300, h.LegacyVersion
	}
	for _, s := range h.CipherSuites {
		if !IsGREASE(s) && s != scsvRenegotiation && s != scsvFallback {
			f.suites = append(f.suites, s)
		}
	}
}

// pickVersion finds the version a server with our range would choose.
func (f *facts) pickVersion() {
	if f.maxOffered == 0 {
		return
	}
	if f.explicitVersions {
		for _, v := range f.versions {
			if v >= f.floor && v <= f.ceiling && v > f.negotiable && v <= 0x0304 {
				f.negotiable = v
			}
		}
		return
	}
	if f.maxOffered >= f.floor && f.maxOffered >= 0x0300 {
		f.negotiable = min(f.maxOffered, f.ceiling, tls.VersionTLS12)
		if f.negotiable < f.floor {
			f.negotiable = 0
		}
	}
}

// pickCiphers intersects the offered suites with ours at the negotiable
// version. Go ignores Config.CipherSuites for TLS 1.3, so at 1.3 our list
// falls back to Go's fixed TLS 1.3 suites when the configured one has none.
func (f *facts) pickCiphers() {
	src := f.o.ClientTLS.OurCiphers
	if src == nil {
		src = defaultSuiteIDs()
	}
	for _, id := range src {
		if suiteSupports(id, f.negotiable) {
			f.ours = append(f.ours, id)
		}
	}
	if len(f.ours) == 0 && f.negotiable == tls.VersionTLS13 {
		f.ours = []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256}
	}
	for _, id := range f.ours {
		if slices.Contains(f.suites, id) {
			f.shared = append(f.shared, id)
		}
	}
}

// suiteSupports reports whether suite id can be used at version v. Suites
// Go does not know are assumed to be pre-1.3 suites.
func suiteSupports(id, v uint16) bool {
	if s, ok := suites()[id]; ok {
		return slices.Contains(s.SupportedVersions, v)
	}
	return v < tls.VersionTLS13
}

// legFailed says the client-ssl leg was tried and did not complete.
func (f *facts) legFailed() bool {
	return f.o.ClientTLS.Attempted && !f.o.ClientTLS.Done
}

// Error classes recognised in handshake and dial error texts.
const (
	errNone         = ""
	errTimeout      = "timeout"
	errEOF          = "eof"
	errReset        = "reset"
	errVersion      = "version"
	errCipher       = "cipher"
	errGroup        = "group"
	errSSLv2        = "sslv2"
	errNotTLS       = "not_tls"
	errBadRecordMAC = "bad_record_mac"
	errRefused      = "refused"
	errX509         = "x509"
	errOther        = "other"
)

// classifyErr maps an error text from crypto/tls, net or the OS to a class.
// Order matters: the specific TLS texts are checked before the transport ones
// because Go wraps the latter around the former.
func classifyErr(s string) string {
	if s == "" {
		return errNone
	}
	rules := []struct{ sub, class string }{
		{"client offered only unsupported versions", errVersion},
		{"unsupported versions", errVersion},
		{"no cipher suite supported by both client and server", errCipher},
		// Go 1.24+ words a TLS 1.3 group mismatch so; older Go named curves.
		{"no key exchanges supported by both client and server", errGroup},
		{"no ECDHE curve supported by both client and server", errGroup},
		{"unsupported SSLv2 handshake", errSSLv2},
		{"does not look like a TLS handshake", errNotTLS},
		{"x509:", errX509},
		{"failed to verify certificate", errX509},
		{"bad record MAC", errBadRecordMAC},
		{"i/o timeout", errTimeout},
		{"deadline exceeded", errTimeout},
		{"timed out", errTimeout},
		{"connection refused", errRefused},
		{"connection reset", errReset},
		{"broken pipe", errReset},
		{"unexpected EOF", errEOF},
	}
	for _, r := range rules {
		if strings.Contains(s, r.sub) {
			return r.class
		}
	}
	if s == "EOF" || strings.HasSuffix(s, ": EOF") {
		return errEOF
	}
	return errOther
}
