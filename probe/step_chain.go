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

// problem is one thing wrong with a chain.
type problem struct {
	verdict Verdict
	code    string
	finding string
	cause   string
	check   string
}

// stepChain is step 7: does the chain the server sends verify, and if not,
// why, in the words an operator fixes it with.
func (p *prober) stepChain(ctx context.Context) Step {
	a := p.handshake(ctx, p.baseConfig())
	if a.result != resOK || len(a.cs.PeerCertificates) == 0 {
		return Step{Verdict: Info, Code: "no_certificate", Finding: "no certificate to verify: the handshake failed (" + p.describe(a) + ")"}
	}
	certs := a.cs.PeerCertificates
	roots, label, err := p.roots()
	if err != nil {
		return Step{Verdict: Info, Code: "no_roots", Finding: "cannot load the trust store to verify against", Evidence: []string{err.Error()},
			Check: "give the CA with --cacert FILE"}
	}
	now := p.o.Now()
	s := Step{Evidence: chainEvidence(certs, label, now)}
	probs := p.chainProblems(certs, roots, now)
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
	s.Finding = fmt.Sprintf("the chain verifies against %s and matches %s; valid for another %s", label, p.name, days(leaf.NotAfter.Sub(now)))
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
	var out []problem
	leaf := certs[0]
	switch {
	case now.After(leaf.NotAfter):
		out = append(out, problem{Fail, "expired",
			fmt.Sprintf("the certificate expired %s ago (notAfter %s)", days(now.Sub(leaf.NotAfter)), leaf.NotAfter.UTC().Format(time.RFC3339)),
			"the certificate was not renewed, or the renewed one is not installed or the server was not reloaded; or this host's clock is ahead",
			"the certificate the server actually serves (openssl s_client -connect … | openssl x509 -noout -dates), and date -u here"})
	case now.Before(leaf.NotBefore):
		out = append(out, problem{Fail, "not_yet_valid",
			fmt.Sprintf("the certificate is not valid for another %s (notBefore %s)", days(leaf.NotBefore.Sub(now)), leaf.NotBefore.UTC().Format(time.RFC3339)),
			"the certificate was issued with a future start, or this host's clock is behind",
			"date -u on this host and its NTP status"})
	case leaf.NotAfter.Sub(now) < expiresSoon:
		out = append(out, problem{Warn, "expires_soon",
			fmt.Sprintf("the certificate expires in %s (notAfter %s)", days(leaf.NotAfter.Sub(now)), leaf.NotAfter.UTC().Format(time.RFC3339)),
			"renewal is due", "the renewal job for this certificate"})
	}
	for _, c := range certs[1:] {
		if now.After(c.NotAfter) {
			out = append(out, problem{Fail, "intermediate_expired",
				fmt.Sprintf("the chain certificate %s expired %s ago", nameOr(c.Subject.String()), days(now.Sub(c.NotAfter))),
				"the server sends an old intermediate", "replace the intermediate in the server's chain file with the CA's current one"})
		}
	}
	if pr, ok := trustProblem(certs, roots, now); ok {
		out = append(out, pr)
	}
	if err := leaf.VerifyHostname(p.name); err != nil {
		code, cause := "hostname_mismatch", "the server sends the certificate of another name (a default or shared certificate, a wrong SNI mapping) or the certificate lacks this SAN"
		if leaf.Subject.CommonName != "" && len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 {
			code, cause = "cn_only", "the certificate names the host only in its Common Name: Go, Chrome (58+) and Firefox (48+) ignore the CN; curl/OpenSSL and Java still accept it"
		}
		out = append(out, problem{Fail, code, fmt.Sprintf("the certificate does not match %s: it is for %s", p.name, names(leaf)),
			cause, "the certificate's SANs (openssl x509 -noout -ext subjectAltName) and which certificate the server maps to " + p.name})
	}
	for _, c := range certs {
		if isSelfSigned(c) {
			continue // a root's own signature is not checked by anyone
		}
		if weakSig(c.SignatureAlgorithm) {
			out = append(out, problem{Fail, "weak_signature",
				fmt.Sprintf("%s is signed with %s", nameOr(c.Subject.String()), c.SignatureAlgorithm),
				"a SHA-1 or MD5 signature: Go, OpenSSL at level 2 and browsers reject it", "reissue the certificate with SHA-256"})
			break
		}
	}
	if pr, ok := keyProblem(leaf); ok {
		out = append(out, pr)
	}
	return out
}

// trustProblem verifies the chain against roots and explains a failure. An
// expired or not-yet-valid leaf is reported on its own, so trust is judged
// at the middle of the leaf's validity, where only the chain can fail.
func trustProblem(certs []*x509.Certificate, roots *x509.CertPool, now time.Time) (problem, bool) {
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
		return problem{Fail, "wrong_eku", "the certificate is not valid for TLS server authentication (extended key usage " + ekuNames(leaf) + ")",
			"a client-auth or code-signing certificate installed as a server certificate", "reissue with extendedKeyUsage serverAuth"}, true
	case errors.As(err, &cie) && cie.Reason == x509.NotAuthorizedToSign:
		return problem{Fail, "issuer_not_ca", "a certificate in the chain is signed by a certificate that is not a CA",
			"the chain was built from a leaf, not from the CA's intermediate", "the chain file: each certificate must be signed by the next, a CA"}, true
	case errors.As(err, &cie) && cie.Reason == x509.TooManyIntermediates:
		return problem{Fail, "path_length", "the chain breaks a CA's path length constraint",
			"an intermediate issued below a CA that may not have sub-CAs", "the CA hierarchy; reissue from the right CA"}, true
	case errors.As(err, &uae) && strings.Contains(err.Error(), "insecure algorithm"):
		return problem{Fail, "weak_signature", "the chain uses an insecure signature algorithm: " + err.Error(),
			"a SHA-1 or MD5 signature somewhere in the chain", "reissue with SHA-256"}, true
	case errors.As(err, &uae):
		return unknownAuthority(certs), true
	}
	return problem{Fail, "chain_invalid", "the chain does not verify: " + err.Error(), "see the error", "the chain file the server sends"}, true
}

// unknownAuthority tells apart the three ways a chain fails to reach a
// trusted root: a self-signed leaf, a root the client does not trust (sent
// along), and an intermediate the server did not send. Curl prints the last
// two as 'self-signed certificate in certificate chain' and 'unable to get
// local issuer certificate'.
func unknownAuthority(certs []*x509.Certificate) problem {
	leaf, top := certs[0], certs[len(certs)-1]
	switch {
	case len(certs) == 1 && isSelfSigned(leaf):
		return problem{Fail, "self_signed", "the certificate is self-signed (" + nameOr(leaf.Subject.String()) + ") and not trusted here",
			"an appliance's default or a hand-made certificate; clients trust it only if told to",
			"install a CA-issued certificate, or give clients this certificate as a trust anchor (--cacert to confirm)"}
	case isSelfSigned(top):
		return problem{Fail, "untrusted_root", "untrusted root: the chain ends at " + nameOr(top.Subject.String()) + ", which is not in the trust store",
			"a private CA or a TLS-inspecting proxy's CA that this client does not trust (curl: 'self-signed certificate in certificate chain')",
			"whether this root is expected (corporate inspection, lab CA); if so add it to the client's trust store (--cacert to confirm)"}
	case len(certs) == 1:
		return problem{Fail, "incomplete_chain", "incomplete chain: the server sent only the leaf, and its issuer " + nameOr(leaf.Issuer.String()) + " is not a trusted root",
			"the server does not send the intermediate certificate (browsers may still work through AIA fetching or a cache; curl, Go and Python fail with 'unable to get local issuer certificate'); or the issuer is itself a root this client does not trust",
			"the server's chain file: append the intermediate for " + nameOr(leaf.Issuer.String()) + " after the leaf"}
	}
	return problem{Fail, "incomplete_chain", "incomplete chain: it stops at " + nameOr(top.Subject.String()) + ", whose issuer " + nameOr(top.Issuer.String()) + " was not sent and is not a trusted root",
		"an intermediate is missing from the server's chain, or the chain leads to a root this client does not trust",
		"the server's chain file: add the certificate of " + nameOr(top.Issuer.String())}
}

// keyProblem judges the leaf's key size.
func keyProblem(leaf *x509.Certificate) (problem, bool) {
	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		if bits < 1024 {
			return problem{Fail, "weak_key", fmt.Sprintf("the certificate has a %d-bit RSA key", bits),
				"keys under 1024 bits are refused by Go, OpenSSL and browsers", "reissue with a 2048-bit RSA or a P-256 key"}, true
		}
		if bits < 2048 {
			return problem{Warn, "weak_key", fmt.Sprintf("the certificate has a %d-bit RSA key", bits),
				"OpenSSL at security level 2 (Debian 12) refuses it ('EE certificate key too weak'); Go still accepts it", "reissue with a 2048-bit RSA or a P-256 key"}, true
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return problem{Warn, "weak_key", fmt.Sprintf("the certificate has a %d-bit ECDSA key", k.Curve.Params().BitSize),
				"a curve below P-256", "reissue with a P-256 key"}, true
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

// days phrases a span as "N days", or in hours under a day.
func days(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < 24*time.Hour {
		h := int(d.Hours())
		if h == 1 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", h)
	}
	n := int(d.Hours() / 24)
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}
