package probe

import (
	"strings"
	"time"
)

// Verdict is how one step came out.
type Verdict string

// The four verdicts a step can have. Only Fail makes the probe fail; Warn
// marks something that works today but breaks some clients; Info is a fact
// (or a step that was skipped) that judges nothing.
const (
	Pass Verdict = "pass"
	Fail Verdict = "fail"
	Warn Verdict = "warn"
	Info Verdict = "info"
)

// Step is the result of one checklist item.
type Step struct {
	Number   int       `json:"step"`
	Name     string    `json:"name"`  // stable key: "tcp_connect", "versions", …
	Title    string    `json:"title"` // what the operator asked: "TCP connect"
	Verdict  Verdict   `json:"verdict"`
	Code     string    `json:"code"`    // stable finding key: "plain_http", "incomplete_chain", …
	Finding  string    `json:"finding"` // one line
	Evidence []string  `json:"evidence,omitempty"`
	Cause    string    `json:"cause,omitempty"` // likely cause, for failures and warnings
	Check    string    `json:"check,omitempty"` // the first thing to check
	Attempts []Attempt `json:"attempts,omitempty"`
	// ElapsedMS is the wall time the step took, by the injected clock.
	ElapsedMS float64 `json:"elapsed_ms"`
}

// Attempt is one connection a step made: one version, one cipher family,
// one SNI variant, one ClientHello size.
type Attempt struct {
	Label     string  `json:"label"`  // "TLS 1.2", "ECDHE-RSA AES-GCM", "no SNI" …
	OK        bool    `json:"ok"`     // the handshake (or the raw exchange) succeeded
	Result    string  `json:"result"` // "ok", "alert", "reset", "closed", "timeout", "not_tls", "error", "dial"
	Detail    string  `json:"detail"` // negotiated parameters, or the error with evidence
	HelloLen  int     `json:"hello_bytes,omitempty"`
	ElapsedMS float64 `json:"elapsed_ms"`
}

// Final is the probe's overall verdict: the most likely cause among the
// steps, or "no problem found".
type Final struct {
	Verdict Verdict `json:"verdict"`
	Step    int     `json:"step,omitempty"` // the step the verdict comes from, 0 when all passed
	Code    string  `json:"code"`
	Summary string  `json:"summary"`
	Cause   string  `json:"cause,omitempty"`
	Check   string  `json:"check,omitempty"`
}

// Report is everything one probe run found.
type Report struct {
	Target  string    `json:"target"`
	Lang    string    `json:"lang"`              // the language of the texts: "en" or "ja"
	Address string    `json:"address,omitempty"` // the address TCP connected to
	SNI     string    `json:"sni,omitempty"`     // the name sent as SNI and verified, "" when none
	Started time.Time `json:"started"`
	Steps   []Step    `json:"steps"`
	Final   Final     `json:"final"`
}

// Failed reports whether any step failed.
func (r Report) Failed() bool {
	for _, s := range r.Steps {
		if s.Verdict == Fail {
			return true
		}
	}
	return false
}

// Step returns the result of step n and whether it ran.
func (r Report) Step(n int) (Step, bool) {
	for _, s := range r.Steps {
		if s.Number == n {
			return s, true
		}
	}
	return Step{}, false
}

// causeOrder ranks the steps when picking the most likely cause: a step whose
// failure explains the others comes first (no TCP explains everything; a
// non-TLS answer explains every failed handshake; a stalled flight explains
// every timeout that follows). The HTTP layer comes last: it matters only
// once TLS works.
func causeOrder() []int {
	return []int{StepConnect, StepBanner, StepHello, StepFlight, StepLargeHello, StepChain, StepSNI, StepVersions, StepCiphers, StepHTTP}
}

// generic reports a code that names a symptom, not a cause: a bare alert to
// the first hello, or "nothing works". Another failing step usually says
// why (no shared cipher, SNI required), so the final verdict takes that one
// and falls back to the symptom only when nothing better was found.
func generic(code string) bool {
	return strings.HasPrefix(code, "alert_") || code == "no_variant" || code == "no_version"
}

// finalVerdict picks the failure (or else the warning) that most likely
// explains what a client sees.
func finalVerdict(steps []Step, t tr) Final {
	for _, want := range []Verdict{Fail, Warn} {
		for _, allowGeneric := range []bool{false, true} {
			for _, n := range causeOrder() {
				for _, s := range steps {
					if s.Number != n || s.Verdict != want || generic(s.Code) != allowGeneric {
						continue
					}
					f := Final{Verdict: want, Step: n, Code: s.Code, Summary: s.Finding, Cause: s.Cause, Check: s.Check}
					if want == Warn {
						f.Summary = t.f("final.warn", "finding", s.Finding)
					}
					return f
				}
			}
		}
	}
	f := Final{Verdict: Pass, Code: "ok", Summary: t.f("final.ok")}
	if len(steps) == 0 {
		f.Verdict, f.Code, f.Summary = Info, "nothing_run", t.f("final.nothing_run")
		return f
	}
	var passed int
	for _, s := range steps {
		if s.Verdict == Pass {
			passed++
		}
	}
	if passed == 0 {
		f.Verdict, f.Code, f.Summary = Info, "nothing_judged", t.f("final.nothing_judged")
	}
	return f
}
