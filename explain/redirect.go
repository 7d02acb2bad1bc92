package explain

import "github.com/tlsgate/tlsgate/sniff"

// A redirect listener (non_ssl = "redirect") answers plaintext with a 301
// to https:// whose host it takes from the request (listener
// redirectTarget): the target's authority (absolute-form), else Host.
// Where neither names one it still redirects a whole request, to the
// virtual address the client connected to: an HTTP/1.0 client need send
// no Host, and the address it reached, now over TLS, is the one host it
// is sure to reach again (as nginx and Apache fall back to their server
// name; browsers and curl -L follow a Location with an IP literal alike).
// It answers with the readable 400 instead where no Location can do:
// CONNECT and OPTIONS *, and a request the client half-closed before any
// Host came (redirectRefusal). These say which happened, in the summary.

// redirectHostless says the request named no host a redirect could use:
// no Host header and no http(s) authority in its target. The listener's
// redirect then goes to the virtual address (Outcome.Virtual).
func redirectHostless(o *Outcome) bool {
	if o.HTTP == nil {
		return true
	}
	if o.HTTP.Host != "" {
		return false
	}
	t, err := sniff.ParseTarget(o.HTTP.Method, o.HTTP.Target)
	return err != nil || t.Form == sniff.OriginForm || t.Authority == "" || t.Scheme != "http" && t.Scheme != "https"
}

// nonSSLDone is the non_ssl action the summary names: the action the
// listener took (nonSSLAction), said with why when a redirect listener
// answered with its 400 instead, or redirected to its own address.
func (f *facts) nonSSLDone() string {
	o := f.o
	action := nonSSLAction(o)
	switch {
	case o.NonSSL == "redirect" && action == "http400" && redirectRefusal(o) == "redirect_unusable":
		return f.say("non_ssl_redirect_unusable", "{method}", o.HTTP.Method)
	case o.NonSSL == "redirect" && action == "http400":
		return f.say("non_ssl_redirect_no_host")
	case action == "redirect" && redirectHostless(o):
		return f.say("non_ssl_redirect_address", "{vip}", f.addr(virtualEndpoint(o)))
	}
	return action
}

// nonSSLEvidence is the non_ssl_action evidence: the action the listener
// took, and for a redirect listener that answered with its 400 instead,
// what it was configured with too, as the summary says it (nonSSLDone).
// Evidence values are the same in every language.
func nonSSLEvidence(o *Outcome) string {
	action := nonSSLAction(o)
	if o.NonSSL == "redirect" && action == "http400" {
		return "redirect (answered 400)"
	}
	return action
}
