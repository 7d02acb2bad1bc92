package probe

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
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
		r := sniResult{label: v.label, ok: a.result == resOK, at: p.toAttempt(v.label, a)}
		if r.ok && len(a.cs.PeerCertificates) > 0 {
			r.leaf = a.cs.PeerCertificates[0]
			r.at.Detail += "; certificate " + certSummary(r.leaf)
		}
		res[v.name] = r
		s.Attempts = append(s.Attempts, r.at)
		s.Evidence = append(s.Evidence, v.label+": "+r.at.Detail)
	}
	with, none, bogus := res[p.sni], res[""], res[bogusSNI]
	switch {
	case p.sni == "" && none.ok:
		s.Verdict, s.Code = Pass, "no_sni_served"
		s.Finding = "without SNI the server sends " + certSummary(none.leaf) + " (no name to compare: the target is an IP literal; use --sni NAME)"
	case p.sni == "":
		s.Verdict, s.Code = Fail, "sni_required"
		s.Finding = "without SNI the server refuses the handshake (" + none.at.Detail + ")"
		s.Cause = "the server needs SNI to pick a certificate and has no default; clients that connect by IP send none"
		s.Check = "probe again with --sni NAME; give the server a default certificate if clients connect by IP"
	case !with.ok && !none.ok && !bogus.ok:
		s.Verdict, s.Code = Fail, "no_variant"
		s.Finding = "no SNI variant completes a handshake"
		s.Cause = "the handshake fails whatever the name (see step 3 and the attempts below)"
		s.Check = "step 3's answer"
	case !with.ok:
		s.Verdict, s.Code = Fail, "name_rejected"
		s.Finding = fmt.Sprintf("the server refuses the name %s (%s) but answers other hellos", p.sni, with.at.Detail)
		s.Cause = "no virtual host or certificate is configured for " + p.sni + ", or a policy denies that name"
		s.Check = "the server's SNI configuration for " + p.sni + " and any SNI deny list on the path"
	case !none.ok:
		s.Verdict, s.Code = Warn, "sni_required"
		s.Finding = "a missing SNI is refused (" + none.at.Detail + "); with SNI " + p.sni + " the server sends " + certSummary(with.leaf)
		s.Cause = "the server picks its certificate by SNI and has no default: clients that send no SNI (connecting by IP, old clients, some health monitors) fail"
		s.Check = "give the server a default certificate if such clients must connect"
	case !bytes.Equal(with.leaf.Raw, none.leaf.Raw):
		s.Verdict, s.Code = Warn, "default_cert_differs"
		s.Finding = "without SNI the server sends a different, default certificate: " + certSummary(none.leaf)
		s.Cause = "name-based virtual hosting with a default certificate for " + names(none.leaf) + ": clients that send no SNI get a certificate for the wrong name"
		s.Check = "whether clients of " + p.sni + " send SNI; make the default certificate cover " + p.sni + " if some do not"
	default:
		s.Verdict, s.Code = Pass, "same_cert"
		s.Finding = "the same certificate with and without SNI: " + certSummary(with.leaf)
	}
	if p.sni != "" && with.ok && bogus.ok && !bytes.Equal(with.leaf.Raw, bogus.leaf.Raw) {
		s.Evidence = append(s.Evidence, "an unknown name gets a different certificate than "+p.sni)
	}
	return s
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
