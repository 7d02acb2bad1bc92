package config

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/pki"
)

// TestCADirLoaded: a lab CA already in [ca] dir is loaded as run loads it,
// so config check refuses what run would: it used to say ok and leave the
// error to run.
func TestCADirLoaded(t *testing.T) {
	newCA := func(t *testing.T, dir string) {
		t.Helper()
		ca, err := pki.New(time.Now, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := ca.Save(dir); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string // "" means ok
	}{
		{"good", func(*testing.T, string) {}, ""},
		{"none yet", func(t *testing.T, dir string) {
			for _, f := range []string{pki.CertFile, pki.KeyFile} {
				if err := os.Remove(filepath.Join(dir, f)); err != nil {
					t.Fatal(err)
				}
			}
		}, ""},
		{"corrupt certificate", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, pki.CertFile), []byte("garbage\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "no PEM block found"},
		{"key missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, pki.KeyFile)); err != nil {
				t.Fatal(err)
			}
		}, "is missing; restore the key"},
		{"another CA's key", func(t *testing.T, dir string) {
			other := t.TempDir()
			newCA(t, other)
			key, err := os.ReadFile(filepath.Join(other, pki.KeyFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, pki.KeyFile), key, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "does not belong to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ca")
			newCA(t, dir)
			tt.spoil(t, dir)
			src := "[ca]\ndir = " + `"` + dir + `"` + "\n" + minimalListener
			_, err := Parse([]byte(src), filepath.Join(t.TempDir(), "c.toml"))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Parse: %v, want ok", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), "c.toml:2:1: ca.dir: the lab CA in") || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Parse: %v, want a ca.dir error at line 2 containing %q", err, tt.want)
			}
		})
	}
}
