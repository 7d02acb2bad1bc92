package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// expiresSoon is how close to notAfter a certificate earns a warning.
const expiresSoon = 14 * 24 * time.Hour

// problem is one thing wrong with a chain, its texts already rendered.
type problem struct {
	verdict Verdict
	code    string
	finding string
	cause   string
	check   string
}

// prob renders a problem whose texts share the key prefix key: key,
// key+".cause" and key+".check", all filled from the same kv pairs.
func (p *prober) prob(v Verdict, code, key string, kv ...string) problem {
	return problem{v, code, p.t.f(key, kv...), p.t.f(key+".cause", kv...), p.t.f(key+".check", kv...)}
}

// stepChain is step 7: does the chain the server sends verify, and if not,
// why, in the words an operator fixes it with.
func (p *prober) stepChain(ctx context.Context) Step {
	t := p.t
	a := p.handshake(ctx, p.baseConfig())
	certs := a.peer
	if a.result == resOK {
		certs = a.cs.PeerCertificates
	}
	if len(certs) == 0 {
		return Step{Verdict: Info, Code: "no_certificate", Finding: t.f("chain.no_certificate", "detail", p.describe(a))}
	}
	roots, label, err := p.roots()
	if err != nil {
		return Step{Verdict: Info, Code: "no_roots", Finding: t.f("chain.no_roots"), Evidence: []string{err.Error()},
			Check: t.f("chain.no_roots.check")}
	}
	now := p.o.Now()
	s := Step{Evidence: chainEvidence(certs, label, now)}
	if a.result != resOK {
		s.Evidence = append(s.Evidence, "the handshake then failed ("+p.describe(a)+"); the chain is judged as sent")
	}
	probs := p.chainProblems(certs, roots, now)
	ev, status, times := p.stapleProblems(a, certs[0], now)
	if ev != "" {
		s.Evidence = append(s.Evidence, ev)
	}
	// A revoked or unknown staple is named before the other warnings (a
	// certificate expiring soon, the staple's own times): it says the
	// certificate is not good now, whatever a refresh or a renewal does
	// later. Failures still come first: every client refuses those.
	probs = append(append(status, probs...), times...)
	var first *problem
	for _, want := range []Verdict{Fail, Warn} {
		for i := range probs {
			if probs[i].verdict == want && first == nil {
				first = &probs[i]
			}
		}
	}
	for i := range probs {
		if &probs[i] != first {
			s.Evidence = append(s.Evidence, "also: "+probs[i].finding)
		}
	}
	if first != nil {
		s.Verdict, s.Code, s.Finding, s.Cause, s.Check = first.verdict, first.code, first.finding, first.cause, first.check
		return s
	}
	leaf := certs[0]
	s.Verdict, s.Code = Pass, "verified"
	s.Finding = t.f("chain.verified", "roots", label, "name", p.name, "left", t.days(leaf.NotAfter.Sub(now)))
	return s
}

// roots returns the trust store and how to name it.
func (p *prober) roots() (*x509.CertPool, string, error) {
	if p.o.Roots != nil {
		label := p.o.RootsLabel
		if label == "" {
			label = "the given roots"
		}
		return p.o.Roots, label, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		return nil, "", fmt.Errorf("probe: system roots: %w", err)
	}
	return pool, "the system roots", nil
}

// chainEvidence lists what the server sent.
func chainEvidence(certs []*x509.Certificate, label string, now time.Time) []string {
	ev := []string{fmt.Sprintf("server sent %d certificate(s); verified against %s at local time %s", len(certs), label, now.UTC().Format(time.RFC3339))}
	for i, c := range certs {
		ev = append(ev, fmt.Sprintf("#%d %s, valid %s to %s", i, certSummary(c), c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02")))
	}
	return ev
}

// chainProblems runs every check and returns what failed, most telling first.
func (p *prober) chainProblems(certs []*x509.Certificate, roots *x509.CertPool, now time.Time) []problem {
	t := p.t
	var out []problem
	leaf := certs[0]
	switch {
	case now.After(leaf.NotAfter):
		out = append(out, p.prob(Fail, "expired", "chain.expired", "ago", t.days(now.Sub(leaf.NotAfter)), "date", utc(leaf.NotAfter)))
	case now.Before(leaf.NotBefore):
		out = append(out, p.prob(Fail, "not_yet_valid", "chain.not_yet_valid", "in", t.days(leaf.NotBefore.Sub(now)), "date", utc(leaf.NotBefore)))
	case expiringSoon(leaf, now):
		out = append(out, p.prob(Warn, "expires_soon", "chain.expires_soon", "in", t.days(leaf.NotAfter.Sub(now)), "date", utc(leaf.NotAfter)))
	}
	for _, c := range certs[1:] {
		if now.After(c.NotAfter) {
			out = append(out, p.prob(Fail, "intermediate_expired", "chain.intermediate_expired", "subject", nameOr(c.Subject.String()), "ago", t.days(now.Sub(c.NotAfter))))
		}
	}
	pr, untrusted := p.trustProblem(certs, roots, now)
	if marker := inspectionMarker(leaf); marker != "" {
		// A re-signed copy explains an unknown authority better than a
		// missing intermediate or an untrusted root does.
		issuer := nameOr(leaf.Issuer.String())
		switch {
		case untrusted && pr.code != "untrusted_root" && pr.code != "incomplete_chain" && pr.code != "self_signed":
			out = append(out, pr)
		case untrusted:
			out = append(out, p.prob(Fail, "interception", "chain.interception", "issuer", issuer, "marker", marker))
		default:
			out = append(out, p.prob(Warn, "interception", "chain.interception_trusted", "issuer", issuer, "marker", marker))
		}
	} else if untrusted {
		out = append(out, pr)
	}
	if err := leaf.VerifyHostname(p.name); err != nil {
		key := "chain.hostname_mismatch"
		code := "hostname_mismatch"
		if leaf.Subject.CommonName != "" && len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 {
			key, code = "chain.cn_only", "cn_only"
		}
		out = append(out, p.prob(Fail, code, key, "name", p.name, "names", names(leaf)))
	}
	for _, c := range certs {
		if isSelfSigned(c) {
			continue // a root's own signature is not checked by anyone
		}
		if weakSig(c.SignatureAlgorithm) {
			out = append(out, p.prob(Fail, "weak_signature", "chain.weak_signature", "subject", nameOr(c.Subject.String()), "alg", c.SignatureAlgorithm.String()))
			break
		}
	}
	if pr, ok := p.keyProblem(leaf); ok {
		out = append(out, pr)
	}
	return out
}

// expiringSoon reports a leaf close to its end: under expiresSoon left and
// under a third of its lifetime, so a short-lived certificate that an
// automated renewal replaces every few days does not warn all its life.
func expiringSoon(leaf *x509.Certificate, now time.Time) bool {
	left := leaf.NotAfter.Sub(now)
	return left < expiresSoon && left < leaf.NotAfter.Sub(leaf.NotBefore)/3
}

// inspectionMarkers are words that TLS-inspecting products (endpoint
// security, secure web gateways, debugging proxies) put in the names of
// the certificates they mint, lower-case. tlsgate's own inspect mode marks
// its copies "tlsgate inspect".
func inspectionMarkers() []string {
	return []string{
		"tlsgate inspect", "zscaler", "netskope", "fortigate", "fortinet", "palo alto networks", "blue coat", "bluecoat",
		"sophos", "kaspersky", "avast", "avg web", "eset ssl filter", "bitdefender", "cisco umbrella", "forcepoint",
		"websense", "mcafee web gateway", "check point", "checkpoint", "barracuda", "watchguard", "iboss", "lightspeed",
		"securly", "untangle", "smoothwall", "menlo security", "mitmproxy", "charles proxy", "fiddler", "portswigger",
	}
}

// inspectionMarker returns the marker found in the leaf's subject or issuer,
// or "" when none.
func inspectionMarker(leaf *x509.Certificate) string {
	dn := strings.ToLower(leaf.Subject.String() + " " + leaf.Issuer.String())
	for _, m := range inspectionMarkers() {
		if strings.Contains(dn, m) {
			return m
		}
	}
	return ""
}

// trustProblem verifies the chain against roots and explains a failure. An
// expired or not-yet-valid leaf is reported on its own, so trust is judged
// at the middle of the leaf's validity, where only the chain can fail.
func (p *prober) trustProblem(certs []*x509.Certificate, roots *x509.CertPool, now time.Time) (problem, bool) {
	leaf := certs[0]
	at := now
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		at = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err == nil {
		return problem{}, false
	}
	var cie x509.CertificateInvalidError
	var uae x509.UnknownAuthorityError
	switch {
	case errors.As(err, &cie) && cie.Reason == x509.Expired:
		return problem{}, false // a chain certificate's expiry is reported on its own
	case errors.As(err, &cie) && cie.Reason == x509.IncompatibleUsage:
		return p.prob(Fail, "wrong_eku", "chain.wrong_eku", "eku", ekuNames(leaf)), true
	case errors.As(err, &cie) && cie.Reason == x509.NotAuthorizedToSign:
		return p.prob(Fail, "issuer_not_ca", "chain.issuer_not_ca"), true
	case errors.As(err, &cie) && cie.Reason == x509.TooManyIntermediates:
		return p.prob(Fail, "path_length", "chain.path_length"), true
	case errors.As(err, &cie) && cie.Reason == x509.CANotAuthorizedForThisName:
		return p.prob(Fail, "name_constraints", "chain.name_constraints", "err", err.Error()), true
	case errors.As(err, &uae) && strings.Contains(err.Error(), "insecure algorithm"):
		return p.prob(Fail, "weak_signature", "chain.weak_signature_chain", "err", err.Error()), true
	case errors.As(err, &uae):
		return p.unknownAuthority(certs), true
	}
	return p.prob(Fail, "chain_invalid", "chain.invalid", "err", err.Error()), true
}

// unknownAuthority tells apart the ways a chain fails to reach a trusted
// root: a self-signed leaf, a root the client does not trust (sent along,
// or named as the leaf's issuer), and an intermediate the server did not
// send. Curl prints them as 'self-signed certificate', 'self-signed
// certificate in certificate chain' and 'unable to get local issuer
// certificate'. A leaf sent alone whose issuer is unknown is the one case
// the chain cannot settle: the issuer's name does (public CAs never sign
// leaves with a root, and call their issuing CAs something else), and a
// leaf that points at its issuer's certificate (AIA) was meant to be
// completed by the client.
func (p *prober) unknownAuthority(certs []*x509.Certificate) problem {
	leaf, top := certs[0], certs[len(certs)-1]
	issuer := nameOr(leaf.Issuer.String())
	switch {
	case len(certs) == 1 && isSelfSigned(leaf):
		return p.prob(Fail, "self_signed", "chain.self_signed", "subject", nameOr(leaf.Subject.String()))
	case isSelfSigned(top):
		return p.prob(Fail, "untrusted_root", "chain.untrusted_root_sent", "root", nameOr(top.Subject.String()))
	case len(certs) == 1 && len(leaf.IssuingCertificateURL) == 0 && namesRoot(leaf.Issuer.CommonName):
		return p.prob(Fail, "untrusted_root", "chain.untrusted_root_issuer", "issuer", issuer)
	case len(certs) == 1:
		pr := p.prob(Fail, "incomplete_chain", "chain.incomplete_leaf", "issuer", issuer)
		if len(leaf.IssuingCertificateURL) > 0 {
			pr.finding += p.t.f("chain.aia", "url", leaf.IssuingCertificateURL[0])
		}
		return pr
	}
	return p.prob(Fail, "incomplete_chain", "chain.incomplete", "top", nameOr(top.Subject.String()), "issuer", nameOr(top.Issuer.String()))
}

// namesRoot reports a CA name that says it is a root ("Contoso Root CA",
// "tlsgate untrusted root").
func namesRoot(cn string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(cn), func(r rune) bool { return r == ' ' || r == '-' || r == '_' }) {
		if w == "root" {
			return true
		}
	}
	return false
}

// keyProblem judges the leaf's key size.
func (p *prober) keyProblem(leaf *x509.Certificate) (problem, bool) {
	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := fmt.Sprint(k.N.BitLen())
		if k.N.BitLen() < 1024 {
			return p.prob(Fail, "weak_key", "chain.rsa_tiny", "bits", bits), true
		}
		if k.N.BitLen() < 2048 {
			return p.prob(Warn, "weak_key", "chain.rsa_weak", "bits", bits), true
		}
	case *ecdsa.PublicKey:
		if n := k.Curve.Params().BitSize; n < 256 {
			return p.prob(Warn, "weak_key", "chain.ec_weak", "bits", fmt.Sprint(n)), true
		}
	}
	return problem{}, false
}

// isSelfSigned reports a certificate whose issuer is itself and whose
// signature checks with its own key.
func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// weakSig reports signature algorithms current clients refuse.
func weakSig(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// ekuNames lists a certificate's extended key usages.
func ekuNames(c *x509.Certificate) string {
	var out []string
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageServerAuth:
			out = append(out, "serverAuth")
		case x509.ExtKeyUsageClientAuth:
			out = append(out, "clientAuth")
		case x509.ExtKeyUsageCodeSigning:
			out = append(out, "codeSigning")
		case x509.ExtKeyUsageEmailProtection:
			out = append(out, "emailProtection")
		default:
			out = append(out, fmt.Sprintf("usage %d", u))
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
