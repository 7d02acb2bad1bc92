package listener

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// dateLine is the Date line curl -v prints for a response.
func dateLine(t *testing.T, verbose string) string {
	t.Helper()
	for line := range strings.Lines(verbose) {
		if strings.HasPrefix(strings.ToLower(line), "< date: ") {
			return strings.TrimSpace(line[len("< date: "):])
		}
	}
	t.Fatalf("curl -v printed no Date:\n%s", verbose)
	return ""
}

// TestHTTPDate: an http_date rule shifts the Date of the response a real
// curl reads through a terminating listener (curl -v prints it, and exits
// 0), and adds one, at the listener's injected clock plus the skew, to a
// response that had none. The connection is ok, naming the rule.
func TestHTTPDate(t *testing.T) {
	const skew = -3 * time.Hour
	// A backend with no Date of its own, so the added one is the
	// listener's clock plus the skew, whatever the real time is.
	noDate := serveEach(t, nil, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
	})
	clock := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) // far from the real time
	for _, tt := range []struct {
		name, backend string
		want          func(real time.Time) time.Time // the Date curl must read
	}{
		{"backend's Date shifted", plainHTTP(t), func(real time.Time) time.Time { return real.Add(skew) }},
		{"missing Date added", noDate, func(time.Time) time.Time { return clock.Add(skew) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Set([]faults.Rule{{Name: "clock-behind", Action: faults.ActHTTPDate, Skew: faults.Duration(skew)}}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: tt.backend, ClientSSL: &ClientSSL{}},
				func(d *Deps) { d.Faults, d.Now = e, func() time.Time { return clock } })
			before := time.Now().Truncate(time.Second)
			s := curlLab(t, h.addr, "--cacert", labCAFile(t, h), "-v")
			after := time.Now()
			if s.exit != 0 {
				t.Fatalf("curl: exit %d %s", s.exit, s.out)
			}
			line := dateLine(t, s.out)
			t.Logf("curl -v: < Date: %s", line)
			got, err := http.ParseTime(line)
			if err != nil {
				t.Fatalf("Date %q: %v", line, err)
			}
			if lo, hi := tt.want(before), tt.want(after); got.Before(lo) || got.After(hi) {
				t.Errorf("Date %s, want between %s and %s", got, lo, hi)
			}
			r := h.next()
			if r.d.Code != explain.CodeOK || len(r.o.Faults) != 1 || r.o.Faults[0] != "clock-behind" || !strings.Contains(r.d.Summary, "clock-behind") {
				t.Errorf("code %s faults %v summary %q", r.d.Code, r.o.Faults, r.d.Summary)
			}
		})
	}
}
