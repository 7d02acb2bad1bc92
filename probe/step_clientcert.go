package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// clientCertCheck completes step 3 when the server answered with a
// ServerHello: a full handshake shows whether it asks for a client
// certificate, and whether it goes on without one. The probe has none, so
// it answers a CertificateRequest with an empty Certificate, as curl does
// without --cert.
func (p *prober) clientCertCheck(ctx context.Context, s *Step) {
	t := p.t
	var late error // what a TLS 1.3 server says after the client's Finished
	a := p.session(ctx, p.baseConfig(), func(c *tls.Conn, a *attempt) {
		if a.certReq == nil || a.cs.Version != tls.VersionTLS13 {
			return
		}
		// A TLS 1.3 client finishes before the server has judged its
		// (empty) certificate; the verdict is the first record after.
		_ = c.SetReadDeadline(time.Now().Add(p.o.BannerWait))
		_, late = c.Read(make([]byte, 1))
	})
	if a.certReq == nil {
		if a.result != resOK {
			s.Evidence = append(s.Evidence, "a full handshake fails: "+p.describe(a))
		}
		return
	}
	s.Evidence = append(s.Evidence, "the server sent a CertificateRequest ("+acceptableCAs(a.certReq)+"); the probe has no client certificate and sent an empty one")
	refused := ""
	switch {
	case a.result != resOK:
		refused = "handshake: " + p.describe(a)
	case late != nil:
		if res, alert := classifyErr(late); res != resTimeout {
			refused = "after the handshake: " + res
			if alert >= 0 {
				refused = fmt.Sprintf("after the handshake: alert %d %s", alert, explain.AlertName(alert))
			}
		}
	}
	if refused == "" {
		s.Evidence = append(s.Evidence, "the handshake completes without a client certificate: the certificate is optional (request, not require)")
		return
	}
	s.Evidence = append(s.Evidence, refused)
	p.needCert = true
	s.Verdict, s.Code = Fail, "client_cert_required"
	s.Finding = t.f("hello.client_cert", "refusal", refused)
	s.Cause = t.f("hello.client_cert.cause")
	s.Check = t.f("hello.client_cert.check")
}

// acceptableCAs names the CAs a CertificateRequest lists, a few of them.
func acceptableCAs(cri *tls.CertificateRequestInfo) string {
	if len(cri.AcceptableCAs) == 0 {
		return "no CA names listed"
	}
	var names []string
	for _, der := range cri.AcceptableCAs {
		var rdn pkix.RDNSequence
		if rest, err := asn1.Unmarshal(der, &rdn); err != nil || len(rest) > 0 {
			names = append(names, fmt.Sprintf("(%d bytes, unparsable)", len(der)))
			continue
		}
		var n pkix.Name
		n.FillFromRDNSequence(&rdn)
		names = append(names, nameOr(n.String()))
	}
	const show = 3
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(" (+%d more)", len(names)-show)
		names = names[:show]
	}
	return fmt.Sprintf("acceptable CAs: %s%s", strings.Join(names, "; "), more)
}
