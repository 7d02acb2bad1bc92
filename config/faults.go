package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tlsgate/tlsgate/faults"
)

// decodeFaults reads the [[fault]] tables into rules. The rule schema is the
// faults package's own (the admin API takes the same JSON), so each table is
// re-encoded as JSON and decoded strictly there; errors still name the key
// and its line here.
func decodeFaults(root *table) []faults.Rule {
	var rules []faults.Rule
	seen := map[string]int{}
	for i, t := range arrayTables(root, "fault") {
		raw, err := json.Marshal(t.m)
		if err != nil {
			root.d.probs.add(t.headerLine(), "fault", fmt.Errorf("fault[%d]: %w", i, err))
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var r faults.Rule
		if err := dec.Decode(&r); err != nil {
			key := jsonErrKey(err)
			t.failWrap(key, err, "fault[%d]", i)
			continue
		}
		if err := r.Validate(); err != nil {
			key := "fault"
			var re *faults.RuleError
			if errors.As(err, &re) {
				key = re.Field
			}
			t.failWrap(key, err, "invalid rule")
			continue
		}
		if prev, dup := seen[r.Name]; dup {
			t.fail("name", "duplicate fault name %q (also fault[%d])", r.Name, prev)
			continue
		}
		seen[r.Name] = i
		rules = append(rules, r)
	}
	return rules
}

// jsonErrKey names the key a JSON decoding error is about.
func jsonErrKey(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	msg := err.Error()
	if _, after, ok := strings.Cut(msg, "unknown field \""); ok {
		if k, _, ok := strings.Cut(after, "\""); ok {
			return k
		}
	}
	return "fault"
}

// Admin is [admin]: the loopback control API (faults at runtime, events,
// metrics).
type Admin struct {
	Listen      string // host:port; "" turns the API off
	Token       string // bearer token; "" means none (loopback only)
	AllowRemote bool   // listen beyond loopback; requires a token
}

// DefaultAdminListen is Toxiproxy's port, so its habits carry over.
const DefaultAdminListen = "127.0.0.1:8474"

// decodeAdmin reads [admin]. Without the table the API is off, so two
// tlsgates (or a test suite) never fight over its port; with the table and
// no listen key it takes DefaultAdminListen.
func decodeAdmin(root *table) Admin {
	t, ok := root.sub("admin")
	if !ok {
		return Admin{}
	}
	a := Admin{Listen: DefaultAdminListen}
	if s, ok := t.str("listen"); ok {
		a.Listen = s
		if s != "" {
			if err := checkAddr(s, true); err != nil {
				t.failWrap("listen", err, "bad address")
			}
		}
	}
	if s, ok := t.str("token"); ok {
		a.Token = s
	}
	a.AllowRemote = t.boolean("allow_remote", false)
	if a.Listen != "" && !isLoopbackListen(a.Listen) {
		switch {
		case !a.AllowRemote:
			t.fail("listen", "%q is not a loopback address; the admin API changes faults at runtime, so it stays on 127.0.0.1 unless allow_remote = true (with a token)", a.Listen)
		case a.Token == "":
			t.fail("token", "required when allow_remote = true: anyone who can reach %q could inject faults", a.Listen)
		}
	}
	t.unknown()
	return a
}

// checkFaultListeners catches a rule aimed at a listener that does not
// exist: it would silently never fire.
func checkFaultListeners(root *table, cfg *Config) {
	names := map[string]bool{}
	for _, l := range cfg.Listeners {
		names[l.Name] = true
	}
	for i, t := range arrayTables(root, "fault") {
		l, ok := t.str("listener")
		if ok && l != "" && len(names) > 0 && !names[l] {
			t.fail("listener", "fault[%d] names listener %q, which is not defined; this rule would never fire", i, l)
		}
	}
}
