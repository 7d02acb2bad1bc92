package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixedNow is the lab's injected clock: tests never depend on the wall clock.
func fixedNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func TestLoadOrCreateFirstRunThenReload(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	ca, created, err := LoadOrCreate(dir, fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("first run: created = false")
	}

	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{dir, 0o700 | os.ModeDir},
		{filepath.Join(dir, CertFile), 0o644},
		{filepath.Join(dir, KeyFile), 0o600},
	} {
		info, err := os.Stat(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode() & (os.ModePerm | os.ModeDir); got != f.mode {
			t.Errorf("%s: mode %v, want %v", f.path, got, f.mode)
		}
	}

	c := ca.Cert()
	checks := []struct {
		what string
		ok   bool
	}{
		{"CN", c.Subject.CommonName == "tlsgate lab CA"},
		{"O", len(c.Subject.Organization) == 1 && c.Subject.Organization[0] == "tlsgate lab CA"},
		{"IsCA", c.IsCA && c.BasicConstraintsValid},
		{"no path length limit", c.MaxPathLen == -1 && !c.MaxPathLenZero},
		{"KeyUsage", c.KeyUsage == x509.KeyUsageCertSign|x509.KeyUsageCRLSign},
		{"P-256", c.PublicKeyAlgorithm == x509.ECDSA && c.PublicKey.(*ecdsa.PublicKey).Curve == elliptic.P256()},
		{"10 years", c.NotAfter.Equal(fixedNow().AddDate(10, 0, 0))},
		{"backdated", c.NotBefore.Before(fixedNow())},
		{"serial positive", c.SerialNumber.Sign() > 0},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("CA certificate: %s check failed", ch.what)
		}
	}

	onDisk, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, ca.CertPEM()) {
		t.Error("ca.pem differs from CertPEM()")
	}

	again, created, err := LoadOrCreate(dir, fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("second run: created = true")
	}
	if !bytes.Equal(again.CertPEM(), ca.CertPEM()) {
		t.Error("reloaded CA differs from the created one")
	}
	if !again.Signer().Public().(*ecdsa.PublicKey).Equal(ca.Signer().Public()) {
		t.Error("reloaded key differs")
	}
}

func TestCertPEMIsACopy(t *testing.T) {
	ca := newTestCA(t)
	p := ca.CertPEM()
	p[0] = 'X'
	if ca.CertPEM()[0] != '-' {
		t.Error("CertPEM exposes internal storage")
	}
}

// writeCA writes a valid pair to a fresh dir and returns the paths.
func writeCA(t *testing.T) (dir, certPath, keyPath string) {
	t.Helper()
	dir = t.TempDir()
	if _, _, err := LoadOrCreate(dir, fixedNow, rand.Reader); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
}

func TestLoadOrCreateBadFiles(t *testing.T) {
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherDER, err := x509.MarshalPKCS8PrivateKey(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: otherDER})
	sec1DER, err := x509.MarshalECPrivateKey(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	sec1PEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1DER})

	tests := []struct {
		name     string
		mutate   func(t *testing.T, certPath, keyPath string)
		now      func() time.Time
		wantFile string // the file the error must name
		wantText string
	}{
		{
			name:     "key readable by group",
			mutate:   func(t *testing.T, _, k string) { chmod(t, k, 0o640) },
			wantFile: KeyFile, wantText: "want 0600",
		},
		{
			name:     "key world readable",
			mutate:   func(t *testing.T, _, k string) { chmod(t, k, 0o644) },
			wantFile: KeyFile, wantText: "0644",
		},
		{
			name:     "corrupt cert PEM",
			mutate:   func(t *testing.T, c, _ string) { write(t, c, []byte("not a pem file\n"), 0o644) },
			wantFile: CertFile, wantText: "no PEM block",
		},
		{
			name:     "cert PEM with garbage DER",
			mutate:   func(t *testing.T, c, _ string) { write(t, c, pemOf("CERTIFICATE", []byte{0x30, 0x03, 1, 2, 3}), 0o644) },
			wantFile: CertFile, wantText: "parse certificate",
		},
		{
			name:     "cert file holds a key",
			mutate:   func(t *testing.T, c, _ string) { write(t, c, otherPEM, 0o644) },
			wantFile: CertFile, wantText: `"PRIVATE KEY"`,
		},
		{
			name:     "corrupt key PEM",
			mutate:   func(t *testing.T, _, k string) { write(t, k, []byte("-----BEGIN PRIVATE KEY-----\n!!\n"), 0o600) },
			wantFile: KeyFile, wantText: "no PEM block",
		},
		{
			name:     "key PEM with garbage DER",
			mutate:   func(t *testing.T, _, k string) { write(t, k, pemOf("PRIVATE KEY", []byte{1, 2, 3}), 0o600) },
			wantFile: KeyFile, wantText: "parse key",
		},
		{
			name:     "mismatched PKCS8 key",
			mutate:   func(t *testing.T, _, k string) { write(t, k, otherPEM, 0o600) },
			wantFile: KeyFile, wantText: "does not belong",
		},
		{
			name:     "mismatched SEC1 key",
			mutate:   func(t *testing.T, _, k string) { write(t, k, sec1PEM, 0o600) },
			wantFile: KeyFile, wantText: "does not belong",
		},
		{
			name:     "cert missing",
			mutate:   func(t *testing.T, c, _ string) { remove(t, c) },
			wantFile: CertFile, wantText: "missing",
		},
		{
			name:     "key missing",
			mutate:   func(t *testing.T, _, k string) { remove(t, k) },
			wantFile: KeyFile, wantText: "missing",
		},
		{
			name:     "expired CA",
			mutate:   func(*testing.T, string, string) {},
			now:      func() time.Time { return fixedNow().AddDate(11, 0, 0) },
			wantFile: CertFile, wantText: "expired",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, certPath, keyPath := writeCA(t)
			tt.mutate(t, certPath, keyPath)
			before := listDir(t, dir)
			now := tt.now
			if now == nil {
				now = fixedNow
			}
			ca, created, err := LoadOrCreate(dir, now, rand.Reader)
			if err == nil {
				t.Fatalf("got CA %v (created=%t), want an error", ca != nil, created)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "pki: ") || !strings.Contains(msg, tt.wantFile) || !strings.Contains(msg, tt.wantText) {
				t.Errorf("error %q: want prefix \"pki: \", file %q and %q", msg, tt.wantFile, tt.wantText)
			}
			// A failed load must neither create nor replace a file.
			if after := listDir(t, dir); after != before {
				t.Errorf("directory changed on a failed load:\n before %s\n after  %s", before, after)
			}
		})
	}
}

func TestLoadAcceptsSEC1Key(t *testing.T) {
	dir, _, keyPath := writeCA(t)
	ca, _, err := LoadOrCreate(dir, fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(ca.Signer().(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	write(t, keyPath, pemOf("EC PRIVATE KEY", der), 0o600)
	if _, created, err := LoadOrCreate(dir, fixedNow, rand.Reader); err != nil || created {
		t.Fatalf("SEC 1 key: created=%t err=%v", created, err)
	}
}

func TestLoadAcceptsReadOnlyKey(t *testing.T) {
	dir, _, keyPath := writeCA(t)
	chmod(t, keyPath, 0o400)
	if _, _, err := LoadOrCreate(dir, fixedNow, rand.Reader); err != nil {
		t.Fatalf("0400 key: %v", err)
	}
}

func TestLoadRejectsNonCACert(t *testing.T) {
	dir, certPath, _ := writeCA(t)
	ca, _, err := LoadOrCreate(dir, fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := NewMinter(ca, fixedNow, rand.Reader).Leaf("leaf.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	write(t, certPath, pemOf("CERTIFICATE", leaf.Certificate[0]), 0o644)
	_, _, err = LoadOrCreate(dir, fixedNow, rand.Reader)
	if err == nil || !strings.Contains(err.Error(), "not a CA") || !strings.Contains(err.Error(), CertFile) {
		t.Fatalf("leaf as CA: err = %v", err)
	}
}

func TestLoadOrCreateUnwritableDir(t *testing.T) {
	parent := t.TempDir()
	blocker := filepath.Join(parent, "file")
	write(t, blocker, []byte("x"), 0o644)
	_, _, err := LoadOrCreate(filepath.Join(blocker, "ca"), fixedNow, rand.Reader)
	if err == nil || !strings.HasPrefix(err.Error(), "pki: ") {
		t.Fatalf("dir under a file: err = %v", err)
	}
}

// TestLoadDirIsAFile: a CA directory that is a file is named as such, by
// Load and LoadOrCreate alike, and left alone.
func TestLoadDirIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ca")
	write(t, file, []byte("x"), 0o644)
	for name, load := range map[string]func() error{
		"Load":         func() error { _, err := Load(file, fixedNow); return err },
		"LoadOrCreate": func() error { _, _, err := LoadOrCreate(file, fixedNow, rand.Reader); return err },
	} {
		err := load()
		if want := "pki: CA directory " + file + " is a file, not a directory"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "x" {
		t.Errorf("the file changed: %q, %v", b, err)
	}
}

func TestNewSerialShortReader(t *testing.T) {
	_, err := New(fixedNow, bytes.NewReader(make([]byte, 4)))
	if err == nil || !strings.HasPrefix(err.Error(), "pki: ") {
		t.Fatalf("short random: err = %v", err)
	}
}

// listDir summarises names, modes and contents so any change shows.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %v %x; ", e.Name(), info.Mode(), sha256.Sum256(data))
	}
	return b.String()
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func write(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	chmod(t, path, mode)
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func newTestCA(t testing.TB) *CA {
	t.Helper()
	ca, err := New(fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// TestLoadNeverCreates: Load is what read-only commands use, so an empty
// directory must stay empty and report ErrNoCA, and a CA made by
// LoadOrCreate must load back unchanged.
func TestLoadNeverCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	if _, err := Load(dir, fixedNow); !errors.Is(err, ErrNoCA) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(empty) = %v, want ErrNoCA wrapping fs.ErrNotExist", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load created %s: %v", dir, err)
	}
	made, _, err := LoadOrCreate(dir, fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.CertPEM(), made.CertPEM()) {
		t.Error("Load returned a different CA from the one LoadOrCreate saved")
	}
}

// TestLoadOrNewWritesNothingUntilSave: run makes its CA with LoadOrNew and
// keeps it with Save only once every socket is bound, so a start-up that
// fails leaves no CA directory; Save then writes what LoadOrCreate would,
// refuses to replace a CA that appeared meanwhile, and a second LoadOrNew
// loads the saved one.
func TestLoadOrNewWritesNothingUntilSave(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	ca, created, err := LoadOrNew(dir, fixedNow, rand.Reader)
	if err != nil || !created || ca == nil {
		t.Fatalf("LoadOrNew(empty) = %v, %v, %v; want a new CA, created", ca, created, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadOrNew created %s: %v", dir, err)
	}
	if err := ca.Save(dir); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, KeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("saved key: %v, %v; want mode 0600", info, err)
	}
	again, created, err := LoadOrNew(dir, fixedNow, rand.Reader)
	if err != nil || created || !bytes.Equal(again.CertPEM(), ca.CertPEM()) {
		t.Fatalf("LoadOrNew after Save = created %v, %v; want the saved CA loaded", created, err)
	}
	other, err := New(fixedNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Save(dir); err == nil || !errors.Is(err, fs.ErrExist) {
		t.Errorf("Save over an existing CA = %v, want an fs.ErrExist error", err)
	}
	if got, err := Load(dir, fixedNow); err != nil || !bytes.Equal(got.CertPEM(), ca.CertPEM()) {
		t.Errorf("the first CA was replaced: %v", err)
	}
}
