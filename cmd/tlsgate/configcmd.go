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
		fmt.Fprintln(stdout, "Usage: tlsgate config check [-c file] | tlsgate config default")
		return errHelp
	case "default":
		if err := parseFlags(newFlags("config default", "config default", stdout), args[1:]); err != nil {
			return err
		}
		_, err := stdout.Write(config.Default())
		return err
	case "check":
		fs := newFlags("config check", "config check [-c config.toml]", stdout)
		path := fs.String("c", "config.toml", "config file to validate")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		cfg, err := loadConfig(*path)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: ok, %d listener(s)\n", *path, len(cfg.Listeners))
		for _, n := range cfg.Notes {
			fmt.Fprintf(stdout, "note: %s\n", n)
		}
		return nil
	}
	return usageError{fmt.Sprintf("config: unknown subcommand %q", args[0])}
}
