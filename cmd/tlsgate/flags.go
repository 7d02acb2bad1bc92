package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

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
		return usageError{fmt.Sprintf("%s: %v (see \"tlsgate %s --help\")", fs.Name(), err, fs.Name())}
	}
	return nil
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
