package probe

import (
	"crypto/x509"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ocspLeeway is how far outside its thisUpdate..nextUpdate window a stapled
// OCSP response may be before the probe calls it not current. It is the
// leeway OpenSSL's OCSP_check_validity gets from curl --cert-status and
// openssl s_client -status (300 s): within it no client that checks the
// staple refuses it, so naming a smaller gap would blame a clock for what
// is ordinary NTP drift.
const ocspLeeway = 5 * time.Minute

// staple is what step 7 read from the OCSP response the server stapled.
type staple struct {
	status                      string // "good", "revoked", "unknown"
	produced, thisUpd, nextUpd  time.Time
	notYetValidBy, expiredSince time.Duration // > 0 beyond ocspLeeway, else 0
}

// parseStaple reads the times of der, the OCSP response stapled for leaf,
// and judges them against now. It is a pure function over the bytes: the
// signature is not what it judges (the embedded responder certificate's is
// checked by x/crypto as it parses), only whether a client with a correct
// clock would take the response as current.
func parseStaple(der []byte, leaf *x509.Certificate, now time.Time) (staple, error) {
	r, err := ocsp.ParseResponseForCert(der, leaf, nil)
	if err != nil {
		return staple{}, fmt.Errorf("probe: stapled OCSP response of %d bytes: %w", len(der), err)
	}
	// The response's times are whole seconds (GeneralizedTime); so is the
	// clock they are judged by, or a staple exactly two hours stale reads
	// as 2h0m1s.
	now = now.Truncate(time.Second)
	s := staple{status: ocspStatus(r.Status), produced: r.ProducedAt, thisUpd: r.ThisUpdate, nextUpd: r.NextUpdate}
	if ahead := r.ThisUpdate.Sub(now); ahead > ocspLeeway {
		s.notYetValidBy = ahead
	}
	// A response without nextUpdate says newer information is always
	// available (RFC 6960 §4.2.2.1): it never expires by its own times.
	if !r.NextUpdate.IsZero() {
		if past := now.Sub(r.NextUpdate); past > ocspLeeway {
			s.expiredSince = past
		}
	}
	return s, nil
}

// ocspStatus names an OCSP certificate status as openssl ocsp prints it.
func ocspStatus(st int) string {
	switch st {
	case ocsp.Good:
		return "good"
	case ocsp.Revoked:
		return "revoked"
	}
	return "unknown"
}

// evidence is the staple in one line, in UTC, with the local clock it was
// judged by.
func (s staple) evidence(now time.Time) string {
	utc := func(t time.Time) string {
		if t.IsZero() {
			return "none"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("stapled OCSP response: %s, producedAt %s, thisUpdate %s, nextUpdate %s; local time %s",
		s.status, utc(s.produced), utc(s.thisUpd), utc(s.nextUpd), utc(now))
}

// skewText prints a clock difference to the second ("2h0m0s"), the same
// in every language, as evidence is.
func skewText(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	return d.Round(time.Second).String()
}

// stapleProblem judges the OCSP response the server stapled in the
// handshake a, if any: the evidence line, and a problem when the response
// is not current by the probe's clock. Go's client always asks for a
// staple (status_request) and never judges it, so the probe does.
func (p *prober) stapleProblem(a attempt, leaf *x509.Certificate, now time.Time) (ev string, pr problem, ok bool) {
	if a.cs == nil || len(a.cs.OCSPResponse) == 0 {
		return "", problem{}, false
	}
	s, err := parseStaple(a.cs.OCSPResponse, leaf, now)
	if err != nil {
		return err.Error(), problem{}, false
	}
	utc := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch {
	case s.notYetValidBy > 0:
		return s.evidence(now), p.prob(Warn, "ocsp_not_yet_valid", "chain.ocsp_not_yet_valid",
			"this", utc(s.thisUpd), "skew", skewText(s.notYetValidBy), "now", utc(now)), true
	case s.expiredSince > 0:
		return s.evidence(now), p.prob(Warn, "ocsp_expired", "chain.ocsp_expired",
			"next", utc(s.nextUpd), "skew", skewText(s.expiredSince), "now", utc(now)), true
	}
	return s.evidence(now), problem{}, false
}
