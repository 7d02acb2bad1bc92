package pki

import (
	"slices"
	"time"
)

// PredatesBackdating reports a lab CA made before New backdated the CA by
// caBackdate years: its validity starts about when it was made. The leaves
// the clock and chain faults backdate by days or weeks then start before
// their issuer, which clients report as a second, unintended error. Only a
// CA tlsgate made (its watermark) is judged: one dropped in by hand keeps
// whatever validity its maker chose. Its keys are never rewritten: the
// clients trust this certificate, and only the operator can decide to
// trust a new one.
func (ca *CA) PredatesBackdating() bool {
	c := ca.cert
	if !slices.Contains(c.Subject.Organization, Watermark) {
		return false
	}
	// New's CA spans caBackdate+caValidity years; an older one about
	// caValidity. A year of slack keeps leap days and small backdates
	// (an hour, a day) on the right side.
	return c.NotBefore.After(c.NotAfter.AddDate(-(caBackdate + caValidity - 1), 0, 0))
}

// NotBefore is when the CA's own validity starts.
func (ca *CA) NotBefore() time.Time { return ca.cert.NotBefore }
