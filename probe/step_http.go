package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// maxHTTPAnswer caps what step 10 reads: a status line, headers and enough
// of a block page to recognise it.
const maxHTTPAnswer = 64 << 10

// errAnswerCap is what step 10's reader returns at maxHTTPAnswer. It is not
// io.EOF: the probe stopped reading, the server did not stop sending, and an
// EOF there would read as the server cutting a Content-Length body short.
var errAnswerCap = errors.New("stopped reading at the probe's 64 KiB cap; the rest was not read")

// capReader reads at most n bytes of r, then fails with errAnswerCap.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(b []byte) (int, error) {
	if c.n <= 0 {
		return 0, errAnswerCap
	}
	if int64(len(b)) > c.n {
		b = b[:c.n]
	}
	n, err := c.r.Read(b)
	c.n -= int64(n)
	return n, err
}

// wafPage is how one WAF's block page shows itself: phrases of its body
// (lower-case, any of them), or a Server header with a status, and where
// its incident ID is.
type wafPage struct {
	product string
	phrases []string
	server  string // a Server header prefix that, with a 403, is the WAF itself
	id      *regexp.Regexp
}

// wafPages lists the block pages operators meet most, with the wording
// their default pages carry.
func wafPages() []wafPage {
	return []wafPage{
		{product: "F5 BIG-IP ASM / Advanced WAF", phrases: []string{"the requested url was rejected. please consult with your administrator"},
			id: regexp.MustCompile(`(?i)support ID is:?\s*([0-9]+)`)},
		{product: "Cloudflare", phrases: []string{"attention required! | cloudflare", "sorry, you have been blocked"},
			id: regexp.MustCompile(`(?i)Ray ID:\s*(?:<[^>]*>)?\s*([0-9a-f]+)`)},
		{product: "Akamai", phrases: []string{"reference&#32;&#35;"}, server: "akamaighost",
			id: regexp.MustCompile(`(?i)Reference(?:&#32;&#35;| #)([0-9a-f&#;.]+)`)},
		{product: "Imperva Incapsula", phrases: []string{"incapsula incident id"}, id: regexp.MustCompile(`(?i)incident ID:?\s*([0-9-]+)`)},
		{product: "ModSecurity", phrases: []string{"mod_security", "modsecurity"}},
		{product: "FortiWeb / FortiGuard", phrases: []string{"web page blocked!", "fortiguard"}},
		{product: "Sucuri", phrases: []string{"sucuri website firewall"}},
		{product: "a WAF", phrases: []string{"blocked by a security policy", "request rejected"},
			id: regexp.MustCompile(`(?i)Reference:?\s*([0-9a-z-]+)`)},
		{product: "AWS WAF", server: "awselb"},
	}
}

// matchWAF finds the WAF whose block page resp is, and its incident ID.
func matchWAF(resp *http.Response, body []byte) (product, id string) {
	low := strings.ToLower(string(body))
	for _, w := range wafPages() {
		hit := false
		for _, ph := range w.phrases {
			hit = hit || strings.Contains(low, ph)
		}
		if w.server != "" && resp.StatusCode == http.StatusForbidden && strings.HasPrefix(strings.ToLower(resp.Header.Get("Server")), w.server) {
			hit = true
		}
		if !hit {
			continue
		}
		if w.id != nil {
			if m := w.id.FindSubmatch(body); m != nil {
				id = string(m[1])
			}
		}
		return w.product, id
	}
	return "", ""
}

// stepHTTP is step 10: once TLS works, what does the HTTP layer answer a
// GET / ? A block page, a proxy's fingerprints or a 5xx from the device in
// front explain a "TLS problem" that is not one.
func (p *prober) stepHTTP(ctx context.Context) Step {
	t := p.t
	cfg := p.baseConfig()
	cfg.NextProtos = []string{"http/1.1"}
	var seen bytes.Buffer // what came back, for evidence when it is not HTTP
	var resp *http.Response
	var body []byte
	var rerr error
	var headAt time.Time // the probe's clock when the answer's head arrived, to judge its Date by
	a := p.session(ctx, cfg, func(c *tls.Conn, _ *attempt) {
		if _, err := io.WriteString(c, p.httpRequest()); err != nil {
			rerr = err
			return
		}
		br := bufio.NewReader(io.TeeReader(&capReader{r: c, n: maxHTTPAnswer}, &seen))
		r, err := http.ReadResponse(br, nil)
		if err != nil {
			rerr = err
			return
		}
		resp, headAt = r, p.o.Now()
		// The body ends at its length or its last chunk, so the probe does
		// not wait for a server that keeps the connection open; a body cut
		// at the cap is still worth reading. Any other error means the body
		// did not end where its framing says: the answer was cut.
		body, rerr = io.ReadAll(resp.Body)
		resp.Body.Close()
	})
	if a.result != resOK {
		return Step{Verdict: Info, Code: "no_handshake", Finding: t.f("http.no_handshake", "detail", p.describe(a))}
	}
	req := "sent GET / (Host " + p.name + ") over " + p.describe(a)
	if resp == nil {
		s := Step{Verdict: Info, Evidence: []string{req}}
		switch {
		case seen.Len() > 0:
			s.Code = "not_http"
			s.Finding = t.f("http.not_http", "bytes", quoteStart(seen.Bytes()))
		case rerr != nil && isTimeout(rerr):
			s.Code = "http_no_answer"
			s.Finding = t.f("http.no_answer", "timeout", fmtDur(p.o.Timeout))
		case rerr != nil && recordTrouble(rerr) != "":
			// A TLS error after a good handshake is what curl reports as
			// (56): the connection broke, whatever the HTTP layer meant
			// to say. A record that fails its check was changed on the
			// way; any other alert is the server's own refusal.
			s.Verdict, s.Code = Fail, "http_record_corrupt"
			s.Cause, s.Check = t.f("http.record_corrupt.cause"), t.f("http.record_corrupt.check")
			alert := explain.AlertFromError(rerr.Error())
			switch recordTrouble(rerr) {
			case troubleIn:
				s.Finding = t.f("http.record_corrupt.in", "detail", tlsDetail(rerr))
			case troubleOut:
				s.Finding = t.f("http.record_corrupt.out", "alert", fmt.Sprintf("%d %s", alert, explain.AlertName(alert)))
			default:
				s.Code = "http_alert"
				s.Finding = t.f("http.alert", "alert", fmt.Sprintf("%d %s", alert, explain.AlertName(alert)))
				s.Cause, s.Check = t.f("http.alert.cause"), t.f("http.alert.check")
			}
		case rerr != nil && dropped(rerr) != "":
			// A server that completes the handshake and then ends the
			// request without a byte of answer is what a client meets
			// when the device terminating TLS has no backend to forward
			// to: curl fails with (56) or (52), so this is no pass. A
			// silence says less (a TLS service that is not HTTP) and
			// stays a note.
			s.Verdict, s.Code = Fail, "http_closed"
			s.Finding = t.f("http.closed_request")
			if dropped(rerr) == resReset {
				s.Code = "http_reset"
				s.Finding = t.f("http.reset_request")
			}
			s.Cause = t.f("http.dropped.cause")
			s.Check = t.f("http.dropped.check")
		default:
			s.Code = "http_no_answer"
			s.Finding = t.f("http.closed")
		}
		if rerr != nil {
			s.Evidence = append(s.Evidence, rerr.Error())
		}
		return s
	}
	status := resp.Proto + " " + resp.Status
	s := Step{Evidence: []string{req, "answer: " + status}}
	if srv := resp.Header.Get("Server"); srv != "" {
		s.Evidence = append(s.Evidence, "Server: "+srv)
	}
	via := resp.Header.Values("Via")
	for _, v := range via {
		s.Evidence = append(s.Evidence, "Via: "+v)
	}
	hsts := resp.Header.Get("Strict-Transport-Security")
	if hsts != "" {
		s.Evidence = append(s.Evidence, "Strict-Transport-Security: "+hsts)
	} else {
		s.Evidence = append(s.Evidence, "no Strict-Transport-Security header")
	}
	dateEv, datePr, skewed := p.dateProblem(resp.Header, headAt)
	if dateEv != "" {
		s.Evidence = append(s.Evidence, dateEv)
	}
	if product, id := matchWAF(resp, body); product != "" {
		s.Verdict, s.Code = Fail, "block_page"
		if id == "" {
			id = "-"
		}
		s.Evidence = append(s.Evidence, fmt.Sprintf("block page of %s, incident/support ID %s: %s", product, id, quoteStart(body)))
		s.Finding = t.f("http.block_page", "status", status, "product", product, "id", id)
		s.Cause = t.f("http.block_page.cause", "product", product)
		s.Check = t.f("http.block_page.check", "id", id)
		return s
	}
	if rerr != nil {
		s.Evidence = append(s.Evidence, "reading the body: "+rerr.Error())
	}
	// A cut answer fails whatever its status says: the client gets a
	// truncated page or a transfer error, so "200 OK" is not a pass.
	if rerr != nil && !errors.Is(rerr, errAnswerCap) {
		s.Verdict, s.Code = Fail, "http_cut"
		s.Finding = p.cutFinding(resp, status, len(body), rerr)
		s.Cause = t.f("http.cut.cause")
		s.Check = t.f("http.cut.check")
		return s
	}
	switch {
	case len(via) > 0 && hsts == "":
		s.Verdict, s.Code = Warn, "rewriting_proxy"
		s.Finding = t.f("http.rewriting_proxy", "status", status, "via", strings.Join(via, ", "))
		s.Cause = t.f("http.rewriting_proxy.cause")
		s.Check = t.f("http.rewriting_proxy.check")
	case resp.StatusCode >= 500:
		s.Verdict, s.Code = Warn, "http_server_error"
		s.Finding = t.f("http.server_error", "status", status)
		s.Cause = t.f("http.server_error.cause")
		s.Check = t.f("http.server_error.check")
	case skewed:
		// A clock off is only a warning, and it ranks below a rewriting
		// proxy or a failing pool: those explain more of what a client
		// sees. Its evidence line stays either way.
		s.Verdict, s.Code, s.Finding, s.Cause, s.Check = datePr.verdict, datePr.code, datePr.finding, datePr.cause, datePr.check
	case len(via) > 0:
		s.Verdict, s.Code = Info, "via_proxy"
		s.Finding = t.f("http.via", "status", status, "via", strings.Join(via, ", "))
	case resp.StatusCode >= 400:
		s.Verdict, s.Code = Info, "http_status"
		s.Finding = t.f("http.status", "status", status)
	default:
		s.Verdict, s.Code = Pass, "http_ok"
		s.Finding = t.f("http.ok", "status", status)
	}
	return s
}

// dropped names how a request that got no answer at all was ended: "reset"
// (an RST, or a write the peer had already refused) or "closed" (a FIN or
// close_notify), and "" for anything else (a TLS error, which recordTrouble
// names, or a timeout), which does not point at a missing backend.
func dropped(err error) string {
	switch res, _ := classifyErr(err); res {
	case resReset, resClosed:
		return res
	}
	return ""
}

// cutFinding says how much of the body came before err ended it, against
// what the Content-Length promised when there is one.
func (p *prober) cutFinding(resp *http.Response, status string, got int, err error) string {
	t := p.t
	var how string
	switch res, _ := classifyErr(err); res {
	case resReset, resClosed:
		how = t.f("word.cut_" + res)
	case resTimeout:
		how = t.f("word.cut_timeout", "timeout", fmtDur(p.o.Timeout))
	default:
		how = t.f("word.cut_error")
	}
	if resp.ContentLength >= 0 {
		return t.f("http.cut.length", "status", status, "got", fmtInt(got), "want", fmtInt(int(resp.ContentLength)), "how", how)
	}
	return t.f("http.cut", "status", status, "got", fmtInt(got), "how", how)
}

// quoteStart quotes the first bytes of b for evidence.
func quoteStart(b []byte) string {
	const show = 120
	if len(b) > show {
		return fmt.Sprintf("%q…", b[:show])
	}
	return fmt.Sprintf("%q", b)
}
