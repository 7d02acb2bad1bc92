package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// TestEventsCarryFirstFIN: the admin event stream (the json log format's
// shape) says which side half-closed first and when, as the text
// explanation does, on both engines. The order is certain: the backend
// answers only once it has read the client's FIN.
func TestEventsCarryFirstFIN(t *testing.T) {
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer bln.Close()
	go func() {
		for {
			c, err := bln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
				_, _ = io.ReadAll(c)                                // to the client's FIN
				_, _ = c.Write([]byte("bye\n"))
			}()
		}
	}()
	for _, eng := range []string{"epoll", "goroutines"} {
		t.Run(eng, func(t *testing.T) {
			toml := "[log]\nfile = \"" + filepath.Join(t.TempDir(), "tlsgate.log") + "\"\n" +
				"[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n" +
				"[admin]\nlisten = \"127.0.0.1:0\"\n[shutdown]\ngrace = \"0s\"\n" +
				fmt.Sprintf("[[listener]]\nname = \"plain\"\nlisten = \"127.0.0.1:0\"\nbackend = %q\nmode = \"plaintext\"\nengine = %q\n",
					bln.Addr().String(), eng)
			m, lines := serveWatchingEvents(t, toml, "firstfin.toml")

			c, err := net.Dial("tcp", m["plain"].String())
			if err != nil {
				t.Fatal(err)
			}
			_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
			_, _ = c.Write([]byte("HELLO there\r\n"))
			_ = c.(*net.TCPConn).CloseWrite()
			if b, _ := io.ReadAll(c); string(b) != "bye\n" {
				t.Fatalf("client read %q, want the backend's answer to its FIN", b)
			}
			_ = c.Close()

			line := firstEvent(t, lines)
			var ev struct {
				Conn map[string]any `json:"conn"`
			}
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("event %q: %v", line, err)
			}
			ms, isNum := ev.Conn["first_fin_ms"].(float64)
			dur, _ := ev.Conn["duration_ms"].(float64)
			if ev.Conn["first_fin"] != "client" || !isNum || ms < 0 || ms > dur {
				t.Errorf("first_fin %v, first_fin_ms %v (duration_ms %v); want the client's, within the connection",
					ev.Conn["first_fin"], ev.Conn["first_fin_ms"], ev.Conn["duration_ms"])
			}
		})
	}
}
