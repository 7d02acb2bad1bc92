package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"

	"github.com/tlsgate/tlsgate/transparent"
)

// cmdDoctor checks the host set-up a transparent listener depends on and
// prints each missing piece with the command that fixes it.
func cmdDoctor(args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || args[0] != "transparent" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: tlsgate doctor transparent [--mode redirect|tproxy] [--port N | --listen HOST:PORT] [-c config.toml]")
			return errHelp
		}
		return usageError{"doctor: want 'doctor transparent'"}
	}
	fs := newFlags("doctor transparent", "doctor transparent [--mode redirect|tproxy] [--port N | --listen HOST:PORT] [-c config.toml]", stdout)
	mode := fs.String("mode", "", "redirect or tproxy (default: from the first transparent listener in -c)")
	port := fs.Int("port", 0, "tlsgate's listening port (default: from -c)")
	listen := fs.String("listen", "", "tlsgate's listen address, HOST:PORT: the rules differ for 0.0.0.0, 127.0.0.1 or one address (default: from -c)")
	cfgPath := fs.String("c", "", "config file to read the transparent listener from")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	// 0 stands for "not given" below; given, it is out of range like 99999.
	portGiven := false
	fs.Visit(func(f *flag.Flag) { portGiven = portGiven || f.Name == "port" })
	if portGiven && (*port < 1 || *port > 65535) {
		return usageError{fmt.Sprintf("doctor transparent: --port %d is not a port (1 to 65535)", *port)}
	}
	if *listen != "" && *port != 0 {
		return usageError{"doctor transparent: give --port or --listen, not both"}
	}
	if *cfgPath != "" && (*mode == "" || *port == 0 && *listen == "") {
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
			if *port == 0 && *listen == "" {
				*listen = l.Listen
			}
			found = true
			break
		}
		if !found {
			return usageError{fmt.Sprintf("doctor transparent: %s has no listener with transparent = \"redirect\" or \"tproxy\"; give --mode and --port", *cfgPath)}
		}
	}
	var ip netip.Addr
	if *listen != "" {
		var err error
		if ip, *port, err = listenOf(*listen); err != nil {
			return usageError{fmt.Sprintf("doctor transparent: --listen %q: %v", *listen, err)}
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
	checks := transparent.DoctorAt(*mode, ip, *port, transparent.SystemEnv())
	transparent.Render(stdout, checks)
	for _, c := range checks {
		if !c.OK {
			where := fmt.Sprintf("port %d", *port)
			if ip.IsValid() {
				where = netip.AddrPortFrom(ip, uint16(*port)).String()
			}
			return fmt.Errorf("doctor: this host is not ready for transparent = %q on %s", *mode, where)
		}
	}
	return nil
}

// listenOf splits a listen address into the IP the socket is bound to (the
// zero Addr for every address: an empty host) and its port. A host name is
// resolved as the listener's bind resolves it, to its first address.
func listenOf(listen string) (netip.Addr, int, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return netip.Addr{}, 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return netip.Addr{}, 0, fmt.Errorf("port %q is not 1 to 65535", p)
	}
	if host == "" {
		return netip.Addr{}, port, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, port, nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.Addr{}, 0, fmt.Errorf("host %q does not resolve: %v", host, err)
	}
	return ips[0].Unmap(), port, nil
}
