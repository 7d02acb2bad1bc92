package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ChainKind names a certificate chain for a lab fault: what the server
// sends, and so which verification error each client reports
// (failure-catalog.md §2.D, client-symptoms.md §4).
type ChainKind string

// The chain kinds. Unless stated, the leaf is ECDSA P-256, signed by the lab
// CA and sent as [leaf, lab CA]. "curl" is curl/OpenSSL 3 at its default
// security level 2 with the lab CA as --cacert; "Go" is crypto/tls with the
// lab CA in RootCAs.
const (
	// ChainGood is the normal leaf; only useful with a clock skew.
	ChainGood ChainKind = "good"
	// ChainExpired: the leaf expired a day before now+skew.
	// curl (60) "certificate has expired"; Go "certificate has expired or is not yet valid".
	ChainExpired ChainKind = "expired"
	// ChainNotYetValid: the leaf becomes valid a day after now+skew.
	// curl (60) "certificate is not yet valid"; Go as expired ("… is before …").
	ChainNotYetValid ChainKind = "not_yet_valid"
	// ChainWrongHost: the leaf names only wrong.host.invalid.
	// curl (60) "no alternative certificate subject name matches"; Go "certificate is valid for …, not …".
	ChainWrongHost ChainKind = "wrong_host"
	// ChainSelfSigned: a leaf signed by its own key, sent alone.
	// curl (60) "self-signed certificate"; Go "certificate signed by unknown authority".
	ChainSelfSigned ChainKind = "self_signed"
	// ChainUntrustedRoot: a leaf from a root no client trusts, sent without
	// that root. curl (60) "unable to get local issuer certificate"; Go unknown authority.
	ChainUntrustedRoot ChainKind = "untrusted_root"
	// ChainUntrustedRootWithRoot: as ChainUntrustedRoot with the root sent
	// too. curl (60) "self-signed certificate in certificate chain" (X509 error 19).
	ChainUntrustedRootWithRoot ChainKind = "untrusted_root_with_root"
	// ChainIncomplete: a leaf issued by a lab intermediate, sent without the
	// intermediate. curl (60) "unable to get local issuer certificate"; Go unknown authority.
	ChainIncomplete ChainKind = "incomplete_chain"
	// ChainGoodIntermediate: [leaf, lab intermediate], the correct
	// three-level chain. Every client trusting the lab CA accepts it.
	ChainGoodIntermediate ChainKind = "good_intermediate"
	// ChainReversed: [intermediate, leaf] with the intermediate's key, as
	// badssl's reversed-chain. curl (60) "unsuitable certificate purpose";
	// Go "certificate is not valid for any names".
	ChainReversed ChainKind = "reversed_chain"
	// ChainSHA1: the leaf's signature uses SHA-1 (ecdsa-with-SHA1 under an
	// ECDSA lab CA, sha1WithRSA under an RSA one). curl (60) "CA signature
	// digest algorithm too weak"; Go unknown authority ("insecure algorithm").
	ChainSHA1 ChainKind = "sha1"
	// ChainSHA1Intermediate: [leaf, intermediate] where the lab CA signed
	// the intermediate with SHA-1 and the leaf is signed with SHA-256.
	// curl (60) "CA signature digest algorithm too weak" (at depth 1); Go
	// unknown authority ("insecure algorithm ECDSA-SHA1" for an ECDSA lab CA).
	ChainSHA1Intermediate ChainKind = "sha1_intermediate"
	// ChainMD5: the leaf is signed md5WithRSA by an RSA lab intermediate and
	// sent as [leaf, intermediate]. curl (60) "CA signature digest algorithm
	// too weak"; Go unknown authority ("insecure algorithm MD5-RSA").
	ChainMD5 ChainKind = "md5"
	// ChainWeakRSA: an RSA-1024 leaf key. curl (60) "EE certificate key too
	// weak" (security level 2); Go and Java accept it.
	ChainWeakRSA ChainKind = "weak_rsa"
	// ChainRevoked: the good leaf, sent as [leaf, lab CA], with a stapled
	// OCSP response from the lab CA saying revoked (keyCompromise). curl
	// --cert-status (91) "SSL certificate revocation reason: keyCompromise
	// (1)"; clients that do not check revocation (Go, curl without
	// --cert-status) connect.
	ChainRevoked ChainKind = "revoked"
	// ChainOCSPUnknown: as ChainRevoked, the staple saying unknown.
	ChainOCSPUnknown ChainKind = "ocsp_unknown"
	// ChainOCSPExpired: as ChainRevoked, the staple saying good but past
	// its nextUpdate by a day.
	ChainOCSPExpired ChainKind = "ocsp_expired"
	// ChainWrongEKU: the leaf allows clientAuth only. curl (60) "unsuitable
	// certificate purpose"; Go "certificate specifies an incompatible key usage".
	ChainWrongEKU ChainKind = "wrong_eku"
	// ChainCAFalseIssuer: the leaf is signed by a CA:FALSE certificate, sent
	// as [leaf, issuer]. curl (60) "invalid CA certificate"; Go unknown
	// authority ("parent certificate cannot sign this kind of certificate").
	ChainCAFalseIssuer ChainKind = "ca_false_issuer"
	// ChainPathLen: lab CA → intermediate (path length 0) → sub-CA → leaf.
	// curl (60) "path length constraint exceeded"; Go "too many intermediates
	// for path length constraint".
	ChainPathLen ChainKind = "path_len"
	// ChainLong: twelve chained intermediates, 13 certificates sent. curl
	// and Go accept it; OpenSSL with -verify_depth 9 (BIG-IP's default
	// authenticate-depth) reports "certificate chain too long", Java rejects
	// chains over 10. Needs a lab CA without a path length limit.
	ChainLong ChainKind = "long_chain"
	// ChainHuge: a leaf with hugeSANs extra names, about 120 kB: over
	// OpenSSL's 100 kB certificate-list limit (curl (35) "excessive message
	// size") and Java's 32 KiB, under Go's 256 KiB (Go accepts it).
	ChainHuge ChainKind = "huge_cert"
	// ChainCNOnly: the name is in the Common Name only, no SANs. Go "relies
	// on legacy Common Name field"; curl/OpenSSL still accept it.
	ChainCNOnly ChainKind = "cn_only"
	// ChainNameConstraints: [leaf, intermediate] where the intermediate
	// carries X.509 name constraints permitting only ChainOpts.PermittedDNS
	// (and excluding every IP address), so a leaf for any other name breaks
	// them. curl (60) "permitted subtree violation" (X509 error 47); Go "a
	// root or intermediate certificate is not authorized to sign for this
	// name". A name inside the permitted subtrees verifies.
	ChainNameConstraints ChainKind = "name_constraints"
)

// Parameters of the bad chains.
const (
	// WrongHostName is the only name in a wrong_host leaf. .invalid is
	// reserved (RFC 2606), so it can never be the name a client asked for.
	WrongHostName = "wrong.host.invalid"
	// hugeSANs filler names of 33 bytes each carry the leaf past 100 kB.
	hugeSANs = 3500
	// expiredAgo and futureBy put the window a day clear of now+skew, so
	// ordinary clock drift between tlsgate and the client cannot hide it.
	expiredAgo = 24 * time.Hour
	futureBy   = 24 * time.Hour
	// chainMaxAge re-mints a cached bad chain: its window is relative to
	// the mint time, and a not_yet_valid leaf must not quietly become valid.
	chainMaxAge = time.Hour
	// weakRSABits is the smallest key Go still generates without GODEBUG
	// (rsa1024min) and the largest OpenSSL's level 2 rejects (< 2048).
	weakRSABits = 1024
	faultPrefix = "tlsgate fault: "
)

// ChainKinds returns every chain kind, in documentation order.
func ChainKinds() []ChainKind {
	return []ChainKind{
		ChainGood, ChainExpired, ChainNotYetValid, ChainWrongHost, ChainSelfSigned,
		ChainUntrustedRoot, ChainUntrustedRootWithRoot, ChainIncomplete, ChainGoodIntermediate,
		ChainReversed, ChainSHA1, ChainSHA1Intermediate, ChainMD5, ChainWeakRSA, ChainWrongEKU, ChainCAFalseIssuer,
		ChainPathLen, ChainLong, ChainHuge, ChainCNOnly, ChainRevoked, ChainOCSPUnknown, ChainOCSPExpired,
		ChainNameConstraints,
	}
}

// ParseChainKind accepts a kind name as written in config or the admin API.
// Case is ignored and hyphens may stand for underscores (badssl spells its
// hosts "not-yet-valid"), so "Untrusted-Root" is ChainUntrustedRoot.
func ParseChainKind(s string) (ChainKind, error) {
	k := ChainKind(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"))
	if k.valid() {
		return k, nil
	}
	var names []string
	for _, c := range ChainKinds() {
		names = append(names, string(c))
	}
	return "", fmt.Errorf("pki: unknown chain kind %q (want one of %s)", s, strings.Join(names, ", "))
}

func (k ChainKind) valid() bool {
	return slices.Contains(ChainKinds(), k)
}

// BadChain returns the chain of the given kind for name, the SNI or IP the
// client asked for. The leaf is minted as if the time were now+skew: a
// positive skew moves its validity window into the future (what a client
// whose clock is behind by skew sees), a negative one into the past (a
// client ahead). Skew applies to every kind; ChainGood with no skew is
// exactly Leaf(name). A kind that needs more parameters
// (ChainNameConstraints) is served by BadChainWith.
//
// Every leaf carries the watermark Organization and an OrganizationalUnit
// "tlsgate fault: <kind>" (plus the skew), so a trainee can spot the fault
// in any certificate viewer. Chains are cached per (kind, name, skew) for
// an hour, sharing the bound of the leaf cache.
func (m *Minter) BadChain(kind ChainKind, name string, skew time.Duration) (*tls.Certificate, error) {
	return m.BadChainWith(kind, name, ChainOpts{Skew: skew})
}

// ChainOpts are a bad chain's parameters beyond its kind.
type ChainOpts struct {
	// Skew shifts the leaf's validity window (see BadChain).
	Skew time.Duration
	// PermittedDNS are the DNS subtrees a ChainNameConstraints
	// intermediate permits (RFC 5280 §4.2.1.10: "example.net" covers it
	// and its subdomains, ".example.net" only the subdomains). Required
	// for that kind, refused for the others.
	PermittedDNS []string
}

// BadChainWith is BadChain with every parameter; the cache key includes
// them all.
func (m *Minter) BadChainWith(kind ChainKind, name string, o ChainOpts) (*tls.Certificate, error) {
	if !kind.valid() {
		_, err := ParseChainKind(string(kind))
		return nil, err
	}
	permitted, err := o.permitted(kind)
	if err != nil {
		return nil, err
	}
	key, ip, err := normalize(name)
	if err != nil {
		return nil, err
	}
	if kind == ChainGood && o.Skew == 0 {
		return m.Leaf(key)
	}
	// NUL cannot occur in a normalised name, so these keys never collide
	// with the plain leaves sharing the cache.
	cacheKey := string(kind) + "\x00" + key + "\x00" + strconv.FormatInt(int64(o.Skew), 10)
	if permitted != nil {
		cacheKey += "\x00" + strings.Join(permitted, ",")
	}
	return m.cached(cacheKey, func() (*tls.Certificate, time.Time, error) {
		t := m.now()
		cert, err := m.mintChain(kind, key, ip, t.Add(o.Skew), ChainOpts{Skew: o.Skew, PermittedDNS: permitted})
		return cert, t.Add(chainMaxAge), err
	})
}

// faultOU describes the fault for the leaf's OrganizationalUnit.
func faultOU(kind ChainKind, skew time.Duration) string {
	if skew == 0 {
		return faultPrefix + string(kind)
	}
	s := skew.String()
	if skew > 0 {
		s = "+" + s
	}
	if kind == ChainGood {
		return faultPrefix + "clock skew " + s
	}
	return faultPrefix + string(kind) + ", clock skew " + s
}

// mintChain builds one chain; at is now+o.Skew.
func (m *Minter) mintChain(kind ChainKind, name string, ip netip.Addr, at time.Time, o ChainOpts) (*tls.Certificate, error) {
	notBefore, notAfter := at.Add(-leafBackdate), m.clampToCA(at.Add(leafValidity))
	switch kind {
	case ChainExpired:
		notBefore, notAfter = at.Add(-expiredAgo-leafValidity), at.Add(-expiredAgo)
	case ChainNotYetValid:
		notBefore, notAfter = at.Add(futureBy), at.Add(futureBy+leafValidity)
	case ChainOCSPExpired:
		// The stale staple's thisUpdate (staple) falls within the leaf's
		// validity, as a response about an existing certificate does:
		// the staple's age is then the only fault.
		notBefore = at.Add(-ocspStaleBy - ocspStaleWindow - leafBackdate)
	}
	tmpl := leafTemplate(name, ip, notBefore, notAfter)
	tmpl.Subject.OrganizationalUnit = []string{faultOU(kind, o.Skew)}

	parent, rest := m.root(), []*x509.Certificate(nil)
	var key crypto.Signer
	var err error
	if kind == ChainWeakRSA {
		// Go 1.24+ refuses RSA keys under 1024 bits (GODEBUG rsa1024min=0);
		// 1024 itself needs no setting and is what OpenSSL rejects.
		key, err = rsa.GenerateKey(m.random, weakRSABits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), m.random)
	}
	if err != nil {
		return nil, fmt.Errorf("pki: generate key for %q: %w", name, err)
	}

	switch kind {
	case ChainWrongHost:
		tmpl.Subject.CommonName = WrongHostName
		tmpl.DNSNames, tmpl.IPAddresses = []string{WrongHostName}, nil
	case ChainSelfSigned:
		parent, rest = nil, nil
	case ChainUntrustedRoot, ChainUntrustedRootWithRoot:
		p, err := m.parents(parentUntrusted)
		if err != nil {
			return nil, err
		}
		parent, rest = p[0], nil
		if kind == ChainUntrustedRootWithRoot {
			rest = []*x509.Certificate{p[0].cert}
		}
	case ChainNameConstraints:
		if err := m.needPathLen(kind, 1); err != nil {
			return nil, err
		}
		p, err := m.constrainedParent(o.PermittedDNS)
		if err != nil {
			return nil, err
		}
		parent, rest = p, []*x509.Certificate{p.cert}
	case ChainIncomplete, ChainGoodIntermediate, ChainReversed:
		if err := m.needPathLen(kind, 1); err != nil {
			return nil, err
		}
		p, err := m.parents(parentIntermediate)
		if err != nil {
			return nil, err
		}
		parent, rest = p[0], []*x509.Certificate{p[0].cert}
		if kind == ChainIncomplete {
			rest = nil
		}
		if kind == ChainReversed {
			return m.reversed(name, tmpl, key, p[0])
		}
	case ChainSHA1:
		alg, err := sha1For(m.ca.key)
		if err != nil {
			return nil, err
		}
		tmpl.SignatureAlgorithm = alg
	case ChainSHA1Intermediate:
		if err := m.needPathLen(kind, 1); err != nil {
			return nil, err
		}
		p, err := m.parents(parentSHA1)
		if err != nil {
			return nil, err
		}
		parent, rest = p[0], []*x509.Certificate{p[0].cert}
	case ChainMD5:
		if err := m.needPathLen(kind, 1); err != nil {
			return nil, err
		}
		return m.md5Leaf(name, tmpl, key)
	case ChainWrongEKU:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case ChainCAFalseIssuer:
		p, err := m.parents(parentNotCA)
		if err != nil {
			return nil, err
		}
		parent, rest = p[0], []*x509.Certificate{p[0].cert}
	case ChainPathLen, ChainLong:
		set := parentPathLen
		if kind == ChainLong {
			if err := m.needPathLen(kind, longChainDepth); err != nil {
				return nil, err
			}
			set = parentLong
		}
		p, err := m.parents(set)
		if err != nil {
			return nil, err
		}
		parent, rest = p[len(p)-1], nil
		for i := len(p) - 1; i >= 0; i-- {
			rest = append(rest, p[i].cert)
		}
	case ChainHuge:
		for i := range hugeSANs {
			tmpl.DNSNames = append(tmpl.DNSNames, fmt.Sprintf("san%04d.huge-cert.tlsgate.invalid", i))
		}
	case ChainCNOnly:
		tmpl.DNSNames, tmpl.IPAddresses = nil, nil
	case ChainRevoked, ChainOCSPUnknown, ChainOCSPExpired:
		// curl finds the issuer for the OCSP CertID in the chain sent
		// ("Error computing OCSP ID" without it), so the lab CA goes too.
		c, err := m.issue(name, tmpl, parent, key, []*x509.Certificate{m.ca.cert})
		if err != nil {
			return nil, err
		}
		return m.staple(kind, name, c, at)
	}
	return m.issue(name, tmpl, parent, key, rest)
}

// reversed signs the leaf under inter and serves [inter, leaf] with the
// intermediate's key, so the handshake signature matches the first
// certificate and only chain verification fails, as on badssl.
func (m *Minter) reversed(name string, tmpl *x509.Certificate, key crypto.Signer, inter *issuer) (*tls.Certificate, error) {
	c, err := m.issue(name, tmpl, inter, key, nil)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{
		Certificate: [][]byte{inter.cert.Raw, c.Certificate[0]},
		PrivateKey:  inter.key,
		Leaf:        inter.cert,
	}, nil
}

// needPathLen refuses chains that the lab CA's own path length limit would
// break, since they would show a path-length error instead of their own.
// CAs created before pki dropped the limit carry pathlen 1.
func (m *Minter) needPathLen(kind ChainKind, intermediates int) error {
	if limit := m.ca.cert.MaxPathLen; m.ca.cert.BasicConstraintsValid && limit >= 0 && limit < intermediates {
		return fmt.Errorf("pki: %s needs %d intermediates but the lab CA %q allows %d (path length limit); create a new CA to use it",
			kind, intermediates, m.ca.cert.Subject.CommonName, limit)
	}
	return nil
}

// sha1For picks the SHA-1 signature algorithm for the CA's key type. Go
// still signs with SHA-1 (x509.go: "Only supported for signing"); it only
// refuses to verify it.
func sha1For(key crypto.Signer) (x509.SignatureAlgorithm, error) {
	switch key.Public().(type) {
	case *ecdsa.PublicKey:
		return x509.ECDSAWithSHA1, nil
	case *rsa.PublicKey:
		return x509.SHA1WithRSA, nil
	}
	return 0, fmt.Errorf("pki: a SHA-1 signature needs an ECDSA or RSA lab CA, not %T", key.Public())
}
