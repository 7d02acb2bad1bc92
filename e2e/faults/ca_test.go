package faultse2e

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// tlsBackendCert is a CA and a leaf it issued for labHost and 127.0.0.1:
// the certificate of the HTTPS backend behind passthrough listeners, where
// the client verifies the backend, not tlsgate.
type tlsBackendCert struct {
	leaf   tls.Certificate
	caFile string
	pool   *x509.CertPool
}

func newTLSBackendCert(t *testing.T) *tlsBackendCert {
	t.Helper()
	ca := tg.NewCA(t, "faults e2e backend CA")
	return &tlsBackendCert{
		leaf:   ca.Leaf(t, []string{labHost, "*.lab.test"}, net.IPv4(127, 0, 0, 1)),
		caFile: ca.Write(t, t.TempDir(), "backend-ca.pem"),
		pool:   ca.Pool(),
	}
}
