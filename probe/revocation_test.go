package probe

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	labpki "github.com/tlsgate/tlsgate/pki"
	"golang.org/x/crypto/ocsp"
)

// revocationCase is a probeCase for a staple's status (step 7), with what
// curl --cert-status prints for the same server.
type revocationCase struct {
	probeCase
	staple   ocsp.Response // SerialNumber is filled in
	leaf     *certSpec     // nil: the test PKI's leaf
	maxVer   uint16
	lang     string
	evidence string // a substring of step 7's evidence
	also     string // a substring of step 7's "also:" evidence, when set
	// curl is what curl --cert-status prints on stderr; "" skips curl,
	// for a certificate the real clock refuses before the staple counts.
	curl string
	// curlInCause: step 7's cause quotes curl's line as it is.
	curlInCause bool
}

// signStaple signs r for leaf by the intermediate that issued it, the
// intermediate travelling in the response as the lab CA's does.
func signStaple(t *testing.T, pki testPKI, leaf issued, r ocsp.Response) []byte {
	t.Helper()
	r.SerialNumber, r.Certificate = leaf.cert.SerialNumber, pki.inter.cert
	der, err := ocsp.CreateResponse(pki.inter.cert, pki.inter.cert, r, pki.inter.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// curlCertStatus fetches https://lab.test:port/ with curl --cert-status,
// trusting only the test root, and returns its exit code and stderr.
func curlCertStatus(t *testing.T, pki testPKI, addr string) (int, string) {
	t.Helper()
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required for the revocation tests (apt-get install curl): %v", err)
	}
	ca := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.root.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.CommandContext(t.Context(), bin, "-q", "-sS", "-o", os.DevNull, "--noproxy", "*",
		"--max-time", "60", // a safety net against a hang, not an assertion
		"--cacert", ca, "--resolve", "lab.test:"+port+":127.0.0.1", "--cert-status", "https://lab.test:"+port+"/")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("run curl: %v", err)
	return -1, ""
}

// TestRunStapleStatus: a staple saying revoked (with its time and reason,
// or none) or unknown is a warning named with a cause and a check, in
// either language and TLS version, ahead of other warnings and behind
// failures. curl --cert-status refuses the same server with exit 91 and
// the line the cause quotes; the probe's clock (testClock) judges the
// staple's times, curl's the real one, so the staples carry no nextUpdate
// unless a case is about one.
func TestRunStapleStatus(t *testing.T) {
	pki := newPKI(t)
	base := testBase()
	revoked := func(reason int) ocsp.Response {
		return ocsp.Response{Status: ocsp.Revoked, RevokedAt: base.Add(-24 * time.Hour), RevocationReason: reason, ThisUpdate: base.Add(-time.Hour)}
	}
	unknown := ocsp.Response{Status: ocsp.Unknown, ThisUpdate: base.Add(-time.Hour)}
	cases := []revocationCase{
		{probeCase: probeCase{
			name:  "revoked for keyCompromise, TLS 1.3",
			steps: map[int]want{7: {Warn, "ocsp_revoked", "the certificate is revoked: since 2026-02-28T12:00:00Z, reason keyCompromise (1)"}},
			final: want{Warn, "ocsp_revoked", "revoked"},
		}, staple: revoked(ocsp.KeyCompromise), evidence: "stapled OCSP response: revoked at 2026-02-28T12:00:00Z, reason keyCompromise (1), producedAt ",
			curl: "curl: (91) SSL certificate revocation reason: keyCompromise (1)", curlInCause: true},
		{probeCase: probeCase{
			name:  "revoked without a reason, TLS 1.2",
			steps: map[int]want{7: {Warn, "ocsp_revoked", "reason none given"}},
			final: want{Warn, "ocsp_revoked", "since 2026-02-28T12:00:00Z"},
		}, staple: revoked(ocsp.Unspecified), maxVer: tls.VersionTLS12, evidence: "revoked at 2026-02-28T12:00:00Z, reason none given",
			curl: "curl: (91) SSL certificate revocation reason: (UNKNOWN) (-1)", curlInCause: true},
		{probeCase: probeCase{
			name:  "revoked as superseded, in Japanese",
			steps: map[int]want{7: {Warn, "ocsp_revoked", "証明書は失効している: 失効日時 2026-02-28T12:00:00Z、理由 superseded (4)"}},
			final: want{Warn, "ocsp_revoked", "superseded (4)"},
		}, staple: revoked(ocsp.Superseded), lang: LangJA, evidence: "reason superseded (4)",
			curl: "curl: (91) SSL certificate revocation reason: superseded (4)", curlInCause: true},
		{probeCase: probeCase{
			name:  "unknown to its responder",
			steps: map[int]want{7: {Warn, "ocsp_unknown", "the responder that signed it does not know serial "}},
			final: want{Warn, "ocsp_unknown", "status is unknown"},
		}, staple: unknown, evidence: "stapled OCSP response: unknown, producedAt ",
			curl: "curl: (91) SSL server certificate status verification FAILED", curlInCause: true},
		{probeCase: probeCase{
			name:  "unknown, in Japanese, TLS 1.2",
			steps: map[int]want{7: {Warn, "ocsp_unknown", "レスポンダがシリアル "}},
			final: want{Warn, "ocsp_unknown", "unknown"},
		}, staple: unknown, maxVer: tls.VersionTLS12, lang: LangJA, evidence: "stapled OCSP response: unknown",
			curl: "curl: (91) SSL server certificate status verification FAILED", curlInCause: true},
		{probeCase: probeCase{
			// curl judges the times first and names only them; the probe
			// names the revocation, which a fresh staple would repeat.
			name:  "revoked and stale: the revocation first, the times also",
			steps: map[int]want{7: {Warn, "ocsp_revoked", "keyCompromise (1)"}},
			final: want{Warn, "ocsp_revoked", ""},
		}, staple: ocsp.Response{Status: ocsp.Revoked, RevokedAt: base.Add(-48 * time.Hour), RevocationReason: ocsp.KeyCompromise,
			ThisUpdate: base.Add(-26 * time.Hour), NextUpdate: base.Add(-2 * time.Hour)},
			also: "also: the stapled OCSP response expired 2h0m0s ago", curl: "curl: (91) OCSP response has expired"},
		{probeCase: probeCase{
			name:  "revoked outranks a certificate expiring soon",
			steps: map[int]want{7: {Warn, "ocsp_revoked", "keyCompromise (1)"}},
			final: want{Warn, "ocsp_revoked", ""},
		}, staple: revoked(ocsp.KeyCompromise), leaf: &certSpec{notAfter: base.Add(10 * 24 * time.Hour)}, also: "also: the certificate expires in "},
		{probeCase: probeCase{
			name:  "an expired certificate outranks its revoked staple",
			steps: map[int]want{7: {Fail, "expired", ""}},
			final: want{Fail, "expired", ""},
		}, staple: revoked(ocsp.KeyCompromise), leaf: &certSpec{notAfter: base.Add(-24 * time.Hour)},
			also: "also: the stapled OCSP response says the certificate is revoked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			leaf := pki.leaf
			if tc.leaf != nil {
				leaf = pki.leafFor(t, *tc.leaf)
			}
			c := chainOf(leaf, pki.inter)
			c.OCSPStaple = signStaple(t, pki, leaf, tc.staple)
			addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{c}, MaxVersion: tc.maxVer})
			rep := Run(context.Background(), addr, Options{SNI: "lab.test", Roots: pki.pool, Timeout: 3 * time.Second,
				Now: testClock(), Steps: []int{StepConnect, StepHello, StepChain}, Lang: tc.lang})
			checkReport(t, rep, tc.probeCase)
			s, _ := rep.Step(StepChain)
			ev := strings.Join(s.Evidence, "\n")
			if !strings.Contains(ev, tc.evidence) || !strings.Contains(ev, tc.also) {
				t.Errorf("step 7 evidence %q, want lines containing %q and %q", s.Evidence, tc.evidence, tc.also)
			}
			if s.Cause == "" || s.Check == "" || strings.Contains(s.Finding+s.Cause+s.Check, "{") {
				t.Errorf("step 7 without a filled cause and check: %+v", s)
			}
			if tc.lang == LangJA && (!hasJapanese(s.Finding) || !hasJapanese(s.Cause) || !hasJapanese(s.Check)) {
				t.Errorf("step 7 not in Japanese: %+v", s)
			}
			if tc.curl == "" {
				return
			}
			code, stderr := curlCertStatus(t, pki, addr)
			if code != 91 || !strings.Contains(stderr, tc.curl) {
				t.Errorf("curl --cert-status: exit %d, %q; want 91 and %q", code, stderr, tc.curl)
			}
			if quoted := strings.TrimPrefix(tc.curl, "curl: "); tc.curlInCause && !strings.Contains(s.Cause, quoted) {
				t.Errorf("step 7 cause %q does not quote curl's %q", s.Cause, quoted)
			}
		})
	}
}

// TestReasonText: a revocation reason reads as curl prints it, and no
// reason (x/crypto's unspecified) reads as none.
func TestReasonText(t *testing.T) {
	for _, tt := range []struct {
		reason int
		want   string
	}{
		{ocsp.Unspecified, ""},
		{ocsp.KeyCompromise, "keyCompromise (1)"},
		{ocsp.CACompromise, "cACompromise (2)"},
		{ocsp.CertificateHold, "certificateHold (6)"},
		{7, "(UNKNOWN) (7)"}, // unused in RFC 5280
		{ocsp.RemoveFromCRL, "removeFromCRL (8)"},
		{ocsp.AACompromise, "aACompromise (10)"},
		{-3, "(UNKNOWN) (-3)"},
	} {
		if got := reasonText(tt.reason); got != tt.want {
			t.Errorf("reasonText(%d) = %q, want %q", tt.reason, got, tt.want)
		}
	}
}

// TestRunLabRevocationChains probes the chains pki mints for the fault
// rules chain = "revoked" and "ocsp_unknown" (the lab CA's own staple, the
// lab CA sent in the chain), as tlsgate serves them: step 7 names them
// as it names any server's.
func TestRunLabRevocationChains(t *testing.T) {
	clock := testClock()
	ca, err := labpki.New(clock, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	m := labpki.NewMinter(ca, clock, rand.Reader)
	for _, tt := range []struct {
		kind labpki.ChainKind
		want want
	}{
		{labpki.ChainRevoked, want{Warn, "ocsp_revoked", "reason keyCompromise (1)"}},
		{labpki.ChainOCSPUnknown, want{Warn, "ocsp_unknown", "status is unknown"}},
	} {
		t.Run(string(tt.kind), func(t *testing.T) {
			c, err := m.BadChain(tt.kind, "lab.test", 0)
			if err != nil {
				t.Fatal(err)
			}
			addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{*c}})
			rep := Run(context.Background(), addr, Options{SNI: "lab.test", Roots: ca.Pool(), Timeout: 3 * time.Second,
				Now: clock, Steps: []int{StepConnect, StepHello, StepChain}})
			checkReport(t, rep, probeCase{steps: map[int]want{7: tt.want}, final: want{Warn, tt.want.code, ""}})
			if s, _ := rep.Step(StepChain); slices.ContainsFunc(s.Evidence, func(e string) bool { return strings.HasPrefix(e, "also: ") }) {
				t.Errorf("step 7 finds more than the staple: %q", s.Evidence)
			}
		})
	}
}
