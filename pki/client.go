package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Names of the client certificate and key WriteClientCert keeps beside the
// CA, for the lab's client-certificate scenario: `curl --cert client.pem
// --key client-key.pem` then works as the explanation prints it.
const (
	ClientCertFile = "client.pem"
	ClientKeyFile  = "client-key.pem"
)

// ClientName is the Common Name of the lab's client certificate.
const ClientName = "tlsgate lab client"

// clientValidity is a year: long enough for a course, short enough that a
// copied key does not outlive it by much.
const clientValidity = 365 * 24 * time.Hour

// ClientCert issues a client certificate (clientAuth) signed by ca, valid
// from an hour before now for a year (never past the CA), and returns it
// and its key as PEM. It signs as every leaf is signed, through a Minter
// made for this one certificate (its cache is never used).
func (ca *CA) ClientCert(now func() time.Time, random io.Reader) (certPEM, keyPEM []byte, err error) {
	m := NewMinter(ca, now, random)
	key, err := ecdsa.GenerateKey(elliptic.P256(), m.random)
	if err != nil {
		return nil, nil, fmt.Errorf("pki: client key: %w", err)
	}
	t := now()
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: ClientName, Organization: []string{Watermark}},
		NotBefore:   t.Add(-time.Hour),
		NotAfter:    m.clampToCA(t.Add(clientValidity)),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	c, err := m.issue(ClientName, tmpl, m.root(), key, nil)
	if err != nil {
		return nil, nil, err
	}
	if keyPEM, err = encodeKey(key); err != nil {
		return nil, nil, fmt.Errorf("pki: encode client key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), keyPEM, nil
}

// WriteClientCert makes sure dir holds ClientCertFile and ClientKeyFile,
// a pair ca issued that is valid at now for client authentication. A good
// pair is kept (a trainee may have copied it); one of ours that went stale
// (expired, or from an earlier CA) is replaced; a pair that is not ours is
// never overwritten, and is an error naming the files. It reports whether
// it wrote the files.
func (ca *CA) WriteClientCert(dir string, now func() time.Time, random io.Reader) (bool, error) {
	certPath, keyPath := filepath.Join(dir, ClientCertFile), filepath.Join(dir, ClientKeyFile)
	certPEM, cerr := os.ReadFile(certPath)
	keyPEM, kerr := os.ReadFile(keyPath)
	switch {
	case errors.Is(cerr, os.ErrNotExist) && errors.Is(kerr, os.ErrNotExist):
	case cerr != nil && !errors.Is(cerr, os.ErrNotExist):
		return false, fmt.Errorf("pki: %w", cerr)
	case kerr != nil && !errors.Is(kerr, os.ErrNotExist):
		return false, fmt.Errorf("pki: %w", kerr)
	default:
		stale, err := ca.staleClient(certPEM, keyPEM, now())
		if err == nil {
			return false, nil
		}
		if !stale {
			return false, fmt.Errorf("pki: %s and %s are not tlsgate's lab client pair, so they are left alone: %w (move them away and the lab writes a new pair)", certPath, keyPath, err)
		}
	}
	certPEM, keyPEM, err := ca.ClientCert(now, random)
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("pki: create CA directory: %w", err)
	}
	// The key first, as save does: an interrupted write leaves no
	// certificate without its key.
	if err := replace(keyPath, keyPEM, 0o600); err != nil {
		return false, err
	}
	return true, replace(certPath, certPEM, 0o644)
}

// staleClient checks a client pair read from disk: nil when ca issued it
// for client authentication and it is valid at t. Otherwise stale says
// whether it is one of ours (the lab client's name and watermark, or one
// file of the pair missing), which may be replaced.
func (ca *CA) staleClient(certPEM, keyPEM []byte, t time.Time) (stale bool, err error) {
	if certPEM == nil || keyPEM == nil {
		return true, errors.New("half a pair")
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return false, err
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return false, err
		}
	}
	ours := leaf.Subject.CommonName == ClientName && len(leaf.Subject.Organization) == 1 && leaf.Subject.Organization[0] == Watermark
	_, err = leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: t, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return ours, err
}

// replace writes data to path through a temporary file and a rename, so a
// reader sees the old file or the new one, never a part.
func replace(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := writeNew(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("pki: %w", err)
	}
	return nil
}
