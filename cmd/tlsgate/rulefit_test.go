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
