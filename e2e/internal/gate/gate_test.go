package gate

import "testing"

// TestListening: the gate probes only once tlsgate's log has the probe
// listener's "listening" line, in either log format; a longer port,
// another listener's line or another message naming the address is not
// that line.
func TestListening(t *testing.T) {
	const addr = "127.0.0.1:4321"
	for _, tc := range []struct {
		name, log string
		want      bool
	}{
		{"empty", "", false},
		{"json", `{"level":"info","ts":"2026-11-28T22:56:46.095625609Z","msg":"listening","listener":"probe","listen":"127.0.0.1:4321","mode":"plaintext"}` + "\n", true},
		{"json after another listener's that names it", `{"msg":"listening","listen":"127.0.0.1:4322","try":"curl http://127.0.0.1:4321/"}` + "\n" +
			`{"msg":"listening","listen":"127.0.0.1:4321"}` + "\n", true},
		{"bigip", "Nov 28 22:56:46 lab-bigip info tlsgate[1]: listening listener=probe listen=127.0.0.1:4321 mode=plaintext\n", true},
		{"longer port", `{"msg":"listening","listen":"127.0.0.1:43210"}` + "\n", false},
		{"another listener", `{"msg":"listening","listen":"127.0.0.1:4322"}` + "\n", false},
		{"another listener's that names it", `{"msg":"listening","listen":"127.0.0.1:4322","try":"curl http://127.0.0.1:4321/"}` + "\n", false},
		{"another message", `{"msg":"admin API listening","listen":"127.0.0.1:4321"}` + "\n", false},
	} {
		if got := Listening(tc.log, addr); got != tc.want {
			t.Errorf("%s: Listening = %t, want %t", tc.name, got, tc.want)
		}
	}
}
