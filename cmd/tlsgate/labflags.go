package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/config"
)

// The lab runs a config it writes itself from its flags. A mistake in a
// flag used to come back as the config's, at a line of a lab.toml that
// exists only in memory ("config: DIR/lab.toml:4:1: log.format: …"), with
// advice about config keys the lab has no flag for (allow_remote). These
// say it in the flags' words instead.

// labRunFlags are the flags that only running the lab reads: --list and
// --markdown print the catalog and exit, so any of these beside them was
// silently ignored.
var labRunFlags = []string{"only", "base-port", "log-format", "log-file", "ca-dir", "admin"}

// labFlagConflict refuses --list with --markdown, and either with a flag
// only a running lab reads, in one line naming both flags.
func labFlagConflict(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, print := range []string{"list", "markdown"} {
		if !set[print] {
			continue
		}
		if print == "list" && set["markdown"] {
			return usageError{"lab: --list and --markdown both print the catalog: give one of them"}
		}
		for _, run := range labRunFlags {
			if set[run] {
				return usageError{fmt.Sprintf("lab: --%s prints the catalog and exits, so --%s (which only a running lab reads) cannot go with it: drop one of them", print, run)}
			}
		}
	}
	return nil
}

// labCheckFlags checks the flags whose values the lab's config would
// refuse in config terms: --log-format, and --admin, which must stay on
// loopback (the lab sets no token, so allow_remote is no way out).
func labCheckFlags(logFormat, adminAddr string) error {
	switch logFormat {
	case "bigip", "json", "console":
	default:
		return usageError{fmt.Sprintf("lab: --log-format %q: want bigip, json or console", logFormat)}
	}
	if adminAddr == "" || adminAddr == "off" {
		return nil
	}
	if err := admin.CheckListen(adminAddr, false, ""); err != nil {
		if strings.Contains(err.Error(), "is not loopback") {
			return usageError{fmt.Sprintf("lab: --admin %q is not a loopback address: the lab's admin API changes faults and asks for no password, so it stays on loopback; want 127.0.0.1:PORT, or off", adminAddr)}
		}
		return usageError{fmt.Sprintf("lab: --admin %q: want HOST:PORT on loopback, e.g. %s, or off", adminAddr, admin.DefaultListen)}
	}
	return nil
}

// labFlagKeys are the keys of the lab's config that a flag sets, and what
// the flag wants.
var labFlagKeys = map[string]struct{ flag, want string }{
	"log.format":   {"--log-format", "want bigip, json or console"},
	"log.file":     {"--log-file", "want a file in an existing directory this process can write to"},
	"ca.dir":       {"--ca-dir", "want a directory this process can create or write to"},
	"admin.listen": {"--admin", "want 127.0.0.1:PORT, or off"},
}

// labFlagError rewords the lab config's errors about keys a flag set as
// the flag's, without the generated file's name and line; ok is false,
// and err to be kept as it is, when any of them is about something else
// (the catalog's own tables).
func labFlagError(err error) (_ error, ok bool) {
	if err == nil {
		return nil, false
	}
	var list []error
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		list = joined.Unwrap()
	} else {
		list = []error{err}
	}
	var out []error
	for _, e := range list {
		var ce *config.Error
		if !errors.As(e, &ce) {
			return err, false
		}
		k, known := labFlagKeys[ce.Key]
		if !known {
			return err, false
		}
		msg := strings.TrimPrefix(ce.Err.Error(), ce.Key+": ")
		if strings.Contains(msg, "pki: ") {
			// A CA in the directory that cannot be loaded (a key
			// missing, expired): the pki error says what to do, and the
			// directory itself is fine.
			out = append(out, usageError{fmt.Sprintf("lab: %s: %s", k.flag, msg)})
			continue
		}
		out = append(out, usageError{fmt.Sprintf("lab: %s: %s; %s", k.flag, msg, k.want)})
	}
	if len(out) == 1 {
		return out[0], true
	}
	return errors.Join(out...), true
}
