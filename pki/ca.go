// Package pki owns tlsgate's lab certificate authority: it creates the CA once,
// loads it on later runs, exports it for clients to trust (PEM, DER, PKCS#12),
// mints short-lived leaf certificates per server name for TLS termination, and
// builds deliberately broken chains (expired, untrusted, incomplete …) for lab
// faults.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// Names of the files LoadOrCreate keeps in the CA directory.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// Watermark is the Organization of the CA and of every leaf it mints, so a
// forged certificate is recognisable at a glance in any client's viewer.
const Watermark = "tlsgate lab CA"

// caValidity is long because re-trusting a new CA on every lab client is the
// expensive step; the leaves stay short-lived instead.
const caValidity = 10 // years

// caBackdate is how far before its creation the CA starts to be valid,
// in years: far enough that every leaf it issues, however backdated by a
// fault, lies inside the CA's own validity.
const caBackdate = 10 // years

// CA is a loaded lab certificate authority. It is immutable and safe for
// concurrent use.
type CA struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
	pool    *x509.CertPool
}

// New creates a fresh CA in memory only. Tests and throw-away labs use it;
// LoadOrCreate uses it for a first run.
func New(now func() time.Time, random io.Reader) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), random)
	if err != nil {
		return nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	serial, err := newSerial(random)
	if err != nil {
		return nil, err
	}
	t := now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: Watermark, Organization: []string{Watermark}},
		// Backdated as far as it runs forward: the bad chains and clock
		// faults mint leaves whose validity starts days or weeks ago
		// (expired, stale OCSP, negative skew), and a leaf that starts
		// before its issuer is a second, unintended fault. It also covers
		// clients whose clock is slow.
		NotBefore:             t.AddDate(-caBackdate, 0, 0),
		NotAfter:              t.AddDate(caValidity, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// No path length limit: the long_chain fault needs a dozen valid
		// intermediates under this root, and a limit on the root would turn
		// it into a path-length error. (CAs made before carry pathlen 1;
		// BadChain says so rather than serve the wrong symptom.)
		MaxPathLen: -1,
	}
	der, err := x509.CreateCertificate(random, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: self-sign CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse new CA certificate: %w", err)
	}
	return newCA(cert, key), nil
}

func newCA(cert *x509.Certificate, key crypto.Signer) *CA {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		pool:    pool,
	}
}

// ErrNoCA is returned by Load when the directory holds neither CA file. It
// wraps fs.ErrNotExist. Commands that only read the CA (ca export) stop on
// it instead of minting a CA that no running proxy uses.
var ErrNoCA = fmt.Errorf("pki: no lab CA (neither %s nor %s): %w", CertFile, KeyFile, fs.ErrNotExist)

// Load loads the CA kept in dir and never creates one: ErrNoCA when neither
// file exists. A half-present pair, a key readable by others, a corrupt
// file, a key that does not match the certificate, or an expired CA is an
// error naming the file.
func Load(dir string, now func() time.Time) (*CA, error) {
	certPath, keyPath, certOK, keyOK, err := caFiles(dir)
	if err != nil {
		return nil, err
	}
	switch {
	case certOK && keyOK:
		return load(certPath, keyPath, now)
	case certOK:
		return nil, fmt.Errorf("pki: %s exists but %s is missing; restore the key or remove %s to create a new CA", certPath, keyPath, certPath)
	case keyOK:
		return nil, fmt.Errorf("pki: %s exists but %s is missing; restore the certificate or remove %s to create a new CA", keyPath, certPath, keyPath)
	}
	return nil, ErrNoCA
}

// caFiles names the CA's two files in dir and says which exist.
func caFiles(dir string) (certPath, keyPath string, certOK, keyOK bool, err error) {
	certPath = filepath.Join(dir, CertFile)
	keyPath = filepath.Join(dir, KeyFile)
	// Said here, since a stat of dir/ca.pem would blame ca.pem ("not a
	// directory") for its parent being a file.
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return "", "", false, false, fmt.Errorf("pki: CA directory %s is a file, not a directory (it holds %s and %s)", dir, CertFile, KeyFile)
	}
	if certOK, err = exists(certPath); err != nil {
		return "", "", false, false, err
	}
	if keyOK, err = exists(keyPath); err != nil {
		return "", "", false, false, err
	}
	return certPath, keyPath, certOK, keyOK, nil
}

// LoadOrCreate loads the CA kept in dir, or creates dir (0700), a new CA,
// ca.pem (0644) and ca-key.pem (0600) when neither file exists yet. created
// reports which happened. Every other failure is Load's; nothing is
// overwritten.
func LoadOrCreate(dir string, now func() time.Time, random io.Reader) (*CA, bool, error) {
	ca, created, err := LoadOrNew(dir, now, random)
	if err != nil || !created {
		return ca, false, err
	}
	if err := ca.Save(dir); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

// LoadOrNew is LoadOrCreate without the writing: when neither file exists it
// returns a new CA made in memory, with created true, and the caller keeps it
// with Save once it is sure to use it. tlsgate run does, so that a start-up
// that fails (a port already taken) leaves no CA directory behind.
func LoadOrNew(dir string, now func() time.Time, random io.Reader) (*CA, bool, error) {
	ca, err := Load(dir, now)
	if !errors.Is(err, ErrNoCA) {
		return ca, false, err
	}
	if ca, err = New(now, random); err != nil {
		return nil, false, err
	}
	return ca, true, nil
}

// Save keeps ca in dir as LoadOrCreate does: dir (0700), ca-key.pem (0600)
// and ca.pem (0644). It never replaces a file: a CA that appeared in dir
// meanwhile is an error, not overwritten.
func (ca *CA) Save(dir string) error {
	return ca.save(dir, filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
}

func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("pki: %w", err)
	}
}

// save writes the key before the certificate: an interrupted first run then
// leaves a lone key, which LoadOrCreate reports instead of silently
// replacing a CA that clients may already trust.
func (ca *CA) save(dir, certPath, keyPath string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: create CA directory: %w", err)
	}
	keyPEM, err := encodeKey(ca.key)
	if err != nil {
		return fmt.Errorf("pki: encode CA key: %w", err)
	}
	if err := writeNew(keyPath, keyPEM, 0o600); err != nil {
		return err
	}
	return writeNew(certPath, ca.certPEM, 0o644)
}

// writeNew refuses to replace an existing file and sets the mode explicitly,
// because the process umask could otherwise widen or narrow it.
func writeNew(path string, data []byte, mode fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	_, werr := f.Write(data)
	cerr := f.Chmod(mode)
	if err := errors.Join(werr, cerr, f.Close()); err != nil {
		return fmt.Errorf("pki: write %s: %w", path, err)
	}
	return nil
}

func load(certPath, keyPath string, now func() time.Time) (*CA, error) {
	info, err := os.Stat(keyPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("pki: %s has mode %#o, want 0600: the CA key must not be readable by other users (chmod 600 %s)", keyPath, perm, keyPath)
	}
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	cert, err := parseCert(certPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: %s: %w", certPath, err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: %s: %w", keyPath, err)
	}
	if err := matches(cert, key); err != nil {
		return nil, fmt.Errorf("pki: %s does not belong to %s: %w", keyPath, certPath, err)
	}
	if t := now(); t.After(cert.NotAfter) {
		return nil, fmt.Errorf("pki: %s expired at %s (now %s); remove %s and %s to create a new CA",
			certPath, cert.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339), certPath, keyPath)
	}
	return newCA(cert, key), nil
}

// parseCert accepts exactly one PEM CERTIFICATE holding a CA certificate.
func parseCert(data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("no PEM block found (%d bytes, starting %q)", len(data), prefix(data))
	}
	if block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("PEM block is %q, want CERTIFICATE", block.Type)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, fmt.Errorf("certificate %q is not a CA (IsCA=%t, key usage %#x)", cert.Subject.String(), cert.IsCA, cert.KeyUsage)
	}
	return cert, nil
}

// encodeKey writes key as a PKCS#8 "PRIVATE KEY" PEM block, the one form
// tlsgate writes (parseKey reads it back, and so do curl and openssl).
func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parseKey accepts PKCS#8 (what we write) and SEC 1 EC keys (what openssl
// ecparam writes), so a CA made by hand can be dropped in.
func parseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("no PEM block found (%d bytes)", len(data))
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block is %q, want PRIVATE KEY or EC PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key of type %T cannot sign", key)
	}
	return signer, nil
}

func matches(cert *x509.Certificate, key crypto.Signer) error {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return fmt.Errorf("public key of %T key differs from the certificate's %s key", key, cert.PublicKeyAlgorithm)
	}
	return nil
}

func prefix(b []byte) []byte {
	return b[:min(len(b), 16)]
}

// newSerial draws 128 random bits: RFC 5280 allows up to 20 octets and
// browsers expect serials to be unpredictable.
func newSerial(random io.Reader) (*big.Int, error) {
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return nil, fmt.Errorf("pki: read serial number: %w", err)
	}
	b[0] &= 0x7f // keep it positive after DER's two's complement
	b[0] |= 0x01 // and non-zero
	return new(big.Int).SetBytes(b[:]), nil
}

// CertPEM returns the CA certificate in PEM form, ready for `tlsgate ca export`.
func (ca *CA) CertPEM() []byte {
	return append([]byte(nil), ca.certPEM...)
}

// Cert returns the parsed CA certificate. Callers must not modify it.
func (ca *CA) Cert() *x509.Certificate {
	return ca.cert
}

// Pool returns a pool holding only the CA, for verifying minted leaves.
func (ca *CA) Pool() *x509.CertPool {
	return ca.pool.Clone()
}

// Signer returns the CA's private key, for the chain builders that issue
// intermediates or deliberately bad certificates under the same root.
func (ca *CA) Signer() crypto.Signer {
	return ca.key
}
