package probe

import (
	"context"
	"fmt"
	"net"
	"slices"
)

// prober holds one run's settings and what earlier steps learnt, so later
// steps can skip work an earlier failure already explains.
type prober struct {
	o        Options
	addr     string // host:port to dial
	host     string
	sni      string // sent as server_name; "" for none
	name     string // verified against the certificate: sni, else the IP literal
	address  string // where TCP connected, for the report
	done     map[int]Step
	helloRep string // step 3's reply kind
	tls12    int    // step 4's view of TLS 1.2: 0 unknown, 1 accepted, -1 refused
}

// execOrder is the order steps run in. Step 9 runs right after step 3: if
// the server's flight stalls, every later handshake would stall the same
// way, one timeout each, so they are skipped.
func execOrder() []int {
	return []int{StepConnect, StepBanner, StepHello, StepFlight, StepVersions, StepCiphers, StepSNI, StepChain, StepLargeHello}
}

// Run walks the checklist against target (HOST:PORT) and returns the report.
// It only ever connects to target, through o.Dial. Cancelling ctx stops the
// run; the steps not yet run are reported as skipped.
func Run(ctx context.Context, target string, o Options) Report {
	o = o.withDefaults()
	rep := Report{Target: target, Started: o.Now()}
	host, port, err := SplitTarget(target)
	if err != nil {
		name, title := stepMeta(StepConnect)
		rep.Steps = []Step{{Number: StepConnect, Name: name, Title: title, Verdict: Fail, Code: "bad_target",
			Finding: err.Error(), Check: "give the target as HOST:PORT, e.g. lab.test:443 or [::1]:8443"}}
		rep.Final = finalVerdict(rep.Steps)
		return rep
	}
	p := &prober{o: o, addr: net.JoinHostPort(host, port), host: host, sni: o.SNI, done: map[int]Step{}}
	if p.sni == "" && net.ParseIP(host) == nil {
		p.sni = host
	}
	p.name = p.sni
	if p.name == "" {
		p.name = host
	}
	rep.SNI = p.sni
	for _, n := range execOrder() {
		if !slices.Contains(o.Steps, n) {
			continue
		}
		start := o.Now()
		var s Step
		if why := p.skipReason(ctx, n); why != "" {
			s = Step{Verdict: Info, Code: "skipped", Finding: "skipped: " + why}
		} else {
			s = p.runStep(ctx, n)
		}
		s.Number = n
		s.Name, s.Title = stepMeta(n)
		s.ElapsedMS = ms(o.Now().Sub(start))
		p.done[n] = s
	}
	for _, n := range AllSteps() {
		if s, ok := p.done[n]; ok {
			rep.Steps = append(rep.Steps, s)
		}
	}
	rep.Address = p.address
	rep.Final = finalVerdict(rep.Steps)
	return rep
}

// runStep dispatches one step.
func (p *prober) runStep(ctx context.Context, n int) Step {
	switch n {
	case StepConnect:
		return p.stepConnect(ctx)
	case StepBanner:
		return p.stepBanner(ctx)
	case StepHello:
		return p.stepHello(ctx)
	case StepVersions:
		return p.stepVersions(ctx)
	case StepCiphers:
		return p.stepCiphers(ctx)
	case StepSNI:
		return p.stepSNI(ctx)
	case StepChain:
		return p.stepChain(ctx)
	case StepLargeHello:
		return p.stepLargeHello(ctx)
	case StepFlight:
		return p.stepFlight(ctx)
	}
	return Step{Verdict: Info, Code: "unknown_step", Finding: fmt.Sprintf("no step %d", n)}
}

// skipReason says why step n need not run, given the steps already done,
// or "" when it should run.
func (p *prober) skipReason(ctx context.Context, n int) string {
	if ctx.Err() != nil {
		return "the probe was cancelled"
	}
	if s, ok := p.done[StepConnect]; ok && s.Verdict == Fail && n != StepConnect {
		return "TCP connect failed (step 1)"
	}
	if n < StepVersions {
		return ""
	}
	if s, ok := p.done[StepHello]; ok && s.Verdict == Fail && !isTLSReply(p.helloRep) {
		return "the server did not answer the ClientHello with TLS (step 3)"
	}
	if s, ok := p.done[StepFlight]; ok && s.Code == codeFlightStall && n != StepFlight {
		return "the server's handshake flight stalls (step 9); every handshake would stall the same way"
	}
	if n == StepCiphers && p.tls12 < 0 {
		return "the server refuses TLS 1.2 (step 4); cipher families are a TLS 1.2 question, and every TLS 1.3 suite is AEAD"
	}
	return ""
}

// isTLSReply reports whether step 3's reply was TLS of some kind (a hello,
// a retry, an alert, a record that stalled), after which handshake steps
// still tell something.
func isTLSReply(kind string) bool {
	return kind == replyServerHello || kind == replyHRR || kind == replyAlert || kind == replyStalled
}
