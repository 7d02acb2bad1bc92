package gate

import (
	"maps"
	"testing"
)

// TestListenAddrs: the harness learns each listener's port, bound as port
// 0, from tlsgate's "listening" lines in either log format; the admin
// API's line, other messages naming an address, and a line still being
// written name no listener.
func TestListenAddrs(t *testing.T) {
	const (
		jsonWeb   = `{"level":"info","ts":"2026-11-29T02:42:37.550Z","msg":"listening","listener":"web","listen":"127.0.0.1:45243","mode":"terminate","backend":"127.0.0.1:9","engine":"goroutines","engine_why":"mode = \"terminate\" decrypts every connection","try":"curl http://127.0.0.1:1/"}`
		jsonProbe = `{"level":"info","msg":"listening","listener":"probe","listen":"127.0.0.1:44401","mode":"plaintext"}`
		bigipWeb  = `Nov 29 02:42:35 lab-bigip info tlsgate[19967]: listening backend=127.0.0.1:9 engine=goroutines engine_why="mode = \"terminate\" listener=fake decrypts" listen=127.0.0.1:34599 listener=web mode=terminate try="curl --cacert /ca.pem https://127.0.0.1:34599/   (and see: curl http://127.0.0.1:34599/)"`
		bigipAdm  = `Nov 29 02:42:35 lab-bigip info tlsgate[19967]: admin API listening listen=127.0.0.1:34963 try="tlsgate fault ls"`
	)
	for _, tc := range []struct {
		name, log string
		want      map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"json", jsonWeb + "\n" + jsonProbe + "\n", map[string]string{"web": "127.0.0.1:45243", "probe": "127.0.0.1:44401"}},
		{"bigip, a quoted value naming another listener", bigipWeb + "\n", map[string]string{"web": "127.0.0.1:34599"}},
		{"line still being written", jsonWeb + "\n" + jsonProbe, map[string]string{"web": "127.0.0.1:45243"}},
		{"admin API, json", `{"msg":"admin API listening","listen":"127.0.0.1:4321"}` + "\n", map[string]string{}},
		{"admin API, bigip", bigipAdm + "\n", map[string]string{}},
		{"another message", `{"msg":"listener went down","listener":"web","listen":"127.0.0.1:4321"}` + "\n", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ListenAddrs(tc.log); !maps.Equal(got, tc.want) {
				t.Errorf("ListenAddrs = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestAdminListening reads the admin API's address, bound as port 0.
func TestAdminListening(t *testing.T) {
	for _, tc := range []struct {
		name, log, want string
		ok              bool
	}{
		{"admin line", `{"msg":"listening","listener":"web","listen":"127.0.0.1:1"}` + "\n" + `{"msg":"admin API listening","listen":"127.0.0.1:4321"}` + "\n", "127.0.0.1:4321", true},
		{"only listeners", `{"msg":"listening","listener":"web","listen":"127.0.0.1:1"}` + "\n", "", false},
		{"line still being written", `{"msg":"admin API listening","listen":"127.0.0.1:4321"}`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := AdminListening(tc.log); got != tc.want || ok != tc.ok {
				t.Errorf("AdminListening = %q, %t; want %q, %t", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestReadyOffset: the gateway is ready once a complete line names the
// probe, and the test's log starts after the last complete line, never
// inside a line still being written.
func TestReadyOffset(t *testing.T) {
	const (
		probe  = "127.0.0.1:51234"
		event  = `{"msg":"connection","client":"127.0.0.1:51234"}` + "\n"
		other  = `{"msg":"listening","listener":"probe","listen":"127.0.0.1:44401"}` + "\n"
		halfOf = `{"msg":"connection","explain":"sen`
	)
	for _, tc := range []struct {
		name, log string
		want      int64
		ok        bool
	}{
		{"empty", "", 0, false},
		{"no probe yet", other, 0, false},
		{"probe line still being written", other + `{"msg":"connection","client":"127.0.0.1:51234"`, 0, false},
		{"probe line complete", other + event, int64(len(other + event)), true},
		{"a later line half written", other + event + halfOf, int64(len(other + event)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ReadyOffset(tc.log, probe)
			if got != tc.want || ok != tc.ok {
				t.Errorf("ReadyOffset = %d, %t; want %d, %t", got, ok, tc.want, tc.ok)
			}
		})
	}
}
