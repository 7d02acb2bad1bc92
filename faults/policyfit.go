package faults

import (
	"crypto/tls"
	"runtime"
	"slices"
	"sort"

	"github.com/tlsgate/tlsgate/sniff"
)

// A version or cipher rule restricts what tlsgate's handshake accepts. A
// client that meets the restriction (curl negotiating TLS 1.3 under a
// floor of 1.3) gets the handshake it would have got without the rule:
// nothing happened, and firing there would count and log a refusal the
// client never saw. So such a rule fires only when it acts (firesOnAct):
// when the listener says, by LimitedHandshake, that the handshake failed
// because of it or negotiated something other than the listener alone
// would have. TLSPolicy.Changed tells a terminating listener which; a
// passthrough one knows, since it refuses a hello itself or not at all.

// limitsHandshake reports whether the rule restricts the versions, suites,
// groups or signature algorithms a handshake accepts.
func (r *Rule) limitsHandshake() bool { return r.Action == ActVersion || r.Action == ActCipher }

// actsInHandshake reports whether the rule acts, if at all, in the
// handshake tlsgate runs or refuses, where no conn wrapper sees it act:
// the listener tells the plan (ServedCert, LimitedHandshake).
func (r *Rule) actsInHandshake() bool { return r.servesCert() || r.limitsHandshake() }

// LimitedHandshake records that the plan's version and cipher rules
// changed how the client's handshake ended: tlsgate refused the hello
// because of them, or crypto/tls negotiated under them something other
// than the listener's own profile would have (TLSPolicy.Changed). Only
// the rules that shaped the policy (TLSPolicy.Rules: an earlier rule
// setting the same limit wins) acted. Settle keeps their firing; a plan
// on which LimitedHandshake never ran drops them, and they give back
// their firing.
func (p *Plan) LimitedHandshake() {
	if p == nil {
		return
	}
	shaped := p.TLSPolicy().Rules
	for i, r := range p.rules {
		if r.limitsHandshake() && p.stats[i].acted != nil && slices.Contains(shaped, r.Name) {
			p.stats[i].acted.Store(true)
		}
	}
}

// Handshake is what a handshake tlsgate ran with a client came to: the
// negotiated version, suite and key-exchange group, all zero when it
// failed.
type Handshake struct {
	Version     uint16
	CipherSuite uint16
	Group       tls.CurveID
}

// Changed reports whether the policy's versions, suites and groups made
// the handshake with hello h come to got where base, the listener's own
// profile, would have come to something else: the server picked another
// version, suite or group than base would have (the client may then have
// refused it: curl refuses the SHA-1 signature of a TLS 1.0 it was pushed
// to), or refused a hello base accepts. A hello base refuses as well (its
// versions miss the listener's too), and a failure for any other reason
// under the same choices (the client left, refused the certificate), were
// not the policy's doing. got is zero when the handshake failed; its
// choices are then predicted like base's, as crypto/tls makes them: the
// first version of the client's list in range, the first suite of Go's
// preference order (AES-GCM first unless the client puts ChaCha20 first)
// that the client offers and the certificate signs, and for TLS 1.3 the
// first group of Go's order the client sent a key share for, post-quantum
// first. A signature algorithm restriction crypto/tls cannot enforce: the
// listener refuses such hellos itself (SigAlgRefusal).
func (t TLSPolicy) Changed(base *tls.Config, h *sniff.ClientHello, got Handshake) bool {
	if h == nil || t.MinVersion == 0 && t.MaxVersion == 0 && t.Ciphers == nil && t.Groups == nil {
		return false
	}
	pol := t.Configure(base)
	vBase, vPol := serverVersion(base, h), serverVersion(pol, h)
	switch {
	case vPol != vBase:
		return true
	case vBase == 0:
		return false
	}
	if t.Ciphers != nil && vPol <= tls.VersionTLS12 {
		suite := got.CipherSuite
		if got.Version == 0 {
			suite = serverSuite(pol, h, vPol, 0)
		}
		if serverSuite(base, h, vBase, suite) != suite {
			return true
		}
	}
	if t.Groups != nil {
		group := got.Group
		if got.Version == 0 {
			group = serverGroup(pol, h, vPol)
		}
		return serverGroup(base, h, vBase) != group
	}
	return false
}

// serverVersion is the version a Go server with cfg picks for h, 0 when
// none: the first the client lists (highest first without
// supported_versions) within cfg's range.
func serverVersion(cfg *tls.Config, h *sniff.ClientHello) uint16 {
	lo, hi := cfg.MinVersion, cfg.MaxVersion
	if lo == 0 {
		lo = tls.VersionTLS12
	}
	if hi == 0 {
		hi = tls.VersionTLS13
	}
	peer := slices.DeleteFunc(slices.Clone(h.SupportedVersions), sniff.IsGREASE)
	if len(h.SupportedVersions) == 0 {
		// crypto/tls reads a legacy version above 1.2 without
		// supported_versions as 1.2.
		for v := min(h.LegacyVersion, tls.VersionTLS12); v >= tls.VersionTLS10; v-- {
			peer = append(peer, v)
		}
	}
	for _, v := range peer {
		if v >= lo && v <= hi {
			return v
		}
	}
	return 0
}

// serverSuite is the TLS 1.0-1.2 suite a Go server with cfg picks for h
// at version vers, 0 when none. like is a suite the server's certificate
// signs (the one negotiated), whose kind of signature the choice must
// share; 0 takes any.
func serverSuite(cfg *tls.Config, h *sniff.ClientHello, vers, like uint16) uint16 {
	order := goSuiteOrder(aesGCMPreferred(h.CipherSuites))
	for _, id := range order {
		switch {
		case cfg.CipherSuites == nil && !goDefaultSuite(id), cfg.CipherSuites != nil && !slices.Contains(cfg.CipherSuites, id):
		case !slices.Contains(h.CipherSuites, id):
		case vers < tls.VersionTLS12 && tls12Only(id):
		case like != 0 && ecdsaSigned(id) != ecdsaSigned(like):
		default:
			return id
		}
	}
	return 0
}

// serverGroup is the key-exchange group a Go server with cfg picks for h
// at version vers, 0 when none.
func serverGroup(cfg *tls.Config, h *sniff.ClientHello, vers uint16) tls.CurveID {
	prefs := goGroupOrder()
	if len(cfg.CurvePreferences) > 0 {
		prefs = slices.DeleteFunc(prefs, func(g tls.CurveID) bool { return !slices.Contains(cfg.CurvePreferences, g) })
	}
	if vers < tls.VersionTLS13 {
		prefs = slices.DeleteFunc(prefs, pqGroup)
		// TLS 1.2's ECDHE takes the client's first group the server
		// supports.
		for _, g := range h.SupportedGroups {
			if slices.Contains(prefs, tls.CurveID(g)) {
				return tls.CurveID(g)
			}
		}
		return 0
	}
	prefs = slices.DeleteFunc(prefs, func(g tls.CurveID) bool { return !slices.Contains(h.SupportedGroups, uint16(g)) })
	if len(prefs) == 0 {
		return 0
	}
	share := func(g tls.CurveID) bool { return slices.Contains(h.KeyShareGroups, uint16(g)) }
	sort.SliceStable(prefs, func(i, j int) bool { return share(prefs[i]) && !share(prefs[j]) })
	sort.SliceStable(prefs, func(i, j int) bool { return pqGroup(prefs[i]) && !pqGroup(prefs[j]) })
	return prefs[0]
}

// goGroupOrder is crypto/tls's default group preference (Go 1.26).
// TestChangedAgreesWithCryptoTLS fails when crypto/tls changes it.
func goGroupOrder() []tls.CurveID {
	return []tls.CurveID{tls.X25519MLKEM768, tls.SecP256r1MLKEM768, tls.SecP384r1MLKEM1024,
		tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}
}

// pqGroup reports whether g is a post-quantum hybrid, which crypto/tls
// prefers and offers only under TLS 1.3.
func pqGroup(g tls.CurveID) bool {
	return g == tls.X25519MLKEM768 || g == tls.SecP256r1MLKEM768 || g == tls.SecP384r1MLKEM1024
}

// goSuiteOrder is crypto/tls's TLS 1.0-1.2 suite preference order (Go
// 1.26): AES-GCM first, or ChaCha20 first when the client prefers it.
func goSuiteOrder(aesFirst bool) []uint16 {
	aes := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	}
	chacha := []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}
	rest := []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_RC4_128_SHA,
	}
	if aesFirst {
		return slices.Concat(aes, chacha, rest)
	}
	return slices.Concat(chacha, aes, rest)
}

// aesGCMPreferred is crypto/tls's reading of the client's suites: the
// first suite it knows says whether the client prefers AES-GCM, on a
// machine with AES hardware (the amd64, arm64 and s390x crypto/tls runs on
// in practice; elsewhere it always puts ChaCha20 first).
func aesGCMPreferred(offered []uint16) bool {
	switch runtime.GOARCH {
	case "amd64", "arm64", "s390x", "ppc64le":
	default:
		return false
	}
	aesGCM := []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384}
	for _, id := range offered {
		if slices.Contains(goSuiteOrder(true), id) || id == tls.TLS_AES_128_GCM_SHA256 ||
			id == tls.TLS_AES_256_GCM_SHA384 || id == tls.TLS_CHACHA20_POLY1305_SHA256 {
			return slices.Contains(aesGCM, id)
		}
	}
	return false
}

// goDefaultSuite reports whether crypto/tls offers the suite without a
// CipherSuites list: ECDHE with AES-GCM, ChaCha20 or AES-CBC-SHA, not RSA
// key exchange, 3DES, RC4 or CBC-SHA256.
func goDefaultSuite(id uint16) bool {
	return slices.Index(goSuiteOrder(true), id) < 10 && !rsaKex(id)
}

// rsaKex reports whether the suite uses RSA key exchange (no ECDHE).
func rsaKex(id uint16) bool {
	switch id {
	case tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA:
		return true
	}
	return false
}

// ecdsaSigned reports whether the suite needs an ECDSA certificate.
func ecdsaSigned(id uint16) bool {
	switch id {
	case tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA:
		return true
	}
	return false
}

// tls12Only reports whether the suite needs TLS 1.2 (AEADs and SHA-256
// MACs).
func tls12Only(id uint16) bool {
	for _, cs := range slices.Concat(tls.CipherSuites(), tls.InsecureCipherSuites()) {
		if cs.ID == id {
			return !slices.Contains(cs.SupportedVersions, tls.VersionTLS11)
		}
	}
	return false
}
