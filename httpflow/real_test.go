package httpflow

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// teeConn hands a tracker the raw bytes of a client connection: what the
// client writes before it is sent, what it reads as soon as it arrives.
type teeConn struct {
	net.Conn
	tr *Tracker
}

func (c *teeConn) Write(p []byte) (int, error) {
	c.tr.Client(p)
	return c.Conn.Write(p)
}

func (c *teeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.tr.Server(p[:n])
	}
	return n, err
}

// trackedClient is an http.Client whose every connection feeds a tracker.
type trackedClient struct {
	*http.Client
	mu       sync.Mutex
	trackers []*Tracker
}

func newTrackedClient(t *testing.T) *trackedClient {
	tc := &trackedClient{}
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			tracker := NewTracker(100)
			tc.mu.Lock()
			tc.trackers = append(tc.trackers, tracker)
			tc.mu.Unlock()
			return &teeConn{Conn: c, tr: tracker}, nil
		},
		DisableCompression: true, // the tracker must see the sizes the client sees
		MaxConnsPerHost:    1,
		// Long enough that the client always waits for 100 Continue, so the
		// interim response is on the wire; it is not a test deadline.
		ExpectContinueTimeout: time.Minute,
	}
	t.Cleanup(tr.CloseIdleConnections)
	tc.Client = &http.Client{Transport: tr}
	return tc
}

func (tc *trackedClient) only(t *testing.T) *Tracker {
	t.Helper()
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.trackers) != 1 {
		t.Fatalf("client opened %d connections, want 1", len(tc.trackers))
	}
	return tc.trackers[0]
}

func startServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func testMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		f := w.(http.Flusher)
		for i := range 5 {
			fmt.Fprintf(w, "part %d of a flushed response\n", i)
			f.Flush() // each flush before the end forces the chunked coding
		}
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Write(body)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.Write([]byte(strings.Repeat("b", 100000)))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/cached", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/close", func(w http.ResponseWriter, r *http.Request) {
		// A response delimited by closing the connection, which net/http
		// never writes on its own.
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
		rw.WriteString(strings.Repeat("c", 12345))
		rw.Flush()
	})
	mux.HandleFunc("/upgrade", func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		buf := make([]byte, 4)
		if _, err := io.ReadFull(rw, buf); err == nil {
			conn.Write(buf)
		}
	})
	return mux
}

// onlyReader hides a reader's type so net/http cannot learn the length and
// sends the body chunked.
type onlyReader struct{ io.Reader }

// TestRealTraffic runs net/http on both ends of a loopback connection and
// checks that the tracker saw what the client saw, request for request.
func TestRealTraffic(t *testing.T) {
	addr := startServer(t, testMux())
	client := newTrackedClient(t)
	type step struct {
		method, path string
		body         string
		chunked      bool // hide the length so the request body is chunked
		expect       bool // send Expect: 100-continue
	}
	steps := []step{
		{method: "GET", path: "/small"},
		{method: "GET", path: "/chunked"},
		{method: "HEAD", path: "/small"},
		{method: "POST", path: "/echo", body: "ping pong"},
		{method: "POST", path: "/echo", body: strings.Repeat("chunked request ", 300), chunked: true},
		{method: "PUT", path: "/echo", body: strings.Repeat("e", 2000), expect: true},
		{method: "GET", path: "/empty"},
		{method: "GET", path: "/cached"},
		{method: "GET", path: "/big"},
		{method: "GET", path: "/missing"},
		{method: "GET", path: "/close"}, // last: it ends the connection
	}
	type seen struct {
		status   int
		respBody int64
	}
	var got []seen
	for _, s := range steps {
		var body io.Reader
		if s.body != "" {
			body = strings.NewReader(s.body)
			if s.chunked {
				body = onlyReader{body}
			}
		}
		req, err := http.NewRequest(s.method, "http://"+addr+s.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if s.expect {
			req.Header.Set("Expect", "100-continue")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", s.method, s.path, err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s %s: reading body: %v", s.method, s.path, err)
		}
		got = append(got, seen{resp.StatusCode, n})
	}

	tr := client.only(t)
	if err := tr.Err(); err != nil {
		t.Fatalf("tracker error: %v", err)
	}
	ex := tr.Exchanges()
	if len(ex) != len(steps) || tr.Dropped() != 0 {
		t.Fatalf("tracker saw %d exchanges (%d dropped), client made %d:\n%v", len(ex), tr.Dropped(), len(steps), result{Exchanges: ex})
	}
	for i, s := range steps {
		e := ex[i]
		want := Exchange{
			Method: s.method, Target: s.path, Host: addr, Proto: "HTTP/1.1",
			Status: got[i].status, Reason: http.StatusText(got[i].status),
			ReqBodyBytes: int64(len(s.body)), RespBodyBytes: got[i].respBody,
			ReqHeaderBytes: e.ReqHeaderBytes, RespHeaderBytes: e.RespHeaderBytes, RespHeadEnd: e.RespHeadEnd,
		}
		if e != want {
			t.Errorf("exchange %d:\n got %+v\nwant %+v", i, e, want)
		}
		if e.ReqHeaderBytes < len(s.method)+len(s.path)+len(" HTTP/1.1\r\n\r\n") || e.RespHeaderBytes < len("HTTP/1.1 200 OK\r\n\r\n") {
			t.Errorf("exchange %d: implausible head sizes %d and %d", i, e.ReqHeaderBytes, e.RespHeaderBytes)
		}
		// Each head ends past the previous response, its body and its own head.
		if i > 0 && e.RespHeadEnd < ex[i-1].RespHeadEnd+ex[i-1].RespBodyBytes+int64(e.RespHeaderBytes) || e.RespHeadEnd < int64(e.RespHeaderBytes) {
			t.Errorf("exchange %d: head ends at %d, implausible after %+v", i, e.RespHeadEnd, ex[max(i-1, 0)])
		}
	}
	// The PUT's response head is the POST's (same handler; a Content-Length
	// three digits longer, both bodies fitting net/http's 2 KiB buffer) plus
	// the interim 100 Continue head.
	post, put := ex[3], ex[5]
	if diff := put.RespHeaderBytes - post.RespHeaderBytes; diff != len("HTTP/1.1 100 Continue\r\n\r\n")+len("2000")-len("9") {
		t.Errorf("PUT response head is %d bytes longer than the POST's; want the 100 Continue head counted", diff)
	}
}

// TestRealUpgrade switches a net/http connection to another protocol and
// checks that tracking stops there, without an error.
func TestRealUpgrade(t *testing.T) {
	addr := startServer(t, testMux())
	client := newTrackedClient(t)
	req, err := http.NewRequest("GET", "http://"+addr+"/upgrade", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d, want 101", resp.StatusCode)
	}
	rw := resp.Body.(io.ReadWriter)
	// Bytes that look like HTTP but belong to the new protocol.
	if _, err := io.WriteString(rw, "GET "); err != nil {
		t.Fatal(err)
	}
	echo, err := io.ReadAll(bufio.NewReader(rw))
	if err != nil || string(echo) != "GET " {
		t.Fatalf("echo %q, %v", echo, err)
	}

	tr := client.only(t)
	if err := tr.Err(); err != nil {
		t.Fatalf("tracker error after upgrade: %v", err)
	}
	ex := tr.Exchanges()
	if len(ex) != 1 || !ex[0].Upgraded || ex[0].Status != 101 || ex[0].Method != "GET" || ex[0].Target != "/upgrade" {
		t.Fatalf("exchanges = %v", result{Exchanges: ex})
	}
}
