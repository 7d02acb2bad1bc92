package probe

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// clockCase is a probeCase for the server clocks the probe reads: the
// stapled OCSP response's times (step 7) and the answer's Date (step 10),
// with the evidence line each must leave.
type clockCase struct {
	probeCase
	evidence string // a substring of one evidence line of the step in steps
	lang     string
}

// stapleFor signs a "good" OCSP response for pki's leaf, by the
// intermediate that issued it, with the given times.
func stapleFor(t *testing.T, pki testPKI, this, next time.Time) []byte {
	t.Helper()
	der, err := ocsp.CreateResponse(pki.inter.cert, pki.inter.cert, ocsp.Response{
		Status: ocsp.Good, SerialNumber: pki.leaf.cert.SerialNumber, ThisUpdate: this, NextUpdate: next,
	}, pki.inter.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestRunServerClocks: a staple whose times are off by more than OpenSSL's
// five minutes, in either direction and in either TLS version, is named
// with its times and the skew; an answer's Date off by more than a minute
// is named as the server's clock; within those, or with no staple or no
// Date, nothing is. The probe's clock (testClock) is the one judged by,
// not the real one.
func TestRunServerClocks(t *testing.T) {
	pki := newPKI(t)
	base := testBase()
	stapled := func(this, next time.Time, maxVer uint16) func(t *testing.T) string {
		return func(t *testing.T) string {
			c := pki.good()
			c.OCSPStaple = stapleFor(t, pki, this, next)
			return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{c}, MaxVersion: maxVer})
		}
	}
	dated := func(status, headers string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return startServer(t, httpsHandler(&tls.Config{Certificates: []tls.Certificate{pki.good()}}, httpAnswer(status, headers, "hello\n")))
		}
	}
	date := func(d time.Duration) string { return "Date: " + base.Add(d).Format(http.TimeFormat) + "\r\n" }
	cases := []clockCase{
		{probeCase: probeCase{
			name:  "staple from a responder two hours ahead, TLS 1.3",
			serve: stapled(base.Add(2*time.Hour), base.Add(26*time.Hour), 0),
			steps: map[int]want{7: {Warn, "ocsp_not_yet_valid", "its thisUpdate 2026-03-01T14:00:00Z is "}},
			final: want{Warn, "ocsp_not_yet_valid", "not valid yet"},
		}, evidence: "stapled OCSP response: good, producedAt "},
		{probeCase: probeCase{
			name:  "stale staple, two hours past its nextUpdate, TLS 1.2",
			serve: stapled(base.Add(-26*time.Hour), base.Add(-2*time.Hour), tls.VersionTLS12),
			steps: map[int]want{7: {Warn, "ocsp_expired", "its nextUpdate 2026-03-01T10:00:00Z is before this host's clock"}},
			final: want{Warn, "ocsp_expired", "expired 2h0m"},
		}, evidence: "thisUpdate 2026-02-28T10:00:00Z, nextUpdate 2026-03-01T10:00:00Z"},
		{probeCase: probeCase{
			name:  "stale staple in Japanese",
			serve: stapled(base.Add(-26*time.Hour), base.Add(-2*time.Hour), 0),
			steps: map[int]want{7: {Warn, "ocsp_expired", "期限切れ"}},
			final: want{Warn, "ocsp_expired", "nextUpdate 2026-03-01T10:00:00Z"},
		}, evidence: "stapled OCSP response: good", lang: LangJA},
		{probeCase: probeCase{
			name:  "staple two minutes ahead is within OpenSSL's leeway",
			serve: stapled(base.Add(2*time.Minute), base.Add(24*time.Hour), 0),
			steps: map[int]want{7: {Pass, "verified", ""}},
			final: want{Pass, "ok", ""},
		}, evidence: "thisUpdate 2026-03-01T12:02:00Z"},
		{probeCase: probeCase{
			name:  "current staple",
			serve: stapled(base.Add(-time.Hour), base.Add(23*time.Hour), 0),
			steps: map[int]want{7: {Pass, "verified", ""}},
			final: want{Pass, "ok", ""},
		}, evidence: "stapled OCSP response: good"},
		{probeCase: probeCase{
			name:  "staple without nextUpdate never expires by its times",
			serve: stapled(base.Add(-30*24*time.Hour), time.Time{}, 0),
			steps: map[int]want{7: {Pass, "verified", ""}},
			final: want{Pass, "ok", ""},
		}, evidence: "nextUpdate none"},
		{probeCase: probeCase{
			name: "no staple: no OCSP evidence",
			serve: func(t *testing.T) string {
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.good()}})
			},
			steps: map[int]want{7: {Pass, "verified", ""}},
			final: want{Pass, "ok", ""},
		}},
		{probeCase: probeCase{
			name:  "origin clock two hours behind",
			serve: dated("200 OK", date(-2*time.Hour)),
			steps: map[int]want{10: {Warn, "http_date_skew", "its Date Sun, 01 Mar 2026 10:00:00 GMT is 2h0m"}},
			final: want{Warn, "http_date_skew", "the server's clock is behind"},
		}, evidence: "Date: Sun, 01 Mar 2026 10:00:00 GMT, 2h0m"},
		{probeCase: probeCase{
			name:  "origin clock three hours ahead",
			serve: dated("200 OK", date(3*time.Hour)),
			steps: map[int]want{10: {Warn, "http_date_skew", "ahead of this host's clock"}},
			final: want{Warn, "http_date_skew", "the server's clock is ahead"},
		}, evidence: "ahead of this host's clock (2026-03-01T12:00"},
		{probeCase: probeCase{
			name:  "origin clock behind, in Japanese",
			serve: dated("200 OK", date(-2*time.Hour)),
			steps: map[int]want{10: {Warn, "http_date_skew", "サーバの時計が遅れている"}},
			final: want{Warn, "http_date_skew", "Sun, 01 Mar 2026 10:00:00 GMT"},
		}, evidence: "behind this host's clock", lang: LangJA},
		{probeCase: probeCase{
			name:  "a Date within a minute is no skew",
			serve: dated("200 OK", date(-30*time.Second)),
			steps: map[int]want{10: {Pass, "http_ok", ""}},
			final: want{Pass, "ok", ""},
		}, evidence: "within the 1m0s tolerance"},
		{probeCase: probeCase{
			name:  "a cached answer's old Date is excused by its Age",
			serve: dated("200 OK", date(-2*time.Hour)+"Age: 7200\r\n"),
			steps: map[int]want{10: {Pass, "http_ok", ""}},
			final: want{Pass, "ok", ""},
		}, evidence: "counting Age: 7200"},
		{probeCase: probeCase{
			name:  "a cached answer's Date behind by more than its Age: the headline counts the Age",
			serve: dated("200 OK", date(-5*time.Hour)+"Age: 10800\r\n"),
			steps: map[int]want{10: {Warn, "http_date_skew", "its Date Sun, 01 Mar 2026 07:00:00 GMT plus Age 3h0m0s is 2h0m0s behind this host's clock"}},
			final: want{Warn, "http_date_skew", "plus Age 3h0m0s is 2h0m0s behind"},
		}, evidence: "counting Age: 10800"},
		{probeCase: probeCase{
			name:  "a cached answer's Date behind by more than its Age, in Japanese",
			serve: dated("200 OK", date(-5*time.Hour)+"Age: 10800\r\n"),
			steps: map[int]want{10: {Warn, "http_date_skew", "Date Sun, 01 Mar 2026 07:00:00 GMT に Age 3h0m0s を足した時刻がこのホストの時計（2026-03-01T12:00:00Z）より 2h0m0s 遅い"}},
			final: want{Warn, "http_date_skew", "Age 3h0m0s を足した時刻"},
		}, evidence: "counting Age: 10800", lang: LangJA},
		{probeCase: probeCase{
			name:  "a Date ahead plus its Age: the headline counts the Age",
			serve: dated("200 OK", date(time.Hour)+"Age: 3600\r\n"),
			steps: map[int]want{10: {Warn, "http_date_skew", "its Date Sun, 01 Mar 2026 13:00:00 GMT plus Age 1h0m0s is 2h0m0s ahead of this host's clock"}},
			final: want{Warn, "http_date_skew", "the server's clock is ahead"},
		}, evidence: "counting Age: 3600"},
		{probeCase: probeCase{
			name:  "no Date is not a fault",
			serve: dated("200 OK", ""),
			steps: map[int]want{10: {Pass, "http_ok", ""}},
			final: want{Pass, "ok", ""},
		}},
		{probeCase: probeCase{
			name:  "a Date that does not parse is evidence, not a skew",
			serve: dated("200 OK", "Date: yesterday\r\n"),
			steps: map[int]want{10: {Pass, "http_ok", ""}},
			final: want{Pass, "ok", ""},
		}, evidence: `Date "yesterday" is in none of the three formats`},
		{probeCase: probeCase{
			name:  "a failing pool outranks a skewed clock",
			serve: dated("502 Bad Gateway", date(-2*time.Hour)),
			steps: map[int]want{10: {Warn, "http_server_error", "502 Bad Gateway"}},
			final: want{Warn, "http_server_error", ""},
		}, evidence: "2h0m"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.serve(t)
			rep := Run(context.Background(), addr, Options{SNI: "lab.test", Roots: pki.pool, Timeout: 3 * time.Second,
				Now: testClock(), Steps: []int{StepConnect, StepHello, StepChain, StepHTTP}, Lang: tc.lang})
			checkReport(t, rep, tc.probeCase)
			for n := range tc.steps {
				s, _ := rep.Step(n)
				var ocspOrDate []string
				for _, e := range s.Evidence {
					if strings.Contains(e, "OCSP") || strings.Contains(e, "Date") {
						ocspOrDate = append(ocspOrDate, e)
					}
				}
				switch {
				case tc.evidence == "" && len(ocspOrDate) > 0:
					t.Errorf("step %d: evidence %q, want no staple or Date line", n, ocspOrDate)
				case tc.evidence != "" && !strings.Contains(strings.Join(ocspOrDate, "\n"), tc.evidence):
					t.Errorf("step %d: evidence %q, want a line containing %q", n, s.Evidence, tc.evidence)
				}
				if s.Verdict == Warn && (s.Cause == "" || s.Check == "" || strings.Contains(s.Finding+s.Cause+s.Check, "{")) {
					t.Errorf("step %d: a warning without a filled cause and check: %+v", n, s)
				}
			}
		})
	}
}
