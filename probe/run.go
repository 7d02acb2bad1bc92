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
	t        tr
	addr     string // host:port to dial
	host     string
	sni      string // sent as server_name; "" for none
	name     string // verified against the certificate: sni, else the IP literal
	address  string // where TCP connected, for the report
	done     map[int]Step
	helloRep string // step 3's reply kind
	// helloSkip is step 3's reason to skip the later steps, already in the
	// report's language: the answer was not TLS, or the full flight never
	// arrives. "" lets them run.
	helloSkip string
	// needCert is set by step 3 when the server requires a client
	// certificate: every later handshake fails the same way, except that
	// step 7 can still verify the chain the server sent before asking.
	needCert bool
	tls12    int // step 4's view of TLS 1.2: 0 unknown, 1 accepted, -1 refused
}

// execOrder is the order steps run in. Step 9 runs right after step 3: if
// the server's flight stalls, every later handshake would stall the same
// way, one timeout each, so they are skipped. Step 6 runs before 4 and 5:
// when the server refuses every hello without SNI and the probe has no name
// to send, versions and ciphers cannot be judged.
func execOrder() []int {
	return []int{StepConnect, StepBanner, StepHello, StepFlight, StepSNI, StepVersions, StepCiphers, StepChain, StepLargeHello, StepHTTP}
}

// Run walks the checklist against target (HOST:PORT) and returns the report.
// It only ever connects to target, through o.Dial. Cancelling ctx stops the
// run; the steps not yet run are reported as skipped.
func Run(ctx context.Context, target string, o Options) Report {
	o = o.withDefaults()
	t := newTr(o.Lang)
	rep := Report{Target: target, Lang: o.Lang, Started: o.Now()}
	host, port, err := SplitTarget(target)
	if err != nil {
		name := stepName(StepConnect)
		rep.Steps = []Step{{Number: StepConnect, Name: name, Title: t.f("title." + name), Verdict: Fail, Code: "bad_target",
			Finding: t.f("connect.bad_target", "err", err.Error()), Check: t.f("connect.bad_target.check")}}
		rep.Final = finalVerdict(rep.Steps, t)
		return rep
	}
	p := &prober{o: o, t: t, addr: net.JoinHostPort(host, port), host: host, sni: o.SNI, done: map[int]Step{}}
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
			s = Step{Verdict: Info, Code: "skipped", Finding: t.f("skip", "why", why)}
		} else {
			s = p.runStep(ctx, n)
		}
		s.Number = n
		s.Name = stepName(n)
		s.Title = t.f("title." + s.Name)
		s.ElapsedMS = ms(o.Now().Sub(start))
		p.done[n] = s
	}
	for _, n := range AllSteps() {
		if s, ok := p.done[n]; ok {
			rep.Steps = append(rep.Steps, s)
		}
	}
	rep.Address = p.address
	rep.Final = finalVerdict(rep.Steps, t)
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
	case StepHTTP:
		return p.stepHTTP(ctx)
	}
	return Step{Verdict: Info, Code: "unknown_step", Finding: fmt.Sprintf("no step %d", n)}
}

// skipReason says why step n need not run, given the steps already done,
// or "" when it should run.
func (p *prober) skipReason(ctx context.Context, n int) string {
	t := p.t
	if ctx.Err() != nil {
		return t.f("skip.cancelled")
	}
	if s, ok := p.done[StepConnect]; ok && s.Verdict == Fail && n != StepConnect {
		return t.f("skip.connect")
	}
	if n < StepVersions {
		return ""
	}
	if p.helloSkip != "" {
		return p.helloSkip
	}
	if p.needCert && n != StepChain {
		return t.f("skip.client_cert")
	}
	if s, ok := p.done[StepFlight]; ok && s.Code == codeFlightStall && n != StepFlight {
		return t.f("skip.flight")
	}
	if s, ok := p.done[StepSNI]; ok && s.Code == "sni_required" && s.Verdict == Fail && (n == StepVersions || n == StepCiphers) {
		return t.f("skip.sni")
	}
	if n == StepCiphers && p.tls12 < 0 {
		return t.f("skip.no_tls12")
	}
	return ""
}

// isTLSReply reports whether step 3's reply was TLS of some kind (a hello,
// a retry, an alert, a record that stalled), after which handshake steps
// still tell something.
func isTLSReply(kind string) bool {
	return kind == replyServerHello || kind == replyHRR || kind == replyAlert || kind == replyStalled
}
