package probe

import (
	"cmp"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlsgate/tlsgate/pki"
)

// staple is what step 7 read from the OCSP response the server stapled.
type staple struct {
	status                      string // "good", "revoked", "unknown"
	produced, thisUpd, nextUpd  time.Time
	notYetValidBy, expiredSince time.Duration // > 0 beyond pki.OCSPLeeway, else 0
	revokedAt                   time.Time     // when status is "revoked"
	reason                      string        // its reason as curl prints it, "" when none is given
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
	if r.Status == ocsp.Revoked {
		s.revokedAt, s.reason = r.RevokedAt, reasonText(r.RevocationReason)
	}
	if ahead := r.ThisUpdate.Sub(now); ahead > pki.OCSPLeeway {
		s.notYetValidBy = ahead
	}
	// A response without nextUpdate says newer information is always
	// available (RFC 6960 §4.2.2.1): it never expires by its own times.
	if !r.NextUpdate.IsZero() {
		if past := now.Sub(r.NextUpdate); past > pki.OCSPLeeway {
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

// reasonNames are the CRLReason values (RFC 5280 §5.3.1) as OpenSSL's
// OCSP_crl_reason_str spells them, which is what curl and openssl ocsp
// print.
var reasonNames = map[int]string{
	ocsp.KeyCompromise: "keyCompromise", ocsp.CACompromise: "cACompromise", ocsp.AffiliationChanged: "affiliationChanged",
	ocsp.Superseded: "superseded", ocsp.CessationOfOperation: "cessationOfOperation", ocsp.CertificateHold: "certificateHold",
	ocsp.RemoveFromCRL: "removeFromCRL", ocsp.PrivilegeWithdrawn: "privilegeWithdrawn", ocsp.AACompromise: "aACompromise",
}

// reasonText prints a revocation reason as curl does ("keyCompromise
// (1)"; a code OpenSSL has no name for is "(UNKNOWN) (7)"). x/crypto
// reads a response without a reason as unspecified (0), and RFC 5280 says
// unspecified is never sent, so 0 is no reason given ("").
func reasonText(r int) string {
	if r == ocsp.Unspecified {
		return ""
	}
	name, ok := reasonNames[r]
	if !ok {
		name = "(UNKNOWN)"
	}
	return fmt.Sprintf("%s (%d)", name, r)
}

// evidence is the staple in one line, in UTC, with the local clock it was
// judged by.
func (s staple) evidence(now time.Time) string {
	status := s.status
	if s.status == "revoked" {
		status += " at " + utc(s.revokedAt) + ", reason " + cmp.Or(s.reason, "none given")
	}
	return fmt.Sprintf("stapled OCSP response: %s, producedAt %s, thisUpdate %s, nextUpdate %s; local time %s",
		status, utc(s.produced), utc(s.thisUpd), utc(s.nextUpd), utc(now))
}

// utc prints t as evidence does, in UTC to the second, the same in every
// language; "none" for a time the response leaves out (a nextUpdate).
func utc(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// skewText prints a clock difference to the second ("2h0m0s"), the same
// in every language, as evidence is.
func skewText(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	return d.Round(time.Second).String()
}

// stapleProblems judges the OCSP response the server stapled in the
// handshake a, if any: the evidence line, the problem its status is (a
// revoked or unknown certificate) and the one its times are (not current
// by the probe's clock). Go's client always asks for a staple
// (status_request) and never judges it, so the probe does.
//
// Both statuses are warnings, not failures, as ocsp_expired and an
// RSA-1024 key are: they break only the clients that check the staple.
// curl --cert-status fails with (91) on either ("SSL certificate
// revocation reason: keyCompromise (1)"; for unknown, no message of its
// own, so curl prints the error code's "SSL server certificate status
// verification FAILED"; openssl s_client -status only prints "Cert
// Status: revoked"). Go's crypto/tls, curl without --cert-status and
// browsers facing a private CA never read the staple and connect, as the
// handshake this step judges did.
func (p *prober) stapleProblems(a attempt, leaf *x509.Certificate, now time.Time) (ev string, status, times []problem) {
	if a.cs == nil || len(a.cs.OCSPResponse) == 0 {
		return "", nil, nil
	}
	s, err := parseStaple(a.cs.OCSPResponse, leaf, now)
	if err != nil {
		return err.Error(), nil, nil
	}
	switch s.status {
	case "revoked":
		reason, curl := s.reason, s.reason
		if reason == "" {
			// OpenSSL reads no reason as -1, which curl prints as is.
			reason, curl = p.t.f("chain.ocsp_no_reason"), "(UNKNOWN) (-1)"
		}
		status = append(status, p.prob(Warn, "ocsp_revoked", "chain.ocsp_revoked",
			"at", utc(s.revokedAt), "reason", reason, "curl", curl))
	case "unknown":
		status = append(status, p.prob(Warn, "ocsp_unknown", "chain.ocsp_unknown",
			"serial", strings.ToUpper(leaf.SerialNumber.Text(16))))
	}
	switch {
	case s.notYetValidBy > 0:
		times = append(times, p.prob(Warn, "ocsp_not_yet_valid", "chain.ocsp_not_yet_valid",
			"this", utc(s.thisUpd), "skew", skewText(s.notYetValidBy), "now", utc(now)))
	case s.expiredSince > 0:
		times = append(times, p.prob(Warn, "ocsp_expired", "chain.ocsp_expired",
			"next", utc(s.nextUpd), "skew", skewText(s.expiredSince), "now", utc(now)))
	}
	return s.evidence(now), status, times
}
