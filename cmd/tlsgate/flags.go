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
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			// The flag package has already called fs.Usage; calling it
			// again printed the help twice.
			return errHelp
		}
		return usageError{fmt.Sprintf("%s: %v (see \"tlsgate %s --help\")", fs.Name(), err, fs.Name())}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q (see \"tlsgate %s --help\")", fs.Name(), fs.Arg(0), fs.Name())}
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
