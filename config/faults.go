package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

// decodeFaults reads the [[fault]] tables into rules. The rule schema is the
// faults package's own (the admin API takes the same JSON), so each key is
// re-encoded as JSON and decoded strictly there, one key at a time: whatever
// the faults package says about a value is reported at that key's line.
// It returns the valid rules and the index in tables each came from.
func decodeFaults(tables []*table) ([]faults.Rule, []int) {
	var rules []faults.Rule
	var at []int
	seen := map[string]int{}
	known := faults.FieldNames()
	for i, t := range tables {
		var r faults.Rule
		ok := true
		keys := make([]string, 0, len(t.m))
		for k := range t.m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !slices.Contains(known, k) {
				// encoding/json would match "Action" to action; TOML keys are
				// case-sensitive, and config is strict.
				msg := fmt.Sprintf("unknown key %s", t.keyName(k))
				if s := suggest(k, known); s != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", s)
				}
				t.d.probs.add(t.pos(k), t.keyName(k), errors.New(msg))
				ok = false
				continue
			}
			if !decodeFaultKey(t, i, k, &r) {
				ok = false
			}
		}
		if !ok {
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
		if r.Action == faults.ActClientAuth && !checkAcceptCAs(t, &r) {
			continue
		}
		if prev, dup := seen[r.Name]; dup {
			t.fail("name", "duplicate fault name %q (also fault[%d])", r.Name, prev)
			continue
		}
		seen[r.Name] = i
		rules = append(rules, r)
		at = append(at, i)
	}
	return rules, at
}

// checkAcceptCAs resolves the PEM files a client_auth rule's accept_cas
// names against the config file's directory, as every path in the config
// is, and checks each holds a certificate, as the listener will read it. A
// file that added no CA would refuse every client certificate in silence.
func checkAcceptCAs(t *table, r *faults.Rule) bool {
	ok := true
	for i, ca := range r.AcceptCAs {
		if ca == faults.CALab || ca == faults.CANone {
			continue
		}
		p := ca
		if !filepath.IsAbs(p) && t.d.base != "" && t.d.base != "." {
			p = filepath.Join(t.d.base, p)
		}
		r.AcceptCAs[i] = p
		fi, err := t.d.stat(p)
		switch {
		case err != nil:
			t.failWrap("accept_cas", err, "cannot use %q (want %q, %q or a PEM file of CA certificates)", p, faults.CALab, faults.CANone)
			ok = false
		case !fi.Mode().IsRegular():
			t.fail("accept_cas", "%q is not a regular file, want a PEM file of CA certificates", p)
			ok = false
		default:
			n := len(t.d.probs.list)
			t.checkCAFile("accept_cas", p)
			ok = ok && len(t.d.probs.list) == n
		}
	}
	return ok
}

// decodeFaultKey decodes key of fault table i into r, reporting a problem at the
// key's line.
func decodeFaultKey(t *table, i int, key string, r *faults.Rule) bool {
	v := t.m[key]
	if why := notJSON(v); why != "" {
		t.fail(key, "fault[%d]: %s", i, why)
		return false
	}
	raw, err := json.Marshal(map[string]any{key: v})
	if err != nil {
		t.failWrap(key, err, "fault[%d]", i)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			t.failWrap(key, err, "fault[%d]: want %s, got %s", i, jsonKind(te.Type), describe(v))
		} else {
			t.failWrap(key, err, "fault[%d]", i)
		}
		return false
	}
	// The keys come sorted, so the rule's name may not be known yet:
	// the problem's position names the rule.
	var re *faults.RuleError
	if err := r.ValidateGiven(key); errors.As(err, &re) {
		t.fail(key, "fault[%d]: field %q: %s", i, re.Field, re.Msg)
		return false
	}
	return true
}

// notJSON says why a decoded TOML value has no JSON form the faults package
// could read: a float that is not a number (nan, inf), or a date or time, which no
// rule key takes. "" means it has one.
func notJSON(v any) string {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprintf("%v is not a finite number", x)
		}
	case time.Time:
		return fmt.Sprintf("got %s; no fault key takes a date or time (quote a duration: \"250ms\")", describe(v))
	case []any:
		for _, e := range x {
			if why := notJSON(e); why != "" {
				return why
			}
		}
	case map[string]any:
		for _, e := range x {
			if why := notJSON(e); why != "" {
				return why
			}
		}
	}
	return ""
}

// jsonKind words a Go type the way describe words TOML values.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
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
	badAddr := false
	if s, ok := t.str("listen"); ok {
		a.Listen = s
		if s != "" {
			if err := checkAddr(s, true); err != nil {
				t.failWrap("listen", err, "bad address")
				badAddr = true
			}
		}
	}
	if s, ok := t.str("token"); ok {
		a.Token = s
	}
	a.AllowRemote = t.boolean("allow_remote", false)
	// An address that did not parse has no host to judge: "localhost"
	// without a port is loopback, and saying otherwise would send the
	// operator to allow_remote for a missing port.
	if a.Listen != "" && !badAddr && !isLoopbackListen(a.Listen) {
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
// exist, and a rule aimed only at listeners where it cannot act (a
// handshake tlsgate runs, a verified upstream, HTTP it can read, TLS carried
// past the hello): either would silently never fire. at is the
// [[fault]] table each of cfg.Faults came from. faults.Rule.Need says which
// rules need what, and listener.RuleMisfit judges listeners by it, for the
// admin API too.
func checkFaultListeners(tables []*table, cfg *Config, at []int) {
	byName := map[string]*listener.Options{}
	sites := make([]listener.Site, 0, len(cfg.Listeners))
	for i := range cfg.Listeners {
		byName[cfg.Listeners[i].Name] = &cfg.Listeners[i]
		sites = append(sites, cfg.Listeners[i].Site())
	}
	for i, t := range tables {
		l, ok := t.str("listener")
		if ok && l != "" && len(byName) > 0 && byName[l] == nil {
			t.fail("listener", "fault[%d] names listener %q, which is not defined; this rule would never fire", i, l)
		}
	}
	for k, r := range cfg.Faults {
		i := at[k]
		if r.Listener != "" && byName[r.Listener] == nil {
			continue // said above
		}
		if field, err := listener.RuleMisfit(r, fmt.Sprintf("fault[%d]", i), sites); err != nil {
			tables[i].fail(field, "%s", err)
		}
	}
}
