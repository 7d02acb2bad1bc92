package faults

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestBlockPagesParse(t *testing.T) {
	want := map[string][]string{
		TemplateGeneric:    {"blocked by a security policy", "Reference: "},
		TemplateF5ASM:      {"The requested URL was rejected. Please consult with your administrator.", "Your support ID is: "},
		TemplateAWSWAF:     {"<h1>"},
		TemplateCloudflare: {"Sorry, you have been blocked", "Cloudflare Ray ID: "},
		TemplateAkamai:     {"Access Denied", "Reference&#32;&#35;18&#46;"},
	}
	for _, tpl := range Templates() {
		for _, status := range []int{403, 406, 429, 451, 503} {
			t.Run(tpl+"/"+strconv.Itoa(status), func(t *testing.T) {
				page := BlockPage(status, tpl, rand.NewChaCha8([32]byte{9}))
				resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(page)), nil)
				if err != nil {
					t.Fatalf("ReadResponse: %v\n%s", err, page)
				}
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != status || !resp.Close || resp.ContentLength != int64(len(body)) {
					t.Errorf("status %d close %v length %d/%d", resp.StatusCode, resp.Close, resp.ContentLength, len(body))
				}
				for _, w := range want[tpl] {
					if !strings.Contains(string(body), w) {
						t.Errorf("body lacks %q:\n%s", w, body)
					}
				}
				if (status == 429 || status == 503) != (resp.Header.Get("Retry-After") != "") {
					t.Errorf("Retry-After = %q for %d", resp.Header.Get("Retry-After"), status)
				}
			})
		}
	}
}

func TestBlockPageSeeded(t *testing.T) {
	a := BlockPage(403, TemplateF5ASM, rand.NewChaCha8([32]byte{1}))
	b := BlockPage(403, TemplateF5ASM, rand.NewChaCha8([32]byte{1}))
	c := BlockPage(403, TemplateF5ASM, rand.NewChaCha8([32]byte{2}))
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Error("support ID is not a function of the random stream")
	}
	if p := BlockPage(999, "nonsense", nil); !bytes.HasPrefix(p, []byte("HTTP/1.1 403 Forbidden\r\n")) {
		t.Errorf("bad status/template fallback: %q", p[:30])
	}
}

func TestPlaintextReply(t *testing.T) {
	for _, status := range []int{302, 403, 503, 511} {
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(PlaintextReply(status))), nil)
		if err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		if resp.StatusCode != status {
			t.Errorf("status %d, want %d", resp.StatusCode, status)
		}
		if status == 302 && !strings.HasPrefix(resp.Header.Get("Location"), "http://") {
			t.Errorf("302 without a portal Location: %v", resp.Header)
		}
	}
}

func TestRewriteHeaders(t *testing.T) {
	resp := "HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1;\r\n includeSubDomains\r\nServer: x\r\nstrict-transport-security: again\r\n\r\nbody"
	tests := []struct {
		name     string
		in       string
		strip    []string
		add      []string
		want     string
		complete bool
	}{
		{"strip hsts and fold, add via", resp, []string{"Strict-Transport-Security"}, []string{"Via: 1.1 bigip"},
			"HTTP/1.1 200 OK\r\nServer: x\r\nVia: 1.1 bigip\r\n\r\nbody", true},
		{"nothing to do", "HTTP/1.0 204 No Content\r\n\r\n", nil, nil, "HTTP/1.0 204 No Content\r\n\r\n", true},
		{"incomplete", "HTTP/1.1 200 OK\r\nServer: x\r\n", nil, []string{"Via: 1"}, "HTTP/1.1 200 OK\r\nServer: x\r\n", false},
		{"short prefix", "HTT", nil, nil, "HTT", false},
		{"not http", "\x16\x03\x03\x00\x10abc", nil, []string{"Via: 1"}, "\x16\x03\x03\x00\x10abc", true},
	}
	for _, tt := range tests {
		got, complete := RewriteHeaders([]byte(tt.in), tt.strip, tt.add)
		if string(got) != tt.want || complete != tt.complete {
			t.Errorf("%s: got %q, %v; want %q, %v", tt.name, got, complete, tt.want, tt.complete)
		}
	}
}
