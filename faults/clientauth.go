package faults

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"sync"
	"time"
)

// The special accept_cas entries: the lab CA that mints tlsgate's leaves,
// and no CA at all (every certificate is refused, and the CertificateRequest
// names no CA, so clients still send the one they have).
const (
	CALab  = "lab"
	CANone = "none"
)

// ClientAuthAlerts are the alerts reject_with may name: what servers and
// middleboxes send for a client certificate they refuse or miss
// (failure-catalog §2 C, tls.client_auth).
func ClientAuthAlerts() []uint8 { return []uint8{42, 48, 49, 116} }

// ClientAuth is what a fired client_auth rule asks of a terminating
// listener's handshake: a client certificate, required or only requested,
// chained to one of AcceptCAs, and the alert that refuses one.
type ClientAuth struct {
	Rule      string
	Require   bool
	AcceptCAs []string // CALab, CANone or PEM files; empty means CALab
	// RejectWith is the alert for a missing or refused certificate; 0
	// sends what crypto/tls would: 116 certificate_required (TLS 1.3) or
	// 40 handshake_failure (TLS 1.2) for a missing one, 48 unknown_ca, 45
	// certificate_expired or 42 bad_certificate for a refused one.
	RejectWith uint8
}

// clientAuth is the rule's ClientAuth.
func (r *Rule) clientAuth() *ClientAuth {
	a := &ClientAuth{Rule: r.Name, Require: r.Require == nil || *r.Require, AcceptCAs: r.AcceptCAs}
	if r.RejectWith != nil {
		a.RejectWith, _ = r.RejectWith.Code()
	}
	return a
}

// CAs is the accept_cas list with its default filled in.
func (a *ClientAuth) CAs() []string {
	if len(a.AcceptCAs) == 0 {
		return []string{CALab}
	}
	return a.AcceptCAs
}

// ClientAuthRun enforces a ClientAuth on one handshake. crypto/tls picks
// its own alert for a refused client certificate and has no knob for
// another, so the run asks crypto/tls only to request a certificate,
// judges it in VerifyConnection (crypto/tls then sends 42
// bad_certificate), and Rewrite turns that alert into the one the rule
// wants on its way out. Under TLS 1.2 the alert travels in the clear;
// under TLS 1.3 it is sealed with the server's application traffic key,
// which the run learns from crypto/tls's key log.
type ClientAuthRun struct {
	auth ClientAuth
	pool *x509.CertPool
	now  func() time.Time

	mu      sync.Mutex
	want    uint8  // the alert the refusal should carry, 0 until Verify refuses
	secret  []byte // SERVER_TRAFFIC_SECRET_0 (TLS 1.3)
	sent    uint8  // the alert that went out, once Rewrite saw it
	swapped bool   // Rewrite saw crypto/tls's alert (and replaced it if needed)
}

// NewClientAuthRun prepares one handshake's enforcement; pool holds the
// accepted CAs (empty for CANone) and now is the clock certificates are
// checked against.
func NewClientAuthRun(a ClientAuth, pool *x509.CertPool, now func() time.Time) *ClientAuthRun {
	if pool == nil {
		pool = x509.NewCertPool()
	}
	if now == nil {
		now = time.Now
	}
	return &ClientAuthRun{auth: a, pool: pool, now: now}
}

// Configure sets cfg (a per-connection clone) up for the run: request a
// certificate advertising the accepted CAs, judge it here, and tee the key
// log. Session tickets are off, so a resumed session cannot skip the
// certificate the rule asks for.
func (r *ClientAuthRun) Configure(cfg *tls.Config) {
	cfg.ClientAuth = tls.RequestClientCert
	cfg.ClientCAs = r.pool
	cfg.VerifyConnection = r.verify
	cfg.SessionTicketsDisabled = true
	cfg.KeyLogWriter = &keyLogTee{next: cfg.KeyLogWriter, run: r}
}

// errNoClientCert is crypto/tls's own text for a missing certificate, which
// the diagnosis reads (client-symptoms.md §7).
var errNoClientCert = errors.New("tls: client didn't provide a certificate")

// verify judges the client's certificate as crypto/tls would with
// RequireAndVerifyClientCert (or VerifyClientCertIfGiven when not
// required), and notes the alert the refusal should carry.
func (r *ClientAuthRun) verify(cs tls.ConnectionState) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		if !r.auth.Require {
			return nil
		}
		natural := uint8(40)
		if cs.Version == tls.VersionTLS13 {
			natural = 116
		}
		r.refuse(natural)
		return errNoClientCert
	}
	opts := x509.VerifyOptions{Roots: r.pool, CurrentTime: r.now(), Intermediates: x509.NewCertPool(),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := certs[0].Verify(opts); err != nil {
		natural := uint8(42)
		if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
			natural = 48
		} else if ie, ok := errors.AsType[x509.CertificateInvalidError](err); ok && ie.Reason == x509.Expired {
			natural = 45
		}
		r.refuse(natural)
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return nil
}

func (r *ClientAuthRun) refuse(natural uint8) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.want = natural
	if r.auth.RejectWith != 0 {
		r.want = r.auth.RejectWith
	}
}

// alertBadCertificate is what crypto/tls sends when VerifyConnection fails.
const alertBadCertificate = 42

// Rewrite returns b, a write crypto/tls makes during the handshake, with
// the alert of a refusal replaced by the one the run wants. Anything else,
// and any write before a refusal, passes unchanged.
func (r *ClientAuthRun) Rewrite(b []byte) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.want == 0 || r.swapped {
		return b
	}
	if desc, ok := clearAlert(b); ok {
		if desc != alertBadCertificate {
			return b
		}
		r.swapped, r.sent = true, r.want
		out := bytes.Clone(b)
		out[6] = r.want
		return out
	}
	if r.secret == nil {
		return b
	}
	out, ok := reseal13Alert(b, r.secret, alertBadCertificate, r.want)
	if !ok {
		return b
	}
	r.swapped, r.sent = true, r.want
	return out
}

// Refused reports the alert that went out for a refused or missing
// certificate, and whether the run refused one and saw its alert leave.
func (r *ClientAuthRun) Refused() (alert uint8, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent, r.swapped
}

// clearAlert reads b as one unencrypted fatal alert record (TLS 1.0–1.2,
// or before encryption starts).
func clearAlert(b []byte) (desc uint8, ok bool) {
	if len(b) != 7 || b[0] != 21 || b[1] != 3 || b[3] != 0 || b[4] != 2 || b[5] != 2 {
		return 0, false
	}
	return b[6], true
}

// keyLogTee passes crypto/tls's key log on and keeps the server's
// application traffic secret, which seals a TLS 1.3 alert.
type keyLogTee struct {
	next io.Writer
	run  *ClientAuthRun
}

// Write reads one NSS key log line ("LABEL client_random secret\n"), as
// crypto/tls writes each in one call.
func (k *keyLogTee) Write(p []byte) (int, error) {
	if rest, ok := bytes.CutPrefix(p, []byte("SERVER_TRAFFIC_SECRET_0 ")); ok {
		if _, hexSecret, ok := bytes.Cut(bytes.TrimSpace(rest), []byte(" ")); ok {
			if s, err := hex.DecodeString(string(hexSecret)); err == nil {
				k.run.mu.Lock()
				k.run.secret = s
				k.run.mu.Unlock()
			}
		}
	}
	if k.next != nil {
		return k.next.Write(p)
	}
	return len(p), nil
}
