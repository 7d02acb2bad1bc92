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
	start := p.o.Now()
	conn, err := p.dial(ctx)
	took := p.o.Now().Sub(start)
	if err == nil {
		p.address = conn.RemoteAddr().String()
		conn.Close()
		return Step{Verdict: Pass, Code: "connected",
			Finding:  fmt.Sprintf("connected to %s in %s", p.address, fmtDur(took)),
			Evidence: []string{"local " + conn.LocalAddr().String() + " → remote " + p.address}}
	}
	s := Step{Verdict: Fail, Evidence: []string{err.Error()}}
	_, port, _ := net.SplitHostPort(p.addr)
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		s.Code = "refused"
		s.Finding = fmt.Sprintf("connection refused by %s after %s (the SYN was answered with a reset)", p.addr, fmtDur(took))
		s.Cause = "nothing listens on port " + port + " at that address, or a firewall rejects the SYN"
		s.Check = fmt.Sprintf("is the service running and bound to this address (ss -ltnp | grep :%s)? is there a REJECT rule on the way?", port)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		s.Code = "connect_timeout"
		s.Finding = fmt.Sprintf("no answer to the SYN within %s", fmtDur(p.o.Timeout))
		s.Cause = "a firewall or security group drops the SYN, the host is down, or the route to it is broken"
		s.Check = "the firewall rules and security groups between this host and " + p.addr + "; does the host answer anything at all?"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		s.Code = "unreachable"
		s.Finding = "no route to " + p.addr
		s.Cause = "the network or host is unreachable from here (routing, or an ICMP unreachable from a firewall)"
		s.Check = "ip route get " + p.host + "; the gateway and any firewall on the path"
	case errors.As(err, &dnsErr):
		s.Code = "dns"
		s.Finding = "cannot resolve " + p.host
		s.Cause = "the name does not exist in DNS, or the resolver is unreachable"
		s.Check = "getent hosts " + p.host + "; /etc/resolv.conf"
	default:
		s.Code = "connect_error"
		s.Finding = "TCP connect failed: " + err.Error()
		s.Check = "the address and port"
	}
	return s
}

// stepBanner is step 2: does the server speak before the client does? A
// TLS server never does; SSH, SMTP, FTP, IMAP and POP3 servers always do.
func (p *prober) stepBanner(ctx context.Context) Step {
	conn, err := p.dial(ctx)
	if err != nil {
		return Step{Verdict: Info, Code: "no_connection", Finding: "could not connect to listen for a banner", Evidence: []string{err.Error()}}
	}
	defer conn.Close()
	rr := p.readReply(ctx, conn, time.Now().Add(p.o.BannerWait))
	wait := fmtDur(p.o.BannerWait)
	if len(rr.b) == 0 {
		switch {
		case rr.result == resTimeout:
			return Step{Verdict: Pass, Code: "silent",
				Finding: fmt.Sprintf("no banner within %s: the server waits for the client, as a TLS server does", wait)}
		case rr.result == resReset || rr.result == resClosed:
			how := map[string]string{resReset: "reset", resClosed: "closed (FIN)"}[rr.result]
			return Step{Verdict: Fail, Code: rr.result + "_on_connect",
				Finding:  fmt.Sprintf("the server %s the connection after %s, before the client sent anything", how, fmtDur(rr.took)),
				Evidence: []string{rr.errText()},
				Cause:    "the service accepts TCP and then drops it: a load balancer with no healthy pool member, an ACL or TCP wrapper, or a proxy whose backend is down",
				Check:    "the server's or load balancer's logs for this client address, and the health of the backend pool"}
		}
		return Step{Verdict: Info, Code: "read_error", Finding: "reading for a banner failed", Evidence: []string{rr.errText()}}
	}
	s := Step{Verdict: Fail, Evidence: []string{fmt.Sprintf("after %s: %s", fmtDur(rr.took), sniff.HexDump(rr.b, 48))}}
	quoted := fmt.Sprintf("%q", rr.r.line)
	switch rr.r.kind {
	case replySSH:
		s.Code = "ssh"
		s.Finding = "the server speaks first with an SSH banner " + quoted
		s.Cause = "this port runs SSH, not TLS"
		s.Check = "the port number, and any port forward, NAT or load-balancer rule that sends this port to the SSH daemon"
	case replyGreeting:
		s.Code = "smtp_or_ftp"
		s.Finding = "the server speaks first with a 220 greeting " + quoted + " (SMTP or FTP)"
		s.Cause = "a plaintext protocol that upgrades with STARTTLS / AUTH TLS; a TLS client expects implicit TLS"
		s.Check = "use STARTTLS (openssl s_client -starttls smtp|ftp, curl smtp://) or the implicit-TLS port (465 for SMTP, 990 for FTP)"
	case replyIMAP, replyPOP3:
		s.Code = rr.r.kind
		s.Finding = "the server speaks first with a greeting " + quoted
		s.Cause = "a plaintext mail protocol that upgrades with STARTTLS; a TLS client expects implicit TLS"
		s.Check = "use STARTTLS (openssl s_client -starttls imap|pop3) or the implicit-TLS port (993 for IMAP, 995 for POP3)"
	default:
		s.Code = "server_speaks_first"
		s.Finding = "the server speaks first: " + describeReply(rr.r)
		s.Cause = "not a TLS server: a TLS server waits for the ClientHello"
		s.Check = "which service listens on this port"
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
func describeReply(r reply) string {
	switch r.kind {
	case replyBinary:
		return "bytes that are neither TLS nor text: " + r.line
	case replyTLSOther:
		return "a TLS record that is not a ServerHello: " + r.detail
	}
	return fmt.Sprintf("%q", r.line)
}
