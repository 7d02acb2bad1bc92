package faults

import (
	"bytes"
	"strings"
	"testing"
)

func TestRewriteResponse(t *testing.T) {
	r := &Rule{Action: ActRewrite, BodyFind: "Welcome", BodyReplace: "Hijacked!", HeadersAdd: []string{"Via: 1.1 corp-proxy"}}
	bodyOnly := &Rule{Action: ActRewrite, BodyFind: "Welcome", BodyReplace: ""}
	tests := []struct {
		name   string
		rule   *Rule
		in     string
		method string
		atEnd  bool
		state  int
		out    string
		rest   string
	}{
		{"content-length", r, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nWelcome home!", "GET", false, respChanged,
			"HTTP/1.1 200 OK\r\nVia: 1.1 corp-proxy\r\nContent-Length: 15\r\n\r\nHijacked! home!", ""},
		{"content-length, then the next response", bodyOnly, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nWelcomeHTTP/1.1 204 No Content\r\n\r\n", "GET", false, respChanged,
			"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"},
		{"body still coming", r, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nWelc", "GET", false, respNeedMore, "", ""},
		{"head still coming", r, "HTTP/1.1 200 OK\r\nContent-Len", "GET", false, respNeedMore, "", ""},
		{"chunked", r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWelc\r\n9;ext=1\r\nome home!\r\n0\r\nX-Trailer: 1\r\n\r\n", "GET", false, respChanged,
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVia: 1.1 corp-proxy\r\n\r\nf\r\nHijacked! home!\r\n0\r\nX-Trailer: 1\r\n\r\n", ""},
		{"chunked, last chunk to come", r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWelc\r\n", "GET", false, respNeedMore, "", ""},
		{"chunked, emptied", bodyOnly, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nWelcome\r\n0\r\n\r\n", "GET", false, respChanged,
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ""},
		{"chunked, malformed", r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nWelcome\r\n", "GET", false, respChanged,
			"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVia: 1.1 corp-proxy\r\n\r\n", "zz\r\nWelcome\r\n"},
		{"until close", r, "HTTP/1.0 200 OK\r\n\r\nWelcome", "GET", true, respChanged, "HTTP/1.0 200 OK\r\nVia: 1.1 corp-proxy\r\n\r\nHijacked!", ""},
		{"until close, not yet", r, "HTTP/1.0 200 OK\r\n\r\nWelcome", "GET", false, respNeedMore, "", ""},
		{"not found", bodyOnly, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "GET", false, respPassed,
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "hello"},
		{"HEAD announces a body it lacks", bodyOnly, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n", "HEAD", false, respPassed, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n", ""},
		{"HEAD, head still rewritten", r, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n", "HEAD", false, respChanged,
			"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nVia: 1.1 corp-proxy\r\n\r\n", ""},
		{"304", bodyOnly, "HTTP/1.1 304 Not Modified\r\nContent-Length: 13\r\n\r\n", "GET", false, respPassed, "HTTP/1.1 304 Not Modified\r\nContent-Length: 13\r\n\r\n", ""},
		{"compressed", bodyOnly, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 7\r\n\r\nWelcome", "GET", false, respPassed,
			"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 7\r\n\r\n", "Welcome"},
		{"interim", bodyOnly, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", "POST", false, respInterim, "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\n"},
		{"switching protocols", bodyOnly, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nWelcome", "GET", false, respPassed,
			"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "Welcome"},
		{"not HTTP", bodyOnly, "SSH-2.0-x\r\n", "", false, respPassed, "SSH-2.0-x\r\n", ""},
		{"bad length", bodyOnly, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nWelcome", "GET", false, respPassed, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "Welcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, rest, state := rewriteResponse([]byte(tt.in), tt.rule, tt.method, tt.atEnd)
			if state != tt.state || string(out) != tt.out || string(rest) != tt.rest {
				t.Errorf("got state %d\n out %q\nrest %q\nwant state %d\n out %q\nrest %q", state, out, rest, tt.state, tt.out, tt.rest)
			}
		})
	}
}

// TestRewriteBodyWrapped: through a wrapped conn, a response written in
// pieces reaches the client rewritten once its body is complete; the rule
// counts as acted only then, and only the first response is touched.
func TestRewriteBodyWrapped(t *testing.T) {
	r := (Rule{Name: "swap", Action: ActRewrite, BodyFind: "Welcome", BodyReplace: "Hijacked!"}).normalized()
	m := newMemConn()
	c := Wrap(m, []*Rule{&r}, FacingClient, newFakeClock().deps())
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nWelcome home!"
	second := "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nWelcome"
	for i, piece := range []string{resp[:20], resp[20:40], resp[40:], second} {
		if n, err := c.Write([]byte(piece)); n != len(piece) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
		if i == 1 && m.Bytes() != nil && len(m.Bytes()) > 0 {
			t.Fatalf("bytes went out before the body was complete: %q", m.Bytes())
		}
	}
	want := "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\nHijacked! home!" + second
	if got := string(m.Bytes()); got != want {
		t.Errorf("client got %q, want %q", got, want)
	}
	if !actedOn(c, &r) {
		t.Error("the rule did not record that it acted")
	}
	_ = c.Close()
}

func TestDechunk(t *testing.T) {
	data, trailers, n, ok, complete := dechunk([]byte("3\r\nabc\r\n0\r\nA: b\r\n\r\nrest"))
	if string(data) != "abc" || string(trailers) != "A: b\r\n" || n != 19 || !ok || !complete {
		t.Errorf("dechunk = %q %q %d %v %v", data, trailers, n, ok, complete)
	}
	for _, in := range []string{"3\r\nabcX\r\n", "-1\r\n", strings.Repeat("f", 100)} {
		if _, _, _, ok, _ := dechunk([]byte(in)); ok {
			t.Errorf("dechunk(%q) took it as a chunked body", in)
		}
	}
}

// FuzzRewriteResponse: the response rewriter never panics, never invents
// bytes when it passes a response on, and keeps what follows it.
func FuzzRewriteResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nWelcome home!"), "Welcome", "Hi", "GET", false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWelc\r\n3\r\nome\r\n0\r\n\r\n"), "Welcome", "", "GET", false)
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\nWelcome"), "Welcome", "x", "GET", true)
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\n"), "a", "b", "POST", false)
	f.Fuzz(func(t *testing.T, in []byte, find, repl, method string, atEnd bool) {
		if find == "" {
			return
		}
		r := &Rule{Action: ActRewrite, BodyFind: find, BodyReplace: repl}
		out, rest, state := rewriteResponse(in, r, method, atEnd)
		switch state {
		case respNeedMore:
			if out != nil || rest != nil {
				t.Fatal("needs more, yet returned bytes")
			}
		case respPassed, respInterim:
			if !bytes.Equal(append(bytes.Clone(out), rest...), in) {
				t.Fatalf("passed %q unchanged as %q + %q", in, out, rest)
			}
		case respChanged:
			if !bytes.HasSuffix(in, rest) {
				t.Fatalf("rest %q is not the tail of %q", rest, in)
			}
		}
	})
}
