package gate

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Tests give every socket tlsgate binds port 0 and learn the port the
// kernel chose from the log, the only place that knows it. A port a test
// picked and let go for tlsgate to bind was free only until someone bound
// it: any bind to port 0 on the machine (go test ./... runs other
// packages' listeners beside this one) could take it first, tlsgate then
// exited on "address already in use", and a dial to the port reached that
// other socket. The lines are written after the socket listens, so a
// connection to the address they name reaches tlsgate and no one else.

// ListenAddrs reads tlsgate's "listening" lines in log, in either log
// format, and returns each listener's bound address by listener name
// ("127.0.0.1:port"). tlsgate writes them once every socket is bound, in
// config order. A line still being written does not count.
func ListenAddrs(log string) map[string]string {
	addrs := map[string]string{}
	for _, line := range CompleteLines(log) {
		if name, addr, ok := listeningLine(line); ok {
			addrs[name] = addr
		}
	}
	return addrs
}

// listeningLine parses one "listening" line: JSON with that message, or
// a bigip-format line whose message is "listening" followed by sorted
// key=value pairs, values with spaces quoted.
func listeningLine(line string) (name, addr string, ok bool) {
	var m struct {
		Msg      string `json:"msg"`
		Listener string `json:"listener"`
		Listen   string `json:"listen"`
	}
	if json.Unmarshal([]byte(line), &m) == nil {
		return m.Listener, m.Listen, m.Msg == "listening" && m.Listener != "" && m.Listen != ""
	}
	_, rest, found := strings.Cut(line, "]: listening ")
	if !found {
		return "", "", false
	}
	kv := keyValues(rest)
	return kv["listener"], kv["listen"], kv["listener"] != "" && kv["listen"] != ""
}

// keyValues splits bigiplog's `k=v k="v w"` pairs; it stops at the first
// text that is not a pair.
func keyValues(s string) map[string]string {
	kv := map[string]string{}
	for s != "" {
		k, rest, ok := strings.Cut(s, "=")
		if !ok || k == "" || strings.ContainsAny(k, " \"") {
			return kv
		}
		var v string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return kv
			}
			v, _ = strconv.Unquote(q)
			rest = strings.TrimPrefix(rest[len(q):], " ")
		} else {
			v, rest, _ = strings.Cut(rest, " ")
		}
		kv[k] = v
		s = rest
	}
	return kv
}

// AdminListening finds the admin API's address in a JSON log: with listen
// port 0 only the log knows it.
func AdminListening(log string) (string, bool) {
	for _, l := range CompleteLines(log) {
		var m struct {
			Msg    string `json:"msg"`
			Listen string `json:"listen"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "admin API listening" && m.Listen != "" {
			return m.Listen, true
		}
	}
	return "", false
}

// adminAddr is AdminListening for a log that must name the address.
func adminAddr(t testing.TB, log string) string {
	t.Helper()
	addr, ok := AdminListening(log)
	if !ok {
		t.Fatalf("the log names no admin API address:\n%s", log)
	}
	return addr
}
