package listener

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// hstsBackend answers every request with a response carrying HSTS, and
// hangs up on a client that sends none.
func hstsBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		for skipHeaders(br) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\nContent-Length: 2\r\n\r\nok")
		}
	})
}

// A rewrite rule fires when it rewrites a response head, not when the
// connection's plan is made: a connection that carried no response, or
// one whose response had none of the headers a strip-only rule names,
// must not list the rule in its log line, its diagnosis or the metrics
// (all read Outcome.Faults), nor spend a max_fires budget.
func TestRewriteLoggedOnlyWhenItActs(t *testing.T) {
	stripAdd := faults.Rule{Name: "strip-hsts-add-via", Action: faults.ActRewrite,
		HeadersStrip: []string{"Strict-Transport-Security"}, HeadersAdd: []string{"Via: 1.1 corp-proxy"}}
	stripOther := faults.Rule{Name: "strip-server", Action: faults.ActRewrite, HeadersStrip: []string{"Server"}}
	cases := []struct {
		name    string
		rule    faults.Rule
		request bool
		fired   bool
		via     string // the Via header the client must read
	}{
		{"no request, no response", stripAdd, false, false, ""},
		{"response rewritten", stripAdd, true, true, "1.1 corp-proxy"},
		{"no header to strip", stripOther, true, false, ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(tt.rule); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: hstsBackend(t), ClientSSL: &ClientSSL{}},
				func(d *Deps) { d.Faults = e })
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
			if err != nil {
				t.Fatal(err)
			}
			if tt.request {
				_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
				if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n"); err != nil {
					t.Fatal(err)
				}
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.ReadAll(resp.Body)
				if got := resp.Header.Get("Via"); got != tt.via {
					t.Errorf("client read Via %q, want %q", got, tt.via)
				}
			}
			_ = c.Close()
			r := h.next()
			var want []string
			if tt.fired {
				want = []string{tt.rule.Name}
			}
			if !slices.Equal(r.o.Faults, want) || len(r.o.FaultFirings) != len(want) {
				t.Errorf("logged faults %v (%d firings), want %v", r.o.Faults, len(r.o.FaultFirings), want)
			}
			if !tt.fired && strings.Contains(r.d.Summary, tt.rule.Name) {
				t.Errorf("the diagnosis names a rule that never rewrote anything: %s", r.d.Summary)
			}
			if got, wantN := e.List()[0].Fires, int64(len(want)); got != wantN {
				t.Errorf("engine counts %d fires, want %d", got, wantN)
			}
		})
	}
}

// pageBackend answers every request with a page that says Welcome, framed
// by Content-Length or as chunks (for /chunked), and keeps the connection.
// A HEAD gets the head alone, announcing the body it lacks.
func pageBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_ = req.Body.Close()
			if req.URL.Path == "/chunked" {
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"+
					"8\r\nWelcome \r\nb\r\nto the lab\n\r\n0\r\n\r\n")
				continue
			}
			page := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\nWelcome to the lab\n"
			if req.Method == http.MethodHead {
				page = strings.TrimSuffix(page, "Welcome to the lab\n")
			}
			_, _ = io.WriteString(c, page)
		}
	})
}

// TestRewriteBodyWithCurl: a rewrite rule with body_find replaces text in
// the page curl prints, fixing the framing so curl reads the whole new
// body (exit 0); the connection is logged as working, with the rule.
// curl -I (HEAD) gets a head that announces a body it lacks, and must not
// hang waiting for it.
func TestRewriteBodyWithCurl(t *testing.T) {
	rule := faults.Rule{Name: "swap-welcome", Action: faults.ActRewrite, BodyFind: "Welcome", BodyReplace: "You have been hijacked"}
	cases := []struct {
		name  string
		args  []string
		out   string
		fired bool
	}{
		{"content-length", nil, "You have been hijacked to the lab\n", true},
		{"chunked", nil, "You have been hijacked to the lab\n", true},
		{"HEAD", []string{"-I"}, "HTTP/1.1 200 OK\r\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(rule); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: pageBackend(t), ClientSSL: &ClientSSL{}},
				func(d *Deps) { d.Faults = e })
			_, port, _ := net.SplitHostPort(h.addr)
			path := "/"
			if tc.name == "chunked" {
				path = "/chunked"
			}
			args := append([]string{"-q", "-sS", "--noproxy", "*", "--max-time", "20", "--cacert", labCAFile(t, h),
				"--resolve", "lab.test:" + port + ":127.0.0.1"}, tc.args...)
			exit, stdout, stderr := runTool(t, needTool(t, "curl", "curl"), append(args, "https://lab.test:"+port+path)...)
			if exit != 0 || !strings.HasPrefix(stdout, tc.out) {
				t.Errorf("curl exit %d, printed %q (stderr %q); want exit 0 and %q", exit, stdout, stderr, tc.out)
			}
			r := h.next()
			if r.d.Code != "ok" {
				t.Errorf("code %s (%s)", r.d.Code, r.d.Summary)
			}
			var want []string
			if tc.fired {
				want = []string{rule.Name}
			}
			if !slices.Equal(r.o.Faults, want) {
				t.Errorf("logged faults %v, want %v", r.o.Faults, want)
			}
			if tc.fired && !strings.Contains(r.d.Summary, "injected by rule swap-welcome (rewrite at response)") {
				t.Errorf("summary %q does not name the rule", r.d.Summary)
			}
		})
	}
}
