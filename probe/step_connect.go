package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// stepConnect is step 1: does TCP connect, and how fast?
func (p *prober) stepConnect(ctx context.Context) Step {
	t := p.t
	start := p.o.Now()
	conn, err := p.dial(ctx)
	took := p.o.Now().Sub(start)
	if err == nil {
		p.address = conn.RemoteAddr().String()
		conn.Close()
		return Step{Verdict: Pass, Code: "connected",
			Finding:  t.f("connect.ok", "addr", p.address, "took", fmtDur(took)),
			Evidence: []string{"local " + conn.LocalAddr().String() + " → remote " + p.address}}
	}
	s := Step{Verdict: Fail, Evidence: []string{err.Error()}}
	_, port, _ := net.SplitHostPort(p.addr)
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		s.Code = "refused"
		s.Finding = t.f("connect.refused", "addr", p.addr, "took", fmtDur(took))
		s.Cause = t.f("connect.refused.cause", "port", port)
		s.Check = t.f("connect.refused.check", "port", port)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		s.Code = "connect_timeout"
		s.Finding = t.f("connect.timeout", "timeout", fmtDur(p.o.Timeout))
		s.Cause = t.f("connect.timeout.cause")
		s.Check = t.f("connect.timeout.check", "addr", p.addr)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		s.Code = "unreachable"
		s.Finding = t.f("connect.unreachable", "addr", p.addr)
		s.Cause = t.f("connect.unreachable.cause")
		s.Check = t.f("connect.unreachable.check", "host", p.host)
	case errors.As(err, &dnsErr):
		s.Code = "dns"
		s.Finding = t.f("connect.dns", "host", p.host)
		s.Cause = t.f("connect.dns.cause")
		s.Check = t.f("connect.dns.check", "host", p.host)
	default:
		s.Code = "connect_error"
		s.Finding = t.f("connect.error", "err", err.Error())
		s.Check = t.f("connect.error.check")
	}
	return s
}

// stepBanner is step 2: does the server speak before the client does? A
// TLS server never does; SSH, SMTP, FTP, IMAP and POP3 servers always do.
func (p *prober) stepBanner(ctx context.Context) Step {
	t := p.t
	conn, err := p.dial(ctx)
	if err != nil {
		return Step{Verdict: Info, Code: "no_connection", Finding: t.f("banner.no_connection"), Evidence: []string{err.Error()}}
	}
	defer conn.Close()
	rr := p.readReply(ctx, conn, time.Now().Add(p.o.BannerWait))
	wait := fmtDur(p.o.BannerWait)
	if len(rr.b) == 0 {
		switch rr.result {
		case resTimeout:
			return Step{Verdict: Pass, Code: "silent", Finding: t.f("banner.silent", "wait", wait)}
		case resReset, resClosed:
			return Step{Verdict: Fail, Code: rr.result + "_on_connect",
				Finding:  t.f("banner."+rr.result+"_on_connect", "took", fmtDur(rr.took)),
				Evidence: []string{rr.errText()},
				Cause:    t.f("banner.dropped.cause"),
				Check:    t.f("banner.dropped.check")}
		}
		return Step{Verdict: Info, Code: "read_error", Finding: t.f("banner.read_error"), Evidence: []string{rr.errText()}}
	}
	s := Step{Verdict: Fail, Evidence: []string{fmt.Sprintf("after %s: %s", fmtDur(rr.took), sniff.HexDump(rr.b, 48))}}
	quoted := fmt.Sprintf("%q", rr.r.line)
	switch rr.r.kind {
	case replySSH:
		s.Code = "ssh"
		s.Finding = t.f("banner.ssh", "line", quoted)
		s.Cause = t.f("ssh.cause")
		s.Check = t.f("banner.ssh.check")
	case replyGreeting:
		s.Code = "smtp_or_ftp"
		s.Finding = t.f("banner.greeting", "line", quoted)
		s.Cause = t.f("banner.greeting.cause")
		s.Check = t.f("banner.greeting.check")
	case replyIMAP, replyPOP3:
		s.Code = rr.r.kind
		s.Finding = t.f("banner.mail", "line", quoted)
		s.Cause = t.f("banner.mail.cause")
		s.Check = t.f("banner.mail.check")
	default:
		s.Code = "server_speaks_first"
		s.Finding = t.f("banner.other", "reply", describeReply(rr.r, t))
		s.Cause = t.f("banner.other.cause")
		s.Check = t.f("which_service.check")
	}
	return s
}

// rawReply is what a raw read of a server's first bytes found.
type rawReply struct {
	b      []byte
	r      reply
	result string // resOK when a reply was judged, else how reading ended
	err    error
	took   time.Duration // to the first byte, or to the end when none came
}

func (rr rawReply) errText() string {
	if rr.err == nil {
		return rr.result
	}
	return rr.err.Error()
}

// readReply reads until the server's first record or line can be judged,
// the deadline passes, or the server closes.
func (p *prober) readReply(ctx context.Context, conn net.Conn, deadline time.Time) rawReply {
	start := p.o.Now()
	_ = conn.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	var rr rawReply
	buf := make([]byte, 4096)
	for len(rr.b) < maxReplyRecord+5 {
		n, err := conn.Read(buf)
		if n > 0 {
			if len(rr.b) == 0 {
				rr.took = p.o.Now().Sub(start)
			}
			rr.b = append(rr.b, buf[:n]...)
			if r, perr := parseReply(rr.b, false); perr == nil {
				rr.r, rr.result = r, resOK
				return rr
			}
		}
		if err != nil {
			rr.err = err
			rr.result, _ = classifyErr(err)
			break
		}
	}
	if len(rr.b) == 0 {
		rr.took = p.o.Now().Sub(start)
		return rr
	}
	rr.r, _ = parseReply(rr.b, true)
	return rr
}

// describeReply names a reply for a finding.
func describeReply(r reply, t tr) string {
	switch r.kind {
	case replyBinary:
		return t.f("reply.binary", "bytes", r.line)
	case replyTLSOther:
		return t.f("reply.tls_other", "detail", r.detail)
	}
	return fmt.Sprintf("%q", r.line)
}
