package faults

import (
	"crypto/tls"
	"slices"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// TLSPolicy is what the fired version, cipher and chain rules ask of a
// terminating listener's handshake. The zero value changes nothing. Alerts,
// SNI policy and ALPN refusal are stops (Plan.Stop), not policy: they answer
// the ClientHello instead of shaping a handshake.
type TLSPolicy struct {
	MinVersion uint16 // 0: the listener's floor
	MaxVersion uint16 // 0: the listener's ceiling
	// MaxVersionRule names the rule whose max_version set MaxVersion, ""
	// when none did: a client that needs more than the ceiling needs
	// that rule's max_version raised, not the listener's.
	MaxVersionRule string
	Ciphers        []uint16 // nil: the listener's suites; set means MaxVersion ≤ TLS 1.2
	// CipherCapRule names the cipher rule whose suites set Ciphers when
	// they, not a max_version, cap MaxVersion at TLS 1.2 (crypto/tls
	// cannot restrict TLS 1.3 suites), "" otherwise; CipherCapSuites are
	// its ciphers as the rule names them. A client that needs TLS 1.3
	// needs that rule changed: no max_version lifts the cap.
	CipherCapRule   string
	CipherCapSuites []string
	Groups          []tls.CurveID // nil: any group; else only these (CurvePreferences)
	SigAlgs         []uint16      // nil: any; else a hello offering none of these is refused
	Chain           Chain         // "": the normal leaf; else pki builds this bad chain
	Skew            time.Duration // shift of every validity window in the chain (clock skew)
	PermittedDNS    []string      // a name_constraints chain's permitted DNS subtrees (shared with the rule: read only)
	// OCSPSkew, set by an ocsp_times rule, serves a good lab-CA leaf
	// whose stapled OCSP response's times are off by it (pki.OCSPTimes).
	// The certificate is one rule's: a chain rule before it wins.
	OCSPSkew time.Duration
	// ClientAuth asks the client for a certificate (a client_auth rule);
	// nil leaves the listener's client_cert setting.
	ClientAuth *ClientAuth
	Rules      []string // the rules that shaped the policy
}

// TLSPolicy merges the fired client_hello policy rules. When two rules set
// the same thing, the first in rule order wins.
func (p *Plan) TLSPolicy() TLSPolicy {
	var t TLSPolicy
	if p == nil {
		return t
	}
	var cipherRule *Rule // the rule whose suites set t.Ciphers
	for _, r := range p.rules {
		if !r.isPolicy() || r.Stage != StageClientHello {
			continue
		}
		used := false
		switch r.Action {
		case ActVersion, ActCipher:
			if t.MinVersion == 0 && r.MinVersion != 0 {
				t.MinVersion, used = uint16(r.MinVersion), true
			}
			if t.MaxVersion == 0 && r.MaxVersion != 0 {
				t.MaxVersion, t.MaxVersionRule, used = uint16(r.MaxVersion), r.Name, true
			}
			if r.Action == ActCipher && t.Ciphers == nil && len(r.Ciphers) > 0 {
				for _, c := range r.Ciphers {
					if id, _, ok := lookupSuite(c, true); ok {
						t.Ciphers = append(t.Ciphers, id)
					}
				}
				cipherRule, used = r, true
			}
			if r.Action == ActCipher && t.Groups == nil && len(r.Groups) > 0 {
				for _, g := range r.Groups {
					if id, ok := lookupGroup(g); ok {
						t.Groups = append(t.Groups, id)
					}
				}
				used = true
			}
			if r.Action == ActCipher && t.SigAlgs == nil && len(r.SignatureAlgorithms) > 0 {
				for _, n := range r.SignatureAlgorithms {
					if id, ok := lookupSigAlg(n); ok {
						t.SigAlgs = append(t.SigAlgs, id)
					}
				}
				used = true
			}
		case ActChain:
			if t.Chain == "" && t.OCSPSkew == 0 {
				t.Chain, t.Skew, t.PermittedDNS, used = r.Chain, r.Skew.D(), r.PermittedDNS, true
			}
		case ActOCSPTimes:
			if t.Chain == "" && t.Skew == 0 && t.OCSPSkew == 0 {
				t.OCSPSkew, used = r.Skew.D(), true
			}
		case ActClientAuth:
			if t.ClientAuth == nil {
				t.ClientAuth, used = r.clientAuth(), true
			}
		}
		if used {
			t.Rules = append(t.Rules, r.Name)
		}
	}
	// crypto/tls cannot restrict TLS 1.3 suites (failure-catalog §6.5), so a
	// cipher restriction only bites with the ceiling at 1.2.
	if t.Ciphers != nil && (t.MaxVersion == 0 || t.MaxVersion > tls.VersionTLS12) {
		// The suites cap the version, not any max_version: a client
		// above the cap needs the cipher rule changed.
		t.MaxVersion, t.MaxVersionRule = tls.VersionTLS12, ""
		t.CipherCapRule, t.CipherCapSuites = cipherRule.Name, slices.Clone(cipherRule.Ciphers)
	}
	return t
}

// IsZero reports whether the policy changes nothing.
func (t TLSPolicy) IsZero() bool {
	return t.MinVersion == 0 && t.MaxVersion == 0 && t.Ciphers == nil && t.Groups == nil && t.SigAlgs == nil && t.Chain == "" && t.Skew == 0 &&
		t.OCSPSkew == 0 && t.ClientAuth == nil
}

// Configure returns a copy of base with the policy's versions and suites.
// The chain is the listener's to serve (through pki), since only it holds
// the certificates.
func (t TLSPolicy) Configure(base *tls.Config) *tls.Config {
	c := base.Clone()
	if c == nil {
		c = &tls.Config{}
	}
	if t.MinVersion != 0 {
		c.MinVersion = t.MinVersion
	}
	if t.MaxVersion != 0 {
		c.MaxVersion = t.MaxVersion
	}
	if t.Ciphers != nil {
		c.CipherSuites = slices.Clone(t.Ciphers)
	}
	if t.Groups != nil {
		c.CurvePreferences = slices.Clone(t.Groups)
	}
	if c.MinVersion != 0 && c.MaxVersion != 0 && c.MinVersion > c.MaxVersion {
		c.MinVersion = c.MaxVersion
	}
	return c
}

// Refusal says whether a server held to this policy would refuse the
// hello and with which alert: 70 protocol_version when no offered version
// is in the rules' range, 40 handshake_failure when no offered suite is
// allowed. A passthrough listener, which has no tls.Server, uses it to
// answer with a hand-written AlertRecord instead. The range is the rules'
// alone: without a min_version there is no floor (the real server behind
// the listener keeps its own, which is not the rule's refusal), so a rule
// with only max_version refuses just a client whose every version is
// above it, and a cipher rule only one that shares no suite, not a TLS
// 1.0 client that offers one of them. Go's own server floor (TLS 1.2) is
// no guide here: no Go server answers this hello.
func (t TLSPolicy) Refusal(h *sniff.ClientHello) (alert uint8, refused bool) {
	if h == nil {
		return 0, false
	}
	best := t.agreed(h)
	if best == 0 {
		return 70, true
	}
	if t.groupRefusal(h) {
		return 40, true
	}
	if alert, refused := t.SigAlgRefusal(h); refused {
		return alert, true
	}
	if t.Ciphers != nil && best <= tls.VersionTLS12 &&
		!slices.ContainsFunc(h.CipherSuites, func(c uint16) bool { return slices.Contains(t.Ciphers, c) }) {
		return 40, true
	}
	return 0, false
}

// agreed is the version a server held to this policy would choose for
// the hello: the highest it offers within the rules' range, 0 for none.
func (t TLSPolicy) agreed(h *sniff.ClientHello) uint16 {
	lo, hi := t.MinVersion, t.MaxVersion
	if hi == 0 {
		hi = tls.VersionTLS13
	}
	best := uint16(0)
	for _, v := range offeredVersions(h) {
		if v >= lo && v <= hi && v > best {
			best = v
		}
	}
	return best
}

// RefusalRecordVersion is the record-layer version of the alert that
// Refusal's server sends, as crypto/tls writes it (conn.go,
// writeRecordLocked): once a version is agreed, a refusal of the suites,
// groups or signature algorithms goes out in a record of that version,
// frozen at 0x0303 for TLS 1.3 (RFC 8446 §5.1), so a TLS 1.1 client
// refused on its suites reads 0x0302. BIG-IP does the same ("server
// rejects all ciphers → alert with the client's version", bigip-log.md
// §4.2). With no version agreed (alert 70) it echoes the legacy_version
// of the client's hello (the handshake's version field, not the record's),
// as OpenSSL does (tls_early_post_process_client_hello sets its version to
// the client's before the alert; checked against openssl s_server 3.0:
// a TLS 1.1 client reads 0x0302, a TLS 1.2 or 1.3 client 0x0303, whatever
// record version its hello came in). crypto/tls differs: with no version
// set it writes 0x0301 (writeRecordLocked), so a terminating listener
// refusing the same TLS 1.2 client sends 0x0301; the two agree only for a
// TLS 1.0 client. BIG-IP 11.4 sends that alert in a record of version 0
// instead, which OpenSSL clients refuse as a wrong version number before
// reading the alert; it is not copied. A hello whose legacy_version is no
// TLS one (SSLv3, an SSLv2-style hello) gets 0x0301.
func (t TLSPolicy) RefusalRecordVersion(h *sniff.ClientHello) uint16 {
	if h == nil {
		return tls.VersionTLS10
	}
	switch v := t.agreed(h); {
	case v >= tls.VersionTLS13:
		return tls.VersionTLS12
	case v >= tls.VersionTLS10:
		return v
	}
	if v := h.LegacyVersion; v >= tls.VersionTLS10 && v <= tls.VersionTLS12 {
		return v
	}
	return tls.VersionTLS10
}

// offeredVersions lists the versions a hello offers: supported_versions when
// present, else every version from TLS 1.0 up to the legacy version.
func offeredVersions(h *sniff.ClientHello) []uint16 {
	if len(h.SupportedVersions) > 0 {
		return slices.DeleteFunc(slices.Clone(h.SupportedVersions), sniff.IsGREASE)
	}
	var out []uint16
	for v := uint16(tls.VersionTLS10); v <= h.LegacyVersion && v <= tls.VersionTLS12; v++ {
		out = append(out, v)
	}
	return out
}
