package sniff

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseHTTPRequest(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want HTTPRequest
	}{
		{"origin-form", "GET /index.html HTTP/1.1\r\nHost: lab.test\r\nAccept: */*\r\n\r\n",
			HTTPRequest{"GET", "/index.html", "HTTP/1.1", "lab.test"}},
		{"absolute-form", "GET http://lab.test:8080/x?y=1 HTTP/1.1\r\nHost: lab.test:8080\r\n\r\n",
			HTTPRequest{"GET", "http://lab.test:8080/x?y=1", "HTTP/1.1", "lab.test:8080"}},
		{"authority-form", "CONNECT lab.test:443 HTTP/1.1\r\nHost: lab.test:443\r\n\r\n",
			HTTPRequest{"CONNECT", "lab.test:443", "HTTP/1.1", "lab.test:443"}},
		{"asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: lab.test\r\n\r\n",
			HTTPRequest{"OPTIONS", "*", "HTTP/1.1", "lab.test"}},
		{"HTTP/1.0 without Host", "HEAD / HTTP/1.0\r\n\r\n", HTTPRequest{"HEAD", "/", "HTTP/1.0", ""}},
		{"bare LF", "GET / HTTP/1.1\nhost:   spaced.test \t\n\n", HTTPRequest{"GET", "/", "HTTP/1.1", "spaced.test"}},
		{"Host after other headers, case-insensitive", "POST /f HTTP/1.1\r\nUser-Agent: curl/7.88.1\r\nHOST: lab.test\r\n",
			HTTPRequest{"POST", "/f", "HTTP/1.1", "lab.test"}},
		{"first Host wins", "GET / HTTP/1.1\r\nHost: one\r\nHost: two\r\n\r\n", HTTPRequest{"GET", "/", "HTTP/1.1", "one"}},
		{"Host line incomplete", "GET / HTTP/1.1\r\nHost: lab.te", HTTPRequest{"GET", "/", "HTTP/1.1", ""}},
		{"Host in body ignored", "GET / HTTP/1.1\r\n\r\nHost: body.test\r\n", HTTPRequest{"GET", "/", "HTTP/1.1", ""}},
		{"non-standard method", "PROPFIND /dav HTTP/1.1\r\n", HTTPRequest{"PROPFIND", "/dav", "HTTP/1.1", ""}},
		{"h2 preface line", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTPRequest{"PRI", "*", "HTTP/2.0", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHTTPRequest([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("got %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestParseHTTPRequestNeedMore(t *testing.T) {
	full := "GET /a/long/path HTTP/1.1\r\n"
	for n := range len(full) {
		if _, err := ParseHTTPRequest([]byte(full[:n])); !errors.Is(err, ErrNeedMore) {
			t.Fatalf("%q: %v, want ErrNeedMore", full[:n], err)
		}
	}
	if _, err := ParseHTTPRequest([]byte(full)); err != nil {
		t.Fatal(err)
	}
}

func TestParseHTTPRequestErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"TLS bytes before line end", "\x16\x03\x01\x02\x00\x01", "method"},
		{"bad method byte", "GE(T / HTTP/1.1\r\n", "method"},
		{"HTTP/0.9", "GET /\r\n", "not \"method target version\""},
		{"empty line", "\r\n", "not \"method target version\""},
		{"leading space", " GET / HTTP/1.1\r\n", "not \"method target version\""},
		{"double space", "GET  HTTP/1.1\r\n", "not \"method target version\""},
		{"control in target", "GET /a\x01b HTTP/1.1\r\n", "target"},
		{"bare CR in Host", "GET / HTTP/1.1\nHost:\r0\n", "host header"},
		{"bad version", "GET / HTTP/1\r\n", "version"},
		{"not HTTP", "GET / SIP/2.0\r\n", "version"},
		{"line too long", "GET /" + strings.Repeat("a", MaxRequestLine) + " HTTP/1.1\r\n", "exceeds"},
		{"no line end in cap", "GET /" + strings.Repeat("a", MaxRequestLine), "no end of request line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHTTPRequest([]byte(tt.in))
			if err == nil || errors.Is(err, ErrNeedMore) || !strings.Contains(err.Error(), tt.want) ||
				!strings.HasPrefix(err.Error(), "sniff: http request: ") {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// TestParseHTTPRequestCommonTokensFree: a common method and version cost
// no allocation of their own (the request, its target and its host do),
// and any other token is still read as sent.
func TestParseHTTPRequestCommonTokensFree(t *testing.T) {
	b := []byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n")
	if n := testing.AllocsPerRun(100, func() { _, _ = ParseHTTPRequest(b) }); n > 3 {
		t.Errorf("ParseHTTPRequest made %v allocations, want at most 3", n)
	}
	for _, line := range []string{"GET / HTTP/1.1", "POST / HTTP/1.0", "HEAD / HTTP/1.1", "PUT / HTTP/1.1", "PROPFIND / HTTP/1.1", "GETS / HTTP/2.0", "get / HTTP/1.1"} {
		r, err := ParseHTTPRequest([]byte(line + "\r\n"))
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if got := r.Method + " " + r.Target + " " + r.Proto; got != line {
			t.Errorf("%q read as %q", line, got)
		}
	}
}

// TestParseHTTPRequestInto: the same request as ParseHTTPRequest, into
// the caller's memory, with no allocation beyond the target and host it
// copies; a request that fails leaves the same error.
func TestParseHTTPRequestInto(t *testing.T) {
	for _, b := range []string{"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n", "PROPFIND * HTTP/1.0\r\n", "GET / HTTP/1.1", "G\x01T / HTTP/1.1\r\n", "GET / HTTX/1.1\r\n"} {
		want, wantErr := ParseHTTPRequest([]byte(b))
		var got HTTPRequest
		err := ParseHTTPRequestInto(&got, []byte(b))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%q: error %v, want %v", b, err, wantErr)
		}
		if err == nil && got != *want {
			t.Errorf("%q: read %+v, want %+v", b, got, *want)
		}
	}
	b := []byte("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n")
	var req HTTPRequest
	if n := testing.AllocsPerRun(100, func() { _ = ParseHTTPRequestInto(&req, b) }); n > 2 {
		t.Errorf("ParseHTTPRequestInto made %v allocations, want at most 2 (target and host)", n)
	}
}
