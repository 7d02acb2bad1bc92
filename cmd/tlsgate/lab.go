package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/lab"
	"github.com/tlsgate/tlsgate/pki"
)

const labUsage = `lab [--only NAME[,NAME]] [--base-port 9400] [--admin 127.0.0.1:8474|off] [--ca-dir DIR] [--lang en|ja]
       tlsgate lab --list | --markdown [--lang en|ja]
       tlsgate lab client [--cacert FILE] [--classic] [--resolve HOST:PORT:ADDR] https://HOST:PORT/

Starts the scenario catalog on 127.0.0.1, one port per scenario (base port +
its place in the catalog), prints what to try on each, and logs every
connection's diagnosis until Ctrl-C. The admin API (live view, and the
rules 'tlsgate fault' switches) listens on --admin, 127.0.0.1:8474 unless
told otherwise. 'tlsgate lab client' is a Go TLS client that sends Go's
default (post-quantum, large) ClientHello, or a small one with --classic.`

func cmdLab(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "client" {
		return cmdLabClient(args[1:], stdout)
	}
	fs := newFlags("lab", labUsage, stdout)
	list := fs.Bool("list", false, "print the catalog (name, family, what it reproduces) and exit")
	markdown := fs.Bool("markdown", false, "print the catalog as Markdown (docs/scenarios.md) and exit")
	only := fs.String("only", "", "run only these scenarios (comma-separated names)")
	base := fs.Int("base-port", lab.DefaultBasePort, "port of the first scenario; the demo backend and lab origin use base+98 and base+99")
	lang := fs.String("lang", "en", "language of the catalog texts and explanations: en or ja")
	logFormat := fs.String("log-format", "bigip", "connection log format: bigip, json or console")
	logFile := fs.String("log-file", "", "append connection events to this file instead of standard error")
	caDir := fs.String("ca-dir", config.DefaultCADir, "lab CA directory (created if absent); clients trust its ca.pem")
	adminAddr := fs.String("admin", admin.DefaultListen, "serve the admin API (live view, faults, events, metrics) on this loopback address; off for none")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *lang != "en" && *lang != "ja" {
		return usageError{fmt.Sprintf("lab: --lang %q: want en or ja", *lang)}
	}
	if err := labFlagConflict(fs); err != nil {
		return err
	}
	catalog := lab.Catalog()
	switch {
	case *list:
		return printCatalog(stdout, catalog, *lang)
	case *markdown:
		_, err := io.WriteString(stdout, lab.Markdown(catalog, *lang))
		return err
	}
	placed, err := lab.Place(catalog, splitNames(*only), *base)
	if err != nil {
		return usageError{err.Error()}
	}
	if err := labCheckFlags(*logFormat, *adminAddr); err != nil {
		return err
	}
	if *adminAddr == "off" {
		*adminAddr = ""
	}
	opts, err := labOptions(lab.Options{BasePort: *base, CADir: *caDir, LogFormat: *logFormat, LogFile: *logFile, Lang: *lang, Admin: *adminAddr})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveLab(ctx, placed, opts, stdout, stderr)
}

// labOptions makes the flags' paths absolute, from the working directory.
// The lab's generated config is parsed as if it lived in the CA directory,
// and a config resolves its relative paths from its own directory: a
// relative --log-file passed through as given would land in the CA
// directory, not where the operator asked.
func labOptions(o lab.Options) (lab.Options, error) {
	dir, err := filepath.Abs(o.CADir)
	if err != nil {
		return o, fmt.Errorf("lab: --ca-dir %q: %w", o.CADir, err)
	}
	o.CADir = dir
	if o.LogFile != "" {
		file, err := filepath.Abs(o.LogFile)
		if err != nil {
			return o, fmt.Errorf("lab: --log-file %q: %w", o.LogFile, err)
		}
		o.LogFile = file
	}
	return o, nil
}

// serveLab runs the placed scenarios until ctx ends. A start-up that fails
// (a port already taken) leaves no lab CA behind, as tlsgate run's does.
// serve keeps a first run's CA only once every socket is bound, but an
// inspect scenario verifies the lab origin against the CA's certificate
// file, which the config check and listener.New read before anything is
// bound: with one placed, a first run's CA is written ahead and removed
// again unless serve got as far as ready. A scenario that requires a
// client certificate gets one, issued by the CA, written beside it the
// same way (kept while it stays valid).
func serveLab(ctx context.Context, placed []lab.Placed, opts lab.Options, stdout, stderr io.Writer) error {
	var made newPaths
	bound := false
	defer func() {
		if !bound {
			made.undo()
		}
	}()
	needCert := lab.NeedsClientCert(placed)
	if lab.NeedsCAFile(placed) || needCert {
		made.note(filepath.Join(opts.CADir, pki.KeyFile))
		made.note(filepath.Join(opts.CADir, pki.CertFile))
		ca, _, err := pki.LoadOrCreate(opts.CADir, time.Now, rand.Reader)
		if err != nil {
			// A CA directory that cannot be made, or a broken CA in it,
			// is the flag's problem, as config's ca.dir is run's (exit 2).
			return configError{fmt.Errorf("lab: --ca-dir: %w", err)}
		}
		if needCert {
			// The pair the mtls scenario's explanation hands to curl.
			made.note(filepath.Join(opts.CADir, pki.ClientKeyFile))
			made.note(filepath.Join(opts.CADir, pki.ClientCertFile))
			if _, err := ca.WriteClientCert(opts.CADir, time.Now, rand.Reader); err != nil {
				return fmt.Errorf("lab: client certificate: %w", err)
			}
		}
	}
	cfg, err := lab.Config(placed, opts)
	if err != nil {
		if ferr, ok := labFlagError(err); ok {
			return ferr
		}
		return configError{err}
	}
	err = serve(ctx, cfg, stderr, func(addrs map[string]net.Addr) {
		bound = true
		if a, ok := addrs["admin"]; ok {
			opts.Admin = a.String() // a port the kernel chose
		}
		printTable(stdout, placed, opts)
	})
	// The log file and the CA directory can also fail in serve, once
	// opened for real: in the flags' words too.
	var ce configError
	if errors.As(err, &ce) {
		if ferr, ok := labFlagError(ce.err); ok {
			return ferr
		}
	}
	return labBindError(err, placed, opts)
}

// labBindError rewords a port the lab could not bind in the lab's terms.
// serve names the key of the config it ran, a lab.toml that exists only
// in memory, and not the flag that moves the port: the operator needs the
// port, what the lab wanted it for, and --base-port or --admin. Only the
// socket's error is kept, not the place in the phantom file.
func labBindError(err error, placed []lab.Placed, o lab.Options) error {
	var ce *config.Error
	var op *net.OpError
	if err == nil || !errors.Is(err, syscall.EADDRINUSE) || !errors.As(err, &ce) || !errors.As(err, &op) || op.Addr == nil {
		return err
	}
	addr := op.Addr.String()
	_, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	if ce.Key == "admin.listen" {
		return fmt.Errorf("lab: the admin API's address %s is already in use (another tlsgate, or a lab already running?): give it another with --admin 127.0.0.1:PORT, or --admin off to run without one: %w", addr, op)
	}
	what := "a lab port"
	switch port {
	case lab.DemoPort(o.BasePort):
		what = fmt.Sprintf("the demo backend's port (base port %d + 98)", o.BasePort)
	case lab.OriginPort(o.BasePort):
		what = fmt.Sprintf("the lab origin's port (base port %d + 99)", o.BasePort)
	default:
		for _, p := range placed {
			if p.Port == port {
				what = fmt.Sprintf("the port of scenario %s (base port %d + %d)", p.Name, o.BasePort, p.Port-o.BasePort)
			}
		}
	}
	next := o.BasePort + 100
	if lab.OriginPort(next) > 65535 {
		next = lab.DefaultBasePort
	}
	return fmt.Errorf("lab: %s, %s, is already in use: start the lab on another block of 100 ports with --base-port (e.g. --base-port %d), or free that port: %w", addr, what, next, op)
}

// splitNames reads --only's comma-separated list.
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// printCatalog is --list: one scenario per line, grouped by family.
func printCatalog(w io.Writer, catalog []lab.Scenario, lang string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tFAMILY\tREPRODUCES")
	for _, s := range lab.ByFamily(catalog) {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Family, s.Title.In(lang))
	}
	return tw.Flush()
}

// printTable is the classroom view: where each scenario listens and the
// command to try on it, grouped by family as --list and the docs are,
// printed once everything is bound.
func printTable(w io.Writer, placed []lab.Placed, o lab.Options) {
	vars := lab.Vars{Origin: lab.OriginPort(o.BasePort), CA: o.CAFile()}
	fmt.Fprintf(w, "tlsgate lab: %d scenarios on %s; demo backend :%d", len(placed), lab.Host, lab.DemoPort(o.BasePort))
	if lab.NeedsOrigin(placed) {
		fmt.Fprintf(w, ", lab origin (the real server) :%d", lab.OriginPort(o.BasePort))
	}
	fmt.Fprintf(w, "\nlab CA: %s\n", o.CAFile())
	if lab.NeedsClientCert(placed) {
		fmt.Fprintf(w, "client certificate (issued by the lab CA, for curl --cert/--key): %s and %s\n",
			filepath.Join(o.CADir, pki.ClientCertFile), filepath.Join(o.CADir, pki.ClientKeyFile))
	}
	if o.LogFile != "" {
		fmt.Fprintf(w, "connection log: %s\n", o.LogFile)
	}
	if o.Admin != "" {
		fmt.Fprintf(w, "live view and admin API: http://%s/ (tlsgate fault ls%s)\n", o.Admin, faultAdminFlag("http://"+o.Admin))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tFAMILY\tPORT\tTRY")
	for _, p := range lab.ByFamily(placed) {
		vars.Port = p.Port
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", p.Name, p.Family, p.Port, lab.Expand(p.Try, vars))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nEach connection's diagnosis is logged as it ends. docs/scenarios.md (or `tlsgate lab --markdown`) explains the scenarios; Ctrl-C stops.")
}

// cmdLabClient is `tlsgate lab client`: one HTTPS GET with Go's own TLS
// stack. Go 1.24+ offers a post-quantum key share by default, so its
// ClientHello spans more than one TCP segment; curl and openssl on the lab
// machines send small ones. Some middlebox failures show only with the
// large hello, and this is the client that sends it.
func cmdLabClient(args []string, stdout io.Writer) error {
	fs := newFlags("lab client", "lab client [--cacert FILE] [--classic] [--resolve HOST:PORT:ADDR] [--max-time 10s] https://HOST:PORT/", stdout)
	caFile := fs.String("cacert", "", "PEM file of CAs to trust (default: the system pool)")
	classic := fs.Bool("classic", false, "offer X25519 only, no post-quantum key share: a small ClientHello like curl's")
	maxTime := fs.Duration("max-time", 10*time.Second, "give up after this long")
	resolve := fs.String("resolve", "", "as curl's: connect to ADDR for HOST:PORT, still sending HOST as SNI and Host (the lab's names, such as www.blocked.test, resolve nowhere)")
	if err := flagParse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"lab client: want one https:// URL (see \"tlsgate lab client --help\")"}
	}
	if fs.NArg() > 1 {
		return unexpectedArg(fs, fs.Arg(1))
	}
	u, err := url.Parse(fs.Arg(0))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return usageError{fmt.Sprintf("lab client: %q: want an https://host:port/ URL", fs.Arg(0))}
	}
	cfg := &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}}
	if *caFile != "" {
		pem, err := config.ReadFileMax(*caFile, config.MaxPEMFile)
		if err != nil {
			return fmt.Errorf("lab client: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("lab client: %s holds no PEM certificate", *caFile)
		}
		cfg.RootCAs = pool
	}
	if *classic {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519}
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	if *resolve != "" {
		name, port, ip, err := parseResolve(*resolve)
		if err != nil {
			return usageError{fmt.Sprintf("lab client: --resolve %q: %v", *resolve, err)}
		}
		if h, p, _ := net.SplitHostPort(host); strings.EqualFold(h, name) && p == port {
			host = net.JoinHostPort(ip.String(), port)
		}
	}
	deadline := time.Now().Add(*maxTime)
	raw, err := (&net.Dialer{Deadline: deadline}).Dial("tcp", host)
	if err != nil {
		return fmt.Errorf("lab client: %w", err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(deadline)
	conn := tls.Client(raw, cfg)
	if err := conn.Handshake(); err != nil {
		return fmt.Errorf("lab client: handshake with %s: %w", host, err)
	}
	st := conn.ConnectionState()
	fmt.Fprintf(stdout, "* TLS handshake done: %s, %s, key exchange %s\n",
		tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite), st.CurveID)
	path := u.RequestURI()
	if _, err := fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tlsgate-lab-client\r\nConnection: close\r\n\r\n", path, u.Host); err != nil {
		return fmt.Errorf("lab client: send request: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return fmt.Errorf("lab client: read response: %w", err)
	}
	defer resp.Body.Close()
	fmt.Fprintf(stdout, "%s %s\n", resp.Proto, resp.Status)
	if _, err := io.Copy(stdout, io.LimitReader(resp.Body, 64<<10)); err != nil {
		return fmt.Errorf("lab client: read body: %w", err)
	}
	return nil
}

// parseResolve reads curl's --resolve HOST:PORT:ADDR, ADDR an IP address
// (an IPv6 one in brackets or not).
func parseResolve(v string) (host, port string, ip netip.Addr, err error) {
	host, rest, ok := strings.Cut(v, ":")
	port, addr, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || host == "" {
		return "", "", ip, errors.New("want HOST:PORT:ADDR, as curl's")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", ip, fmt.Errorf("port %q: want 1..65535", port)
	}
	ip, err = netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"))
	if err != nil {
		return "", "", ip, fmt.Errorf("address %q: want an IP address: %w", addr, err)
	}
	return host, port, ip, nil
}
