package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
)

// issuer is a certificate that signs leaves, with its key.
type issuer struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// parentSet names a group of issuers a bad chain hangs from. Each set is
// built once per Minter: real servers reuse one intermediate for many hosts,
// and building a dozen CA certificates per handshake would be wasteful.
type parentSet string

const (
	// One ordinary issuing intermediate under the lab CA (path length 0).
	parentIntermediate parentSet = "intermediate"
	// A self-signed root that no client trusts.
	parentUntrusted parentSet = "untrusted"
	// An end-entity certificate (CA:FALSE) that nonetheless signs.
	parentNotCA parentSet = "not_ca"
	// An intermediate with path length 0 and a sub-CA under it.
	parentPathLen parentSet = "path_len"
	// longChainDepth intermediates, each signing the next.
	parentLong parentSet = "long"
	// An intermediate the lab CA signed with SHA-1.
	parentSHA1 parentSet = "sha1"
	// An RSA-2048 intermediate under the lab CA, for md5WithRSA leaves.
	parentRSA parentSet = "rsa"
)

// longChainDepth is one more than Java's default limit of 10 certificates
// and well past BIG-IP's default server-ssl authenticate-depth of 9, while
// OpenSSL (depth 100) and Go still accept the chain.
const longChainDepth = 12

// root is the lab CA as an issuer.
func (m *Minter) root() *issuer {
	return &issuer{cert: m.ca.cert, key: m.ca.key}
}

// parents returns the issuers of set, root side first: the last one signs
// the leaf. They are built on first use and kept for the Minter's life.
// (The name-constrained intermediates, one per permitted list, are kept
// apart and bounded: constrainedParents.)
func (m *Minter) parents(set parentSet) ([]*issuer, error) {
	m.issuerMu.Lock()
	defer m.issuerMu.Unlock()
	if p, ok := m.issuerSets[set]; ok {
		return p, nil
	}
	p, err := m.buildParents(set)
	if err != nil {
		return nil, err
	}
	m.issuerSets[set] = p
	return p, nil
}

func (m *Minter) buildParents(set parentSet) ([]*issuer, error) {
	name := func(cn, fault string) pkix.Name {
		n := pkix.Name{CommonName: cn, Organization: []string{Watermark}}
		if fault != "" {
			n.OrganizationalUnit = []string{faultPrefix + fault}
		}
		return n
	}
	switch set {
	case parentIntermediate:
		i, err := m.newIssuer(name("tlsgate lab intermediate", ""), m.root(), 0, true)
		return []*issuer{i}, err
	case parentUntrusted:
		// A distinct subject matters: were it "tlsgate lab CA", OpenSSL
		// would try the trusted lab CA as the issuer and report a bad
		// signature instead of an untrusted root.
		r, err := m.newIssuer(name("tlsgate untrusted root", "untrusted root, not the lab CA"), nil, -1, true)
		return []*issuer{r}, err
	case parentNotCA:
		n, err := m.newIssuer(name("tlsgate lab non-CA issuer", string(ChainCAFalseIssuer)), m.root(), 0, false)
		return []*issuer{n}, err
	case parentPathLen:
		top, err := m.newIssuer(name("tlsgate lab intermediate (path length 0)", string(ChainPathLen)), m.root(), 0, true)
		if err != nil {
			return nil, err
		}
		sub, err := m.newIssuer(name("tlsgate lab sub-intermediate", string(ChainPathLen)), top, -1, true)
		return []*issuer{top, sub}, err
	case parentLong:
		chain := make([]*issuer, 0, longChainDepth)
		parent := m.root()
		for i := range longChainDepth {
			cn := fmt.Sprintf("tlsgate lab intermediate %d of %d", i+1, longChainDepth)
			next, err := m.newIssuer(name(cn, string(ChainLong)), parent, -1, true)
			if err != nil {
				return nil, err
			}
			chain = append(chain, next)
			parent = next
		}
		return chain, nil
	case parentSHA1:
		alg, err := sha1For(m.ca.key)
		if err != nil {
			return nil, err
		}
		i, err := m.newIssuerWith(name("tlsgate lab SHA-1 intermediate", string(ChainSHA1Intermediate)), m.root(), issuerOpts{maxPathLen: 0, isCA: true, sigAlg: alg})
		return []*issuer{i}, err
	case parentRSA:
		key, err := rsa.GenerateKey(m.random, rsaIssuerBits)
		if err != nil {
			return nil, fmt.Errorf("pki: generate RSA intermediate key: %w", err)
		}
		i, err := m.newIssuerWith(name("tlsgate lab RSA intermediate", string(ChainMD5)), m.root(), issuerOpts{maxPathLen: 0, isCA: true, key: key})
		return []*issuer{i}, err
	}
	return nil, fmt.Errorf("pki: internal error: unknown issuer set %q", set)
}

// newIssuer makes a signing certificate under parent, or a self-signed root
// when parent is nil. maxPathLen -1 means unconstrained. With isCA false it
// makes a CA:FALSE certificate that still carries keyCertSign, so OpenSSL
// picks it as the issuer and then rejects it ("invalid CA certificate")
// rather than failing to find any issuer.
//
// Issuers share the lab CA's validity window: the clock faults shift only
// the leaf, which is what a skewed client notices first.
func (m *Minter) newIssuer(subject pkix.Name, parent *issuer, maxPathLen int, isCA bool) (*issuer, error) {
	return m.newIssuerWith(subject, parent, issuerOpts{maxPathLen: maxPathLen, isCA: isCA})
}

// issuerOpts are newIssuer's settings; the zero key is a fresh P-256 key
// and the zero sigAlg the parent key's default.
type issuerOpts struct {
	maxPathLen int
	isCA       bool
	key        crypto.Signer
	sigAlg     x509.SignatureAlgorithm
	// constrain, when set, adds name constraints to the template.
	constrain func(*x509.Certificate)
}

// newIssuerWith is newIssuer with a chosen key or signature algorithm.
func (m *Minter) newIssuerWith(subject pkix.Name, parent *issuer, o issuerOpts) (*issuer, error) {
	maxPathLen, isCA, key := o.maxPathLen, o.isCA, o.key
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), m.random)
		if err != nil {
			return nil, fmt.Errorf("pki: generate key for %q: %w", subject.CommonName, err)
		}
		key = k
	}
	serial, err := newSerial(m.random)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             m.ca.cert.NotBefore,
		NotAfter:              m.ca.cert.NotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		MaxPathLen:            maxPathLen,
		MaxPathLenZero:        isCA && maxPathLen == 0,
		SignatureAlgorithm:    o.sigAlg,
	}
	if !isCA {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if o.constrain != nil {
		o.constrain(tmpl)
	}
	parentCert, signer := tmpl, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(m.random, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("pki: sign %q: %w", subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse %q: %w", subject.CommonName, err)
	}
	return &issuer{cert: cert, key: key}, nil
}

// UntrustedRootPEM returns the PEM certificate of the throwaway root that
// the untrusted_root chains are signed by, so a lab can show that trusting
// it (instead of the lab CA) is what makes the difference. It returns nil
// only if the root could not be created (the random source failed).
func (m *Minter) UntrustedRootPEM() []byte {
	p, err := m.parents(parentUntrusted)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p[0].cert.Raw})
}
