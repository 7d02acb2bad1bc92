package pki

import (
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
)

// The weak-signature chains (failure-catalog.md §2.D cert.weak, §6.2).

// oidMD5WithRSA is md5WithRSAEncryption (RFC 3279 §2.2.1).
var oidMD5WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}

// rsaIssuerBits sizes the RSA intermediate an md5 leaf hangs from: strong
// enough that only the digest is weak, so clients name the digest.
const rsaIssuerBits = 2048

// md5Leaf signs tmpl under the lab's RSA intermediate with md5WithRSA and
// serves [leaf, intermediate]. Go refuses to sign with MD5 ("x509: signing
// with MD5 is not supported"), so the leaf is signed with SHA-256 first and
// then re-signed by hand: the algorithm in the TBS and the outer one become
// md5WithRSA, and a PKCS #1 v1.5 signature over the MD5 of the new TBS
// replaces the old one. MD5 needs an RSA issuer: there is no ECDSA-with-MD5.
func (m *Minter) md5Leaf(name string, tmpl *x509.Certificate, key crypto.Signer) (*tls.Certificate, error) {
	p, err := m.parents(parentRSA)
	if err != nil {
		return nil, err
	}
	inter := p[0]
	c, err := m.issue(name, tmpl, inter, key, nil)
	if err != nil {
		return nil, err
	}
	rsaKey, ok := inter.key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("pki: internal error: md5 issuer key is %T, not RSA", inter.key)
	}
	der, err := resignMD5(c.Certificate[0], rsaKey)
	if err != nil {
		return nil, fmt.Errorf("pki: md5 leaf for %q: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse md5 leaf for %q: %w", name, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, inter.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// certificateASN1 is RFC 5280's Certificate with the TBS kept raw.
type certificateASN1 struct {
	TBS       asn1.RawValue
	Algorithm algorithmASN1
	Signature asn1.BitString
}

type algorithmASN1 struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

// resignMD5 returns der re-signed by key with md5WithRSA.
func resignMD5(der []byte, key *rsa.PrivateKey) ([]byte, error) {
	var cert certificateASN1
	if rest, err := asn1.Unmarshal(der, &cert); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("parse certificate (%d bytes, %d trailing): %w", len(der), len(rest), err)
	}
	alg := algorithmASN1{Algorithm: oidMD5WithRSA, Parameters: asn1.NullRawValue}
	algDER, err := asn1.Marshal(alg)
	if err != nil {
		return nil, err
	}
	// TBSCertificate ::= SEQUENCE { [0] version, serialNumber, signature, … }:
	// walk the elements and swap the third.
	var fields [][]byte
	for rest := cert.TBS.Bytes; len(rest) > 0; {
		var f asn1.RawValue
		next, err := asn1.Unmarshal(rest, &f)
		if err != nil {
			return nil, fmt.Errorf("parse TBS field %d: %w", len(fields), err)
		}
		fields = append(fields, f.FullBytes)
		rest = next
	}
	if len(fields) < 3 {
		return nil, fmt.Errorf("TBS has %d fields, want at least 3", len(fields))
	}
	fields[2] = algDER
	var body []byte
	for _, f := range fields {
		body = append(body, f...)
	}
	tbs, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	if err != nil {
		return nil, err
	}
	digest := md5.Sum(tbs)
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.MD5, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sign with md5WithRSA: %w", err)
	}
	return asn1.Marshal(certificateASN1{
		TBS:       asn1.RawValue{FullBytes: tbs},
		Algorithm: alg,
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}
