package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/config"
)

// TestFaultAddRefusesHTTPRuleWithoutHTTP: against a running gateway,
// `fault add` refuses a block_page aimed at a passthrough listener, which
// shows no HTTP, for the reason the config file gives, and adds it on a
// passthrough listener with non_ssl = "allow", whose plain HTTP it acts on
// (run tells the admin API which listeners relay plaintext).
func TestFaultAddRefusesHTTPRuleWithoutHTTP(t *testing.T) {
	listeners := "[[listener]]\nname = \"p\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"passthrough\"\n" +
		"[[listener]]\nname = \"allow\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"passthrough\"\nnon_ssl = \"allow\"\nplain_backend = \"127.0.0.1:9\"\n"
	adminURL, toml := serveListeners(t, "misfit.toml", listeners)
	const want = ` answers an HTTP request with a block page on listener "p", which has mode = "passthrough" without non_ssl = "allow": it passes TLS through undecrypted and relays no plain HTTP, so it sees none; this rule would never fire`
	var out, errOut bytes.Buffer
	err := cmdFault([]string{"add", "-n", "x", "--action", "block_page", "--listener", "p", "--admin", adminURL}, &out, &errOut)
	if exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), `rule "x"`+want) {
		t.Errorf("fault add on p: exit %d, %v; want exit 2 and %q", exitCode(err), err, `rule "x"`+want)
	}
	_, err = config.Parse([]byte(toml+"[[fault]]\nname = \"x\"\naction = \"block_page\"\nlistener = \"p\"\n"), "misfit.toml")
	if err == nil || !strings.Contains(err.Error(), "fault[0]"+want) {
		t.Errorf("config: %v; want %q", err, "fault[0]"+want)
	}
	out.Reset()
	if err := cmdFault([]string{"add", "-n", "ok", "--action", "block_page", "--listener", "allow", "--admin", adminURL}, &out, &errOut); err != nil || !strings.Contains(out.String(), "added rule ok") {
		t.Errorf("fault add on allow: %v %q, want it added", err, out.String())
	}
}

// TestFaultAddRefusesHelloRulesOnPlaintext: against a running gateway, a
// plaintext listener (the lab's tls-to-plain-port) refuses on `fault add`,
// for the reason the config file gives, a rule that selects by the
// ClientHello and acts after it (plain HTTP sends no hello, and TLS there
// is reset at its hello) and a version floor (that listener resets every
// TLS client, whatever it offers). They used to be added, and the version
// floor was logged as having refused a TLS 1.3 client the listener reset.
// The same hello selector is taken where TLS is decrypted.
func TestFaultAddRefusesHelloRulesOnPlaintext(t *testing.T) {
	listeners := "[[listener]]\nname = \"plain\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n" +
		"[[listener]]\nname = \"pass\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"passthrough\"\n"
	adminURL, toml := serveListeners(t, "hello.toml", listeners)
	const relay = ` on listener "plain", which has mode = "plaintext" and resets a TLS client after its ClientHello; this rule would never fire`
	const term = ` on listener "plain", which has mode = "plaintext" and terminates no TLS; this rule would never fire`
	for _, tc := range []struct {
		args []string
		conf string
		want string
	}{
		{[]string{"-n", "w1", "--action", "block_page", "--stage", "request", "--sni", "a.test"},
			"action = \"block_page\"\nstage = \"request\"\nsni = \"a.test\"\n",
			` selects by the ClientHello's sni, which only TLS has (plain HTTP sends none), and answers an HTTP request with a block page` + term},
		{[]string{"-n", "w4", "--action", "http_date", "--param", "skew=2h", "--ja4", "t13*"},
			"action = \"http_date\"\nskew = \"2h\"\nja4 = \"t13*\"\n",
			` selects by the ClientHello's ja4, which only TLS has (plain HTTP sends none), and rewrites the Date of HTTP responses` + term},
		{[]string{"-n", "w5", "--action", "reset", "--stage", "response", "--alpn", "h2"},
			"action = \"reset\"\nstage = \"response\"\nalpn = \"h2\"\n",
			` selects by the ClientHello's alpn, which only TLS has (plain HTTP sends none), and acts at stage response` + relay},
		{[]string{"-n", "w2", "--action", "version", "--param", "min_version=1.3"},
			"action = \"version\"\nmin_version = \"1.3\"\n",
			` limits the TLS versions or ciphers a handshake accepts` + relay},
	} {
		name := tc.args[1]
		var out, errOut bytes.Buffer
		args := append(append([]string{"add"}, tc.args...), "--listener", "plain", "--admin", adminURL)
		err := cmdFault(args, &out, &errOut)
		if exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), `rule "`+name+`"`+tc.want) {
			t.Errorf("fault add %s: exit %d, %v; want exit 2 and %q", name, exitCode(err), err, tc.want)
		}
		_, err = config.Parse([]byte(toml+"[[fault]]\nname = \""+name+"\"\nlistener = \"plain\"\n"+tc.conf), "hello.toml")
		if err == nil || !strings.Contains(err.Error(), "fault[0]"+tc.want) {
			t.Errorf("config %s: %v; want %q", name, err, "fault[0]"+tc.want)
		}
	}
	for _, args := range [][]string{
		// At client_hello a reset answers the hello itself, before the
		// listener's own reset.
		{"-n", "ok1", "--action", "reset", "--sni", "a.test", "--listener", "plain"},
		{"-n", "ok2", "--action", "version", "--param", "min_version=1.3", "--listener", "pass"},
		{"-n", "ok3", "--action", "reset", "--stage", "response", "--alpn", "h2", "--listener", "pass"},
	} {
		var out, errOut bytes.Buffer
		if err := cmdFault(append(append([]string{"add"}, args...), "--admin", adminURL), &out, &errOut); err != nil || !strings.Contains(out.String(), "added rule "+args[1]) {
			t.Errorf("fault add %s: %v %q, want it added", args[1], err, out.String())
		}
	}
}
