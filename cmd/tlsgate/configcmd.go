package main

import (
	"fmt"
	"io"

	"github.com/tlsgate/tlsgate/config"
)

func cmdConfig(args []string, stdout, _ io.Writer) error {
	if len(args) == 0 {
		return usageError{"config: want 'config check' or 'config default'"}
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprintln(stdout, "Usage: tlsgate config check [-c file] (default: the built-in config run uses) | tlsgate config default")
		return errHelp
	case "default":
		if err := parseFlags(newFlags("config default", "config default", stdout), args[1:]); err != nil {
			return err
		}
		_, err := stdout.Write(config.Default())
		return err
	case "check":
		fs := newFlags("config check", "config check [-c config.toml]", stdout)
		// Without -c, run uses the built-in config, not ./config.toml:
		// check resolves the same way, so what it passes is what run runs.
		path := fs.String("c", "", "config file to validate (default: the built-in config, as 'tlsgate run' without -c uses)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		cfg, err := loadConfig(*path)
		if err != nil {
			return err
		}
		name := *path
		if name == "" {
			name = "built-in config (what 'tlsgate run' without -c runs; 'tlsgate config default' prints it)"
		}
		fmt.Fprintf(stdout, "%s: ok, %d listener(s)\n", name, len(cfg.Listeners))
		for _, n := range cfg.Notes {
			fmt.Fprintf(stdout, "note: %s\n", n)
		}
		return nil
	}
	return usageError{fmt.Sprintf("config: unknown subcommand %q", args[0])}
}
