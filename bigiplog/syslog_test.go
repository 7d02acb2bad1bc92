package bigiplog

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/internal/heldport"
	"go.uber.org/zap/zapcore"
)

// writeEvents logs the plaintext-on-TLS event and one plain message
// through core, the way a zap logger would.
func writeEvents(t *testing.T, core zapcore.Core) {
	t.Helper()
	entries := []struct {
		ent    zapcore.Entry
		fields []zapcore.Field
	}{
		{zapcore.Entry{Level: zapcore.WarnLevel, Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: plaintextOutcome()})}},
		{zapcore.Entry{Level: zapcore.DebugLevel, Time: testTime, Message: "filtered out"}, nil},
		{zapcore.Entry{Level: zapcore.InfoLevel, Time: testTime, Message: "bye"}, nil},
	}
	for _, e := range entries {
		if ce := core.Check(e.ent, nil); ce != nil {
			ce.Write(e.fields...)
		}
	}
}

// wantSyslog is what the collector must receive, in order.
func wantSyslog(t *testing.T) []string {
	t.Helper()
	enc := newLTMEncoder(testOptions, true)
	buf, err := enc.EncodeEntry(zapcore.Entry{Level: zapcore.WarnLevel, Time: testTime}, []zapcore.Field{Field(Event{Outcome: plaintextOutcome()})})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	return append(lines, "<134>Feb  1 08:12:14 lab-bigip info tlsgate[9244]: bye")
}

func checkReceived(t *testing.T, got []string) {
	t.Helper()
	want := wantSyslog(t)
	if len(got) != len(want) {
		t.Fatalf("received %d lines, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d\n got %q\nwant %q", i, got[i], want[i])
		}
	}
	if got[0] != "<132>Feb  1 08:12:14 lab-bigip warning tmm1[9244]: 01260009:4: Connection error: ssl_passthru:5234: not SSL (40)" ||
		got[1] != "<132>Feb  1 08:12:14 lab-bigip warning tmm1[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32963 -> 192.168.20.230:443" ||
		!strings.HasPrefix(got[2], "<132>Feb  1 08:12:14 lab-bigip warning tlsgate[9244]: [conn 43 plaintext_on_tls] summary: ") {
		t.Errorf("unexpected head:\n%s", strings.Join(got[:3], "\n"))
	}
}

func TestSyslogUDP(t *testing.T) {
	pc, core := udpCollector(t)
	writeEvents(t, core)

	want := len(wantSyslog(t))
	var got []string
	buf := make([]byte, 64<<10)
	for len(got) < want {
		// A generous deadline only guards against a hang; it asserts nothing.
		if err := pc.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d datagrams: %v", len(got), err)
		}
		if strings.Contains(string(buf[:n]), "\n") {
			t.Errorf("datagram holds more than one line: %q", buf[:n])
		}
		got = append(got, string(buf[:n]))
	}
	checkReceived(t, got)
}

func TestSyslogTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	received := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			received <- nil
			return
		}
		defer c.Close()
		var lines []string
		sc := bufio.NewScanner(c)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		received <- lines
	}()
	core, err := NewSyslogCore("tcp", ln.Addr().String(), testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeEvents(t, core)
	if err := core.Sync(); err != nil {
		t.Fatal(err)
	}
	// Closing ends the stream, so the reader sees EOF after the last line.
	if err := core.(io.Closer).Close(); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, <-received)
	if err := core.(io.Closer).Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestSyslogErrors(t *testing.T) {
	if _, err := NewSyslogCore("unix", "/tmp/x", testOptions, zapcore.InfoLevel, nil); err == nil {
		t.Error("unix network accepted")
	}
	addr, _ := heldport.Refusing(t) // refused until the test ends
	_, err := NewSyslogCore("tcp", addr, testOptions, zapcore.InfoLevel, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "bigiplog: dial syslog tcp "+addr) {
		t.Errorf("dial to closed port: %v", err)
	}
}

// udpCollector is a UDP syslog collector on loopback and a core sending to
// it, both closed when the test ends.
func udpCollector(t *testing.T) (net.PacketConn, zapcore.Core) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	core, err := NewSyslogCore("udp", pc.LocalAddr().String(), testOptions, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = core.(io.Closer).Close() })
	return pc, core
}
