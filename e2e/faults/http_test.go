package faultse2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// blockPageRule is a block_page rule's TOML; zero status and empty
// template take the defaults (403, generic).
func blockPageRule(status int, template string) string {
	s := "action = \"block_page\"\n"
	if status != 0 {
		s += "status = " + strconv.Itoa(status) + "\n"
	}
	if template != "" {
		s += "template = \"" + template + "\"\n"
	}
	return s
}

// TestHTTPRewrites covers the actions that act on HTTP inside a terminated
// tunnel: block_page (statuses 403, 429, 451, 503 and every template) and
// rewrite (strip HSTS, add Via). A block page is not a TLS error: curl
// exits 0 (22 with -f), Go gets the status with a nil error, and the
// request never reaches the backend.
func TestHTTPRewrites(t *testing.T) {
	t.Parallel()
	page := func(status int, texts, headers []string) []check {
		return []check{blockedCurl(status, texts, headers), blockedCurlFail(status), blockedGo(status, texts)}
	}
	runCases(t, []faultCase{
		{name: "block_403", symptom: "http status 403", rule: blockPageRule(0, ""),
			checks: page(403, []string{"403 Forbidden", "The request was blocked by a security policy"}, nil)},
		{name: "block_429_cloudflare", symptom: "http status 429", rule: blockPageRule(429, "cloudflare"),
			checks: page(429, []string{"Sorry, you have been blocked", "Cloudflare Ray ID"}, []string{"Server: cloudflare", "Retry-After: 60", "CF-RAY: "})},
		{name: "block_451_f5_asm", symptom: "http status 451", rule: blockPageRule(451, "f5_asm"),
			checks: page(451, []string{"The requested URL was rejected. Please consult with your administrator.", "Your support ID is: "}, []string{"Pragma: no-cache"})},
		{name: "block_403_akamai", symptom: "http status 403", rule: blockPageRule(403, "akamai"),
			checks: page(403, []string{"Access Denied", "You don't have permission to access this resource"}, []string{"Server: AkamaiGHost"})},
		{name: "block_503_aws_waf", symptom: "http status 503", rule: blockPageRule(503, "aws_waf"),
			checks: page(503, []string{"<h1>503 Service Unavailable</h1>"}, []string{"Server: awselb/2.0", "Retry-After: 60"})},
		{name: "rewrite", symptom: "no error expected", rule: "action = \"rewrite\"\nheaders_strip = [\"Strict-Transport-Security\"]\nheaders_add = [\"Via: 1.1 tlsgate-lab\"]\n",
			checks: []check{rewrittenCurl(), rewrittenGo(), curlGets("/size/300000")}},
	})
}

// blockedPath is where block page clients go: a path only they use, so
// the backend's hit count shows whether a request got through.
func blockedPath(x *env) string { return "/blocked-" + x.lis }

// blockedCurl expects curl to exit 0 with the block page's status, texts
// and headers, and the backend never to see the request.
func blockedCurl(status int, texts, headers []string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, blockedPath(x))
		r.want(t, 0)
		if r.status != status {
			t.Errorf("curl status %d, want %d; headers:\n%s", r.status, status, r.headers)
		}
		for _, s := range texts {
			if !strings.Contains(string(r.body), s) {
				t.Errorf("block page body lacks %q:\n%s", s, r.body)
			}
		}
		for _, h := range headers {
			if !strings.Contains(r.headers, h) {
				t.Errorf("block page headers lack %q:\n%s", h, r.headers)
			}
		}
		if n := x.be.hitCount(blockedPath(x)); n != 0 {
			t.Errorf("the backend saw %d blocked requests, want 0", n)
		}
		return r.client()
	}}
}

// blockedCurlFail expects curl -f to turn the block page into exit 22.
func blockedCurlFail(status int) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, blockedPath(x), "-f")
		r.want(t, 22, "The requested URL returned error: "+strconv.Itoa(status))
		return r.client()
	}}
}

// blockedGo expects Go's net/http to get the status with no error.
func blockedGo(status int, texts []string) check {
	return check{run: func(t *testing.T, x *env) string {
		resp, body, local, err := tg.Get(x.addr(), x.url(labHost, blockedPath(x)), x.config(labHost), clientTimeout)
		if err != nil {
			t.Errorf("Go GET: %v, want the block page with no error", err)
			return local
		}
		if resp.StatusCode != status || !strings.Contains(string(body), texts[0]) {
			t.Errorf("Go GET: status %d body %q, want %d with %q", resp.StatusCode, body, status, texts[0])
		}
		if n := x.be.hitCount(blockedPath(x)); n != 0 {
			t.Errorf("the backend saw %d blocked requests, want 0", n)
		}
		return local
	}}
}

// rewrittenCurl expects /hsts without its HSTS header, with the added Via,
// and with the body intact.
func rewrittenCurl() check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, "/hsts")
		r.want(t, 0)
		wantBody(t, "curl", r.body, "/hsts")
		h := strings.ToLower(r.headers)
		if strings.Contains(h, "strict-transport-security") {
			t.Errorf("HSTS header not stripped:\n%s", r.headers)
		}
		if !strings.Contains(r.headers, "Via: 1.1 tlsgate-lab") {
			t.Errorf("no Via header added:\n%s", r.headers)
		}
		return r.client()
	}}
}

// rewrittenGo is rewrittenCurl for Go's net/http.
func rewrittenGo() check {
	return check{run: func(t *testing.T, x *env) string {
		resp, body, local, err := tg.Get(x.addr(), x.url(labHost, "/hsts"), x.config(labHost), clientTimeout)
		if err != nil {
			t.Errorf("Go GET /hsts: %v", err)
			return local
		}
		wantBody(t, "Go", body, "/hsts")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") != "" || resp.Header.Get("Via") != "1.1 tlsgate-lab" {
			t.Errorf("Go GET /hsts: status %d headers %v, want 200 without HSTS and with Via", resp.StatusCode, resp.Header)
		}
		return local
	}}
}

// TestBlockPagePlainAllowed: a block_page rule on a TLS listener with
// non_ssl = "allow" answers a plain http:// request too (the request is
// HTTP tlsgate can read, relayed toward plain_backend), and the event says
// the rule fired; the block page over TLS on the same listener still works.
func TestBlockPagePlainAllowed(t *testing.T) {
	t.Parallel()
	texts := []string{"403 Forbidden", "The request was blocked by a security policy"}
	runCases(t, []faultCase{
		{name: "block_plain_allowed", plainAllow: true, symptom: "http status 403", rule: blockPageRule(0, ""),
			checks: []check{plainBlocked(403, texts), blockedCurl(403, texts, nil)}},
	})
}

// plainBlocked expects curl's plain http:// request to the TLS listener to
// get the block page with status and texts, exit 0, and the plain backend
// never to see it; the event is the allowed plaintext connection's.
func plainBlocked(status int, texts []string) check {
	return check{run: func(t *testing.T, x *env) string {
		port := x.g.port(x.lis)
		r := runCurl(t, clientTimeout, "--resolve", labHost+":"+port+":127.0.0.1", "http://"+labHost+":"+port+blockedPath(x))
		r.want(t, 0)
		if r.status != status {
			t.Errorf("curl http:// status %d, want %d; headers:\n%s", r.status, status, r.headers)
		}
		for _, s := range texts {
			if !strings.Contains(string(r.body), s) {
				t.Errorf("block page body lacks %q:\n%s", s, r.body)
			}
		}
		if n := x.be.hitCount(blockedPath(x)); n != 0 {
			t.Errorf("the plain backend saw %d blocked requests, want 0", n)
		}
		return r.client()
	}, event: func(t *testing.T, e *connEvent) {
		if e.Route != "non_ssl_allow" || e.Diagnosis != "plaintext_allowed" || !e.OK ||
			!strings.Contains(e.ClientSaw, "A plaintext answer from fault rule "+e.Listener+", not from the plain backend") ||
			!strings.Contains(e.raw, `"bytes_up":0,`) {
			t.Errorf("route %q diagnosis %q ok %v client_saw %q; want non_ssl_allow, plaintext_allowed, ok, the rule's answer and no byte to the plain backend: %s",
				e.Route, e.Diagnosis, e.OK, e.ClientSaw, e)
		}
	}}
}
