//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// downEvent is the part of a listener event's /events line the test reads.
type downEvent struct {
	Level string    `json:"level"`
	TS    time.Time `json:"ts"`
	Msg   string    `json:"msg"`
	Ev    *struct {
		Event    string `json:"event"`
		Listener string `json:"listener"`
		Listen   string `json:"listen"`
		Rule     string `json:"rule"`
		Holding  []struct {
			Rule  string    `json:"rule"`
			Until time.Time `json:"until"`
		} `json:"holding"`
		Until   time.Time `json:"until"`
		Since   time.Time `json:"since"`
		DownFor string    `json:"down_for"`
		DownMS  *int64    `json:"down_ms"`
		Downs   int64     `json:"downs"`
		Reason  string    `json:"reason"`
		Symptom string    `json:"symptom"`
		Check   string    `json:"check"`
	} `json:"listener_event"`
}

// TestRefuseEventsOnTheStream: a refuse rule added through the admin API
// (tlsgate fault add) takes its listener down, and a subscriber of
// /events sees a listener_down event naming the listener, its address,
// the rule holding it, when it ends by itself and the log line's reason
// and advice; removing the rule (tlsgate fault rm) brings it up, with a
// listener_up event. The transitions reached only the log: an operator
// watching the stream or the live view saw nothing while the port was
// refused.
func TestRefuseEventsOnTheStream(t *testing.T) {
	adminURL, _ := serveListeners(t, "refuse.toml",
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", adminURL+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /events: %s", resp.Status)
	}
	// The stream is subscribed once its headers are in: every event after
	// this reaches it.
	lines := make(chan []byte, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- bytes.Clone(sc.Bytes())
		}
	}()
	next := func(kind string) downEvent {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the event stream ended before a %s event", kind)
				}
				var ev downEvent
				if err := json.Unmarshal(l, &ev); err != nil {
					t.Fatalf("event line %q: %v", l, err)
				}
				if ev.Ev != nil && ev.Ev.Event == kind {
					return ev
				}
			case <-deadline:
				t.Fatalf("no %s event on /events after 20s", kind)
			}
		}
	}

	var out, errOut bytes.Buffer
	if err := cmdFault([]string{"add", "--admin", adminURL, "-n", "port-closed", "--listener", "web",
		"--action", "refuse", "--param", "mode=listener_down", "--param", "duration=1h"}, &out, &errOut); err != nil {
		t.Fatalf("fault add: %v\n%s", err, errOut.String())
	}
	down := next("listener_down")
	d := down.Ev
	if d.Listener != "web" || d.Rule != "port-closed" || d.Downs != 1 || down.Level != "warn" {
		t.Errorf("down event: %+v", down)
	}
	if len(d.Holding) != 1 || d.Holding[0].Rule != "port-closed" || d.Holding[0].Until.IsZero() {
		t.Errorf("down event's holding %+v, want port-closed with its end", d.Holding)
	}
	if d.Until.IsZero() || !d.Until.Equal(d.Holding[0].Until) || d.Until.Sub(down.TS) <= 59*time.Minute {
		t.Errorf("down event's until %v (at %v), want the rule's end, an hour on", d.Until, down.TS)
	}
	if !strings.HasPrefix(down.Msg, "listener down: ") || d.Reason != down.Msg {
		t.Errorf("down event's msg %q, reason %q: want the log line's", down.Msg, d.Reason)
	}
	if !strings.Contains(d.Check, "tlsgate fault rm --admin "+adminURL+" port-closed") || !strings.Contains(d.Symptom, "curl (7)") {
		t.Errorf("down event's check %q, symptom %q", d.Check, d.Symptom)
	}
	// The address it names is the one refused.
	if c, err := net.Dial("tcp", d.Listen); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial %q, the down event's listen: %v, want connection refused", d.Listen, err)
	}

	// fault ls says the rule holds the listener down, not only that it
	// is enabled.
	out.Reset()
	if err := cmdFault([]string{"ls", "--admin", adminURL}, &out, &errOut); err != nil {
		t.Fatalf("fault ls: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "yes (holding web down)") {
		t.Errorf("fault ls while the rule holds web down:\n%s\nwant its state: yes (holding web down)", out.String())
	}

	if err := cmdFault([]string{"rm", "--admin", adminURL, "port-closed"}, &out, &errOut); err != nil {
		t.Fatalf("fault rm: %v\n%s", err, errOut.String())
	}
	up := next("listener_up")
	u := up.Ev
	if u.Listener != "web" || u.Listen != d.Listen || u.Rule != "port-closed" || u.Downs != 1 || up.Level != "info" {
		t.Errorf("up event: %+v", up)
	}
	if !strings.HasPrefix(up.Msg, "listener up: ") || u.Reason != up.Msg || u.Holding == nil || len(u.Holding) != 0 {
		t.Errorf("up event: msg %q, reason %q, holding %v (want [])", up.Msg, u.Reason, u.Holding)
	}
	if u.DownMS == nil || u.DownFor == "" || !u.Since.Equal(down.TS) {
		t.Errorf("up event: down_for %q, down_ms %v, since %v (down at %v)", u.DownFor, u.DownMS, u.Since, down.TS)
	}
	c, err := net.Dial("tcp", u.Listen)
	if err != nil {
		t.Fatalf("dial %s after the up event: %v", u.Listen, err)
	}
	c.Close()
}
