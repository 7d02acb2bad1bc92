package main

import (
	"fmt"
	"io"

	"github.com/tlsgate/tlsgate/transparent"
)

// cmdDoctor checks the host set-up a transparent listener depends on and
// prints each missing piece with the command that fixes it.
func cmdDoctor(args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || args[0] != "transparent" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: tlsgate doctor transparent [--mode redirect|tproxy] [--port N] [-c config.toml]")
			return errHelp
		}
		return usageError{"doctor: want 'doctor transparent'"}
	}
	fs := newFlags("doctor transparent", "doctor transparent [--mode redirect|tproxy] [--port N] [-c config.toml]", stdout)
	mode := fs.String("mode", "", "redirect or tproxy (default: from the first transparent listener in -c)")
	port := fs.Int("port", 0, "tlsgate's listening port (default: from -c)")
	cfgPath := fs.String("c", "", "config file to read the transparent listener from")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *cfgPath != "" && (*mode == "" || *port == 0) {
		cfg, err := loadConfig(*cfgPath)
		if err != nil {
			return err
		}
		found := false
		for _, l := range cfg.Listeners {
			if l.Transparent == "" {
				continue
			}
			if *mode == "" {
				*mode = l.Transparent
			}
			if *port == 0 {
				*port = portOf(l.Listen)
			}
			found = true
			break
		}
		if !found {
			return usageError{fmt.Sprintf("doctor transparent: %s has no listener with transparent = \"redirect\" or \"tproxy\"; give --mode and --port", *cfgPath)}
		}
	}
	switch {
	case *mode == "":
		return usageError{"doctor transparent: --mode is required: redirect or tproxy (or -c with a transparent listener)"}
	case *mode != transparent.ModeRedirect && *mode != transparent.ModeTProxy:
		return usageError{fmt.Sprintf("doctor transparent: --mode must be redirect or tproxy, got %q", *mode)}
	case *port == 0:
		return usageError{"doctor transparent: --port is required (or -c with a transparent listener)"}
	case *port < 0 || *port > 65535:
		return usageError{fmt.Sprintf("doctor transparent: --port %d is not a port (1 to 65535)", *port)}
	}
	checks := transparent.Doctor(*mode, *port, transparent.SystemEnv())
	transparent.Render(stdout, checks)
	for _, c := range checks {
		if !c.OK {
			return fmt.Errorf("doctor: %s is not ready for transparent = %q on port %d", "this host", *mode, *port)
		}
	}
	return nil
}
