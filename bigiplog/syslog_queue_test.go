package bigiplog

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/zap/zapcore"
)

// hangGuard bounds the wait for something that must happen; it asserts
// nothing about how fast.
const hangGuard = 20 * time.Second

func logMsg(t *testing.T, core zapcore.Core, msg string) {
	t.Helper()
	ce := core.Check(zapcore.Entry{Level: zapcore.InfoLevel, Time: time.Now(), Message: msg}, nil)
	if ce == nil {
		t.Fatal("info filtered out")
	}
	if err := core.Write(ce.Entry, nil); err != nil {
		t.Fatalf("log %q: %v", msg, err)
	}
}

// gatedCollector accepts every connection and reads nothing until open is
// called; then it sends every line of every connection on lines.
type gatedCollector struct {
	ln    net.Listener
	gate  chan struct{}
	once  sync.Once
	lines chan string
	mu    sync.Mutex
	conns []net.Conn
}

func newGatedCollector(t *testing.T) *gatedCollector {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gatedCollector{ln: ln, gate: make(chan struct{}), lines: make(chan string, 1<<16)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.mu.Lock()
			g.conns = append(g.conns, c)
			g.mu.Unlock()
			go func() {
				<-g.gate
				sc := bufio.NewScanner(c)
				sc.Buffer(make([]byte, 64<<10), 64<<10)
				for sc.Scan() {
					select {
					case g.lines <- sc.Text():
					default: // the test has what it needs
					}
				}
			}()
		}
	}()
	t.Cleanup(g.close)
	return g
}

func (g *gatedCollector) open() { g.once.Do(func() { close(g.gate) }) }

func (g *gatedCollector) close() {
	_ = g.ln.Close()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, c := range g.conns {
		_ = c.Close()
	}
}

// waitLine waits for a received line containing sub.
func waitLine(t *testing.T, lines <-chan string, sub string) string {
	t.Helper()
	timeout := time.After(hangGuard)
	for {
		select {
		case l := <-lines:
			if strings.Contains(l, sub) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line containing %q within %v", sub, hangGuard)
		}
	}
}

// fillUntilDrop logs 1 KB lines into a collector that does not read until
// the writer drops some; the writes must all return.
func fillUntilDrop(t *testing.T, core zapcore.Core) uint64 {
	t.Helper()
	sc := core.(*syslogCore)
	done := make(chan int)
	go func() {
		msg := strings.Repeat("m", 1000)
		n := 0
		// At least 10k writes; then on until something is dropped (the
		// kernel buffers may absorb more than the queue).
		for n < 10000 || sc.Dropped() == 0 && n < 1000000 {
			ce := core.Check(zapcore.Entry{Level: zapcore.InfoLevel, Time: time.Now(), Message: msg}, nil)
			if err := core.Write(ce.Entry, nil); err != nil {
				t.Errorf("write %d: %v", n, err)
				break
			}
			n++
		}
		done <- n
	}()
	select {
	case n := <-done:
		t.Logf("%d writes returned, %d lines dropped", n, sc.Dropped())
	case <-time.After(hangGuard):
		t.Fatal("log writes blocked on a collector that does not read")
	}
	d := sc.Dropped()
	if d == 0 {
		t.Fatal("nothing dropped although the collector never read")
	}
	return d
}

// A collector that accepts and never reads must not block log calls: the
// lines beyond the queue are dropped and counted, and once the collector
// reads again it is told how many.
func TestSyslogStalledCollectorDoesNotBlock(t *testing.T) {
	g := newGatedCollector(t)
	core, err := NewSyslogCore("tcp", g.ln.Addr().String(), testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer core.(io.Closer).Close()
	fillUntilDrop(t, core)

	g.open()
	notice := waitLine(t, g.lines, " log lines dropped: syslog collector too slow or unreachable")
	if !strings.HasPrefix(notice, "<132>") || !strings.Contains(notice, " lab-bigip warning tlsgate[9244]: ") {
		t.Errorf("notice %q: want a warning line of ours", notice)
	}
	logMsg(t, core, "after the stall")
	waitLine(t, g.lines, "tlsgate[9244]: after the stall")
}

// Close with a collector that never reads gives up after the flush
// bound, counts what it could not send, and later writes fail.
func TestSyslogCloseStalledCollector(t *testing.T) {
	g := newGatedCollector(t)
	core, err := NewSyslogCore("tcp", g.ln.Addr().String(), testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := fillUntilDrop(t, core)
	closed := make(chan error, 1)
	go func() { closed <- core.(io.Closer).Close() }()
	select {
	case err = <-closed:
	case <-time.After(hangGuard):
		t.Fatal("Close hung on a collector that does not read")
	}
	after := core.(*syslogCore).Dropped()
	t.Logf("Close: %v; dropped %d before, %d after", err, before, after)
	if err == nil || !strings.Contains(err.Error(), "queued lines not sent") {
		t.Errorf("Close = %v, want the count of lines not sent", err)
	}
	if after <= before {
		t.Errorf("lines left in the queue at Close not counted: %d then %d", before, after)
	}
	if _, err := core.(*syslogCore).w.Write([]byte("<134>late\n")); err != errSyslogClosed {
		t.Errorf("write after Close: %v", err)
	}
	if err := core.(io.Closer).Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Close with the collector gone (connection refused on every redial)
// returns too.
func TestSyslogCloseCollectorGone(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	core, err := NewSyslogCore("tcp", ln.Addr().String(), testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := <-accepted
	ln.Close()
	srv.Close()
	for range 100 {
		logMsg(t, core, "nobody listens")
	}
	closed := make(chan error, 1)
	go func() { closed <- core.(io.Closer).Close() }()
	select {
	case err := <-closed:
		t.Logf("Close: %v; dropped %d", err, core.(*syslogCore).Dropped())
	case <-time.After(hangGuard):
		t.Fatal("Close hung with the collector gone")
	}
}

// The collector restarts: lines logged while it is down are kept and sent
// once it is back; nothing is dropped.
func TestSyslogCollectorRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	lines := make(chan string, 1000)
	serve := func(ln net.Listener) <-chan net.Conn {
		conns := make(chan net.Conn, 10)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				conns <- c
				go func() {
					sc := bufio.NewScanner(c)
					for sc.Scan() {
						lines <- sc.Text()
					}
				}()
			}
		}()
		return conns
	}
	conns := serve(ln)
	core, err := NewSyslogCore("tcp", addr, testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer core.(io.Closer).Close()
	logMsg(t, core, "one")
	waitLine(t, lines, ": one")
	first := <-conns

	// The collector goes away: the connection and the port.
	ln.Close()
	first.Close()
	logMsg(t, core, "two (collector down)")

	var ln2 net.Listener
	deadline := time.Now().Add(hangGuard)
	for {
		ln2, err = net.Listen("tcp", addr)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer ln2.Close()
	serve(ln2)
	// A line written just as the collector's FIN is on its way is lost (it
	// cannot be told apart from one the collector read), so keep logging
	// until one arrives; none is dropped either way.
	var got []string
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(hangGuard)
	resumed := false
	for i := 0; !resumed; i++ {
		logMsg(t, core, "three (collector back)")
		select {
		case l := <-lines:
			got = append(got, l)
			resumed = strings.HasSuffix(l, ": three (collector back)")
		case <-tick.C:
		case <-timeout:
			t.Fatalf("nothing received after the collector came back; got %q", got)
		}
	}
	t.Logf("resumed: %q", got)
	if !strings.HasSuffix(got[0], ": two (collector down)") {
		t.Logf("the line logged while the collector was down was lost (FIN still in flight)")
	}
	if d := core.(*syslogCore).Dropped(); d != 0 {
		t.Errorf("%d lines dropped; the queue never filled", d)
	}
}

// UDP: a line longer than RFC 3164 allows is cut to 1024 bytes, at a
// character boundary, marked with "…"; the entry's other lines still go.
func TestSyslogUDPTruncates(t *testing.T) {
	pc, core := udpCollector(t)
	long := "<134>" + strings.Repeat("é", 8000) // 16 KB, two bytes a character
	exact := "<134>" + strings.Repeat("x", 1019)
	entry := long + "\n<134>second line\n" + exact + "\n"
	if _, err := core.(*syslogCore).w.Write([]byte(entry)); err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	buf := make([]byte, 128<<10)
	for len(got) < 3 {
		// Guards against a hang only.
		if err := pc.SetReadDeadline(time.Now().Add(hangGuard)); err != nil {
			t.Fatal(err)
		}
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", len(got), err)
		}
		got = append(got, bytes.Clone(buf[:n]))
	}
	cut := got[0]
	if len(cut) > 1024 || !utf8.Valid(cut) || !bytes.HasSuffix(cut, []byte("…")) ||
		!strings.HasPrefix(long, string(bytes.TrimSuffix(cut, []byte("…")))) {
		t.Errorf("long line sent as %d bytes (valid UTF-8 %v): %q...%q", len(cut), utf8.Valid(cut), cut[:min(20, len(cut))], cut[max(0, len(cut)-20):])
	}
	if string(got[1]) != "<134>second line" {
		t.Errorf("second datagram %q", got[1])
	}
	if string(got[2]) != exact {
		t.Errorf("a 1024-byte line was changed: %d bytes", len(got[2]))
	}
}

func TestTruncateDatagram(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"ascii", strings.Repeat("a", 5000)},
		{"two-byte", strings.Repeat("é", 3000)},
		{"four-byte", strings.Repeat("𝄞", 1000)},
		{"three-byte offset", "ab" + strings.Repeat("日", 1000)},
	} {
		out := truncateDatagram([]byte(tc.in))
		if len(out) > syslogDatagramMax || len(out) < syslogDatagramMax-6 || !utf8.Valid(out) || !strings.HasSuffix(string(out), "…") ||
			!strings.HasPrefix(tc.in, strings.TrimSuffix(string(out), "…")) {
			t.Errorf("%s: %d bytes, valid %v", tc.name, len(out), utf8.Valid(out))
		}
	}
	if s := "short"; string(truncateDatagram([]byte(s))) != s {
		t.Error("short line changed")
	}
}

// The status hook hears of an outage once, however many sends and dials
// fail in it, and once of the recovery; Close is no outage.
func TestSyslogStatusReportsOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	serve := func(ln net.Listener) <-chan net.Conn {
		conns := make(chan net.Conn, 16)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				conns <- c
				go func() { _, _ = io.Copy(io.Discard, c) }()
			}
		}()
		return conns
	}
	conns := serve(ln)
	status := make(chan SyslogStatus, 16)
	core, err := NewSyslogCore("tcp", addr, testOptions, zapcore.InfoLevel, func(s SyslogStatus) { status <- s })
	if err != nil {
		t.Fatal(err)
	}
	first := <-conns
	ln.Close()
	first.Close()

	var down SyslogStatus
	timeout := time.After(hangGuard)
	for got := false; !got; {
		logMsg(t, core, "collector down")
		select {
		case down = <-status:
			got = true
		case <-time.After(50 * time.Millisecond):
		case <-timeout:
			t.Fatal("no status while the collector is down")
		}
	}
	if down.Up || down.Err == nil {
		t.Fatalf("first status %+v, want down with its cause", down)
	}
	for range 20 {
		logMsg(t, core, "still down") // more failed sends and dials: no more statuses
	}

	var ln2 net.Listener
	deadline := time.Now().Add(hangGuard)
	for ln2, err = net.Listen("tcp", addr); err != nil; ln2, err = net.Listen("tcp", addr) {
		if time.Now().After(deadline) {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer ln2.Close()
	serve(ln2)
	var up SyslogStatus
	for got := false; !got; {
		logMsg(t, core, "collector back")
		select {
		case up = <-status:
			got = true
		case <-time.After(50 * time.Millisecond):
		case <-timeout:
			t.Fatal("no status after the collector came back")
		}
	}
	if !up.Up || up.Dropped != 0 || up.Down <= 0 {
		t.Errorf("second status %+v, want up after some time down, nothing dropped", up)
	}
	if err := core.(io.Closer).Close(); err != nil {
		t.Logf("Close: %v", err)
	}
	select {
	case s := <-status:
		t.Errorf("extra status %+v", s)
	default:
	}
}

// UDP to a port nothing listens on: every other write fails with the
// refusal of the one before, and the redial's write succeeds. That is one
// outage, not a flap of "interrupted" and "resumed" per line; forwarding
// counts as resumed only once a collector really takes the lines.
func TestSyslogUDPRefusedIsOneOutage(t *testing.T) {
	addr, open := refusingUDP(t) // each datagram is refused until open
	status := make(chan SyslogStatus, 64)
	core, err := NewSyslogCore("udp", addr, testOptions, zapcore.InfoLevel, func(s SyslogStatus) { status <- s })
	if err != nil {
		t.Fatal(err)
	}
	defer core.(*syslogCore).Close()
	timeout := time.After(hangGuard)
	var down SyslogStatus
	for got := false; !got; {
		logMsg(t, core, "nobody listens")
		select {
		case down = <-status:
			got = true
		case <-time.After(20 * time.Millisecond):
		case <-timeout:
			t.Fatal("no status while nothing listens")
		}
	}
	if down.Up {
		t.Fatalf("first status %+v, want down", down)
	}
	// Many more refused sends and redials, each followed by a write that
	// succeeds: still the same outage.
	for range 30 {
		logMsg(t, core, "still nobody")
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case st := <-status:
		t.Fatalf("status %+v while nothing listens, want none after the first", st)
	default:
	}
	// A collector on the port: forwarding resumes once sends stay unrefused.
	pc2 := open()
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc2.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	for got := false; !got; {
		logMsg(t, core, "collector back")
		select {
		case st := <-status:
			if !st.Up {
				t.Fatalf("status %+v after the collector came back, want up", st)
			}
			got = true
		case <-time.After(100 * time.Millisecond):
		case <-timeout:
			t.Fatal("no up status after the collector came back")
		}
	}
}

// A collector that reads too slowly, without ever failing a write, makes
// the queue overflow: the status hook hears of those drops once, with
// their count, when the sender gets to the next batch. Before, a slow
// collector's drops were told to the collector only, and the local log
// learnt of them at exit (or, after a write timeout, as "resumed ...
// dropped=0", counting only drops after the timeout).
func TestSyslogSlowCollectorDropsTold(t *testing.T) {
	g := newGatedCollector(t)
	status := make(chan SyslogStatus, 64)
	core, err := NewSyslogCore("tcp", g.ln.Addr().String(), testOptions, zapcore.InfoLevel, func(s SyslogStatus) { status <- s })
	if err != nil {
		t.Fatal(err)
	}
	defer core.(io.Closer).Close()
	dropped := fillUntilDrop(t, core)
	g.open()

	var told uint64
	var withDrops []SyslogStatus
	timeout := time.After(hangGuard)
	for told < dropped {
		select {
		case st := <-status:
			t.Logf("status %+v", st)
			if st.Dropped > 0 {
				told += st.Dropped
				withDrops = append(withDrops, st)
			}
		case <-timeout:
			t.Fatalf("the status hook was told of %d of the %d lines dropped", told, dropped)
		}
	}
	if told != dropped || len(withDrops) != 1 {
		t.Errorf("told %d drops in %d statuses %+v, want %d in one", told, len(withDrops), withDrops, dropped)
	}
	// Nothing more was dropped: a later batch tells nothing.
	logMsg(t, core, "after the stall")
	waitLine(t, g.lines, "tlsgate[9244]: after the stall")
	select {
	case st := <-status:
		t.Errorf("extra status %+v", st)
	default:
	}
}

// TCP: a line longer than a collector takes (rsyslog's default maximum
// message size, 8 KiB) is cut there, at a character boundary, ending in
// "…". Sent whole, rsyslog cut it itself and took the rest for a message
// of its own, with no PRI, time or host; one ClientHello offering 6000
// suites made a 48 KB evidence line. Shorter lines, and the entry's other
// lines, go as they are.
func TestSyslogTCPTruncates(t *testing.T) {
	g := newGatedCollector(t)
	g.open()
	core, err := NewSyslogCore("tcp", g.ln.Addr().String(), testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer core.(io.Closer).Close()
	long := "<132>" + strings.Repeat("é", 30000) // 60 KB
	exact := "<132>" + strings.Repeat("x", syslogStreamLineMax-5)
	entry := long + "\n<132>second line\n" + exact + "\n"
	if _, err := core.(*syslogCore).w.Write([]byte(entry)); err != nil {
		t.Fatal(err)
	}
	var got []string
	timeout := time.After(hangGuard)
	for len(got) < 3 {
		select {
		case l := <-g.lines:
			got = append(got, l)
		case <-timeout:
			t.Fatalf("received %d lines of 3", len(got))
		}
	}
	cut := got[0]
	if len(cut) > syslogStreamLineMax || len(cut) < syslogStreamLineMax-8 || !utf8.ValidString(cut) ||
		!strings.HasSuffix(cut, "…") || !strings.HasPrefix(long, strings.TrimSuffix(cut, "…")) {
		t.Errorf("long line sent as %d bytes (valid UTF-8 %v): %.20q...", len(cut), utf8.ValidString(cut), cut)
	}
	if got[1] != "<132>second line" {
		t.Errorf("second line %q", got[1])
	}
	if got[2] != exact {
		t.Errorf("a line of exactly %d bytes was changed: %d bytes", syslogStreamLineMax, len(got[2]))
	}
}
