package listener

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestAbortWithClients: an abort rule answers in the backend's place, as
// Envoy's fault filter does. curl over HTTP/1.1 reads the status and the
// body (exit 22 with -f); curl as a gRPC client over h2 (which the
// listener then offers in ALPN) reads HTTP 200 with grpc-status; a Go h2
// client sees the same; on a plaintext listener curl speaks h2 with prior
// knowledge. No backend is dialled, and the connection is logged as
// working, with the rule and the exchanges.
func TestAbortWithClients(t *testing.T) {
	rule := faults.Rule{Name: "mesh-abort", Action: faults.ActAbort, Status: 429, GRPCStatus: ptrTo(14)}
	unreachable := "127.0.0.1:1" // nothing listens: a dial would fail the connection
	cases := []struct {
		name   string
		mode   Mode
		args   []string
		exit   int
		out    []string // what curl -v prints, each somewhere in its output
		proto  string
		status int
	}{
		{"http/1.1", Terminate, []string{"--http1.1"}, 0, []string{"< HTTP/1.1 429 Too Many Requests\r\n"}, "HTTP/1.1", 429},
		{"http/1.1 -f", Terminate, []string{"--http1.1", "-f"}, 22, []string{"curl: (22) The requested URL returned error: 429"}, "HTTP/1.1", 429},
		{"grpc over h2", Terminate, []string{"--http2", "-H", "content-type: application/grpc", "--data-binary", "@/dev/null"}, 0,
			[]string{"< HTTP/2 200 \r\n", "< grpc-status: 14\r\n", "< grpc-message: fault filter abort\r\n"}, "HTTP/2.0", 200},
		{"plaintext h2 prior knowledge", Plaintext, []string{"--http2-prior-knowledge", "-H", "content-type: application/grpc", "--data-binary", "@/dev/null"}, 0,
			[]string{"< HTTP/2 200 \r\n", "< grpc-status: 14\r\n"}, "HTTP/2.0", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(rule); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: tc.mode, Backend: unreachable}
			if tc.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			_, port, _ := net.SplitHostPort(h.addr)
			scheme := "http"
			args := []string{"-q", "-sS", "-v", "--noproxy", "*", "--max-time", "20", "-o", "/dev/null"}
			if tc.mode == Terminate {
				scheme = "https"
				args = append(args, "--cacert", labCAFile(t, h), "--resolve", "lab.test:"+port+":127.0.0.1")
			}
			host := "lab.test"
			if tc.mode != Terminate {
				host = "127.0.0.1"
			}
			args = append(append(args, tc.args...), scheme+"://"+host+":"+port+"/lab.Echo/Say")
			exit, _, stderr := runTool(t, needTool(t, "curl", "curl"), args...)
			if exit != tc.exit {
				t.Errorf("curl exit %d, want %d:\n%s", exit, tc.exit, stderr)
			}
			for _, w := range tc.out {
				if !strings.Contains(stderr, w) {
					t.Errorf("curl output lacks %q:\n%s", w, stderr)
				}
			}
			r := h.next()
			checkAbortOutcome(t, r, tc.proto, tc.status)
		})
	}
}

// TestAbortGoClient: Go's HTTP client negotiates h2 with the listener, and
// its gRPC-shaped call reads HTTP 200 with grpc-status 14 (Trailers-Only).
func TestAbortGoClient(t *testing.T) {
	e := faults.NewEngine(nil)
	if err := e.Add(faults.Rule{Name: "mesh-abort", Action: faults.ActAbort, GRPCStatus: ptrTo(14)}); err != nil {
		t.Fatal(err)
	}
	h := startListenerDeps(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", ClientSSL: &ClientSSL{}}, func(d *Deps) { d.Faults = e })
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool(), ServerName: "lab.test"}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	req, err := http.NewRequest("POST", "https://"+h.addr+"/lab.Echo/Say", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/grpc")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 || resp.Header.Get("Grpc-Status") != "14" || resp.Header.Get("Grpc-Message") != faults.AbortBody {
		t.Errorf("Go client read %s %d grpc-status %q grpc-message %q", resp.Proto, resp.StatusCode, resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message"))
	}
	tr.CloseIdleConnections()
	checkAbortOutcome(t, h.next(), "HTTP/2.0", 200)
}

// checkAbortOutcome: a working connection, the rule named, one exchange
// answered with status, and no backend dialled.
func checkAbortOutcome(t *testing.T, r result, proto string, status int) {
	t.Helper()
	if r.d.Code != explain.CodeOK || !slices.Equal(r.o.Faults, []string{"mesh-abort"}) {
		t.Errorf("code %s, faults %q (%s)", r.d.Code, r.o.Faults, r.d.Summary)
	}
	if len(r.o.HTTP1) != 1 || r.o.HTTP1[0].Proto != proto || r.o.HTTP1[0].Status != status || r.o.HTTP1[0].Target != "/lab.Echo/Say" {
		t.Errorf("exchanges %+v, want one %s %d for /lab.Echo/Say", r.o.HTTP1, proto, status)
	}
	if r.o.Backend.Attempted {
		t.Errorf("backend dialled although the rule answered: %+v", r.o.Backend)
	}
	if !strings.Contains(r.d.Summary, "injected by rule mesh-abort (abort at request)") {
		t.Errorf("summary %q does not name the rule", r.d.Summary)
	}
}
