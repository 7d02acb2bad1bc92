package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/config"
)

// newFlags builds a FlagSet whose errors become usage errors and whose
// --help prints to stdout and exits 0.
func newFlags(name, usage string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: tlsgate %s\n\n", usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags maps flag errors onto usage errors and --help onto errHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := flagParse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return unexpectedArg(fs, fs.Arg(0))
	}
	return nil
}

// unexpectedArg is the one usage error for a stray positional argument in
// every subcommand: it names the argument and points at the --help of the
// (sub)command whose flag set is fs, as a bad flag's error does.
func unexpectedArg(fs *flag.FlagSet, arg string) error {
	return usageError{fmt.Sprintf("%s: unexpected argument %q (see \"tlsgate %s --help\")", fs.Name(), arg, fs.Name())}
}

// flagParse is fs.Parse for every subcommand: --help prints the usage on
// stdout (errHelp, exit 0), and a bad flag is one line on stderr naming it
// and pointing at --help (a usageError, exit 2). The flag package calls
// fs.Usage on every error, which printed the whole usage on stdout for a
// mistyped flag; it now runs only for --help.
func flagParse(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage()
		return errHelp
	case err != nil:
		return usageError{fmt.Sprintf("%s: %s (see \"tlsgate %s --help\")", fs.Name(), badValue(fs, err), fs.Name())}
	}
	return nil
}

// flagValueError is the flag package's wording of a value it could not
// parse: `invalid value "xyz" for flag -timeout: parse error`.
// A boolean's is `invalid boolean value "x" for -disabled: parse error`.
var flagValueError = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]+): (.*)$`)

// badValue words a flag value of the wrong type as the flag and what it
// wants ("--timeout \"xyz\": want a duration such as 3s or 500ms"); the
// flag package's "parse error" says neither. Any other error is kept.
func badValue(fs *flag.FlagSet, err error) string {
	m := flagValueError.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	f := fs.Lookup(m[2])
	if f == nil {
		return err.Error()
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	var want string
	switch g.Get().(type) {
	case time.Duration:
		want = "want a duration such as 3s or 500ms"
	case int, int64, uint, uint64:
		want = "want a whole number"
	case float64:
		want = "want a number"
	case bool:
		want = "want true or false"
	default:
		return err.Error()
	}
	if strings.HasSuffix(m[3], "value out of range") {
		want = "out of range; " + want
	}
	return fmt.Sprintf("--%s %s: %s", m[2], m[1], want)
}

// loadConfig reads path, or the embedded default when path is empty.
func loadConfig(path string) (*config.Config, error) {
	var cfg *config.Config
	var err error
	if path == "" {
		cfg, err = config.Parse(config.Default(), "default config")
	} else {
		cfg, err = config.Load(path)
	}
	if err != nil {
		return nil, configError{err}
	}
	return cfg, nil
}
