package listener

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestAutoClosedShowsNoSSLLine: an auto listener closes a connection whose
// client half-closed before its bytes named a protocol (none, or a TLS
// record header cut short). Its client-ssl handshake, when it has one,
// never ran for that connection: bigip-log.md puts 0126xxxx lines only
// where a client-ssl profile ran, and a profile with Non-SSL Connections
// enabled logs no SSL error for a connection it never took as TLS. The
// same client on a terminate listener keeps its 01260013 (a profile
// without allow-non-ssl runs on every connection). On every engine an
// auto listener can run, with a real client socket.
func TestAutoClosedShowsNoSSLLine(t *testing.T) {
	engines := relayEngines()
	backend := echoBackend(t)
	listeners := []struct {
		name  string
		opts  Options
		lines bool // a client-ssl profile stands for the connection
	}{
		{"auto", Options{Mode: Auto, Backend: backend, PlainBackend: backend}, false},
		{"auto-client_ssl", Options{Mode: Auto, Backend: backend, PlainBackend: backend, ClientSSL: &ClientSSL{}}, false},
		{"terminate", Options{Mode: Terminate, Backend: backend, ClientSSL: &ClientSSL{}}, true},
	}
	for _, eng := range engines {
		for _, l := range listeners {
			for _, first := range []string{"", "\x16\x03"} {
				name := fmt.Sprintf("%s/%s/%q", eng, l.name, first)
				t.Run(name, func(t *testing.T) {
					if eng != EngineGoroutines {
						needEpoll(t)
						if FastPathBlocker(l.opts) != "" {
							t.Skipf("%s is not served by %s", l.name, eng)
						}
					}
					opts := l.opts
					opts.Engine = eng
					h := startListener(t, opts, nil)
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					if _, err := c.Write([]byte(first)); err != nil {
						t.Fatal(err)
					}
					if err := c.(*net.TCPConn).CloseWrite(); err != nil {
						t.Fatal(err)
					}
					r := h.next()
					if r.o.Route != "closed" {
						t.Fatalf("route %q, want closed", r.o.Route)
					}
					var got []string
					for _, line := range r.d.BigIP {
						got = append(got, line.Text)
					}
					has := strings.Contains(strings.Join(got, "\n"), "SSL Handshake failed")
					if has != l.lines {
						t.Errorf("BIG-IP lines %q: 01260013 shown %v, want %v\ncause: %s", got, has, l.lines, r.d.Cause)
					}
					if !l.lines && strings.Contains(r.d.Cause, "passes TLS through") && l.opts.ClientSSL != nil {
						t.Errorf("cause says the listener passes TLS through; it terminates TLS:\n%s", r.d.Cause)
					}
				})
			}
		}
	}
}
