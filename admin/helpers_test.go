package admin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// fixedNow is the tests' clock: schedules and uptimes never depend on the wall.
func fixedNow() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

// testAPI is an admin server on a real loopback socket.
type testAPI struct {
	t      *testing.T
	srv    *Server
	engine *faults.Engine
	http   *httptest.Server
	token  string // sent with every request when set
}

func newAPI(t *testing.T, o Options) *testAPI {
	t.Helper()
	if o.Engine == nil {
		o.Engine = faults.NewEngine(fixedNow)
	}
	if o.Now == nil {
		o.Now = fixedNow
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		s.Close()
		hs.Close()
	})
	return &testAPI{t: t, srv: s, engine: o.Engine, http: hs, token: o.Token}
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   string
}

// apiError decodes the body as an APIError.
func (r response) apiError(t *testing.T) APIError {
	t.Helper()
	var e APIError
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("error body %q is not an APIError: %v", r.body, err)
	}
	return e
}

func (a *testAPI) do(method, path, body string, hdr ...string) response {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.http.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1] // Go's client sends req.Host, not a Host header
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.http.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// list decodes GET /faults.
func (a *testAPI) list() []faults.RuleStatus {
	a.t.Helper()
	r := a.do("GET", "/faults", "")
	if r.status != 200 {
		a.t.Fatalf("GET /faults: %d %s", r.status, r.body)
	}
	var out []faults.RuleStatus
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		a.t.Fatalf("GET /faults body %q: %v", r.body, err)
	}
	return out
}

func names(sts []faults.RuleStatus) []string {
	out := make([]string, 0, len(sts))
	for _, st := range sts {
		out = append(out, st.Rule.Name)
	}
	return out
}
