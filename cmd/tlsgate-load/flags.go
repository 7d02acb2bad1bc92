package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// newFlags builds a FlagSet whose errors become usage errors and whose
// --help prints to stdout.
func newFlags(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: tlsgate-load %s %s\n\n", name, usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags maps flag errors onto usage errors and --help onto errHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return errHelp
		}
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// byteSize is a flag value for sizes written the way people write them:
// "256MiB", "1GB", "64k", "4096".
type byteSize int64

// String prints the size in bytes, as flag's defaults do.
func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

// Set parses s with parseSize.
func (b *byteSize) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

// sizeUnit maps a lower-case suffix to its multiplier. Binary units need
// the "i"; a bare "k"/"m"/"g" is decimal like "kb"/"mb"/"gb", so "256M" and
// "256MB" agree and "256MiB" is the only way to ask for powers of two.
func sizeUnit(suffix string) (int64, bool) {
	switch suffix {
	case "", "b":
		return 1, true
	case "k", "kb":
		return 1e3, true
	case "kib":
		return 1 << 10, true
	case "m", "mb":
		return 1e6, true
	case "mib":
		return 1 << 20, true
	case "g", "gb":
		return 1e9, true
	case "gib":
		return 1 << 30, true
	}
	return 0, false
}

// parseSize reads a non-negative byte count with an optional unit suffix.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (B, KiB, MiB, GiB, KB, MB, GB)", s)
	}
	mult, ok := sizeUnit(strings.ToLower(strings.TrimSpace(t[i:])))
	if !ok {
		return 0, fmt.Errorf("size %q: unknown unit %q (want B, KiB, MiB, GiB, KB, MB or GB)", s, t[i:])
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return n * mult, nil
}

// clientOpts are the flags every client subcommand shares.
type clientOpts struct {
	target   string
	tls      bool
	caFile   string
	sni      string
	insecure bool
	curves   string
	timeout  time.Duration
	json     bool
	group    string
	name     string
	cpuPid   int
}

// register adds the shared flags to fs.
func (c *clientOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&c.target, "target", "", "host:port to load (required)")
	fs.BoolVar(&c.tls, "tls", false, "speak TLS to the target")
	fs.StringVar(&c.caFile, "ca", "", "PEM file of certificates to trust (default: the system pool)")
	fs.StringVar(&c.sni, "sni", "", "server name to send and verify (default: the target's host)")
	fs.BoolVar(&c.insecure, "insecure", false, "skip certificate verification")
	fs.StringVar(&c.curves, "curves", "x25519", "key exchange groups to offer: x25519 (what every peer here speaks) or default (Go's, with hybrid post-quantum)")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "timeout for each dial, handshake and read")
	fs.BoolVar(&c.json, "json", false, "print one JSON line per result instead of text")
	fs.StringVar(&c.group, "group", "", "label: the test this result belongs to (for report)")
	fs.StringVar(&c.name, "name", "", "label: what the target is, e.g. direct, tlsgate, haproxy (for report)")
	fs.IntVar(&c.cpuPid, "cpu-pid", 0, "also report the CPU time this process (the proxy) used during the run")
}

// check validates the shared flags after parsing.
func (c *clientOpts) check(cmd string) error {
	if c.target == "" {
		return usageError{cmd + ": --target is required"}
	}
	if _, _, err := net.SplitHostPort(c.target); err != nil {
		return usageError{fmt.Sprintf("%s: --target %q: %v", cmd, c.target, err)}
	}
	if c.curves != "x25519" && c.curves != "default" {
		return usageError{fmt.Sprintf("%s: --curves %q: want x25519 or default", cmd, c.curves)}
	}
	if c.cpuPid < 0 {
		return usageError{fmt.Sprintf("%s: --cpu-pid must not be negative", cmd)}
	}
	if c.timeout <= 0 {
		return usageError{fmt.Sprintf("%s: --timeout must be positive", cmd)}
	}
	return nil
}

// tlsConfig builds the client TLS config, or nil when --tls is off. Session
// resumption stays off (no ClientSessionCache) so every handshake is a full
// one, which is what the handshake numbers are meant to count.
func (c *clientOpts) tlsConfig(readFile func(string) ([]byte, error)) (*tls.Config, error) {
	if !c.tls {
		return nil, nil
	}
	cfg := &tls.Config{ServerName: c.sni, InsecureSkipVerify: c.insecure}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(c.target)
		cfg.ServerName = host
	}
	if c.curves == "x25519" {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519}
	}
	if c.caFile != "" {
		pemBytes, err := readFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("--ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, fmt.Errorf("--ca %s: no PEM certificate in %d bytes", c.caFile, len(pemBytes))
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// positive rejects zero and negative counts with a usage error.
func positive(cmd, flagName string, v int64) error {
	if v <= 0 {
		return usageError{fmt.Sprintf("%s: --%s must be positive, got %d", cmd, flagName, v)}
	}
	return nil
}
