package pki

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLoadCert: the certificate alone is enough to export, whatever
// state the key is in; without a certificate, or with a broken or expired
// one, it is Load's error.
func TestLoadCert(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir, certPath, keyPath string)
		now    func() time.Time
		want   string // "" loads the certificate; else the error names this
		noCA   bool   // the error is ErrNoCA
	}{
		{name: "both files", mutate: func(*testing.T, string, string, string) {}},
		{name: "key missing", mutate: func(t *testing.T, _, _, k string) { remove(t, k) }},
		{name: "key readable by others", mutate: func(t *testing.T, _, _, k string) { chmod(t, k, 0o644) }},
		{name: "key corrupt", mutate: func(t *testing.T, _, _, k string) { write(t, k, []byte("garbage\n"), 0o600) }},
		{name: "cert missing", mutate: func(t *testing.T, _, c, _ string) { remove(t, c) }, want: "ca.pem is missing; restore the certificate"},
		{name: "neither", mutate: func(t *testing.T, _, c, k string) { remove(t, c); remove(t, k) }, noCA: true},
		{name: "cert garbage", mutate: func(t *testing.T, _, c, k string) { remove(t, k); write(t, c, []byte("garbage\n"), 0o644) },
			want: "ca.pem: no PEM block found"},
		{name: "cert expired", mutate: func(t *testing.T, _, _, k string) { remove(t, k) },
			now: func() time.Time { return fixedNow().AddDate(11, 0, 0) }, want: "ca.pem expired at"},
		{name: "dir is a file", mutate: func(t *testing.T, dir, _, _ string) {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			write(t, dir, nil, 0o644)
		}, want: "is a file, not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, certPath, keyPath := writeCA(t)
			want, err := os.ReadFile(certPath)
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(t, dir, certPath, keyPath)
			now := tt.now
			if now == nil {
				now = fixedNow
			}
			cert, err := LoadCert(dir, now)
			switch {
			case tt.noCA:
				if !errors.Is(err, ErrNoCA) {
					t.Fatalf("err = %v, want ErrNoCA", err)
				}
			case tt.want != "":
				if err == nil || !strings.HasPrefix(err.Error(), "pki: ") || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want one with %q", err, tt.want)
				}
			case err != nil:
				t.Fatalf("LoadCert: %v", err)
			case !bytes.Equal(CertPEMOf(cert), want):
				t.Fatalf("the certificate loaded is not %s", certPath)
			}
		})
	}
}
