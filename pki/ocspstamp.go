package pki

import (
	"crypto"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// x/crypto/ocsp.CreateResponse stamps producedAt with time.Now and ignores
// the template's ProducedAt (golang/go#52976, open), so a response it
// builds carries the real clock however the minter's clock is injected.
// There is no supported way around it, so CreateResponse is handed a
// signer that signs nothing (deferredSigner), and signProducedAt sets that
// one field and signs the response once, with the CA's key and the
// minter's randomness: everything else (the CertID hashes, the statuses,
// the encoding, the signature algorithm) stays x/crypto's.

// errOCSPShape says a response is not the shape CreateResponse builds.
var errOCSPShape = errors.New("not a successful basic OCSP response")

// deferredSigner stands in for the responder's key during CreateResponse:
// its public key picks the signature algorithm, and Sign only records the
// hash asked for, which signProducedAt then signs with. The signature
// CreateResponse embeds is empty and is replaced.
type deferredSigner struct {
	pub  crypto.PublicKey
	hash crypto.Hash
}

func (d *deferredSigner) Public() crypto.PublicKey { return d.pub }

func (d *deferredSigner) Sign(_ io.Reader, _ []byte, opts crypto.SignerOpts) ([]byte, error) {
	d.hash = opts.HashFunc()
	return nil, nil
}

// signProducedAt returns the unsigned OCSP response der (CreateResponse's
// with a deferredSigner) with its producedAt set to at (to the second, as
// GeneralizedTime without fractions) and signed by key, the responder's,
// over hash. RFC 6960 §4.2.1:
//
//	OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
//	    responseBytes [0] EXPLICIT SEQUENCE { responseType OID, response OCTET STRING } }
//	BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm,
//	    signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//	ResponseData ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, responderID,
//	    producedAt GeneralizedTime, responses, responseExtensions [1] OPTIONAL }
func signProducedAt(der []byte, at time.Time, hash crypto.Hash, key crypto.Signer, random io.Reader) ([]byte, error) {
	in := cryptobyte.String(der)
	var outer, responseBytes, inner, basicDER cryptobyte.String
	var status, respType cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !in.Empty() ||
		!outer.ReadASN1Element(&status, cbasn1.ENUM) ||
		!outer.ReadASN1(&responseBytes, cbasn1.Tag(0).Constructed().ContextSpecific()) || !outer.Empty() ||
		!responseBytes.ReadASN1(&inner, cbasn1.SEQUENCE) || !responseBytes.Empty() ||
		!inner.ReadASN1Element(&respType, cbasn1.OBJECT_IDENTIFIER) ||
		!inner.ReadASN1(&basicDER, cbasn1.OCTET_STRING) || !inner.Empty() {
		return nil, fmt.Errorf("pki: OCSP response of %d bytes: %w (outer layers)", len(der), errOCSPShape)
	}
	var basic, tbs, sigAlg, sig cryptobyte.String
	if !basicDER.ReadASN1(&basic, cbasn1.SEQUENCE) || !basicDER.Empty() ||
		!basic.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!basic.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) ||
		!basic.ReadASN1(&sig, cbasn1.BIT_STRING) {
		return nil, fmt.Errorf("pki: OCSP response of %d bytes: %w (BasicOCSPResponse)", len(der), errOCSPShape)
	}
	certs := []byte(basic) // [0] certs, or nothing: kept as they are
	if hash == 0 || !hash.Available() {
		return nil, fmt.Errorf("pki: OCSP response of %d bytes: no usable signature hash (%v) for %s", len(der), hash, ocspAlgName(sigAlg))
	}
	var version, responderID, producedAt cryptobyte.String
	versionTag := cbasn1.Tag(0).Constructed().ContextSpecific()
	hasVersion := tbs.PeekASN1Tag(versionTag)
	if hasVersion && !tbs.ReadASN1Element(&version, versionTag) ||
		!tbs.ReadAnyASN1Element(&responderID, nil) ||
		!tbs.ReadASN1Element(&producedAt, cbasn1.GeneralizedTime) {
		return nil, fmt.Errorf("pki: OCSP response of %d bytes: %w (ResponseData up to producedAt)", len(der), errOCSPShape)
	}
	rest := []byte(tbs) // responses and extensions, unchanged

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if hasVersion {
			b.AddBytes(version)
		}
		b.AddBytes(responderID)
		b.AddASN1GeneralizedTime(at.UTC().Truncate(time.Second))
		b.AddBytes(rest)
	})
	newTBS, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: OCSP producedAt %s: %w", at, err)
	}
	h := hash.New()
	h.Write(newTBS)
	signature, err := key.Sign(random, h.Sum(nil), hash)
	if err != nil {
		return nil, fmt.Errorf("pki: sign OCSP response: %w", err)
	}

	var basicB cryptobyte.Builder
	basicB.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(newTBS)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(signature)
		b.AddBytes(certs)
	})
	newBasic, err := basicB.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: OCSP BasicOCSPResponse: %w", err)
	}
	var outB cryptobyte.Builder
	outB.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(status)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(respType)
				b.AddASN1OctetString(newBasic)
			})
		})
	})
	return outB.Bytes()
}

// ocspAlgName names the AlgorithmIdentifier element alg for an error.
func ocspAlgName(alg cryptobyte.String) string {
	var body cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1ObjectIdentifier(&oid) {
		return fmt.Sprintf("signatureAlgorithm % x", []byte(alg))
	}
	return "signatureAlgorithm " + oid.String()
}
