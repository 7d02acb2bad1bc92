package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// probedVersions are the versions step 4 tries, oldest first.
func probedVersions() []uint16 {
	return []uint16{0x0300, tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}
}

// stepVersions is step 4: which protocol versions the server accepts, each
// offered alone.
func (p *prober) stepVersions(ctx context.Context) Step {
	t := p.t
	var s Step
	var ok, refused []string
	accepted := map[uint16]bool{}
	for _, v := range probedVersions() {
		label := explain.VersionName(v)
		var at Attempt
		if v == 0x0300 {
			at = p.trySSLv3(ctx)
		} else {
			cfg := p.baseConfig()
			cfg.MinVersion, cfg.MaxVersion = v, v
			at = p.toAttempt(label, p.handshake(ctx, cfg))
			if v == tls.VersionTLS12 && !at.OK && refusesVersion(at) {
				p.tls12 = -1
			}
		}
		s.Attempts = append(s.Attempts, at)
		if at.OK {
			accepted[v] = true
			ok = append(ok, label)
		} else {
			refused = append(refused, fmt.Sprintf("%s (%s)", label, at.Detail))
		}
	}
	if accepted[tls.VersionTLS12] {
		p.tls12 = 1
	}
	if len(ok) > 0 {
		s.Evidence = append(s.Evidence, "accepted: "+strings.Join(ok, ", "))
	}
	if len(refused) > 0 {
		s.Evidence = append(s.Evidence, "refused: "+strings.Join(refused, "; "))
	}
	modern := accepted[tls.VersionTLS12] || accepted[tls.VersionTLS13]
	var legacy []string
	for _, v := range probedVersions()[:3] {
		if accepted[v] {
			legacy = append(legacy, explain.VersionName(v))
		}
	}
	other := otherAlerts(s.Attempts)
	switch {
	case len(ok) == 0 && other != "":
		s.Verdict, s.Code = Info, "inconclusive"
		s.Finding = t.f("versions.inconclusive", "other", other)
	case len(ok) == 0:
		s.Verdict, s.Code = Fail, "no_version"
		s.Finding = t.f("versions.none")
		s.Cause = t.f("versions.none.cause")
		s.Check = t.f("versions.none.check")
	case !modern:
		s.Verdict, s.Code = Fail, "legacy_only"
		s.Finding = t.f("versions.legacy_only", "versions", t.list(legacy))
		s.Cause = t.f("versions.legacy_only.cause")
		s.Check = t.f("versions.legacy_only.check")
	case len(legacy) > 0:
		s.Verdict, s.Code = Warn, "legacy_enabled"
		s.Finding = t.f("versions.legacy_enabled", "legacy", t.list(legacy), "modern", t.list(modernOf(ok)))
		s.Cause = t.f("versions.legacy_enabled.cause")
		s.Check = t.f("versions.legacy_enabled.check")
	case !accepted[tls.VersionTLS12]:
		s.Verdict, s.Code = Warn, "tls13_only"
		s.Finding = t.f("versions.tls13_only", "refusal", p.refusalOf(s.Attempts, "TLS 1.2"))
		s.Cause = t.f("versions.tls13_only.cause")
		s.Check = t.f("versions.tls13_only.check")
	case !accepted[tls.VersionTLS13]:
		s.Verdict, s.Code = Warn, "no_tls13"
		s.Finding = t.f("versions.no_tls13", "refusal", p.refusalOf(s.Attempts, "TLS 1.3"))
		s.Cause = t.f("versions.no_tls13.cause")
		s.Check = t.f("versions.no_tls13.check")
	default:
		s.Verdict, s.Code = Pass, "modern_versions"
		s.Finding = t.f("versions.modern", "versions", t.list(ok))
	}
	return s
}

// refusesVersion reports an attempt refused for its version: a
// protocol_version alert, or a close or reset with no alert, the way old
// stacks refuse what they do not speak. Another alert means the version
// got through and something else failed.
func refusesVersion(a Attempt) bool {
	if a.Result == resAlert {
		return strings.HasPrefix(a.Detail, "alert 70 ")
	}
	return a.Result != resOK
}

// otherAlerts lists the attempts refused with an alert that is not about
// the version (112 for a missing name, 80 for a server fault): the server
// got past version negotiation, so the refusal says nothing about versions.
func otherAlerts(atts []Attempt) string {
	var out []string
	for _, a := range atts {
		if a.Result == resAlert && !strings.HasPrefix(a.Detail, "alert 70 ") && a.Label != explain.VersionName(0x0300) {
			out = append(out, a.Label+": "+a.Detail)
		}
	}
	return strings.Join(out, "; ")
}

// modernOf keeps TLS 1.2 and 1.3 from a list of accepted version labels.
func modernOf(labels []string) []string {
	var out []string
	for _, l := range labels {
		if l == explain.VersionName(tls.VersionTLS12) || l == explain.VersionName(tls.VersionTLS13) {
			out = append(out, l)
		}
	}
	return out
}

// refusalOf returns the detail of the attempt labelled label.
func (p *prober) refusalOf(atts []Attempt, label string) string {
	for _, a := range atts {
		if a.Label == label {
			return a.Detail
		}
	}
	return "not tried"
}

// trySSLv3 sends a hand-built SSLv3 hello and accepts only a ServerHello
// that picks 0x0300.
func (p *prober) trySSLv3(ctx context.Context) Attempt {
	at := Attempt{Label: explain.VersionName(0x0300), Result: resError}
	start := p.o.Now()
	defer func() { at.ElapsedMS = ms(p.o.Now().Sub(start)) }()
	hello, err := sslv3Hello(p.o.Rand)
	if err != nil {
		at.Detail = err.Error()
		return at
	}
	at.HelloLen = len(hello)
	conn, err := p.dial(ctx)
	if err != nil {
		at.Result, at.Detail = resDial, err.Error()
		return at
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(p.o.Timeout))
	if _, err := conn.Write(hello); err != nil {
		at.Result, at.Detail = resReset, err.Error()
		return at
	}
	rr := p.readReply(ctx, conn, time.Now().Add(p.o.Timeout))
	if len(rr.b) == 0 {
		at.Result = rr.result
		at.Detail = map[string]string{resReset: "connection reset by peer", resClosed: "closed by the server (EOF)",
			resTimeout: "no answer within " + fmtDur(p.o.Timeout)}[rr.result]
		if at.Detail == "" {
			at.Detail = rr.errText()
		}
		return at
	}
	switch rr.r.kind {
	case replyServerHello:
		if rr.r.version == 0x0300 {
			at.OK, at.Result = true, resOK
			at.Detail = "SSLv3 ServerHello, " + tls.CipherSuiteName(rr.r.cipher)
			return at
		}
		at.Result, at.Detail = resError, "answered with a "+explain.VersionName(rr.r.version)+" ServerHello, not SSLv3"
	case replyAlert:
		at.Result, at.Detail = resAlert, fmt.Sprintf("alert %d %s", rr.r.alert, explain.AlertName(rr.r.alert))
	default:
		at.Result, at.Detail = resNotTLS, describeReply(rr.r, p.t.en())
	}
	return at
}

// family is one kind of TLS 1.2 cipher suite, tried alone in step 5.
type family struct {
	name   string
	suites []uint16
	aead   bool // ECDHE with AES-GCM or ChaCha20-Poly1305: what modern clients want
	cbc    bool // ECDHE with AES-CBC
	rsaKex bool // static RSA key exchange: no forward secrecy
	tdes   bool // 3DES: Sweet32, off in every current client
}

// families lists the cipher families step 5 tries.
func families() []family {
	return []family{
		{name: "ECDHE-ECDSA AES-GCM", aead: true, suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}},
		{name: "ECDHE-RSA AES-GCM", aead: true, suites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}},
		{name: "ECDHE-ECDSA CHACHA20", aead: true, suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}},
		{name: "ECDHE-RSA CHACHA20", aead: true, suites: []uint16{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}},
		{name: "ECDHE-ECDSA AES-CBC", cbc: true, suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}},
		{name: "ECDHE-RSA AES-CBC", cbc: true, suites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}},
		{name: "RSA (static key exchange)", rsaKex: true, suites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA256}},
		{name: "3DES", tdes: true, suites: []uint16{tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}},
	}
}

// stepCiphers is step 5: which TLS 1.2 cipher families the server accepts.
func (p *prober) stepCiphers(ctx context.Context) Step {
	t := p.t
	var s Step
	var aead, cbc, rsaKex, tdes bool
	var ok []string
	for _, f := range families() {
		cfg := p.baseConfig()
		cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, tls.VersionTLS12, f.suites
		at := p.toAttempt(f.name, p.handshake(ctx, cfg))
		s.Attempts = append(s.Attempts, at)
		if !at.OK {
			continue
		}
		ok = append(ok, f.name)
		aead, cbc, rsaKex, tdes = aead || f.aead, cbc || f.cbc, rsaKex || f.rsaKex, tdes || f.tdes
	}
	if len(ok) > 0 {
		s.Evidence = append(s.Evidence, "accepted: "+strings.Join(ok, ", "))
	}
	switch {
	case len(ok) == 0:
		s.Verdict, s.Code = Fail, "no_shared_cipher"
		s.Finding = t.f("ciphers.none")
		s.Cause = t.f("ciphers.none.cause")
		s.Check = t.f("ciphers.none.check")
	case !aead && !cbc:
		s.Verdict, s.Code = Fail, "legacy_ciphers_only"
		s.Finding = t.f("ciphers.legacy_only", "families", t.join(ok))
		s.Cause = t.f("ciphers.legacy_only.cause")
		s.Check = t.f("ciphers.legacy_only.check")
	case tdes:
		s.Verdict, s.Code = Warn, "3des_enabled"
		s.Finding = t.f("ciphers.3des", "families", t.join(ok))
		s.Cause = t.f("ciphers.3des.cause")
		s.Check = t.f("ciphers.3des.check")
	case rsaKex:
		s.Verdict, s.Code = Warn, "static_rsa_enabled"
		s.Finding = t.f("ciphers.static_rsa")
		s.Cause = t.f("ciphers.static_rsa.cause")
		s.Check = t.f("ciphers.static_rsa.check")
	case !aead:
		s.Verdict, s.Code = Warn, "cbc_only"
		s.Finding = t.f("ciphers.cbc_only")
		s.Cause = t.f("ciphers.cbc_only.cause")
		s.Check = t.f("ciphers.cbc_only.check")
	default:
		s.Verdict, s.Code = Pass, "modern_ciphers"
		s.Finding = t.f("ciphers.modern", "families", t.join(ok))
	}
	return s
}
