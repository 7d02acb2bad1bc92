package config

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// resolver returns the addresses a host name stands for, as the system resolver
// would when tlsgate binds it.
type resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// resolveWait bounds the lookups of one Parse: a listen host name is almost always
// localhost or in /etc/hosts, and a check must not hang on a dead DNS server.
const resolveWait = 5 * time.Second

// systemResolve is the resolver outside tests.
func systemResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// bound is one socket the config asks for: a listener, the demo backend or the
// admin API.
type bound struct {
	what, addr string // who binds, and the address as written
	at         pos    // where addr is written
	// of names a listener after its address in an error on that address
	// (" of listener \"b\""); the key already names [demo] and [admin].
	of string
	// bindAs is addr with a host name replaced by the address net.Listen binds
	// for it ("" when the name did not resolve: nothing to compare).
	bindAs string
}

// resolved says which address a host name in b binds, or nothing for an address.
func (b bound) resolved() string {
	if b.bindAs == b.addr {
		return ""
	}
	return " (which binds " + b.bindAs + ")"
}

// checkClashes finds what no single listener can see: two listeners with one name,
// and two sockets (listeners, the demo backend or the admin API) on one address.
// Host names are resolved first, as net.Listen will resolve them: "localhost:27001"
// takes 127.0.0.1:27001 as surely as writing it does, and run would otherwise stop
// with "address already in use" on a file that check accepted. A name that does not
// resolve is an error for the same reason: run could not listen on it.
func checkClashes(root *table, tables []*table, cfg *Config) {
	ctx, cancel := context.WithTimeout(context.Background(), resolveWait)
	defer cancel()
	lookups := map[string][]netip.Addr{}
	// bind fills b.bindAs, or reports on t's key why it cannot.
	bind := func(t *table, key string, b bound) bound {
		b.bindAs = b.addr
		host, port, err := net.SplitHostPort(b.addr)
		if err != nil || host == "" {
			return b
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return b
		}
		addrs, seen := lookups[host]
		if !seen {
			addrs, err = root.d.resolve(ctx, host)
			if err == nil && len(addrs) == 0 {
				err = errors.New("no addresses")
			}
			if err != nil {
				t.failWrap(key, err, "host %q of %q does not resolve, so %s could not listen on it", host, b.addr, b.what)
				addrs = nil
			}
			lookups[host] = addrs
		}
		if len(addrs) == 0 {
			b.bindAs = ""
			return b
		}
		b.bindAs = net.JoinHostPort(listenAddr(addrs).String(), port)
		return b
	}
	clash := func(t *table, key string, b bound, seen []bound) {
		for _, s := range seen {
			if b.bindAs != "" && s.bindAs != "" && bindConflict(s.bindAs, b.bindAs) {
				t.fail(key, "%q%s%s clashes with %s listening on %q%s at line %s; two sockets cannot share one address",
					b.addr, b.of, b.resolved(), s.what, s.addr, s.resolved(), s.at)
				return
			}
		}
	}

	var seen []bound
	if cfg.Demo.Listen != "" {
		demo, _ := root.sub("demo")
		seen = append(seen, bind(demo, "listen", bound{what: "[demo]", addr: cfg.Demo.Listen, at: demo.pos("listen")}))
	}
	if cfg.Admin.Listen != "" && checkAddr(cfg.Admin.Listen, true) == nil {
		admin, _ := root.sub("admin")
		b := bind(admin, "listen", bound{what: "[admin]", addr: cfg.Admin.Listen, at: admin.pos("listen")})
		clash(admin, "listen", b, seen)
		seen = append(seen, b)
	}
	names := map[string]pos{}
	for i, o := range cfg.Listeners {
		t := tables[i]
		if first, dup := names[o.Name]; dup {
			how := ""
			if !t.has("name") {
				how = " (the default name of the listener at this position)"
			}
			t.fail("name", "duplicate listener name %q%s; the first is at line %s", o.Name, how, first)
		} else {
			names[o.Name] = t.pos("name")
		}
		if o.Listen == "" {
			continue
		}
		what := fmt.Sprintf("listener %q", o.Name)
		b := bind(t, "listen", bound{what: what, of: " of " + what, addr: o.Listen, at: t.pos("listen")})
		clash(t, "listen", b, seen)
		seen = append(seen, b)
	}
}

// listenAddr is the address net.Listen binds for a host name with these
// addresses: the first IPv4 one, or else the first (Go's ListenConfig.Listen,
// addrs.first(isIPv4)).
func listenAddr(addrs []netip.Addr) netip.Addr {
	for _, a := range addrs {
		if a.Unmap().Is4() {
			return a.Unmap()
		}
	}
	return addrs[0]
}
