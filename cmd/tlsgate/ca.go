package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/tlsgate/tlsgate/pki"
)

const caUsage = `Usage: tlsgate ca export [-c config.toml | --ca-dir DIR] [--format pem|der|p12] [--password P]
       tlsgate ca init [-c config.toml | --ca-dir DIR]

export prints the lab CA that 'tlsgate run' (the [ca] dir of its config) or
'tlsgate lab' (its --ca-dir) created; it reads only ca.pem (no key needed)
and never creates one. init creates the CA if it does not exist yet.`

// cmdCA is `tlsgate ca export|init`. Each subcommand has its own flag set:
// init takes no export flags, so `ca init --format der` is a usage error
// rather than a flag silently ignored.
func cmdCA(args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "init") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, caUsage)
			return errHelp
		}
		return usageError{"ca: want 'ca export' or 'ca init'"}
	}
	if args[0] == "init" {
		return cmdCAInit(args[1:], stdout)
	}
	return cmdCAExport(args[1:], stdout)
}

// caDirFlags adds the two ways to name the CA directory. --ca-dir is the
// same flag as `tlsgate lab --ca-dir`, for the lab CA, which no config names.
func caDirFlags(fs *flag.FlagSet) (cfgPath, caDir *string) {
	cfgPath = fs.String("c", "", "config file whose [ca] dir holds the CA (default: the built-in config, ./tlsgate-ca)")
	caDir = fs.String("ca-dir", "", "CA directory; overrides the config's [ca] dir (the lab's CA: the --ca-dir given to 'tlsgate lab')")
	return cfgPath, caDir
}

// resolveCADir picks --ca-dir, else the config's [ca] dir, as an absolute
// path so messages say exactly where tlsgate looked.
func resolveCADir(cfgPath, caDir string) (string, error) {
	dir := caDir
	if dir == "" {
		cfg, err := loadConfig(cfgPath)
		if err != nil {
			return "", err
		}
		dir = cfg.CA.Dir
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir, nil
}

func cmdCAInit(args []string, stdout io.Writer) error {
	fs := newFlags("ca init", "ca init [-c config.toml | --ca-dir DIR]", stdout)
	cfgPath, caDir := caDirFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := resolveCADir(*cfgPath, *caDir)
	if err != nil {
		return err
	}
	_, created, err := pki.LoadOrCreate(dir, time.Now, rand.Reader)
	if err != nil {
		return fmt.Errorf("ca init: %w", err)
	}
	if created {
		fmt.Fprintf(stdout, "created lab CA in %s\n", dir)
	} else {
		fmt.Fprintf(stdout, "lab CA already exists in %s\n", dir)
	}
	return nil
}

// cmdCAExport prints an existing CA. It refuses to create one: a new CA
// printed here would differ from the one the proxy signs with, and clients
// trusting it would still fail, which is the very failure the user is
// trying to fix. It reads ca.pem alone: what clients trust needs no key,
// and a CA whose key was moved off this machine can still be exported.
func cmdCAExport(args []string, stdout io.Writer) error {
	fs := newFlags("ca export", "ca export [-c config.toml | --ca-dir DIR] [--format pem|der|p12] [--password P]", stdout)
	cfgPath, caDir := caDirFlags(fs)
	format := fs.String("format", "pem", "export format: pem, der or p12 (PKCS#12 trust store, for Windows, macOS, Java, Firefox)")
	password := fs.String("password", "tlsgate", "password of the p12 file (the file holds only the public CA certificate)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "pem" && *format != "der" && *format != "p12" {
		return usageError{fmt.Sprintf("ca export: unknown --format %q (want pem, der or p12)", *format)}
	}
	dir, err := resolveCADir(*cfgPath, *caDir)
	if err != nil {
		return err
	}
	cert, err := pki.LoadCert(dir, time.Now)
	if errors.Is(err, pki.ErrNoCA) {
		return fmt.Errorf("ca export: no lab CA in %s (no %s there). Run this where 'tlsgate run' or 'tlsgate lab' created it, "+
			"point at it with -c CONFIG (its [ca] dir) or --ca-dir DIR, or create one with 'tlsgate ca init': %w", dir, pki.CertFile, err)
	}
	if err != nil {
		return fmt.Errorf("ca export: %w", err)
	}
	switch *format {
	case "pem":
		_, err = stdout.Write(pki.CertPEMOf(cert))
	case "der":
		_, err = stdout.Write(cert.Raw)
	case "p12":
		var p12 []byte
		if p12, err = pki.TrustStoreP12(cert, *password); err == nil {
			_, err = stdout.Write(p12)
		}
	}
	if err != nil {
		return fmt.Errorf("ca export: %w", err)
	}
	return nil
}
