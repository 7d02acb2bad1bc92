package listener

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// goCheckStaple is a Go client's check of the stapled OCSP response:
// crypto/tls hands it over (ConnectionState.OCSPResponse) and judges
// nothing, so VerifyConnection parses it against the verified chain and
// compares its window with the clock, allowing OpenSSL's five minutes.
// Its error fails the handshake, and crypto/tls sends alert 42.
func goCheckStaple(cs tls.ConnectionState) error {
	if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) < 2 {
		return errors.New("ocsp check: no verified chain")
	}
	r, err := ocsp.ParseResponseForCert(cs.OCSPResponse, cs.VerifiedChains[0][0], cs.VerifiedChains[0][1])
	if err != nil {
		return fmt.Errorf("ocsp check: %w", err)
	}
	const leeway = 5 * time.Minute
	switch now := time.Now(); {
	case now.Add(leeway).Before(r.ThisUpdate):
		return fmt.Errorf("ocsp check: response not yet valid (thisUpdate %s)", r.ThisUpdate.Format(time.RFC3339))
	case now.Add(-leeway).After(r.NextUpdate):
		return fmt.Errorf("ocsp check: response expired (nextUpdate %s)", r.NextUpdate.Format(time.RFC3339))
	}
	return nil
}

// TestOCSPTimes: an ocsp_times rule makes a terminating listener serve a
// good lab-CA certificate whose stapled OCSP response is not current. curl
// --cert-status hangs up after the handshake (`curl: (91) OCSP response
// has expired`, either direction), a Go client checking the staple sends
// alert 42, and each is explained as the rule's doing; curl without
// --cert-status gets its page.
func TestOCSPTimes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		skew  time.Duration
		clock string // in the summary
		goErr string
	}{
		{"ahead", 2 * time.Hour, "its thisUpdate 2h0m0s in the future", "response not yet valid"},
		{"behind", -2 * time.Hour, "its nextUpdate 2h0m0s in the past", "response expired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Set([]faults.Rule{{Name: "ocsp-clock", Action: faults.ActOCSPTimes, Skew: faults.Duration(tt.skew)}}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: &ClientSSL{}},
				func(d *Deps) { d.Faults = e })
			caFile := labCAFile(t, h)

			s := curlLab(t, h.addr, "--cacert", caFile, "--cert-status")
			t.Logf("curl --cert-status: exit %d %s", s.exit, strings.TrimSpace(s.out))
			if s.exit != 91 || !strings.Contains(s.out, "curl: (91) OCSP response has expired") {
				t.Errorf("curl --cert-status: exit %d %q, want 91 OCSP response has expired", s.exit, s.out)
			}
			r := h.next()
			if r.d.Code != explain.CodeClientRejectedSilently || !strings.Contains(r.d.Summary, "fault rule ocsp-clock stapled with "+tt.clock) {
				t.Errorf("curl --cert-status: code %s, summary %q", r.d.Code, r.d.Summary)
			}
			if len(r.o.FaultFirings) != 1 || r.o.FaultFirings[0].Action != "ocsp_times" || r.o.FaultFirings[0].Skew != tt.skew {
				t.Errorf("firings %+v", r.o.FaultFirings)
			}

			g := goLab(t, h.addr, &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool(), VerifyConnection: goCheckStaple})
			t.Logf("Go with VerifyConnection: %s", g.out)
			if !strings.Contains(g.out, tt.goErr) {
				t.Errorf("Go client: %q, want %q", g.out, tt.goErr)
			}
			r = h.next()
			if r.d.Code != explain.CodeClientAlert || r.o.ClientTLS.AlertRecv != 42 || !strings.Contains(r.d.Cause, "after reading the OCSP response") {
				t.Errorf("Go client: code %s alert %d, cause %q", r.d.Code, r.o.ClientTLS.AlertRecv, r.d.Cause)
			}

			if s := curlLab(t, h.addr, "--cacert", caFile); s.exit != 0 {
				t.Errorf("curl without --cert-status: exit %d %q, want the page", s.exit, s.out)
			}
			// It asked for no staple and got none: the rule did not act,
			// so it neither fired nor counted.
			if r := h.next(); r.d.Code != explain.CodeOK || len(r.o.FaultFirings) != 0 || strings.Contains(r.d.Summary, "ocsp-clock") {
				t.Errorf("curl without --cert-status: code %s (%s), firings %+v; want ok and none", r.d.Code, r.d.Summary, r.o.FaultFirings)
			}
			if st := e.List(); st[0].Fires != 2 {
				t.Errorf("fire count %d, want 2 (curl --cert-status and the Go client)", st[0].Fires)
			}
		})
	}
}

// TestCertRulesLoggedOnlyWhereTheyActed: a chain and an ocsp_times rule
// on one terminating listener with sni_require. Each connection is logged
// with the one rule whose certificate it was served, and counted for it: the
// chain for curl without --cert-status (it asks for no staple), the
// staple for curl --cert-status (the ocsp_times rule comes first). A Go
// client without SNI is refused with alert 40 before any certificate, and
// no rule is blamed for that or counted.
func TestCertRulesLoggedOnlyWhereTheyActed(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Set([]faults.Rule{
		{Name: "o3", Action: faults.ActOCSPTimes, Skew: faults.Duration(2 * time.Hour)},
		{Name: "c1", Action: faults.ActChain, Chain: faults.ChainExpired},
	}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: &ClientSSL{SNIRequire: true}},
		func(d *Deps) { d.Faults = e })
	caFile := labCAFile(t, h)
	fired := func(r result) []string {
		var out []string
		for _, f := range r.o.FaultFirings {
			out = append(out, f.Rule)
		}
		return out
	}

	s := curlLab(t, h.addr, "--cacert", caFile)
	if s.exit != 60 || !strings.Contains(s.out, "certificate has expired") {
		t.Errorf("curl: exit %d %q, want 60 certificate has expired (the chain rule's)", s.exit, s.out)
	}
	if r := h.next(); !slices.Equal(fired(r), []string{"c1"}) || strings.Contains(r.d.Summary+r.d.Cause, "o3") {
		t.Errorf("curl: fired %v (%s); want only c1", fired(r), r.d.Summary)
	}

	s = curlLab(t, h.addr, "--cacert", caFile, "--cert-status")
	if s.exit != 91 {
		t.Errorf("curl --cert-status: exit %d %q, want 91 (the staple of o3)", s.exit, s.out)
	}
	if r := h.next(); !slices.Equal(fired(r), []string{"o3"}) || strings.Contains(r.d.Summary+r.d.Cause, "c1") {
		t.Errorf("curl --cert-status: fired %v (%s); want only o3", fired(r), r.d.Summary)
	}

	// Dialled by IP, a Go client sends no SNI, but it does send
	// status_request: o3 is planned, and refused before it could act.
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", h.addr, &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		_ = c.Close()
		t.Error("Go client without SNI: served, want alert 40")
	}
	if r := h.next(); r.d.Code != explain.CodeSNIMissing || len(r.o.FaultFirings) != 0 || strings.Contains(r.d.Summary+r.d.Cause, "rule") {
		t.Errorf("no SNI: code %s, fired %v, summary %q, cause %q; want sni_missing and no rule", r.d.Code, fired(r), r.d.Summary, r.d.Cause)
	}

	for _, st := range e.List() {
		if st.Fires != 1 {
			t.Errorf("rule %s: %d fires counted, want 1", st.Rule.Name, st.Fires)
		}
	}
}

// TestOCSPTimesNotBlamedForSuiteRefusal: under TLS 1.2 crypto/tls takes
// the certificate before it picks the suite, so a hello it then refuses
// (alert 40: no suite the cipher rule allows) saw no certificate and no
// staple. The ocsp_times rule is neither logged nor counted there; the
// cipher rule that refused is.
func TestOCSPTimesNotBlamedForSuiteRefusal(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Set([]faults.Rule{
		{Name: "o3", Action: faults.ActOCSPTimes, Skew: faults.Duration(2 * time.Hour)},
		{Name: "rsa-only", Action: faults.ActCipher, Ciphers: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}},
	}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: &ClientSSL{}},
		func(d *Deps) { d.Faults = e })
	g := goLab(t, h.addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
	if !strings.Contains(g.out, "handshake failure") {
		t.Errorf("Go client: %q, want alert 40 handshake_failure", g.out)
	}
	r := h.next()
	var names []string
	for _, f := range r.o.FaultFirings {
		names = append(names, f.Rule)
	}
	if slices.Contains(names, "o3") || strings.Contains(r.d.Summary+r.d.Cause, "o3") || r.o.ClientTLS.ServerFlightSent {
		t.Errorf("fired %v, flight sent %v, summary %q; want o3 neither fired nor named", names, r.o.ClientTLS.ServerFlightSent, r.d.Summary)
	}
	if st := e.List(); st[0].Fires != 0 {
		t.Errorf("o3: %d fires counted, want 0", st[0].Fires)
	}
}
