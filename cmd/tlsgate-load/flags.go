package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"slices"
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
// The flag package calls fs.Usage on every parse error, which printed the
// whole usage on stdout (where --json results go) for a mistyped flag; it
// now runs only for --help, and a bad flag is the one usage line on stderr,
// as in tlsgate.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
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
	sniEach  string
	json     bool
	group    string
	name     string
	section  string
	baseline string
	rep      int
	cpuPids  string
	// command is the command line the result came from, recorded so a
	// report can say exactly how each row was measured.
	command string
}

// register adds the shared flags to fs.
func (c *clientOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&c.target, "target", "", "host:port to load (required)")
	fs.BoolVar(&c.tls, "tls", false, "speak TLS to the target")
	fs.StringVar(&c.caFile, "ca", "", "PEM file of certificates to trust (default: the system pool)")
	fs.StringVar(&c.sni, "sni", "", "server name to send and verify (default: the target's host)")
	fs.StringVar(&c.sniEach, "sni-each", "", "a new server name for every connection: this template with {n} replaced by a counter, e.g. n{n}.bench.local (a cold certificate cache in a minting proxy)")
	fs.BoolVar(&c.insecure, "insecure", false, "skip certificate verification")
	fs.StringVar(&c.curves, "curves", "x25519", "key exchange groups to offer: x25519 (what every peer here speaks) or default (Go's, with hybrid post-quantum)")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "timeout for each dial, handshake and read")
	fs.BoolVar(&c.json, "json", false, "print one JSON line per result instead of text")
	fs.StringVar(&c.group, "group", "", "label: the test this result belongs to (for report)")
	fs.StringVar(&c.name, "name", "", "label: what the target is, e.g. direct, tlsgate, haproxy (for report)")
	fs.StringVar(&c.section, "section", "", "label: the report section (a heading) this result belongs to")
	fs.StringVar(&c.baseline, "baseline", "", "label: the --name that report compares this test's rows to (default direct)")
	fs.IntVar(&c.rep, "rep", 0, "label: the bench repetition this run belongs to; report compares runs of one repetition (0: not given)")
	fs.StringVar(&c.cpuPids, "cpu-pid", "", "also report the CPU time these processes (the proxy; comma-separated pids for one with workers) used during the run")
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
	if _, err := parsePids(c.cpuPids); err != nil {
		return usageError{fmt.Sprintf("%s: --cpu-pid: %v", cmd, err)}
	}
	if c.sniEach != "" {
		if c.sni != "" {
			return usageError{cmd + ": --sni and --sni-each exclude each other"}
		}
		if strings.Count(c.sniEach, "{n}") != 1 {
			return usageError{fmt.Sprintf("%s: --sni-each %q: want exactly one {n} where the counter goes", cmd, c.sniEach)}
		}
		if !c.tls {
			return usageError{cmd + ": --sni-each needs --tls"}
		}
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

// measured runs one client measurement with the proxy's CPU metered
// around it, labels the result with its command line and prints it.
// cmdArgs are the subcommand's name and arguments. run must read c
// (newResult does), so it sees the command set here.
func measured(e *env, c *clientOpts, cmdArgs []string, run func() (result, error)) error {
	c.command = commandLine(withoutLabels(cmdArgs))
	m, err := startCPU(e.readFile, c.cpuPids)
	if err != nil {
		return err
	}
	r, err := run()
	if err != nil {
		return err
	}
	if err := m.stop(&r); err != nil {
		return err
	}
	return r.print(e.stdout, c.json)
}

// parsePids reads a comma-separated list of process ids; "" is none.
func parsePids(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var pids []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a process id", f)
		}
		pids = append(pids, n)
	}
	return pids, nil
}

// labelFlags only name a result for the report; they change nothing
// about the measurement, so the recorded command leaves them out.
var labelFlags = []string{"section", "group", "name", "baseline", "rep"}

// withoutLabels drops --json and the label flags (with their values) from
// a subcommand's arguments.
func withoutLabels(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
			continue
		}
		name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case name == "json":
			continue
		case slices.Contains(labelFlags, name):
			if !inline {
				i++ // the value is the next argument
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// commandLine quotes args as a POSIX shell would need them, behind the
// program's name, so a report can show a command that can be pasted.
func commandLine(args []string) string {
	var b strings.Builder
	b.WriteString("tlsgate-load")
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

// shellQuote leaves words made of safe characters alone and wraps
// anything else in single quotes.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// positive rejects zero and negative counts with a usage error.
func positive(cmd, flagName string, v int64) error {
	if v <= 0 {
		return usageError{fmt.Sprintf("%s: --%s must be positive, got %d", cmd, flagName, v)}
	}
	return nil
}
