package config

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// fakeDNS answers lookups from a map, and counts them.
type fakeDNS struct {
	names map[string][]string
	asked map[string]int
}

func (f *fakeDNS) resolve(_ context.Context, host string) ([]netip.Addr, error) {
	f.asked[host]++
	var out []netip.Addr
	for _, s := range f.names[host] {
		out = append(out, netip.MustParseAddr(s))
	}
	if out == nil {
		return nil, errors.New("lookup " + host + ": no such host")
	}
	return out, nil
}

// TestClashAfterResolution: listen addresses that name the same socket once
// their host names are resolved (as net.Listen resolves them) are refused
// with both listeners and lines named. `config check` used to accept
// "localhost:27001" beside "127.0.0.1:27001", and run then failed with
// "address already in use".
func TestClashAfterResolution(t *testing.T) {
	listener := func(name, listen string) string {
		return "[[listener]]\nname = \"" + name + "\"\nlisten = \"" + listen + "\"\nbackend = \"127.0.0.1:27080\"\nmode = \"plaintext\"\n"
	}
	dns := map[string][]string{
		"localhost":   {"127.0.0.1", "::1"},
		"localhost6":  {"::1"},
		"v6first":     {"::1", "127.0.0.1"}, // net.Listen binds the first IPv4 address: 127.0.0.1
		"gate.lab":    {"10.0.0.5"},
		"gate-alias":  {"10.0.0.5"},
		"mapped.host": {"::ffff:10.0.0.5"},
	}
	tests := []struct {
		name, a, b string
		want       string // "" means no error
	}{
		{"localhost beside its address", "127.0.0.1:27001", "localhost:27001",
			`config: c.toml:10:1: listener.listen: "localhost:27001" of listener "b" (which binds 127.0.0.1:27001) clashes with listener "a" listening on "127.0.0.1:27001" at line 5:1; two sockets cannot share one address`},
		{"address after localhost", "localhost:27001", "127.0.0.1:27001",
			`listener.listen: "127.0.0.1:27001" of listener "b" clashes with listener "a" listening on "localhost:27001" (which binds 127.0.0.1:27001) at line 5:1`},
		{"two names for one address", "gate.lab:443", "gate-alias:443",
			`"gate-alias:443" of listener "b" (which binds 10.0.0.5:443) clashes with listener "a" listening on "gate.lab:443" (which binds 10.0.0.5:443)`},
		{"IPv4 wildcard over a name", "0.0.0.0:443", "gate.lab:443", `clashes with listener "a" listening on "0.0.0.0:443"`},
		{"dual-stack wildcard over an IPv6 name", "[::]:443", "localhost6:443", `(which binds [::1]:443) clashes with listener "a"`},
		{"empty host over a name", ":443", "localhost:443", `clashes with listener "a" listening on ":443"`},
		{"IPv4-mapped answer", "10.0.0.5:443", "mapped.host:443", `(which binds 10.0.0.5:443) clashes`},
		{"IPv4 first, as net.Listen picks", "127.0.0.1:443", "v6first:443", `(which binds 127.0.0.1:443) clashes`},
		{"the IPv6 address a name also has is not bound", "[::1]:443", "v6first:443", ""},
		{"other port", "127.0.0.1:27001", "localhost:27002", ""},
		{"other address", "127.0.0.2:27001", "localhost:27001", ""},
		{"a name that does not resolve", "127.0.0.1:27001", "nope.invalid:27001",
			`config: c.toml:10:1: listener.listen: host "nope.invalid" of "nope.invalid:27001" does not resolve, so listener "b" could not listen on it: lookup nope.invalid: no such host`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeDNS{names: dns, asked: map[string]int{}}
			src := "[ca]\ndir = \"" + t.TempDir() + "\"\n" + listener("a", tt.a) + listener("b", tt.b)
			_, err := parse([]byte(src), "c.toml", &decoder{stat: osStat, writable: osWritable, resolve: f.resolve})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || len(flatten(t, err)) != 1 || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v\nwant one error containing %s", err, tt.want)
			}
		})
	}

	t.Run("demo, admin and listeners; one lookup per name", func(t *testing.T) {
		f := &fakeDNS{names: dns, asked: map[string]int{}}
		src := "[ca]\ndir = \"" + t.TempDir() + "\"\n[demo]\nlisten = \"localhost:27080\"\n[admin]\nlisten = \"127.0.0.1:27080\"\n" +
			listener("a", "localhost:27001") + listener("b", "localhost:27002")
		_, err := parse([]byte(src), "c.toml", &decoder{stat: osStat, writable: osWritable, resolve: f.resolve})
		want := `config: c.toml:6:1: admin.listen: "127.0.0.1:27080" clashes with [demo] listening on "localhost:27080" (which binds 127.0.0.1:27080) at line 4:1`
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("got %v\nwant %s…", err, want)
		}
		if f.asked["localhost"] != 1 {
			t.Errorf("localhost looked up %d times, want once", f.asked["localhost"])
		}
	})
}
