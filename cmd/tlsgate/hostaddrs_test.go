package main

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// TestHostAddrsLogsOnce: the listeners' shared address cache logs a failing
// listing once, not once per connection or per interval, keeps the last
// good list meanwhile, and logs again only after a listing worked.
func TestHostAddrsLogsOnce(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	now := time.Date(2026, 11, 29, 21, 0, 0, 0, time.UTC)
	host := []netip.Addr{netip.MustParseAddr("192.0.2.2")}
	var fail error
	calls := 0
	source := func() ([]netip.Addr, error) {
		calls++
		if fail != nil {
			return nil, fail
		}
		return host, nil
	}
	c, err := newHostAddrs(zap.New(core), func() time.Time { return now }, source)
	if err != nil {
		t.Fatal(err)
	}
	get := func(step string) {
		t.Helper()
		ips, err := c.Get()
		if err != nil || len(ips) != 1 || ips[0] != host[0] {
			t.Fatalf("%s: Get() = %v, %v; want %v", step, ips, err, host)
		}
	}
	get("first listing")
	fail = errors.New("netlink: operation not permitted")
	for i := range 5 {
		now = now.Add(time.Second)
		for range 100 { // connections within one interval
			get("failing listing " + strconv.Itoa(i+1))
		}
	}
	if calls != 6 {
		t.Errorf("source called %d times over 6 intervals, want 6", calls)
	}
	lines := logs.FilterMessage(msgHostAddrs).All()
	if len(lines) != 1 {
		t.Fatalf("%d lines for 5 failed listings, want 1: %v", len(lines), lines)
	}
	if l := lines[0]; l.Level != zapcore.WarnLevel ||
		!strings.Contains(l.ContextMap()["error"].(string), "keeping the 1 listed 1s earlier: netlink: operation not permitted") {
		t.Errorf("line = %v %v, want a warning with the kept list and the netlink error", l.Level, l.ContextMap())
	}
	fail = nil
	now = now.Add(time.Second)
	get("working again")
	fail = errors.New("netlink: no buffer space available")
	now = now.Add(time.Second)
	get("failing again")
	if n := logs.FilterMessage(msgHostAddrs).Len(); n != 2 {
		t.Errorf("%d lines after a second run of failures, want 2", n)
	}
}
