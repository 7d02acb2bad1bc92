// Command tlsgate is a TLS-inspecting proxy and middlebox simulator for labs.
// It peeks at every connection, routes it by what it really is, and explains
// each mismatch as BIG-IP ltm lines and in plain words.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// usageError marks bad command-line usage; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// configError marks a config that failed to load or validate; exit status 2.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

const topUsage = `tlsgate: a TLS-inspecting proxy that explains every handshake failure

Usage:
  tlsgate run [-c config.toml]     run the listeners (the built-in default config when -c is absent)
  tlsgate ca export [-c config.toml | --ca-dir DIR] [--format pem|der|p12] [--password P]
                                   print the existing lab CA certificate for clients
                                   to trust (it never creates one)
  tlsgate ca init [-c config.toml | --ca-dir DIR]
                                   create the lab CA if it does not exist
  tlsgate config check [-c file]   validate a config file and exit (the built-in
                                   default config, as run uses, when -c is absent)
  tlsgate config default           print the built-in default config
  tlsgate doctor transparent [--mode redirect|tproxy] [--port N | --listen HOST:PORT]
                                   check the iptables rules, routes, sysctls and
                                   capabilities a transparent listener needs
  tlsgate fault add|ls|rm|enable|disable|reset [--admin URL] [--token T]
                                   change fault rules at runtime through the admin API
                                   (--admin defaults to $TLSGATE_ADMIN, --token to
                                   $TLSGATE_ADMIN_TOKEN)
  tlsgate lab [--list|--markdown|--only NAME] [--base-port 9400] [--admin ADDR|off] [--ca-dir DIR] [--lang ja]
                                   run the training catalog of real failures, one port each
  tlsgate probe HOST:PORT [--sni NAME] [--cacert FILE] [--timeout 3s] [--handshake-timeout 10s] [--steps 1,3,4] [--json] [--lang ja]
                                   walk the operator's checklist against a TLS server
  tlsgate explain [--lang en|ja] [--json] [LINE…]
                                   explain pasted /var/log/ltm lines (or stdin)
  tlsgate version                  print the version

Every subcommand accepts --help.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and maps errors to exit codes: 0 ok, 1 runtime
// failure, 2 bad usage or bad config.
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	fmt.Fprintln(stderr, "tlsgate:", err)
	var ue usageError
	var ce configError
	if errors.As(err, &ue) || errors.As(err, &ce) {
		return 2
	}
	return 1
}

// errHelp is returned after help was printed on request.
var errHelp = errors.New("help requested")

func dispatch(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, topUsage)
		return usageError{"a subcommand is required"}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, topUsage)
		return errHelp
	case "version", "--version":
		return cmdVersion(args[1:], stdout)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "ca":
		return cmdCA(args[1:], stdout, stderr)
	case "config":
		return cmdConfig(args[1:], stdout, stderr)
	case "doctor":
		return cmdDoctor(args[1:], stdout, stderr)
	case "fault":
		return cmdFault(args[1:], stdout, stderr)
	case "lab":
		return cmdLab(args[1:], stdout, stderr)
	case "probe":
		return cmdProbe(args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(args[1:], stdout, stderr)
	default:
		// One line, as for a mistyped flag: the usage is one --help away,
		// and 26 lines of it would push the mistake off a small terminal.
		return usageError{fmt.Sprintf("unknown subcommand %q (see \"tlsgate --help\")", args[0])}
	}
}

// cmdVersion prints the version. It goes through the flag package like every
// other subcommand, so `version --help` prints its usage as the top-level
// help promises, and anything else after it is still a usage error.
func cmdVersion(args []string, stdout io.Writer) error {
	fs := newFlags("version", "version\n\nPrints the version of this build.", stdout)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "tlsgate", version)
	return nil
}
