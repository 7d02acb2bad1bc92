//go:build linux

package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
)

// TestRefuseAdvice: run with a refuse rule in the config logs a down
// line whose advice reaches this process. Without an [admin] table it
// says to remove the rule from the config and restart: `tlsgate fault
// rm`, which it used to advise, reaches no admin API of this process
// (and the default address may be another instance's). With one on a
// port the kernel chooses, it names `tlsgate fault rm --admin` with the
// port chosen: the admin API binds before the listeners, whose down line
// is logged when they serve. The test waits for that line before it
// cancels: a Shutdown that begins before Serve leaves no line at all. The
// listening line's try names the rule instead of a curl the port refuses.
// With an [admin] token it adds --token, saying where the token is without
// printing it.
func TestRefuseAdvice(t *testing.T) {
	for _, tc := range []struct {
		name, admin string
		want        func(adminAddr net.Addr) string
	}{
		{"no [admin]", "", func(net.Addr) string { return "remove the rule port-closed from the config and restart" }},
		{"[admin] on port 0", "[admin]\nlisten = \"127.0.0.1:0\"\n", func(a net.Addr) string {
			return "tlsgate fault rm --admin http://" + a.String() + " port-closed"
		}},
		// The API wants the token, which the advice says where to find
		// without printing it: without --token, fault rm gets HTTP 401.
		{"[admin] with a token", "[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"s3cret-lab-token\"\n", func(a net.Addr) string {
			return "tlsgate fault rm --admin http://" + a.String() + " --token <[admin] token> port-closed"
		}},
		// A wildcard address is advised as the loopback address of its
		// family, which a client can connect to; http://[::]:PORT (Go
		// binds both wildcards as a dual-stack [::]) was advised before.
		{"[admin] on the IPv4 wildcard", "[admin]\nlisten = \"0.0.0.0:0\"\nallow_remote = true\ntoken = \"s3cret-lab-token\"\n", func(a net.Addr) string {
			return "tlsgate fault rm --admin http://127.0.0.1:" + port(a) + " --token <[admin] token> port-closed"
		}},
		{"[admin] on the IPv6 wildcard", "[admin]\nlisten = \"[::]:0\"\nallow_remote = true\ntoken = \"s3cret-lab-token\"\n", func(a net.Addr) string {
			return "tlsgate fault rm --admin http://[::1]:" + port(a) + " --token <[admin] token> port-closed"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toml := "[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n[shutdown]\ngrace = \"0s\"\n" +
				"[log]\nformat = \"json\"\n" + tc.admin +
				"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n" +
				"[[fault]]\nname = \"port-closed\"\nlistener = \"web\"\naction = \"refuse\"\nmode = \"listener_down\"\n"
			cfg, err := config.Parse([]byte(toml), "refuse.toml")
			if err != nil {
				t.Fatal(err)
			}
			var log lockedBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan map[string]net.Addr, 1)
			done := make(chan error, 1)
			go func() { done <- serve(ctx, cfg, &log, func(m map[string]net.Addr) { ready <- m }) }()
			var addrs map[string]net.Addr
			select {
			case addrs = <-ready:
			case err := <-done:
				t.Fatalf("serve: %v\n%s", err, log.String())
			}
			for end := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), "listener down"); time.Sleep(5 * time.Millisecond) {
				if time.Now().After(end) {
					t.Fatalf("no listener down line after 20s:\n%s", log.String())
				}
			}
			// The advised URL is one a client connects to, while tlsgate runs.
			if _, rest, ok := strings.Cut(log.String(), "--admin http://"); ok {
				host, _, _ := strings.Cut(rest, " ")
				c, err := net.Dial("tcp", host)
				if err != nil {
					t.Errorf("the advised admin address %s: %v", host, err)
				} else {
					c.Close()
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			var down, listening string
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "listener down") {
					down = l
				}
				if strings.Contains(l, `"msg":"listening"`) {
					listening = l
				}
			}
			// Its try is no curl, which would get (7), but the rule.
			if !strings.Contains(listening, "none yet: the refuse rule port-closed keeps this port closed") || strings.Contains(listening, "curl http") {
				t.Errorf("listening line: %q\nwant a try naming the rule that holds it down, and no curl", listening)
			}
			if want := tc.want(addrs["admin"]); !strings.Contains(down, want) {
				t.Fatalf("down line: %q\nwant advice %q", down, want)
			}
			if strings.Contains(down, "s3cret") {
				t.Fatalf("down line prints the admin token: %s", down)
			}
			if tc.admin == "" && strings.Contains(down, "tlsgate fault rm") {
				t.Fatalf("down line without an admin API advises tlsgate fault rm: %s", down)
			}
		})
	}
}

// port is a's port, as a URL writes it.
func port(a net.Addr) string {
	_, p, _ := net.SplitHostPort(a.String())
	return p
}
