package pki

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"testing"
	"time"
)

// TestLeavesLieInsideTheirIssuer: every certificate the lab CA (or one of
// the intermediates under it) issues starts no earlier than its issuer,
// including the leaves the faults backdate (expired, stale OCSP, negative
// skews). A leaf older than its CA is a second fault nobody asked for.
func TestLeavesLieInsideTheirIssuer(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	skews := []time.Duration{0, -24 * time.Hour, 24 * time.Hour, -30 * 24 * time.Hour, -365 * 24 * time.Hour}
	type chain struct {
		name  string
		certs [][]byte
	}
	var chains []chain
	leaf, err := m.Leaf("www.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	chains = append(chains, chain{"leaf", leaf.Certificate})
	for _, kind := range ChainKinds() {
		for _, skew := range skews {
			c, err := m.BadChainWith(kind, "www.lab.test", testOpts(kind, skew))
			if err != nil {
				// Some kinds need a CA without a path length limit; those
				// errors are the kind's own concern, tested elsewhere.
				t.Logf("%s skew %v: %v", kind, skew, err)
				continue
			}
			chains = append(chains, chain{string(kind) + " skew " + skew.String(), c.Certificate})
		}
	}
	for _, skew := range []time.Duration{-24 * time.Hour, -30 * 24 * time.Hour, 24 * time.Hour} {
		c, err := m.OCSPTimes("www.lab.test", skew)
		if err != nil {
			t.Fatal(err)
		}
		chains = append(chains, chain{"ocsp_times skew " + skew.String(), c.Certificate})
	}
	checked := 0
	for _, ch := range chains {
		issuers := []*x509.Certificate{ca.cert}
		var parsed []*x509.Certificate
		for _, der := range ch.certs {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatalf("%s: %v", ch.name, err)
			}
			parsed = append(parsed, c)
			if c.IsCA && bytes.Equal(c.RawIssuer, ca.cert.RawSubject) {
				issuers = append(issuers, c)
			}
		}
		for i, c := range parsed {
			for _, is := range issuers {
				if c == is || !bytes.Equal(c.RawIssuer, is.RawSubject) || !bytes.Equal(c.AuthorityKeyId, is.SubjectKeyId) {
					continue
				}
				checked++
				if c.NotBefore.Before(is.NotBefore) {
					t.Errorf("%s: cert #%d (%s) starts %s, before its issuer %s (%s)", ch.name, i,
						c.Subject.CommonName, c.NotBefore.UTC(), is.Subject.CommonName, is.NotBefore.UTC())
				}
			}
		}
	}
	if checked < len(chains) {
		t.Fatalf("checked %d issuer links across %d chains; the issuer matching is broken", checked, len(chains))
	}
}
