package listener

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// clientAuthPool is the pool of CAs a client_auth rule accepts: the lab CA,
// none, or PEM files. A file is read once per listener, when a rule first
// names it (config check and the admin API read it when the rule is
// loaded); one that cannot be read later adds no CA, so its certificates
// are refused rather than let through.
func (s *Server) clientAuthPool(a *faults.ClientAuth) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, ca := range a.CAs() {
		switch ca {
		case faults.CANone:
		case faults.CALab:
			if s.deps.Minter != nil {
				pool.AddCert(s.deps.Minter.CA().Cert())
			}
		default:
			v, ok := s.caFiles.Load(ca)
			if !ok {
				certs, err := LoadCAFile(ca)
				if err != nil {
					certs = nil
				}
				v, _ = s.caFiles.LoadOrStore(ca, certs)
			}
			for _, c := range v.([]*x509.Certificate) {
				pool.AddCert(c)
			}
		}
	}
	return pool
}

// noteClientAuthAlert records the alert a client_auth rule refused the
// client's certificate with. Under TLS 1.3 it went out sealed, where the
// bytes cannot show it, and it need not be the one crypto/tls's error
// implies (reject_with).
func noteClientAuthAlert(leg *explain.Leg, auth *faults.ClientAuthRun) {
	if auth == nil {
		return
	}
	if a, ok := auth.Refused(); ok {
		leg.AlertSent = int(a)
	}
}

// LoadCAFile reads the certificates of a PEM bundle of trusted CAs, as an
// accept_cas entry names them, with an error that says what the file
// lacks. The admin API calls it to refuse a rule whose file would add no CA.
func LoadCAFile(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("listener: CA file: %w", err)
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("listener: CA file %s: certificate %d: %w", path, len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("listener: CA file " + path + " holds no PEM certificate (want -----BEGIN CERTIFICATE-----)")
	}
	return certs, nil
}
