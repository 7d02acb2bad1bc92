package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// stepHello is step 3: send a ClientHello (TLS 1.0–1.3, every suite, one
// small key share) and judge the raw answer.
func (p *prober) stepHello(ctx context.Context) Step {
	hello, err := helloBytes(p.baseConfig())
	if err != nil {
		return Step{Verdict: Info, Code: "no_hello", Finding: "could not build a ClientHello", Evidence: []string{err.Error()}}
	}
	conn, err := p.dial(ctx)
	if err != nil {
		return Step{Verdict: Fail, Code: "dial", Finding: "could not connect to send a ClientHello", Evidence: []string{err.Error()},
			Cause: "the port stopped accepting connections between steps", Check: "rerun step 1"}
	}
	defer conn.Close()
	sniNote := "SNI " + p.sni
	if p.sni == "" {
		sniNote = "no SNI: the target is an IP literal and --sni was not given"
	}
	sent := fmt.Sprintf("sent a %s-byte ClientHello (TLS 1.0–1.3, %s)", fmtInt(len(hello)), sniNote)
	_ = conn.SetWriteDeadline(time.Now().Add(p.o.Timeout))
	if _, err := conn.Write(hello); err != nil {
		return Step{Verdict: Fail, Code: "write_failed", Finding: "the ClientHello could not be sent", Evidence: []string{sent, err.Error()},
			Cause: "the connection was reset as soon as it opened", Check: "firewall or IPS rules for this port"}
	}
	rr := p.readReply(ctx, conn, time.Now().Add(p.o.Timeout))
	p.helloRep = rr.r.kind
	ev := []string{sent}
	if len(rr.b) > 0 {
		ev = append(ev, fmt.Sprintf("first byte after %s: %s", fmtDur(rr.took), sniff.HexDump(rr.b, 32)))
	}
	if len(rr.b) == 0 {
		p.helloRep = rr.result
		return p.helloSilence(rr, len(hello), append(ev, rr.errText()))
	}
	s := Step{Verdict: Fail, Evidence: ev}
	switch rr.r.kind {
	case replyServerHello, replyHRR:
		s.Verdict, s.Code = Pass, "tls"
		s.Finding = fmt.Sprintf("a TLS ServerHello: %s, %s", explain.VersionName(rr.r.version), tls.CipherSuiteName(rr.r.cipher))
		if rr.r.kind == replyHRR {
			s.Code = "tls_hello_retry"
			s.Finding = fmt.Sprintf("a TLS 1.3 HelloRetryRequest (%s): the server wants a key share for another group", tls.CipherSuiteName(rr.r.cipher))
		}
		if rr.r.version == tls.VersionSSL30 { //nolint:staticcheck // naming what the server chose, not offering it
			s.Verdict, s.Code = Fail, "sslv3"
			s.Finding = "the server answered a TLS 1.0–1.3 ClientHello with an SSLv3 ServerHello"
			s.Cause = "an SSLv3-only server (or a broken version negotiation): every current client refuses SSLv3"
			s.Check = "upgrade or reconfigure the server to TLS 1.2 or later"
		}
	case replyAlert:
		p.alertFinding(&s, rr.r.alert)
	case replyHTTP:
		s.Code = "plain_http"
		s.Finding = fmt.Sprintf("plain HTTP on this port: the server answered the ClientHello with %q", rr.r.line)
		s.Cause = "the port serves plaintext HTTP, not TLS: a listener without TLS, a proxy's error page, or a captive portal (curl says 'wrong version number', Go 'first record does not look like a TLS handshake')"
		s.Check = "the port (https:// on an http port?), and whether TLS is enabled on this listener or virtual server (its client-ssl profile)"
	case replySSH:
		s.Code = "ssh"
		s.Finding = fmt.Sprintf("not TLS: an SSH server answered %q", rr.r.line)
		s.Cause = "this port runs SSH, not TLS"
		s.Check = "the port number, and any port forward or NAT rule that sends this port to the SSH daemon"
	case replyGreeting, replyIMAP, replyPOP3:
		s.Code = "starttls_protocol"
		s.Finding = fmt.Sprintf("not TLS: a plaintext mail or file-transfer server answered %q", rr.r.line)
		s.Cause = "a protocol that upgrades with STARTTLS, on a port the client treats as implicit TLS"
		s.Check = "use STARTTLS (openssl s_client -starttls …) or the protocol's implicit-TLS port"
	case replyTLSOther:
		if w := walkRecords(rr.b); rr.result == resTimeout && w.partial && w.complete == 0 && w.partialType == 22 {
			// The first handshake record started and stopped: the flight
			// stalls before even the ServerHello is whole.
			p.helloRep = replyStalled
			s.Code = codeFlightStall
			s.Finding = fmt.Sprintf("looks like a PMTUD black hole: the answer stalls inside its first record (%s bytes, then nothing); check the tunnel MTU / MSS clamping", fmtInt(len(rr.b)))
			s.Evidence = append(s.Evidence, flightShape(w))
			s.Cause = "the server's first flight leaves in full-size packets that are lost on the way back while small ones pass: a tunnel or VPN with a lower MTU, and the ICMP 'fragmentation needed' messages filtered"
			s.Check = "the tunnel MTU and MSS clamping: ping -M do -s 1472 toward the server fails while smaller sizes pass"
			break
		}
		s.Code = "tls_unexpected"
		s.Finding = "a TLS record that is not a ServerHello: " + rr.r.detail
		s.Cause = "a broken or non-conforming TLS server, or a middlebox that rewrites the handshake"
		s.Check = "a packet capture of the handshake"
	default:
		s.Code = "not_tls"
		s.Finding = "not TLS: the server answered " + describeReply(rr.r)
		s.Cause = "the port runs another protocol"
		s.Check = "which service listens on this port"
	}
	return s
}

// helloSilence judges a ClientHello that got no bytes back.
func (p *prober) helloSilence(rr rawReply, helloLen int, ev []string) Step {
	s := Step{Verdict: Fail, Evidence: ev}
	switch rr.result {
	case resReset:
		s.Code = "reset_after_hello"
		s.Finding = fmt.Sprintf("the connection was reset right after the ClientHello (%s)", fmtDur(rr.took))
		s.Cause = "a firewall, IPS or WAF resets on the ClientHello (often an SNI or fingerprint match), or the server refused the connection without TLS"
		s.Check = "the firewall/IPS logs for this client and name; probe with another --sni to see whether the reset follows the name"
	case resClosed:
		s.Code = "closed_after_hello"
		s.Finding = fmt.Sprintf("the server closed the connection (FIN) right after the ClientHello, without an alert (%s)", fmtDur(rr.took))
		s.Cause = "the server or a middlebox dropped the hello without a TLS answer: a policy that closes, a non-TLS service that gave up, or a server with no certificate for this name"
		s.Check = "the server's handshake-error log at this time; which service listens on the port"
	case resTimeout:
		s.Code = "no_answer"
		s.Finding = fmt.Sprintf("no answer to the ClientHello within %s (a silent drop)", fmtDur(p.o.Timeout))
		s.Cause = fmt.Sprintf("a middlebox drops the ClientHello (DPI, an SNI filter, a black hole), the service accepted TCP but hangs, or a PMTUD black hole on the way back: the server's first flight leaves in full-size packets that never arrive (the %s-byte hello itself fits in one packet)", fmtInt(helloLen))
		s.Check = "packet captures on both sides: does the ClientHello reach the server, and does its answer leave? If the server answers, check the tunnel MTU / MSS clamping"
	default:
		s.Code = "read_error"
		s.Finding = "reading the answer to the ClientHello failed"
		s.Check = "the evidence below"
	}
	return s
}

// alertFinding fills a step for an alert received in answer to a hello.
func (p *prober) alertFinding(s *Step, alert int) {
	s.Finding = fmt.Sprintf("the server refused the ClientHello with alert %d %s", alert, explain.AlertName(alert))
	s.Code = "alert_" + explain.AlertName(alert)
	switch alert {
	case 112:
		s.Code = "sni_required"
		if p.sni == "" {
			s.Finding += ": it needs SNI and got none"
			s.Cause = "the server routes or picks its certificate by SNI and has no default; the probe sent no SNI because the target is an IP literal (clients connecting by IP fail the same way)"
			s.Check = "probe again with --sni NAME; give the server a default certificate if clients connect by IP"
			return
		}
		s.Code = "sni_unknown"
		s.Finding += ": it does not know the name " + p.sni
		s.Cause = "no certificate or virtual host is configured for " + p.sni + " and there is no default"
		s.Check = "the server's SNI / virtual-host configuration for " + p.sni + ", and the spelling of the name"
	case 40:
		s.Cause = "no version, cipher suite or group in common, or a policy (WAF, TLS 1.2 client-certificate requirement) refused the hello"
		s.Check = "steps 4 and 5 below, then the server's protocol and cipher settings"
	case 70:
		s.Cause = "the server accepts none of the versions offered (TLS 1.0–1.3)"
		s.Check = "the server's minimum and maximum protocol versions"
	case 49:
		s.Cause = "a policy rejected this client: an ACL, a WAF rule or an SNI deny list"
		s.Check = "the WAF or access policy for this client address and name"
	case 80:
		s.Cause = "the server failed while answering, often because no certificate or key is configured for this name"
		s.Check = "the server's error log and its certificate configuration"
	default:
		s.Cause = "the server rejected the hello"
		s.Check = "the server's TLS error log at this time"
	}
}
