package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// stepHello is step 3: send a ClientHello (TLS 1.0–1.3, every suite, one
// small key share) and judge the raw answer. A failure that is not TLS
// tells the later steps to stand down.
func (p *prober) stepHello(ctx context.Context) Step {
	s := p.helloAnswer(ctx)
	if s.Verdict == Fail && !isTLSReply(p.helloRep) && p.helloSkip == "" {
		p.helloSkip = p.t.f("skip.not_tls")
	}
	return s
}

// helloAnswer sends the hello and judges what comes back.
func (p *prober) helloAnswer(ctx context.Context) Step {
	t := p.t
	hello, err := helloBytes(p.baseConfig())
	if err != nil {
		return Step{Verdict: Info, Code: "no_hello", Finding: t.f("hello.no_hello"), Evidence: []string{err.Error()}}
	}
	sniNote := "SNI " + p.sni
	if p.sni == "" {
		sniNote = "no SNI: the target is an IP literal and --sni was not given"
	}
	sent := fmt.Sprintf("sent a %s-byte ClientHello (TLS 1.0–1.3, %s)", fmtInt(len(hello)), sniNote)
	rr, stage, err := p.rawExchange(ctx, hello)
	switch stage {
	case stageDial:
		return Step{Verdict: Fail, Code: "dial", Finding: t.f("hello.dial"), Evidence: []string{err.Error()},
			Cause: t.f("hello.dial.cause"), Check: t.f("hello.dial.check")}
	case stageWrite:
		return Step{Verdict: Fail, Code: "write_failed", Finding: t.f("hello.write_failed"), Evidence: []string{sent, err.Error()},
			Cause: t.f("hello.write_failed.cause"), Check: t.f("hello.write_failed.check")}
	}
	p.helloRep = rr.r.kind
	ev := []string{sent}
	if len(rr.b) == 0 {
		p.helloRep = rr.result
		return p.helloSilence(ctx, rr, len(hello), append(ev, rr.errText()))
	}
	ev = append(ev, fmt.Sprintf("first byte after %s: %s", fmtDur(rr.took), sniff.HexDump(rr.b, 32)))
	s := Step{Verdict: Fail, Evidence: ev}
	switch rr.r.kind {
	case replyServerHello, replyHRR:
		s.Verdict, s.Code = Pass, "tls"
		s.Finding = t.f("hello.tls", "version", explain.VersionName(rr.r.version), "cipher", tls.CipherSuiteName(rr.r.cipher))
		if rr.r.kind == replyHRR {
			s.Code = "tls_hello_retry"
			s.Finding = t.f("hello.hrr", "cipher", tls.CipherSuiteName(rr.r.cipher))
		}
		if rr.r.version == 0x0300 { // SSL 3.0: crypto/tls deprecates the constant; we only name what the server chose
			s.Verdict, s.Code = Fail, "sslv3"
			s.Finding = t.f("hello.sslv3")
			s.Cause = t.f("hello.sslv3.cause")
			s.Check = t.f("hello.sslv3.check")
			break
		}
		p.clientCertCheck(ctx, &s)
	case replyAlert:
		p.alertFinding(&s, rr.r.alert)
	case replyHTTP:
		s.Code = "plain_http"
		s.Finding = t.f("hello.plain_http", "line", fmt.Sprintf("%q", rr.r.line))
		s.Cause = t.f("hello.plain_http.cause")
		s.Check = t.f("hello.plain_http.check")
	case replySSH:
		s.Code = "ssh"
		s.Finding = t.f("hello.ssh", "line", fmt.Sprintf("%q", rr.r.line))
		s.Cause = t.f("ssh.cause")
		s.Check = t.f("hello.ssh.check")
	case replyGreeting, replyIMAP, replyPOP3:
		s.Code = "starttls_protocol"
		s.Finding = t.f("hello.starttls", "line", fmt.Sprintf("%q", rr.r.line))
		s.Cause = t.f("hello.starttls.cause")
		s.Check = t.f("hello.starttls.check")
	case replyTLSOther:
		if w := walkRecords(rr.b); rr.result == resTimeout && w.partial && w.complete == 0 && w.partialType == 22 {
			// The first handshake record started and stopped: the flight
			// stalls before even the ServerHello is whole.
			p.helloRep = replyStalled
			s.Code = codeFlightStall
			s.Finding = t.f("hello.stall_first_record", "bytes_n", t.bytes(len(rr.b)))
			s.Evidence = append(s.Evidence, flightShape(w))
			s.Cause = t.f("pmtu.cause")
			s.Check = t.f("pmtu.check")
			break
		}
		s.Code = "tls_unexpected"
		s.Finding = t.f("hello.tls_unexpected", "detail", rr.r.detail)
		s.Cause = t.f("hello.tls_unexpected.cause")
		s.Check = t.f("hello.tls_unexpected.check")
	default:
		s.Code = "not_tls"
		s.Finding = t.f("hello.not_tls", "reply", describeReply(rr.r, t))
		s.Cause = t.f("hello.not_tls.cause")
		s.Check = t.f("which_service.check")
	}
	return s
}

// Where a raw exchange failed before any reply could be read.
const (
	stageDial  = "dial"
	stageWrite = "write"
)

// rawExchange dials the target, writes payload and reads the first record
// or line of the answer, within the per-attempt timeout.
func (p *prober) rawExchange(ctx context.Context, payload []byte) (rawReply, string, error) {
	conn, err := p.dial(ctx)
	if err != nil {
		return rawReply{}, stageDial, err
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(p.o.Timeout))
	if _, err := conn.Write(payload); err != nil {
		return rawReply{}, stageWrite, fmt.Errorf("probe: write to %s: %w", p.addr, err)
	}
	return p.readReply(ctx, conn, time.Now().Add(p.o.Timeout)), "", nil
}

// helloSilence judges a ClientHello that got no bytes back. A reset or a
// close is followed by a plain HTTP request (is this a plaintext port?) and
// a hello with another name (does the reset follow the name?); a silence by
// a hello whose answer is small (is it the hello or the answer that is
// lost?).
func (p *prober) helloSilence(ctx context.Context, rr rawReply, helloLen int, ev []string) Step {
	t := p.t
	s := Step{Verdict: Fail, Evidence: ev}
	switch rr.result {
	case resReset, resClosed:
		how := t.f("word." + rr.result)
		if line, got := p.plainHTTPCheck(ctx); got {
			s.Code = "plaintext_port"
			s.Evidence = append(s.Evidence, fmt.Sprintf("a plain-text GET / on the same port got %q", line))
			s.Finding = t.f("hello.plaintext_port", "how", how, "line", fmt.Sprintf("%q", line))
			s.Cause = t.f("hello.plaintext_port.cause")
			s.Check = t.f("hello.plaintext_port.check")
			return s
		}
		s.Code = rr.result + "_after_hello"
		s.Finding = t.f("hello."+rr.result+"_after_hello", "took", fmtDur(rr.took))
		s.Cause = t.f("hello." + rr.result + "_after_hello.cause")
		s.Check = t.f("hello." + rr.result + "_after_hello.check")
		name, answered, detail := p.otherNameCheck(ctx)
		if name != "" {
			s.Evidence = append(s.Evidence, fmt.Sprintf("the same ClientHello with SNI %s: %s", name, detail))
			if answered {
				s.Finding += t.f("hello.follows_name", "other", name)
				s.Cause = t.f("hello.follows_name.cause", "sni", p.sniOrNone())
				s.Check = t.f("hello.follows_name.check", "sni", p.sniOrNone())
				return s
			}
		}
		// Not the name: a listener that wants a PROXY header resets every
		// hello without one, so the probe sends one itself.
		if p.proxyFinding(ctx, &s) || p.versionFinding(ctx, &s) {
			return s
		}
		if rr.result == resReset && name != "" {
			// Another name is reset the same way: the SNI advice does not
			// fit, and a dead pool behind a passthrough resets alike.
			s.Cause = t.f("hello.reset_any_name.cause")
			s.Check = t.f("hello.reset_any_name.check")
		}
	case resTimeout:
		s.Code = "no_answer"
		s.Finding = t.f("hello.no_answer", "timeout", fmtDur(p.o.Timeout))
		s.Cause = t.f("hello.no_answer.cause_broad", "bytes", fmtInt(helloLen))
		s.Check = t.f("hello.no_answer.check")
		small, err := retryHello(p.baseConfig())
		if err != nil {
			s.Evidence = append(s.Evidence, "could not build a hello without key shares: "+err.Error())
			return s
		}
		sr, _, err := p.rawExchange(ctx, small)
		switch {
		case err != nil:
			s.Evidence = append(s.Evidence, "hello without key shares: "+err.Error())
		case len(sr.b) > 0 && (sr.r.kind == replyHRR || sr.r.kind == replyAlert):
			s.Code = codeFlightStall
			s.Evidence = append(s.Evidence, fmt.Sprintf("a %s-byte TLS 1.3 ClientHello without a key share got a %s-byte answer (%s): %s",
				fmtInt(len(small)), fmtInt(len(sr.b)), sr.r.kind, sniff.HexDump(sr.b, 16)))
			s.Finding = t.f("hello.small_reply", "bytes", fmtInt(len(sr.b)))
			s.Cause = t.f("pmtu.cause")
			s.Check = t.f("pmtu.check")
			p.helloSkip = t.f("skip.flight3")
		case len(sr.b) == 0 && sr.result == resTimeout:
			s.Evidence = append(s.Evidence, fmt.Sprintf("a %s-byte TLS 1.3 ClientHello without a key share, which a server answers with a short HelloRetryRequest, got no answer either",
				fmtInt(len(small))))
			s.Cause = t.f("hello.no_answer.cause")
		default:
			s.Evidence = append(s.Evidence, "hello without key shares: "+sr.errText()+" "+sniff.HexDump(sr.b, 16))
		}
	default:
		s.Code = "read_error"
		s.Finding = t.f("hello.read_error")
		s.Check = t.f("hello.read_error.check")
	}
	return s
}

// proxyFinding tries the step's hello after a PROXY v1 and a v2 header
// naming the probe's own connection, records each try, and when one gets
// a TLS answer says the listener requires the header (true).
func (p *prober) proxyFinding(ctx context.Context, s *Step) bool {
	hello, err := helloBytes(p.baseConfig())
	if err != nil {
		return false
	}
	t := p.t
	for _, try := range p.proxyCheck(ctx, hello) {
		s.Evidence = append(s.Evidence, fmt.Sprintf("the same ClientHello after a PROXY v%d header %s: %s", try.version, try.header, try.detail))
		if try.answered {
			v := fmt.Sprintf("v%d", try.version)
			s.Code = "proxy_required"
			s.Finding += t.f("hello.needs_proxy", "version", v)
			s.Cause = t.f("hello.needs_proxy.cause", "version", v)
			s.Check = t.f("hello.needs_proxy.check", "version", v)
			p.helloSkip = t.f("skip.needs_proxy", "version", v)
			return true
		}
	}
	return false
}

// plainHTTPCheck sends a plain-text GET / and reports the status line when
// an HTTP server answers it: the port speaks HTTP without TLS.
func (p *prober) plainHTTPCheck(ctx context.Context) (string, bool) {
	rr, _, err := p.rawExchange(ctx, []byte(p.httpRequest()))
	if err != nil || rr.r.kind != replyHTTP {
		return "", false
	}
	return rr.r.line, true
}

// otherNameCheck sends the step's hello with another SNI (a name that
// cannot exist) and says whether a TLS answer comes back. name is "" when
// the hello could not be built.
func (p *prober) otherNameCheck(ctx context.Context) (name string, answered bool, detail string) {
	cfg := p.baseConfig()
	cfg.ServerName = bogusSNI
	hello, err := helloBytes(cfg)
	if err != nil {
		return "", false, ""
	}
	rr, _, err := p.rawExchange(ctx, hello)
	switch {
	case err != nil:
		return bogusSNI, false, err.Error()
	case len(rr.b) == 0:
		return bogusSNI, false, "no TLS answer either (" + rr.errText() + ")"
	case isTLSReply(rr.r.kind) && rr.r.kind != replyStalled:
		return bogusSNI, true, "a TLS answer (" + rr.r.kind + "): " + sniff.HexDump(rr.b, 16)
	}
	return bogusSNI, false, describeReply(rr.r, p.t.en())
}

// sniOrNone names the SNI the probe sends, for a sentence.
func (p *prober) sniOrNone() string {
	if p.sni == "" {
		return p.t.f("word.no_sni")
	}
	return p.sni
}

// httpRequest is the request the probe sends, over TLS in step 10 and in
// plain text when step 3 suspects a plaintext port.
func (p *prober) httpRequest() string {
	_, port, _ := net.SplitHostPort(p.addr)
	host := net.JoinHostPort(p.name, port)
	return "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: tlsgate-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"
}

// alertFinding fills a step for an alert received in answer to a hello.
func (p *prober) alertFinding(s *Step, alert int) {
	t := p.t
	name := explain.AlertName(alert)
	s.Finding = t.f("hello.alert", "n", fmt.Sprint(alert), "name", name)
	s.Code = "alert_" + name
	switch alert {
	case 112:
		s.Code = "sni_required"
		if p.sni == "" {
			s.Finding += t.f("hello.alert112.none")
			s.Cause = t.f("hello.alert112.none.cause")
			s.Check = t.f("sni_required.check")
			return
		}
		s.Code = "sni_unknown"
		s.Finding += t.f("hello.alert112.name", "sni", p.sni)
		s.Cause = t.f("hello.alert112.name.cause", "sni", p.sni)
		s.Check = t.f("hello.alert112.name.check", "sni", p.sni)
	case 40:
		s.Cause = t.f("hello.alert40.cause")
		s.Check = t.f("hello.alert40.check")
	case 70:
		s.Cause = t.f("hello.alert70.cause")
		s.Check = t.f("hello.alert70.check")
	case 49:
		s.Cause = t.f("hello.alert49.cause")
		s.Check = t.f("hello.alert49.check")
	case 80:
		s.Cause = t.f("hello.alert80.cause")
		s.Check = t.f("hello.alert80.check")
	default:
		s.Cause = t.f("hello.alert.cause")
		s.Check = t.f("hello.alert.check")
	}
}
