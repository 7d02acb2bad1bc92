package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/tlsgate/tlsgate/pki"
)

func cmdCA(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "init") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: tlsgate ca export|init [-c config.toml]")
			return errHelp
		}
		return usageError{"ca: want 'ca export' or 'ca init'"}
	}
	sub := args[0]
	fs := newFlags("ca "+sub, "ca "+sub+" [-c config.toml] [--format pem|der|p12] [--password P]", stdout)
	cfgPath := fs.String("c", "", "config file (default: the built-in config)")
	format := fs.String("format", "pem", "export format: pem, der or p12 (PKCS#12 trust store, for Windows, macOS, Java, Firefox)")
	password := fs.String("password", "tlsgate", "password of the p12 file (the file holds only the public CA certificate)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	ca, created, err := pki.LoadOrCreate(cfg.CA.Dir, time.Now, rand.Reader)
	if err != nil {
		return err
	}
	if sub == "init" {
		if created {
			fmt.Fprintf(stdout, "created lab CA in %s\n", cfg.CA.Dir)
		} else {
			fmt.Fprintf(stdout, "lab CA already exists in %s\n", cfg.CA.Dir)
		}
		return nil
	}
	switch *format {
	case "pem":
		_, err = stdout.Write(ca.CertPEM())
	case "der":
		_, err = stdout.Write(ca.CertDER())
	case "p12":
		var p12 []byte
		if p12, err = ca.CertP12(*password); err == nil {
			_, err = stdout.Write(p12)
		}
	default:
		return usageError{fmt.Sprintf("ca export: unknown --format %q (want pem, der or p12)", *format)}
	}
	if created {
		fmt.Fprintf(stderr, "tlsgate: created a new lab CA in %s\n", cfg.CA.Dir)
	}
	return err
}
