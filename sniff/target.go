package sniff

import (
	"fmt"
	"strings"
)

// TargetForm is which of the four request-target forms (RFC 9112 §3.2) a
// request line uses.
type TargetForm uint8

// The request-target forms.
const (
	OriginForm    TargetForm = iota // "/path?query", the usual one
	AbsoluteForm                    // "scheme://authority/path?query", sent to proxies
	AuthorityForm                   // "host:port", CONNECT's tunnel endpoint
	AsteriskForm                    // "*", OPTIONS about the server as a whole
)

// String returns the RFC's name for the form.
func (f TargetForm) String() string {
	switch f {
	case AbsoluteForm:
		return "absolute-form"
	case AuthorityForm:
		return "authority-form"
	case AsteriskForm:
		return "asterisk-form"
	default:
		return "origin-form"
	}
}

// Target is a request target taken apart.
type Target struct {
	Form      TargetForm
	Scheme    string // absolute-form only, lower-cased: schemes are case-insensitive (RFC 3986 §3.1)
	Authority string // absolute-form (userinfo dropped) and authority-form
	Path      string // path and query, "/" when the absolute-form has none; "" for the other forms
}

// ParseTarget takes apart the target of a request with this method. Only
// CONNECT uses authority-form and only "*" is asterisk-form (RFC 9112
// §3.2.3, §3.2.4). A target in none of the forms is an error naming it.
func ParseTarget(method, target string) (Target, error) {
	switch {
	case method == "CONNECT":
		return Target{Form: AuthorityForm, Authority: target}, nil
	case target == "*":
		return Target{Form: AsteriskForm}, nil
	case strings.HasPrefix(target, "/"):
		return Target{Form: OriginForm, Path: target}, nil
	}
	scheme, rest, ok := strings.Cut(target, "://")
	if !ok || !isScheme(scheme) {
		return Target{}, fmt.Errorf("sniff: http request: target %q is neither a path, \"*\" nor scheme://authority", excerpt([]byte(target)))
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	t := Target{Form: AbsoluteForm, Scheme: strings.ToLower(scheme), Authority: rest[:end], Path: rest[end:]}
	if i := strings.LastIndexByte(t.Authority, '@'); i >= 0 {
		// Userinfo is deprecated in http(s) URIs (RFC 9110 §4.2.4) and
		// must not travel on into a Location header.
		t.Authority = t.Authority[i+1:]
	}
	// A fragment is the client's own business (RFC 9110 §4.2.5): a
	// request target carries none, and a redirect must not invent one.
	t.Path, _, _ = strings.Cut(t.Path, "#")
	if !strings.HasPrefix(t.Path, "/") {
		t.Path = "/" + t.Path // "http://h?q" and "http://h" mean the root (RFC 9110 §4.2.3)
	}
	return t, nil
}

// isScheme checks scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ),
// RFC 3986 §3.1.
func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
