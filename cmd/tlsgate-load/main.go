// Command tlsgate-load is tlsgate's own load generator and test backend.
// It measures what a proxy costs: bulk throughput, new connections per
// second, added latency, TLS handshakes per second and memory per idle
// connection, each against a backend directly and through a proxy, so
// bench/run.sh can print ratios. It uses the standard library only and
// sends traffic to the address it is given, which the bench keeps on
// loopback.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// usageError marks bad command-line usage; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errHelp is returned after help was printed on request.
var errHelp = errors.New("help requested")

const topUsage = `tlsgate-load: load generator and test backend for tlsgate benchmarks

Usage:
  tlsgate-load backend    --listen 127.0.0.1:0 --mode echo|sink|http [--tls --cert f --key f | --tls-self]
  tlsgate-load relay      --listen 127.0.0.1:0 --target host:port  (a bare Go relay: the runtime's floor)
  tlsgate-load bulk       --target host:port --bytes 256MiB --conns 1 [TLS flags]
  tlsgate-load connrate   --target host:port --duration 10s --concurrency 8 --max N [TLS flags]
  tlsgate-load latency    --target host:port --requests 5000 --concurrency 1 [TLS flags]
  tlsgate-load handshakes --target host:port --duration 10s --concurrency 8 --tls [TLS flags]
  tlsgate-load idle       --target host:port --conns 1000 --pid PID [--steps 5] [TLS flags]
  tlsgate-load report     --in results.jsonl    (markdown sections and tables from --json lines)
  tlsgate-load gobench    --in bench.txt        (go test -bench output as --json lines)
  tlsgate-load note       --section S --text T  (a note line for report)
  tlsgate-load target     --section S --group G --name N --min-ratio R | --max-value V  (a target line)

TLS flags: --tls --ca file --sni name | --sni-each 'n{n}.bench.local' --insecure --curves x25519|default
Every client accepts --json (one line per result), --section, --group, --name and
--baseline (labels for report) and --cpu-pid PID[,PID…] (meter the proxy's CPU).
Every subcommand accepts --help.
`

// env is everything a subcommand takes from the outside world, so tests
// can run subcommands against real loopback sockets with their own clock
// and output.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
	rand           io.Reader
	dial           func(ctx context.Context, network, addr string) (net.Conn, error)
	listen         func(network, addr string) (net.Listener, error)
	readFile       func(name string) ([]byte, error)
}

// osEnv is the env of the real command.
func osEnv(stdout, stderr io.Writer) *env {
	return &env{
		stdout:   stdout,
		stderr:   stderr,
		now:      time.Now,
		rand:     rand.Reader,
		dial:     (&net.Dialer{}).DialContext,
		listen:   net.Listen,
		readFile: os.ReadFile,
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], osEnv(os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and maps errors to exit codes: 0 ok,
// 1 runtime failure, 2 bad usage.
func run(ctx context.Context, args []string, e *env) int {
	err := dispatch(ctx, args, e)
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	}
	fmt.Fprintln(e.stderr, "tlsgate-load:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

func dispatch(ctx context.Context, args []string, e *env) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, topUsage)
		return usageError{"a subcommand is required"}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, topUsage)
		return errHelp
	}
	sub, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprint(e.stderr, topUsage)
		return usageError{fmt.Sprintf("unknown subcommand %q", args[0])}
	}
	return pointAtHelp(args[0], sub(ctx, args[1:], e))
}

// subcommands maps each name in topUsage to its command.
var subcommands = map[string]func(ctx context.Context, args []string, e *env) error{
	"backend":    cmdBackend,
	"relay":      cmdRelay,
	"bulk":       cmdBulk,
	"connrate":   cmdConnRate,
	"handshakes": cmdHandshakes,
	"latency":    cmdLatency,
	"idle":       cmdIdle,
	"report":     func(_ context.Context, args []string, e *env) error { return cmdReport(args, e) },
	"gobench":    func(_ context.Context, args []string, e *env) error { return cmdGoBench(args, e) },
	"note":       func(_ context.Context, args []string, e *env) error { return cmdNote(args, e) },
	"target":     func(_ context.Context, args []string, e *env) error { return cmdTarget(args, e) },
}

// pointAtHelp ends a subcommand's usage error with where to read how to
// use it, worded as tlsgate's own subcommands word it, so a stray
// argument, a bad flag and a failed check all name the same next step.
// It is applied once, here, so no subcommand can leave it out; any other
// error passes through unchanged.
func pointAtHelp(sub string, err error) error {
	var ue usageError
	if errors.As(err, &ue) {
		ue.msg += fmt.Sprintf(" (see \"tlsgate-load %s --help\")", sub)
		return ue
	}
	return err
}
