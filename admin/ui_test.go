package admin

import (
	"regexp"
	"strings"
	"testing"
)

func TestUIFiles(t *testing.T) {
	a := newAPI(t, Options{Token: "s3cret"})
	a.token = "" // the page and its assets must load without the token
	tests := []struct {
		path, ctype, contains string
	}{
		{"/", "text/html; charset=utf-8", `<script src="/ui/app.js"`},
		{"/ui/index.html", "text/html; charset=utf-8", "<title>"},
		{"/ui/app.js", "text/javascript; charset=utf-8", "EventSource"},
		{"/ui/style.css", "text/css; charset=utf-8", ".conn"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := a.do("GET", tt.path, "")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if got := r.header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if !strings.Contains(r.body, tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			csp := r.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") {
				t.Errorf("Content-Security-Policy %q does not keep the page to its origin", csp)
			}
			if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy %q: a ?token= in the address could leak", got)
			}
		})
	}
}

// The embedded page must not pull anything from another site: the live view
// has to work in a classroom without internet, and the CSP forbids it anyway.
// Event data must reach the page as text, never as markup.
func TestUINoExternalResources(t *testing.T) {
	a := newAPI(t, Options{})
	offsite := []*regexp.Regexp{
		regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?([a-z]+:)?//`),
		regexp.MustCompile(`(?i)url\(\s*["']?([a-z]+:)?//`),
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(fetch|EventSource)\(\s*["'\x60]([a-z]+:)?//`),
		regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(`),
	}
	for _, p := range []string{"/", "/ui/app.js", "/ui/style.css"} {
		body := a.do("GET", p, "").body
		for _, re := range offsite {
			if m := re.FindString(body); m != "" {
				t.Errorf("%s: %q (matches %s)", p, m, re)
			}
		}
	}
}

func TestUINotFoundAndMethods(t *testing.T) {
	a := newAPI(t, Options{Token: "s3cret"})
	a.token = ""
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/ui/nope.js", 404},
		{"GET", "/ui/", 404},
		{"GET", "/ui/..%2fserver.go", 404},
		{"POST", "/", 401}, // only reads of the static files skip the token
		{"GET", "/faults", 401},
	}
	for _, tt := range tests {
		r := a.do(tt.method, tt.path, "")
		if r.status != tt.want {
			t.Errorf("%s %s: %d, want %d (%s)", tt.method, tt.path, r.status, tt.want, r.body)
		}
		if r.status != 200 && r.apiError(t).Error == "" {
			t.Errorf("%s %s: error body without a message: %q", tt.method, tt.path, r.body)
		}
	}
}

func TestTokenQueryParam(t *testing.T) {
	a := newAPI(t, Options{Token: "s3cret"})
	a.token = ""
	tests := []struct {
		name, method, path string
		want               int
	}{
		{"GET with the token", "GET", "/faults?token=s3cret", 200},
		{"events with the token", "GET", "/events/recent?token=s3cret", 200},
		{"wrong token", "GET", "/faults?token=nope", 401},
		{"empty token", "GET", "/faults?token=", 401},
		{"POST cannot use it", "POST", "/faults/reset?token=s3cret", 401},
		{"DELETE cannot use it", "DELETE", "/faults/x?token=s3cret", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.do(tt.method, tt.path, "")
			if r.status != tt.want {
				t.Fatalf("status %d, want %d (%s)", r.status, tt.want, r.body)
			}
		})
	}
	// A header wins over the query: a wrong header is not rescued by a right query.
	if r := a.do("GET", "/faults?token=s3cret", "", "Authorization", "Bearer nope"); r.status != 401 {
		t.Fatalf("wrong header with right query: %d, want 401", r.status)
	}
}
