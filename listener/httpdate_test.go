package listener

import (
	"bufio"
	"io"
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
// response that had none (or replaces one that does not parse). The
// connection is ok, naming the rule, and its firing says which of the
// three it did, with the origin's Date.
func TestHTTPDate(t *testing.T) {
	const skew = -3 * time.Hour
	// A backend with no Date of its own, so the added one is the
	// listener's clock plus the skew, whatever the real time is.
	noDate := serveEach(t, nil, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
	})
	// A backend whose Date does not parse: replaced as a missing one is
	// added, but the log says which.
	badDate := serveEach(t, nil, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nDate: yesterday\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
	})
	clock := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) // far from the real time
	for _, tt := range []struct {
		name, backend string
		want          func(real time.Time) time.Time // the Date curl must read
		// What the firing records and says: the edit, the origin's
		// Date, and the words of its symptom.
		edit, origin, says string
	}{
		{"backend's Date shifted", plainHTTP(t), func(real time.Time) time.Time { return real.Add(skew) },
			"shifted", "GMT", "the origin's Date header ("},
		{"missing Date added", noDate, func(time.Time) time.Time { return clock.Add(skew) },
			"added", "", "the response had no Date header, so tlsgate added one from its own clock 3h0m0s in the past, Mon, 01 Jun 2026 09:00:00 GMT"},
		{"unparseable Date replaced", badDate, func(time.Time) time.Time { return clock.Add(skew) },
			"replaced", "yesterday", "the origin's Date header (\"yesterday\") did not parse, so tlsgate replaced it with its own clock 3h0m0s in the past"},
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
				t.Fatalf("code %s faults %v summary %q", r.d.Code, r.o.Faults, r.d.Summary)
			}
			fr := r.o.FaultFirings[0]
			if fr.DateEdit != tt.edit || !strings.Contains(fr.OriginDate, tt.origin) || tt.origin == "" && fr.OriginDate != "" ||
				!strings.Contains(fr.Symptom, tt.says) || !strings.Contains(fr.Symptom, line) {
				t.Errorf("firing: edit %q origin %q symptom %q; want edit %q, origin %q, saying %q and the Date sent, %s",
					fr.DateEdit, fr.OriginDate, fr.Symptom, tt.edit, tt.origin, tt.says, line)
			}
		})
	}
}

// TestHeadEditAfterContinue: behind a backend that answers Expect:
// 100-continue with a 100 and then its 200, an http_date rule shifts the
// 200's Date and a rewrite adds its field to the 200: the 100 reaches curl
// as the backend sent it. Both used to edit the 100 and leave the
// response itself alone.
func TestHeadEditAfterContinue(t *testing.T) {
	const backendDate = "Sat, 28 Nov 2026 08:00:00 GMT"
	backend := serveEach(t, nil, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		br := bufio.NewReader(c)
		if !skipHeaders(br) {
			return
		}
		_, _ = c.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
		body := make([]byte, len("hello"))
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nDate: " + backendDate + "\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
	})
	for _, tt := range []struct {
		rule  faults.Rule
		field string // what curl -v must print in the 200's head, and not in the 100's
	}{
		{faults.Rule{Name: "clock-behind", Action: faults.ActHTTPDate, Skew: faults.Duration(-3 * time.Hour)}, "< Date: Sat, 28 Nov 2026 05:00:00 GMT"},
		{faults.Rule{Name: "via", Action: faults.ActRewrite, HeadersAdd: []string{"Via: 1.1 lab"}}, "< Via: 1.1 lab"},
	} {
		t.Run(string(tt.rule.Action), func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Set([]faults.Rule{tt.rule}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: backend, ClientSSL: &ClientSSL{}},
				func(d *Deps) { d.Faults = e })
			s := curlLab(t, h.addr, "--cacert", labCAFile(t, h), "-v", "-H", "Expect: 100-continue", "--data", "hello")
			if s.exit != 0 {
				t.Fatalf("curl: exit %d %s", s.exit, s.out)
			}
			cont := strings.Index(s.out, "< HTTP/1.1 100")
			final := strings.Index(s.out, "< HTTP/1.1 200")
			if cont < 0 || final < cont {
				t.Fatalf("curl -v shows no 100 before the 200:\n%s", s.out)
			}
			interim, resp := s.out[cont:final], s.out[final:]
			if name, _, _ := strings.Cut(tt.field, ":"); strings.Contains(interim, name+":") {
				t.Errorf("the 100's head was edited:\n%s", interim)
			}
			if !strings.Contains(resp, tt.field) {
				t.Errorf("the 200's head lacks %q:\n%s", tt.field, resp)
			}
			if r := h.next(); r.d.Code != explain.CodeOK || len(r.o.Faults) != 1 || r.o.Faults[0] != tt.rule.Name {
				t.Errorf("code %s faults %v summary %q", r.d.Code, r.o.Faults, r.d.Summary)
			}
		})
	}
}
