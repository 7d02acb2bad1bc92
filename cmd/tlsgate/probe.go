package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/probe"
)

const probeUsage = "probe HOST:PORT [--sni NAME] [--cacert FILE] [--timeout 3s] [--handshake-timeout 10s] [--steps 1,3,4] [--json] [--lang en|ja]"

// cmdProbe walks the client-side checklist against HOST:PORT and prints a
// verdict per step. It exits 0 when nothing failed (warnings included), 1
// when a step failed, 2 on bad usage.
func cmdProbe(args []string, stdout, _ io.Writer) error {
	fs := newFlags("probe", probeUsage, stdout)
	sni := fs.String("sni", "", "name to send as SNI and to verify (default: the host, unless it is an IP)")
	cacert := fs.String("cacert", "", "PEM file of CA certificates to verify the chain against (default: the system roots)")
	timeout := fs.Duration("timeout", 3*time.Second, "time allowed for each dial, for each answer that may never come (a raw hello's, a banner, an HTTP answer), and within a handshake for the server's next bytes: how soon a stall is told")
	hsTimeout := fs.Duration("handshake-timeout", probe.DefaultHandshakeTimeout, "time allowed for a whole TLS handshake that should complete; a busy machine may stretch one well past --timeout")
	steps := fs.String("steps", "", "steps to run, e.g. 1,3,4 or 1-3,7 (default: all 10)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	lang := fs.String("lang", probe.LangEN, "language of titles, findings, causes, checks and the verdict: en or ja (codes and evidence stay as they are)")
	target, err := probeArgs(fs, args)
	if err != nil {
		return err
	}
	if _, _, err := probe.SplitTarget(target); err != nil {
		return usageError{err.Error()}
	}
	if *timeout <= 0 {
		return usageError{fmt.Sprintf("probe: --timeout must be positive, got %s", *timeout)}
	}
	if *hsTimeout <= 0 {
		return usageError{fmt.Sprintf("probe: --handshake-timeout must be positive, got %s", *hsTimeout)}
	}
	if *lang != probe.LangEN && *lang != probe.LangJA {
		return usageError{fmt.Sprintf("probe: --lang %q: want en or ja", *lang)}
	}
	o := probe.Options{SNI: *sni, Timeout: *timeout, HandshakeTimeout: *hsTimeout, Lang: *lang}
	if *steps != "" {
		if o.Steps, err = probe.ParseSteps(*steps); err != nil {
			return usageError{err.Error()}
		}
	}
	if *cacert != "" {
		if o.Roots, err = loadCACerts(*cacert); err != nil {
			return usageError{err.Error()}
		}
		o.RootsLabel = *cacert
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep := probe.Run(ctx, target, o)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		return fmt.Errorf("probe: writing the report: %w", err)
	}
	if rep.Failed() {
		return fmt.Errorf("probe: %s: %s", target, rep.Headline())
	}
	return nil
}

// probeArgs parses flags given before or after the target and returns the
// target, so both "probe host:443 --json" and "probe --json host:443" work.
func probeArgs(fs *flag.FlagSet, args []string) (string, error) {
	parse := func(a []string) ([]string, error) {
		if err := flagParse(fs, a); err != nil {
			return nil, err
		}
		return fs.Args(), nil
	}
	rest, err := parse(args)
	if err != nil {
		return "", err
	}
	if len(rest) == 0 {
		return "", usageError{"probe: HOST:PORT is required (usage: tlsgate " + probeUsage + ")"}
	}
	target := rest[0]
	if rest, err = parse(rest[1:]); err != nil {
		return "", err
	}
	if len(rest) > 0 {
		return "", unexpectedArg(fs, rest[0])
	}
	return target, nil
}

// loadCACerts reads a PEM bundle into a pool.
func loadCACerts(path string) (*x509.CertPool, error) {
	b, err := config.ReadFileMax(path, config.MaxPEMFile)
	if err != nil {
		return nil, fmt.Errorf("probe: --cacert: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("probe: --cacert %s: no PEM certificate in %d bytes", path, len(b))
	}
	return pool, nil
}
