package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/pki"
)

// TestStartupNamesPreBackdateCA: a lab CA made before the CA was
// backdated (its validity starting when it was made) gets one start-up
// line saying so and how to make a new one; its files stay as they were.
// A current CA gets no such line.
func TestStartupNamesPreBackdateCA(t *testing.T) {
	dir := t.TempDir()
	caDir := filepath.Join(dir, "ca")
	writeOldCA(t, caDir, time.Now().Add(-24*time.Hour))
	before := caFiles(t, caDir)
	src := "[ca]\ndir = \"ca\"\n[shutdown]\ngrace = \"0s\"\n[[listener]]\nname = \"a\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:1\"\nmode = \"terminate\"\n"
	cfg, err := config.Parse([]byte(src), filepath.Join(dir, "run.toml"))
	if err != nil {
		t.Fatal(err)
	}
	start := func() string {
		var logs syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		if err := serve(ctx, cfg, &logs, func(map[string]net.Addr) { cancel() }); err != nil {
			t.Fatalf("serve: %v", err)
		}
		return logs.String()
	}
	logs := start()
	if n := strings.Count(logs, msgPreBackdateCA); n != 1 {
		t.Errorf("%d lines naming the CA from before the backdating, want 1:\n%s", n, logs)
	}
	if want := "tlsgate ca init --ca-dir " + caDir; !strings.Contains(logs, want) {
		t.Errorf("the line does not say how to recreate the CA (%q):\n%s", want, logs)
	}
	if after := caFiles(t, caDir); !bytes.Equal(before, after) {
		t.Error("the start-up rewrote the CA files")
	}

	// A current CA: no line.
	if err := os.RemoveAll(caDir); err != nil {
		t.Fatal(err)
	}
	if _, _, err := pki.LoadOrCreate(caDir, time.Now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	if logs := start(); strings.Contains(logs, msgPreBackdateCA) {
		t.Errorf("a current CA is named as predating the backdating:\n%s", logs)
	}
}

// writeOldCA writes a lab CA as tlsgate made it before the backdating:
// valid from made for ten years.
func writeOldCA(t *testing.T, dir string, made time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: pki.Watermark, Organization: []string{pki.Watermark}},
		NotBefore: made, NotAfter: made.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 1,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, pki.KeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, pki.CertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// caFiles is the CA's two files, one after the other.
func caFiles(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	for _, f := range []string{pki.CertFile, pki.KeyFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}
