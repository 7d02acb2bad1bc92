package probe

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/tlsgate/tlsgate/explain"
)

// versionFinding tries step 3's hello capped at TLS 1.2 after the full one
// was reset or closed, and when that one gets a ServerHello says the path
// is version intolerant (true): a firewall, IPS or old load balancer that
// drops hellos offering TLS 1.3 but passes the same client capped at 1.2.
// TLS 1.3 keeps legacy_version at 1.2 for such devices; the ones that still
// fail read supported_versions. Neither the SNI check nor a PROXY header
// tells this apart, since the device resets every name alike.
func (p *prober) versionFinding(ctx context.Context, s *Step) bool {
	cfg := p.baseConfig()
	cfg.MaxVersion = tls.VersionTLS12
	hello, err := helloBytes(cfg)
	if err != nil {
		return false
	}
	rr, _, err := p.rawExchange(ctx, hello)
	if err != nil {
		s.Evidence = append(s.Evidence, "the same ClientHello capped at TLS 1.2: "+err.Error())
		return false
	}
	if len(rr.b) == 0 || rr.r.kind != replyServerHello {
		s.Evidence = append(s.Evidence, fmt.Sprintf("the same ClientHello capped at TLS 1.2 (%s bytes): %s", fmtInt(len(hello)), rr.errText()))
		return false
	}
	t := p.t
	version := explain.VersionName(rr.r.version)
	s.Evidence = append(s.Evidence, fmt.Sprintf("the same ClientHello capped at TLS 1.2 (%s bytes, no TLS 1.3 in supported_versions): ServerHello %s %s",
		fmtInt(len(hello)), version, tls.CipherSuiteName(rr.r.cipher)))
	s.Code = "version_intolerance"
	s.Finding += t.f("hello.version_intolerance", "version", version)
	s.Cause = t.f("hello.version_intolerance.cause")
	s.Check = t.f("hello.version_intolerance.check", "addr", p.addr)
	p.helloSkip = t.f("skip.version_intolerance")
	return true
}
