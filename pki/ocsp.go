package pki

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// The revocation chains (failure-catalog.md §2.D cert.revoked, §6.3): a
// good leaf under the lab CA with an OCSP response stapled to it, signed
// by the lab CA itself. Only clients that ask for and check the staple
// (curl --cert-status, openssl s_client -status) notice; Go and curl
// without --cert-status connect, as they would to a revoked server.

// OCSPLeeway is the clock difference a client that checks an OCSP staple
// forgives, either way, before it calls the response not current: curl
// --cert-status and openssl s_client -status judge the staple with
// OpenSSL's OCSP_check_validity, which accepts 300 s. Within it no client
// refuses the staple, so a gap that small is ordinary NTP drift, not a
// fault: the probe names none, and an ocsp_times rule with such a shift
// is refused.
const OCSPLeeway = 300 * time.Second

// Windows of the stapled responses, around now+skew.
const (
	// ocspFresh makes a current response: issued an hour ago, next update
	// past chainMaxAge, so a cached chain never staples a stale one.
	ocspFresh = time.Hour
	// ocspStaleBy puts an expired response's nextUpdate a day in the past,
	// well beyond the five minutes of leeway OpenSSL allows.
	ocspStaleBy = 24 * time.Hour
	// ocspStaleWindow is how long an expired response claimed to be good
	// for: a day, as an ocsp_times staple (ocspTimesWindow).
	ocspStaleWindow = ocspTimesWindow
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
		// The leaf is backdated to before this thisUpdate (mintChain):
		// a response about a certificate that did not exist yet would be
		// a second fault.
		resp.ThisUpdate, resp.NextUpdate = at.Add(-ocspStaleBy-ocspStaleWindow), at.Add(-ocspStaleBy)
	default:
		return nil, fmt.Errorf("pki: internal error: %s staples no OCSP response", kind)
	}
	// A fresh response is produced now, after its thisUpdate. A stale one
	// is an old response still cached and stapled: it was produced when
	// it was issued, at its thisUpdate, so before its nextUpdate too, as a
	// real responder's would be (producedAt now, after nextUpdate, is a
	// response no responder signs).
	producedAt := at
	if kind == ChainOCSPExpired {
		producedAt = resp.ThisUpdate
	}
	staple, err := m.signOCSP(resp, producedAt)
	if err != nil {
		return nil, fmt.Errorf("pki: OCSP response (%s) for %q: %w", kind, name, err)
	}
	c.OCSPStaple = staple
	return c, nil
}

// signOCSP builds the lab CA's response from resp, produced at producedAt
// by the minter's clock rather than the real one, and signs it once (see
// deferredSigner).
func (m *Minter) signOCSP(resp ocsp.Response, producedAt time.Time) ([]byte, error) {
	signer := &deferredSigner{pub: m.ca.key.Public()}
	der, err := ocsp.CreateResponse(m.ca.cert, m.ca.cert, resp, signer)
	if err != nil {
		return nil, err
	}
	return signProducedAt(der, producedAt, signer.hash, m.ca.key, m.random)
}

// ocspTimesWindow is how long an ocsp_times staple claims to be good for,
// from its thisUpdate: a day, within the week responders commonly use.
const ocspTimesWindow = 24 * time.Hour

// ocspTimesUnit is the OrganizationalUnit watermark of an OCSPTimes leaf.
const ocspTimesUnit = faultPrefix + "ocsp_times"

// OCSPTimes returns name's certificate for a clock fault on the OCSP
// staple (failure-catalog.md §2.E clock.ocsp_times): a good lab-CA leaf,
// sent as [leaf, lab CA] so clients can find the responder, with a "good"
// response stapled whose times are off by skew as of the minter's clock
// now. A positive skew is a responder whose clock is ahead: producedAt and
// thisUpdate are skew in the future. A negative one is a server whose
// clock is behind, still stapling a response whose nextUpdate passed
// -skew ago. OpenSSL allows five minutes of leeway either way, so a shift
// within it passes.
//
// The leaf is cached as a leaf is; the staple is signed on every call, so
// its times stay skew away from the clock however long the leaf is served.
func (m *Minter) OCSPTimes(name string, skew time.Duration) (*tls.Certificate, error) {
	if skew == 0 {
		return nil, fmt.Errorf("pki: an OCSP clock fault for %q needs a non-zero skew", name)
	}
	key, ip, err := normalize(name)
	if err != nil {
		return nil, err
	}
	// A stale staple (skew < 0) is about a leaf older than its thisUpdate:
	// the leaf is backdated by the shift and the window, so every staple
	// signed while it is served (their times only move later) falls
	// inside its validity. The cache key carries the skew, since the
	// backdating depends on it.
	c, err := m.cached(ocspTimesUnit+"\x00"+skew.String()+"\x00"+key, func() (*tls.Certificate, time.Time, error) {
		return m.mint(key, ip, func(tmpl *x509.Certificate) {
			tmpl.Subject.OrganizationalUnit = []string{ocspTimesUnit}
			if skew < 0 {
				tmpl.NotBefore = tmpl.NotBefore.Add(skew - ocspTimesWindow)
			}
		}, m.ca.cert)
	})
	if err != nil {
		return nil, err
	}
	this := m.now().Add(skew)
	if skew < 0 {
		this = this.Add(-ocspTimesWindow)
	}
	staple, err := m.signOCSP(ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: c.Leaf.SerialNumber,
		ThisUpdate:   this,
		NextUpdate:   this.Add(ocspTimesWindow),
		Certificate:  m.ca.cert,
	}, this)
	if err != nil {
		return nil, fmt.Errorf("pki: OCSP response (ocsp_times %s) for %q: %w", skew, key, err)
	}
	// A copy: the cached certificate is shared by concurrent handshakes.
	out := *c
	out.OCSPStaple = staple
	return &out, nil
}
