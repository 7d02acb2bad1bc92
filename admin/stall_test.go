package admin

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestUnreadBodyStillAnswered: a request that announces a body and never
// sends it gets its answer at once from every handler that does not read a
// body (a refusal, an unknown path, enable), instead of no answer at all
// while net/http waits, with no deadline, for the rest of the body so the
// connection could serve another request. With a token, anyone who can
// reach the port could hold connections open that way without knowing it.
func TestUnreadBodyStillAnswered(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		method     string
		path       string
		extra      string // more header lines, each ending in \r\n
		wantStatus int
	}{
		{"no token", "s3cret", "POST", "/faults", "", http.StatusUnauthorized},
		{"wrong token", "s3cret", "POST", "/faults", "Authorization: Bearer nope\r\n", http.StatusUnauthorized},
		{"foreign host", "", "POST", "/faults", "", http.StatusMisdirectedRequest},
		{"cross origin", "", "POST", "/faults", "Origin: http://evil.example\r\n", http.StatusForbidden},
		{"unknown path", "", "POST", "/nope", "", http.StatusNotFound},
		{"wrong method", "", "DELETE", "/stats", "", http.StatusMethodNotAllowed},
		{"enable unknown rule", "", "POST", "/faults/nope/enable", "", http.StatusNotFound},
		{"reset", "", "POST", "/faults/reset", "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAPI(t, Options{Token: tt.token})
			c, err := net.Dial("tcp", strings.TrimPrefix(a.http.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard
			host := "127.0.0.1"
			if tt.wantStatus == http.StatusMisdirectedRequest {
				host = "rebind.example"
			}
			req := tt.method + " " + tt.path + " HTTP/1.1\r\nHost: " + host + "\r\n" + tt.extra +
				"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
			if _, err := io.WriteString(c, req); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("%s %s with a stalled body: no answer: %v", tt.method, tt.path, err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				body, _ := io.ReadAll(resp.Body)
				t.Errorf("%s %s: %d %s, want %d", tt.method, tt.path, resp.StatusCode, body, tt.wantStatus)
			}
		})
	}
}

// TestIdleConnectionClosed: a keep-alive connection that stays silent after
// its answer is closed once IdleWait passes, so idle clients cannot pile up
// open connections on the API.
func TestIdleConnectionClosed(t *testing.T) {
	a := newAPI(t, Options{IdleWait: 100 * time.Millisecond})
	hs := a.srv.HTTPServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard
	if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	n, err := br.Read(make([]byte, 1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("idle connection still open after the hang guard; want it closed after IdleWait")
	}
	if n != 0 || err == nil {
		t.Fatalf("idle connection: read %d bytes, %v; want the server to close it", n, err)
	}
}

// TestHTTPServerDefaults: the server run by cmd/tlsgate bounds headers and
// idle connections; only bodies and /events streams are left to handlers.
func TestHTTPServerDefaults(t *testing.T) {
	a := newAPI(t, Options{})
	hs := a.srv.HTTPServer()
	if hs.ReadHeaderTimeout <= 0 || hs.IdleTimeout <= 0 {
		t.Errorf("ReadHeaderTimeout %v, IdleTimeout %v; want both bounded", hs.ReadHeaderTimeout, hs.IdleTimeout)
	}
	if hs.WriteTimeout != 0 || hs.ReadTimeout != 0 {
		t.Errorf("WriteTimeout %v, ReadTimeout %v; want none, or /events streams would be cut", hs.WriteTimeout, hs.ReadTimeout)
	}
}
