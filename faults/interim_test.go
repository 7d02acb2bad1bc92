package faults

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHeadEditSkipsInterim: rewrite and http_date edit the final
// response head, not a 1xx before it (a backend answering Expect:
// 100-continue, or sending 103 Early Hints): the interim head reaches the
// client at once and unchanged, before the final head is even written (the
// client waits for the 100 before sending the body the final answer
// waits for), and the final head is edited.
func TestHeadEditSkipsInterim(t *testing.T) {
	clock := newFakeClock()
	date := clock.deps().Now().Add(-3 * time.Hour).UTC().Format(http.TimeFormat)
	final := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	rules := []struct {
		rule   Rule
		edited string // final, as the rule edits it
	}{
		{Rule{Name: "date", Action: ActHTTPDate, Skew: Duration(-3 * time.Hour)},
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: " + date + "\r\n\r\nok"},
		{Rule{Name: "via", Action: ActRewrite, HeadersAdd: []string{"Via: 1.1 mitm"}},
			"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nVia: 1.1 mitm\r\n\r\nok"},
	}
	interims := []struct {
		name   string
		writes []string // the interim heads, as written
	}{
		{"100 Continue", []string{"HTTP/1.1 100 Continue\r\n\r\n"}},
		{"100 in pieces", []string{"HTTP/1.1 10", "0 Continue\r\n", "\r\n"}},
		{"103 Early Hints with fields, then 100", []string{"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"}},
		{"no reason phrase", []string{"HTTP/1.1 100\r\n\r\n"}},
	}
	for _, rt := range rules {
		for _, it := range interims {
			t.Run(rt.rule.Name+"/"+it.name, func(t *testing.T) {
				r := rt.rule.normalized()
				m := newMemConn()
				c := Wrap(m, []*Rule{&r}, FacingClient, clock.deps())
				defer c.Close()
				interim := strings.Join(it.writes, "")
				for _, w := range it.writes {
					if n, err := c.Write([]byte(w)); n != len(w) || err != nil {
						t.Fatalf("write %q: %d, %v", w, n, err)
					}
				}
				if got := string(m.Bytes()); got != interim {
					t.Fatalf("before the final head the client got %q, want the interim head %q at once", got, interim)
				}
				if actedOn(c, &r) {
					t.Error("the rule acted on an interim head")
				}
				for _, w := range []string{final[:12], final[12:]} {
					if _, err := c.Write([]byte(w)); err != nil {
						t.Fatal(err)
					}
				}
				if got, want := string(m.Bytes()), interim+rt.edited; got != want {
					t.Errorf("client got %q, want %q", got, want)
				}
				if !actedOn(c, &r) {
					t.Error("the rule did not record that it acted on the final head")
				}
			})
		}
	}
}

// TestInterimLen: only a whole 1xx head counts as interim.
func TestInterimLen(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", 25},
		{"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", 40},
		{"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello", 56},
		{"HTTP/1.1 100\r\n\r\n", 16},
		{"HTTP/1.1 100 Continue\r\n", 0}, // not yet whole
		{"HTTP/1.1 200 OK\r\n\r\n", 0},
		{"HTTP/1.1 1000 x\r\n\r\n", 0},
		{"HTTP/1.1 1x0 x\r\n\r\n", 0},
		{"HTTP/1.1\r\n\r\n", 0},
		{"GET / HTTP/1.1\r\n\r\n", 0},
		{"", 0},
	} {
		if got := interimLen([]byte(tt.in)); got != tt.want {
			t.Errorf("interimLen(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// FuzzInterimLen: never panics, and a length it reports ends a head.
func FuzzInterimLen(f *testing.F) {
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 103\r\nLink: x\r\n\r\nrest"))
	f.Add([]byte("HTTP/ 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := interimLen(b)
		if n < 0 || n > len(b) || n > 0 && (n < 4 || string(b[n-4:n]) != "\r\n\r\n") {
			t.Fatalf("interimLen(%q) = %d", b, n)
		}
	})
}
