package pki

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// verifyClient checks the pair in dir is a client certificate ca issued,
// valid at t for client authentication.
func verifyClient(t *testing.T, ca *CA, dir string, at time.Time) {
	t.Helper()
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, ClientCertFile), filepath.Join(dir, ClientKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("the client certificate does not verify for client auth: %v", err)
	}
	if info, err := os.Stat(filepath.Join(dir, ClientKeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("client key mode: %v %v, want 0600", info.Mode(), err)
	}
}

// TestWriteClientCert: the lab's client pair is written when absent, kept
// while good, replaced when stale or from another lab CA, and a pair that
// is not the lab's is an error and stays as it was.
func TestWriteClientCert(t *testing.T) {
	ca := newTestCA(t)
	other := newTestCA(t)
	later := func() time.Time { return fixedNow().AddDate(2, 0, 0) }
	tests := []struct {
		name      string
		setup     func(t *testing.T, dir string)
		now       func() time.Time
		wantWrite bool
		wantErr   string
	}{
		{"absent", func(*testing.T, string) {}, fixedNow, true, ""},
		{"good pair kept", func(t *testing.T, dir string) { mustWrite(t, ca, dir, fixedNow) }, fixedNow, false, ""},
		{"expired pair replaced", func(t *testing.T, dir string) { mustWrite(t, ca, dir, fixedNow) }, later, true, ""},
		{"another lab CA's pair replaced", func(t *testing.T, dir string) { mustWrite(t, other, dir, fixedNow) }, fixedNow, true, ""},
		{"half a pair replaced", func(t *testing.T, dir string) {
			mustWrite(t, ca, dir, fixedNow)
			if err := os.Remove(filepath.Join(dir, ClientKeyFile)); err != nil {
				t.Fatal(err)
			}
		}, fixedNow, true, ""},
		{"foreign pair left alone", func(t *testing.T, dir string) {
			// A pair of the user's own: a server leaf with its key.
			m := NewMinter(other, fixedNow, rand.Reader)
			leaf, err := m.Leaf("mine.example")
			if err != nil {
				t.Fatal(err)
			}
			writePEMPair(t, dir, leaf)
		}, fixedNow, false, "not tlsgate's lab client pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			before, _ := os.ReadFile(filepath.Join(dir, ClientCertFile))
			wrote, err := ca.WriteClientCert(dir, tt.now, rand.Reader)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), ClientCertFile) {
					t.Fatalf("err = %v, want one naming %s and saying %q", err, ClientCertFile, tt.wantErr)
				}
				if after, _ := os.ReadFile(filepath.Join(dir, ClientCertFile)); string(after) != string(before) {
					t.Error("a pair that is not the lab's was overwritten")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if wrote != tt.wantWrite {
				t.Errorf("wrote = %v, want %v", wrote, tt.wantWrite)
			}
			verifyClient(t, ca, dir, tt.now())
		})
	}
}

func mustWrite(t *testing.T, ca *CA, dir string, now func() time.Time) {
	t.Helper()
	if _, err := ca.WriteClientCert(dir, now, rand.Reader); err != nil {
		t.Fatal(err)
	}
}

// writePEMPair writes c as the client pair files.
func writePEMPair(t *testing.T, dir string, c *tls.Certificate) {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ClientCertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ClientKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
}
