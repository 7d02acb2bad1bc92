package sniff

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		method, target string
		want           Target
	}{
		{"GET", "/a/b?c=d", Target{Form: OriginForm, Path: "/a/b?c=d"}},
		{"PROPFIND", "/dav/", Target{Form: OriginForm, Path: "/dav/"}},
		{"GET", "http://lab.test:8443/x?y=1", Target{AbsoluteForm, "http", "lab.test:8443", "/x?y=1"}},
		{"GET", "HTTP://Lab.Test/Up/Case", Target{AbsoluteForm, "http", "Lab.Test", "/Up/Case"}},
		{"GET", "https://lab.test/p", Target{AbsoluteForm, "https", "lab.test", "/p"}},
		{"GET", "HtTpS://lab.test", Target{AbsoluteForm, "https", "lab.test", "/"}},
		{"GET", "http://lab.test?q", Target{AbsoluteForm, "http", "lab.test", "/?q"}},
		{"GET", "http://u:pw@lab.test/p", Target{AbsoluteForm, "http", "lab.test", "/p"}},
		{"GET", "http://lab.test/p#frag", Target{AbsoluteForm, "http", "lab.test", "/p"}},
		{"GET", "http://[::1]:8443/p", Target{AbsoluteForm, "http", "[::1]:8443", "/p"}},
		{"CONNECT", "lab.test:443", Target{Form: AuthorityForm, Authority: "lab.test:443"}},
		{"OPTIONS", "*", Target{Form: AsteriskForm}},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.method, tt.target)
		if err != nil || got != tt.want {
			t.Errorf("ParseTarget(%q, %q) = %+v, %v; want %+v", tt.method, tt.target, got, err, tt.want)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	for _, target := range []string{"lab.test/x", "://h/", "1http://h/", "ht^tp://h/", "mailto:x@y", ""} {
		_, err := ParseTarget("GET", target)
		if err == nil || !strings.HasPrefix(err.Error(), "sniff: http request: target ") {
			t.Errorf("ParseTarget(%q) error %v, want one naming the target", target, err)
		}
	}
}
