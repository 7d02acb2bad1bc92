package probe

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
)

// bogusSNI is the name step 6 sends to see what an unknown name gets. The
// .invalid TLD (RFC 6761 §6.4) can never be a real host.
const bogusSNI = "tlsgate-probe.invalid"

// sniResult is one SNI variant's outcome.
type sniResult struct {
	label string
	ok    bool
	leaf  *x509.Certificate
	at    Attempt
	alert int // the alert that refused the hello, -1 when none
}

// stepSNI is step 6: the certificate that comes back with the name, without
// SNI, and with a bogus name.
func (p *prober) stepSNI(ctx context.Context) Step {
	type variant struct{ label, name string }
	var vs []variant
	if p.sni != "" {
		vs = append(vs, variant{"SNI " + p.sni, p.sni})
	}
	vs = append(vs, variant{"no SNI", ""}, variant{"bogus SNI " + bogusSNI, bogusSNI})
	var s Step
	res := map[string]sniResult{}
	for _, v := range vs {
		cfg := p.baseConfig()
		cfg.ServerName = v.name
		a := p.handshake(ctx, cfg)
		r := sniResult{label: v.label, ok: a.result == resOK, at: p.toAttempt(v.label, a), alert: a.alert}
		if r.ok && len(a.cs.PeerCertificates) > 0 {
			r.leaf = a.cs.PeerCertificates[0]
			r.at.Detail += "; certificate " + certSummary(r.leaf)
		}
		res[v.name] = r
		s.Attempts = append(s.Attempts, r.at)
		s.Evidence = append(s.Evidence, v.label+": "+r.at.Detail)
	}
	with, none, bogus := res[p.sni], res[""], res[bogusSNI]
	why := whyNoSNIRefused(none, bogus)
	t := p.t
	switch {
	case p.sni == "" && none.ok:
		s.Verdict, s.Code = Pass, "no_sni_served"
		s.Finding = t.f("sni.no_sni_served", "cert", certSummary(none.leaf))
	case p.sni == "":
		s.Verdict, s.Code = Fail, "sni_required"
		s.Finding = t.f("sni.required_none", "detail", none.at.Detail)
		switch why {
		case refusedByPolicy:
			s.Evidence = append(s.Evidence, "any name will do: the server answers a hello for "+bogusSNI)
			s.Cause = t.f("sni.policy.cause", "detail", none.at.Detail, "bogus", bogusSNI)
			s.Check = t.f("sni.policy_none.check")
		case refusedUnclear:
			s.Cause = t.f("sni.required_unclear.cause", "detail", none.at.Detail)
			s.Check = t.f("sni.required_unclear_none.check")
		default:
			s.Cause = t.f("sni.required_none.cause")
			s.Check = t.f("sni_required.check")
		}
	case !with.ok && !none.ok && !bogus.ok:
		s.Verdict, s.Code = Fail, "no_variant"
		s.Finding = t.f("sni.no_variant")
		s.Cause = t.f("sni.no_variant.cause")
		s.Check = t.f("sni.no_variant.check")
	case !with.ok:
		s.Verdict, s.Code = Fail, "name_rejected"
		s.Finding = t.f("sni.name_rejected", "sni", p.sni, "detail", with.at.Detail)
		s.Cause = t.f("sni.name_rejected.cause", "sni", p.sni)
		s.Check = t.f("sni.name_rejected.check", "sni", p.sni)
	case !none.ok:
		s.Verdict, s.Code = Warn, "sni_required"
		s.Finding = t.f("sni.required", "detail", none.at.Detail, "sni", p.sni, "cert", certSummary(with.leaf))
		switch why {
		case refusedByPolicy:
			s.Cause = t.f("sni.policy.cause", "detail", none.at.Detail, "bogus", bogusSNI)
			s.Check = t.f("sni.policy.check")
		case refusedUnclear:
			s.Cause = t.f("sni.required_unclear.cause", "detail", none.at.Detail)
			s.Check = t.f("sni.required_unclear.check")
		default:
			s.Cause = t.f("sni.required.cause")
			s.Check = t.f("sni.required.check")
		}
	case bytes.Equal(with.leaf.Raw, none.leaf.Raw):
		s.Verdict, s.Code = Pass, "same_cert"
		s.Finding = t.f("sni.same_cert", "cert", certSummary(with.leaf))
	case p.coversTarget(none.leaf):
		s.Verdict, s.Code = Pass, "per_name_certs"
		s.Finding = t.f("sni.per_name_certs", "cert", certSummary(none.leaf))
	default:
		s.Verdict, s.Code = Warn, "default_cert_differs"
		s.Finding = t.f("sni.default_differs", "cert", certSummary(none.leaf), "name", p.targetNames())
		s.Cause = t.f("sni.default_differs.cause", "names", names(none.leaf))
		s.Check = t.f("sni.default_differs.check", "sni", p.sni)
	}
	if p.sni != "" && with.ok && bogus.ok && !bytes.Equal(with.leaf.Raw, bogus.leaf.Raw) {
		s.Evidence = append(s.Evidence, "an unknown name gets a different certificate than "+p.sni)
	}
	return s
}

// Why a hello without SNI was refused, as far as the answers show.
const (
	// refusedNoName: alert 112 unrecognized_name, which a server sends
	// when it has no certificate for the name asked, here none: it picks
	// its certificate by SNI and has no default.
	refusedNoName = iota
	// refusedByPolicy: another refusal (alert 40 handshake_failure, as
	// BIG-IP's sni-require and tlsgate's sni_require send), while a name
	// nobody configured is served: no certificate is missing, the server
	// refuses a hello without SNI by policy.
	refusedByPolicy
	// refusedUnclear: another refusal, and a made-up name is refused too:
	// the answers do not say whether a policy or a missing certificate
	// is to blame.
	refusedUnclear
)

// whyNoSNIRefused tells the refusals of a hello without SNI apart, from
// that hello's answer and the made-up name's. Meaningless when the hello
// without SNI was served.
func whyNoSNIRefused(none, bogus sniResult) int {
	switch {
	case none.alert == 112:
		return refusedNoName
	case bogus.ok:
		return refusedByPolicy
	}
	return refusedUnclear
}

// coversTarget reports whether a certificate served without SNI still
// fits what a client without SNI connects to: the name it checks, or the
// IP address when the target is one.
func (p *prober) coversTarget(c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	if c.VerifyHostname(p.name) == nil {
		return true
	}
	return net.ParseIP(p.host) != nil && c.VerifyHostname(p.host) == nil
}

// targetNames names what coversTarget compared with.
func (p *prober) targetNames() string {
	if net.ParseIP(p.host) != nil && p.host != p.name {
		return p.name + " / " + p.host
	}
	return p.name
}

// certSummary names a certificate by subject, SANs and issuer.
func certSummary(c *x509.Certificate) string {
	if c == nil {
		return "(no certificate)"
	}
	return fmt.Sprintf("[subject %s; SAN %s; issuer %s]", nameOr(c.Subject.String()), names(c), nameOr(c.Issuer.String()))
}

// names lists a certificate's SANs, capped so a 1,000-SAN leaf stays on a line.
func names(c *x509.Certificate) string {
	var all []string
	all = append(all, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		all = append(all, ip.String())
	}
	if len(all) == 0 {
		return "none"
	}
	const show = 5
	if len(all) > show {
		return strings.Join(all[:show], ", ") + fmt.Sprintf(" (+%d more)", len(all)-show)
	}
	return strings.Join(all, ", ")
}

// nameOr shows an empty distinguished name as "(empty)".
func nameOr(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
