package pki

import (
	"crypto/tls"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// The revocation chains (failure-catalog.md §2.D cert.revoked, §6.3): a
// good leaf under the lab CA with an OCSP response stapled to it, signed
// by the lab CA itself. Only clients that ask for and check the staple
// (curl --cert-status, openssl s_client -status) notice; Go and curl
// without --cert-status connect, as they would to a revoked server.

// Windows of the stapled responses, around now+skew.
const (
	// ocspFresh makes a current response: issued an hour ago, next update
	// past chainMaxAge, so a cached chain never staples a stale one.
	ocspFresh = time.Hour
	// ocspStaleBy puts an expired response's nextUpdate a day in the past,
	// well beyond the five minutes of leeway OpenSSL allows.
	ocspStaleBy = 24 * time.Hour
	// revokedAgo dates the revocation before the response.
	revokedAgo = 24 * time.Hour
)

// staple attaches the OCSP response of kind about c's leaf, as of at.
func (m *Minter) staple(kind ChainKind, name string, c *tls.Certificate, at time.Time) (*tls.Certificate, error) {
	resp := ocsp.Response{
		SerialNumber: c.Leaf.SerialNumber,
		ThisUpdate:   at.Add(-ocspFresh),
		NextUpdate:   at.Add(chainMaxAge + ocspFresh),
		// The response carries its signer: OpenSSL looks for it there and
		// in the chain sent, never in the trust store ("OCSP response
		// verification failed" when neither has it).
		Certificate: m.ca.cert,
	}
	switch kind {
	case ChainRevoked:
		// keyCompromise is what curl names: "SSL certificate revocation
		// reason: keyCompromise (1)".
		resp.Status, resp.RevokedAt, resp.RevocationReason = ocsp.Revoked, at.Add(-revokedAgo), ocsp.KeyCompromise
	case ChainOCSPUnknown:
		resp.Status = ocsp.Unknown
	case ChainOCSPExpired:
		resp.Status = ocsp.Good
		resp.ThisUpdate, resp.NextUpdate = at.Add(-ocspStaleBy-leafValidity), at.Add(-ocspStaleBy)
	default:
		return nil, fmt.Errorf("pki: internal error: %s staples no OCSP response", kind)
	}
	staple, err := ocsp.CreateResponse(m.ca.cert, m.ca.cert, resp, m.ca.key)
	if err != nil {
		return nil, fmt.Errorf("pki: OCSP response (%s) for %q: %w", kind, name, err)
	}
	c.OCSPStaple = staple
	return c, nil
}
