package httpflow

import (
	"errors"
	"strings"
	"testing"
)

func TestParseResponseHead(t *testing.T) {
	hsts := "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=15768000; includeSubDomains\r\nContent-Length: 2\r\n\r\n"
	tests := []struct {
		name   string
		in     string
		status int
		reason string
		n      int
		err    error
		errHas string
	}{
		{name: "with body after", in: hsts + "ok", status: 200, reason: "OK", n: len(hsts)},
		{name: "reason with spaces", in: "HTTP/1.0 404 Not Found Here\r\n\r\n", status: 404, reason: "Not Found Here", n: 31},
		{name: "empty reason", in: "HTTP/1.1 204 \r\n\r\n", status: 204, n: 17},
		{name: "no reason", in: "HTTP/1.1 304\r\n\r\n", status: 304, n: 16},
		{name: "interim", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", status: 100, reason: "Continue", n: 25},
		{name: "bare LF", in: "HTTP/1.1 200 OK\nA: b\n\n", status: 200, reason: "OK", n: 22},
		{name: "empty", in: "", err: ErrIncomplete},
		{name: "prefix of version", in: "HTT", err: ErrIncomplete},
		{name: "status line only", in: "HTTP/1.1 200 OK\r\n", err: ErrIncomplete},
		{name: "last CR pending", in: "HTTP/1.1 200 OK\r\nA: b\r\n\r", err: ErrIncomplete},
		{name: "not http", in: "\x15\x03\x03\x00\x02\x02\x28", err: ErrMalformed, errHas: "byte 0x15 at offset 0"},
		{name: "incomplete but bad status line", in: "HTTP/1.1 OK\r\nA: b\r\n", err: ErrMalformed, errHas: "three-digit"},
		{name: "http/2", in: "HTTP/2 200\r\n\r\n", err: ErrMalformed, errHas: "HTTP/1.x"},
		{name: "status below 100", in: "HTTP/1.1 099 Low\r\n\r\n", err: ErrMalformed},
		{name: "four digits", in: "HTTP/1.1 2000 OK\r\n\r\n", err: ErrMalformed},
		{name: "field without colon", in: "HTTP/1.1 200 OK\r\nBroken\r\n\r\n", err: ErrMalformed, errHas: `"Broken"`},
		{name: "fold before first field", in: "HTTP/1.1 200 OK\r\n X: y\r\n\r\n", err: ErrMalformed},
		{name: "too large", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxHeadBytes), err: ErrHeadTooLarge},
		{name: "too large but complete", in: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", MaxHeadBytes) + "\r\n\r\n", err: ErrHeadTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, reason, n, err := ParseResponseHead([]byte(tc.in))
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want %v containing %q", err, tc.err, tc.errHas)
				}
				if status != 0 || reason != "" || n != 0 {
					t.Errorf("got %d %q %d alongside an error", status, reason, n)
				}
				return
			}
			if err != nil || status != tc.status || reason != tc.reason || n != tc.n {
				t.Fatalf("got (%d, %q, %d, %v), want (%d, %q, %d, nil)", status, reason, n, err, tc.status, tc.reason, tc.n)
			}
		})
	}
}

func TestRewriteResponseHead(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		strip []string
		add   map[string]string
		want  string
	}{
		{
			name:  "strip hsts add via",
			in:    "HTTP/1.1 200 OK\r\nserver:  nginx \r\nStrict-Transport-Security: max-age=1\r\nX-Order: 2\r\n\r\nbody",
			strip: []string{"strict-transport-security"},
			add:   map[string]string{"Via": "1.1 tlsgate"},
			want:  "HTTP/1.1 200 OK\r\nserver:  nginx \r\nX-Order: 2\r\nVia: 1.1 tlsgate\r\n\r\nbody",
		},
		{
			name:  "every repeat and its folded lines go",
			in:    "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\n  ; Path=/\r\nX: y\r\nSET-COOKIE: b=2\r\n\r\n",
			strip: []string{"Set-Cookie"},
			want:  "HTTP/1.1 200 OK\r\nX: y\r\n\r\n",
		},
		{
			name: "adds in sorted order, existing field kept",
			in:   "HTTP/1.1 204 No Content\r\nVia: 1.0 upstream\r\n\r\n",
			add:  map[string]string{"X-B": "2", "Via": "1.1 tlsgate", "X-A": ""},
			want: "HTTP/1.1 204 No Content\r\nVia: 1.0 upstream\r\nVia: 1.1 tlsgate\r\nX-A: \r\nX-B: 2\r\n\r\n",
		},
		{
			name: "bare LF head gets bare LF lines",
			in:   "HTTP/1.1 200 OK\nA: b\n\n",
			add:  map[string]string{"Via": "1.1 tlsgate"},
			want: "HTTP/1.1 200 OK\nA: b\nVia: 1.1 tlsgate\n\n",
		},
		{
			name: "status line only",
			in:   "HTTP/1.1 200 OK\r\n\r\n",
			add:  map[string]string{"Via": "1.1 tlsgate"},
			want: "HTTP/1.1 200 OK\r\nVia: 1.1 tlsgate\r\n\r\n",
		},
		{
			name: "unsafe additions skipped",
			in:   "HTTP/1.1 200 OK\r\n\r\n",
			add:  map[string]string{"Bad Name": "x", "X-Inject": "a\r\nSet-Cookie: evil=1", "": "v", "Ok": "fine"},
			want: "HTTP/1.1 200 OK\r\nOk: fine\r\n\r\n",
		},
		{
			name:  "nothing to do",
			in:    "HTTP/1.1 301 Moved\r\nLocation:https://x/\r\n\r\n",
			strip: []string{"Strict-Transport-Security"},
			want:  "HTTP/1.1 301 Moved\r\nLocation:https://x/\r\n\r\n",
		},
		{
			name:  "incomplete head unchanged",
			in:    "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\n",
			strip: []string{"Strict-Transport-Security"},
			want:  "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\n",
		},
		{
			name: "not a response unchanged",
			in:   "GET / HTTP/1.1\r\n\r\n",
			add:  map[string]string{"Via": "x"},
			want: "GET / HTTP/1.1\r\n\r\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			got := RewriteResponseHead(in, tc.strip, tc.add)
			if string(got) != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
			if string(in) != tc.in {
				t.Errorf("input modified: %q", in)
			}
			if len(got) > 0 && len(in) > 0 && &got[0] == &in[0] {
				t.Errorf("result aliases the input")
			}
		})
	}
}
