//go:build linux

package listener

import (
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseFailuresAreEvents: a refuse rule that cannot take the
// listener down, or a listener that cannot listen again, reaches
// Deps.OnDown (the admin /events stream and live view) as down and up do,
// with the log line's message and error; only the log had them. A failure
// the watcher retries is announced once, not once a try.
func TestRefuseFailuresAreEvents(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "closed", Action: faults.ActRefuse, Listener: "web"}); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.InfoLevel)
	var evs []DownEvent
	srv, err := New(Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9"},
		Deps{Logger: zap.New(core), Faults: e, OnDown: func(ev DownEvent) { evs = append(evs, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	// A closed socket takes no syscall: both transitions fail.
	ln.Close()
	for try := 0; try < 2; try++ { // the watcher's retry
		if srv.takeDown(rc, ln, "closed") {
			t.Fatalf("try %d: takeDown of a closed socket succeeded", try)
		}
	}
	if srv.bringUp(rc, ln, "closed", time.Now()) {
		t.Fatal("bringUp of a closed socket succeeded")
	}
	// A listener without a socket of its own has nothing to shut down.
	srv.wg.Add(1) // as Serve does; startDown gives it back with no watcher
	srv.startDown(struct{ net.Listener }{ln})

	want := []struct {
		kind   DownKind
		reason string
	}{{DownFailed, reasonDownFail}, {UpFailed, reasonUpFail}, {DownFailed, reasonNoSocket}}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d (the retried takeDown once): %+v", len(evs), len(want), evs)
	}
	for i, w := range want {
		ev := evs[i]
		if ev.Kind != w.kind || ev.Reason != w.reason || ev.Rule != "closed" || ev.Listener != "web" || ev.Err == "" {
			t.Errorf("event %d: %+v, want kind %s reason %q with an error", i, ev, w.kind, w.reason)
		}
		lines := logs.FilterMessage(ev.Reason).All()
		if len(lines) == 0 || !strings.Contains(ev.Err, lines[0].ContextMap()["error"].(string)) {
			t.Errorf("event %d: error %q is not its log line's (%d lines)", i, ev.Err, len(lines))
		}
	}
}
