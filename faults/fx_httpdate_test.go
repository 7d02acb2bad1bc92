package faults

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSkewDate: the Date field moves by the skew in place, in the
// IMF-fixdate format whatever format it came in; a missing or unreadable
// one becomes now plus the skew; a second one goes; every other byte stays.
func TestSkewDate(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, in, want string
		skew           time.Duration
		complete, chg  bool
		how            DateHow
		origin         string
	}{
		{"shifted in place", "HTTP/1.1 200 OK\r\nDate: Sat, 28 Nov 2026 08:00:00 GMT\r\nExpires: Sat, 28 Nov 2026 09:00:00 GMT\r\n\r\nbody",
			"HTTP/1.1 200 OK\r\nDate: Sat, 28 Nov 2026 06:00:00 GMT\r\nExpires: Sat, 28 Nov 2026 09:00:00 GMT\r\n\r\nbody", -2 * time.Hour, true, true, DateShifted, "Sat, 28 Nov 2026 08:00:00 GMT"},
		{"ahead, lower-case name, RFC 850 format", "HTTP/1.1 200 OK\r\ndate: Saturday, 28-Nov-26 08:00:00 GMT\r\nServer: x\r\n\r\n",
			"HTTP/1.1 200 OK\r\nDate: Mon, 30 Nov 2026 08:00:00 GMT\r\nServer: x\r\n\r\n", 48 * time.Hour, true, true, DateShifted, "Saturday, 28-Nov-26 08:00:00 GMT"},
		{"missing: added at now+skew", "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n",
			"HTTP/1.1 204 No Content\r\nServer: x\r\nDate: Sat, 28 Nov 2026 07:00:00 GMT\r\n\r\n", -2 * time.Hour, true, true, DateAdded, ""},
		{"unreadable: now+skew", "HTTP/1.0 200 OK\r\nDate: yesterday\r\n\r\n",
			"HTTP/1.0 200 OK\r\nDate: Sat, 28 Nov 2026 10:00:00 GMT\r\n\r\n", time.Hour, true, true, DateReplaced, "yesterday"},
		{"second Date dropped", "HTTP/1.1 200 OK\r\nDate: Sat, 28 Nov 2026 08:00:00 GMT\r\nDate: Sun, 01 Jan 2023 00:00:00 GMT\r\n\r\n",
			"HTTP/1.1 200 OK\r\nDate: Sat, 28 Nov 2026 09:00:00 GMT\r\n\r\n", time.Hour, true, true, DateShifted, "Sat, 28 Nov 2026 08:00:00 GMT"},
		{"head not complete", "HTTP/1.1 200 OK\r\nDate: Sat, 28", "HTTP/1.1 200 OK\r\nDate: Sat, 28", time.Hour, false, false, "", ""},
		{"start of a status line", "HTT", "HTT", time.Hour, false, false, "", ""},
		{"not HTTP", "\x16\x03\x01\x00\x05hello", "\x16\x03\x01\x00\x05hello", time.Hour, true, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, complete, changed := SkewDate([]byte(tt.in), tt.skew, now)
			if string(out) != tt.want || complete != tt.complete || changed != tt.chg {
				t.Errorf("SkewDate(%q) = %q, %v, %v; want %q, %v, %v", tt.in, out, complete, changed, tt.want, tt.complete, tt.chg)
			}
			if !tt.chg {
				return
			}
			// What it did, for the log: the origin's Date shifted,
			// replaced, or none and one added; the Date sent is the one
			// in the head.
			_, _, _, e := skewDate([]byte(tt.in), tt.skew, now)
			if e.How != tt.how || e.Origin != tt.origin || e.Skew != tt.skew || !strings.Contains(string(out), "Date: "+e.Sent+"\r\n") {
				t.Errorf("edit %+v; want %s of origin %q, sent as in %q", e, tt.how, tt.origin, out)
			}
		})
	}
}

// TestHTTPDateWrapped: through a wrapped conn, the first response, written
// in pieces, reaches the client with its Date shifted from the injected
// clock's when it had none; the rule counts as acted, and a second
// response on the connection passes as it is.
func TestHTTPDateWrapped(t *testing.T) {
	r := (Rule{Name: "date", Action: ActHTTPDate, Skew: Duration(-3 * time.Hour)}).normalized()
	clock := newFakeClock()
	m := newMemConn()
	c := Wrap(m, []*Rule{&r}, FacingClient, clock.deps())
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	second := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	for i, piece := range []string{resp[:10], resp[10:], second} {
		if n, err := c.Write([]byte(piece)); n != len(piece) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	date := clock.deps().Now().Add(-3 * time.Hour).UTC().Format(http.TimeFormat)
	want := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: " + date + "\r\n\r\nok" + second
	if got := string(m.Bytes()); got != want {
		t.Errorf("client got %q, want %q", got, want)
	}
	if !actedOn(c, &r) {
		t.Error("the rule did not record that it acted")
	}
	e, ok := DateEdited(c, "date")
	if !ok || e.How != DateAdded || e.Origin != "" || e.Rule != "date" || e.Sent != date ||
		!strings.Contains(e.Symptom(), "the response had no Date header, so tlsgate added one from its own clock 3h0m0s in the past, "+date) {
		t.Errorf("DateEdited = %+v, %v; symptom %q", e, ok, e.Symptom())
	}
	if _, ok := DateEdited(c, "other"); ok {
		t.Error("DateEdited found an edit for a rule that made none")
	}
	_ = c.Close()
	if !strings.Contains(Symptom("http_date", "response", &r), "3h0m0s in the past") {
		t.Errorf("symptom %q", Symptom("http_date", "response", &r))
	}
}

// FuzzSkewDate: the Date shifter never panics, leaves incomplete and
// non-HTTP input alone, and keeps the body and every field but Date.
func FuzzSkewDate(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nDate: Sat, 28 Nov 2026 08:00:00 GMT\r\n\r\nbody"), int64(-7200))
	f.Add([]byte("HTTP/1.1 200 OK\r\n folded\r\nDate:\r\n\r\n"), int64(1))
	f.Add([]byte("HTTP/"), int64(0))
	f.Add([]byte("\x16\x03\x01"), int64(60))
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte, skewSeconds int64) {
		skew := time.Duration(skewSeconds%(1<<31)) * time.Second
		out, complete, changed := SkewDate(data, skew, now)
		if !complete || !bytes.HasPrefix(data, []byte("HTTP/")) {
			if !bytes.Equal(out, data) || changed {
				t.Fatalf("incomplete or non-HTTP input changed: %q -> %q", data, out)
			}
			return
		}
		end := bytes.Index(data, []byte("\r\n\r\n"))
		if !bytes.HasSuffix(out, data[end+4:]) || !changed || !bytes.Contains(out, []byte("\r\nDate: ")) {
			t.Fatalf("body lost or no Date: %q -> %q", data, out)
		}
	})
}
