package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// The checks below read the files a listener will load and the places tlsgate will
// write, so that `tlsgate config check` rejects what `tlsgate run` would, and run
// fails before anything listens, with the key and its line. They repeat on purpose
// what listener.New and pki do later with the same files.

// readPEM reads the file at path, already checked by file, for key. ok is false
// after a reported problem.
func (t *table) readPEM(key, path string) ([]byte, bool) {
	data, err := ReadFileMax(path, MaxPEMFile)
	switch {
	case tooLarge(err):
		t.fail(key, "%q is larger than %d MiB; that is no PEM file", path, MaxPEMFile>>20)
		return nil, false
	case err != nil:
		t.failWrap(key, err, "cannot read %q", path)
		return nil, false
	}
	return data, true
}

// checkKeyPair loads the certificate at certKey and the private key at keyKey, both
// present and already checked by file, as crypto/tls will when the listener starts.
// A problem with the certificate file is reported at certKey; a key that does not
// parse or does not belong to the certificate, at keyKey.
func (t *table) checkKeyPair(certKey, certPath, keyKey, keyPath string) {
	certPEM, ok := t.readPEM(certKey, certPath)
	if !ok {
		return
	}
	if err := checkCertPEM(certPEM); err != nil {
		t.failWrap(certKey, err, "%q is not a usable certificate file", certPath)
		return
	}
	keyPEM, ok := t.readPEM(keyKey, keyPath)
	if !ok {
		return
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		// crypto/tls has no exported value for this error, only its text.
		if strings.Contains(err.Error(), "does not match public key") {
			t.failWrap(keyKey, err, "%q does not belong to the certificate in %s = %q", keyPath, certKey, certPath)
			return
		}
		t.failWrap(keyKey, err, "%q is not a usable private key file", keyPath)
	}
}

// checkCertPEM wants at least one CERTIFICATE block, and every one of them to
// parse, as crypto/tls.X509KeyPair will need for the chain it sends.
func checkCertPEM(data []byte) error {
	n := 0
	var other []string
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			other = append(other, b.Type)
			continue
		}
		n++
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Errorf("certificate %d: %w", n, err)
		}
	}
	switch {
	case n > 0:
		return nil
	case len(other) > 0:
		return fmt.Errorf("no CERTIFICATE PEM block, only %s", strings.Join(other, ", "))
	default:
		return errors.New("no PEM data (want -----BEGIN CERTIFICATE-----)")
	}
}

// checkCAFile wants the file at key, already checked by file, to hold at least one
// certificate, as the trust pool built from it when the listener starts.
func (t *table) checkCAFile(key, path string) {
	data, ok := t.readPEM(key, path)
	if !ok {
		return
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		err := checkCertPEM(data)
		if err == nil {
			err = errors.New("no certificate parses")
		}
		t.failWrap(key, err, "%q holds no usable PEM certificate", path)
	}
}

// checkNewFile checks a path tlsgate opens for appending, creating it if needed
// (the log file, the key log): its directory must exist, the path must not be
// a directory, and this process must be allowed to write the file, or to create
// it in the directory. A file `config check` passes then opens when run does.
func (t *table) checkNewFile(key, path string) {
	if path == "" {
		return
	}
	if fi, err := t.d.stat(path); err == nil {
		switch {
		case fi.IsDir():
			t.fail(key, "%q is a directory, want a file to append to", path)
		case fi.Mode().IsRegular():
			if err := t.d.writable(path); err != nil {
				t.failWrap(key, err, "%q is not writable by this process", path)
			}
		}
		return
	}
	dir := filepath.Dir(path)
	fi, err := t.d.stat(dir)
	switch {
	case err != nil:
		t.failWrap(key, err, "directory %q of %q is not usable (tlsgate creates the file, not its directory)", dir, path)
	case !fi.IsDir():
		t.fail(key, "%q is not a directory, so %q cannot be created in it", dir, path)
	default:
		if err := t.d.writable(dir); err != nil {
			t.failWrap(key, err, "%q cannot be created: directory %q is not writable by this process", path, dir)
		}
	}
}

// checkDir checks a directory tlsgate creates with its parents if absent (the CA
// directory, the capture directory): it must be a directory if it exists, and the
// nearest existing ancestor must be one too, which this process may create the
// rest in. writeInto says tlsgate will also write files into it when it exists
// (captures; a CA directory without a CA yet).
func (t *table) checkDir(key, path string, writeInto bool) {
	if path == "" {
		return
	}
	for p := path; ; p = filepath.Dir(p) {
		fi, err := t.d.stat(p)
		switch {
		case err == nil && fi.IsDir() && p == path:
			if writeInto {
				if err := t.d.writable(p); err != nil {
					t.failWrap(key, err, "%q is not writable by this process", path)
				}
			}
			return
		case err == nil && fi.IsDir():
			if err := t.d.writable(p); err != nil {
				t.failWrap(key, err, "%q cannot be created: directory %q is not writable by this process", path, p)
			}
			return
		case err == nil && p == path:
			t.fail(key, "%q is not a directory", path)
			return
		case err == nil:
			t.fail(key, "%q cannot be created: %q is not a directory", path, p)
			return
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			t.failWrap(key, err, "cannot use %q", path)
			return
		}
		if parent := filepath.Dir(p); parent == p {
			return // nothing exists up to the root; let creation report it
		}
	}
}
