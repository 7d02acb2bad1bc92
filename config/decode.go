package config

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// schema lists the keys each table accepts, by dotted table name without indices.
// It drives strict decoding and "did you mean" hints, and the tests check that
// config.toml documents every key in it.
func schema() map[string][]string {
	return map[string][]string{
		"":         {"log", "ca", "demo", "shutdown", "admin", "listener", "fault"},
		"admin":    {"listen", "token", "allow_remote"},
		"log":      {"format", "file", "host", "level", "syslog", "lang", "flush_interval"},
		"ca":       {"dir"},
		"demo":     {"listen"},
		"shutdown": {"grace"},
		"listener": {"name", "listen", "backend", "mode", "plain_backend", "non_ssl",
			"peek_timeout", "handshake_timeout", "idle_timeout", "dial_timeout",
			"proxy_protocol", "backend_proxy_protocol", "max_connections", "connect",
			"transparent", "bypass", "upstream_cert", "keylog", "capture", "engine", "busy_poll",
			"client_ssl", "server_ssl"},
		"listener.client_ssl": {"min_version", "max_version", "ciphers", "cert", "key", "sni_require",
			"client_cert", "client_ca"},
		"listener.server_ssl": {"ca", "server_name", "verify", "cert", "key"},
	}
}

// decoder holds what every table of one file shares.
type decoder struct {
	probs problems
	notes []string       // see Config.Notes
	at    map[string]pos // from locate
	base  string         // directory that relative file paths are resolved against
	stat  func(string) (fs.FileInfo, error)
	// writable says whether this process may write a file (or create one
	// in a directory): osWritable outside tests.
	writable func(string) error
	// resolve looks up a listen address's host name (see checkClashes):
	// systemResolve outside tests.
	resolve resolver
	// now is the clock an existing lab CA's validity is judged by, as run
	// will: time.Now outside tests.
	now func() time.Time
}

// table is one decoded TOML table plus where it sits in the file.
type table struct {
	d    *decoder
	path string // with indices, as locate names it: listener[1].client_ssl
	name string // as the user thinks of it: listener.client_ssl
	m    map[string]any
}

func (t *table) keyName(key string) string {
	if t.name == "" {
		return pathKey("", key)
	}
	return pathKey(t.name, key)
}

// pos is where key starts in this table, falling back to the table's own header so
// that a missing key is reported where its table begins.
func (t *table) pos(key string) pos {
	if p, ok := t.d.at[pathKey(t.path, key)]; ok {
		return p
	}
	return t.d.at[t.path] // the zero pos for the root, which has no header
}

// fail records a problem with key, at the key's line.
func (t *table) fail(key, format string, args ...any) {
	name := t.keyName(key)
	t.d.probs.add(t.pos(key), name, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

// note records a setting that is valid but will probably surprise: it is
// not refused, since reproducing a failure on purpose is a lab's job.
func (t *table) note(key, format string, args ...any) {
	where := t.d.probs.file
	if at := t.pos(key); at.Line > 0 {
		where += ":" + at.String()
	}
	t.d.notes = append(t.d.notes, fmt.Sprintf("%s: %s: %s", where, t.keyName(key), fmt.Sprintf(format, args...)))
}

// failWrap is fail with a cause kept for errors.Is/As.
func (t *table) failWrap(key string, cause error, format string, args ...any) {
	name := t.keyName(key)
	t.d.probs.add(t.pos(key), name, fmt.Errorf("%s: %s: %w", name, fmt.Sprintf(format, args...), cause))
}

func (t *table) has(key string) bool {
	_, ok := t.m[key]
	return ok
}

func (t *table) str(key string) (string, bool) {
	v, ok := t.m[key]
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		t.fail(key, "want a string, got %s", describe(v))
		return "", false
	}
	return s, true
}

// oneOf reads a string that must be one of allowed; def is returned when absent or bad.
func (t *table) oneOf(key, def string, allowed ...string) string {
	s, ok := t.str(key)
	if !ok {
		return def
	}
	if !slices.Contains(allowed, s) {
		t.fail(key, "%q is not one of %s", s, quoteList(allowed))
		return def
	}
	return s
}

func (t *table) boolean(key string, def bool) bool {
	v, ok := t.m[key]
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		t.fail(key, "want true or false, got %s", describe(v))
		return def
	}
	return b
}

// count reads a non-negative integer that fits in an int.
func (t *table) count(key string) int {
	v, ok := t.m[key]
	if !ok {
		return 0
	}
	n, isInt := v.(int64)
	if !isInt {
		t.fail(key, "want an integer, got %s", describe(v))
		return 0
	}
	if n < 0 || n > math.MaxInt32 {
		t.fail(key, "%d is out of range (0 to %d)", n, math.MaxInt32)
		return 0
	}
	return int(n)
}

// durationSyntax is time.ParseDuration's grammar: a value that matches it
// and still does not parse overflows.
var durationSyntax = regexp.MustCompile(`^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`)

// duration reads a Go duration string such as "5s"; def is used when absent or bad.
// zeroOK allows "0s", which some settings use to mean "immediately".
func (t *table) duration(key string, def time.Duration, zeroOK bool) time.Duration {
	v, ok := t.m[key]
	if !ok {
		return def
	}
	s, isStr := v.(string)
	if !isStr {
		t.fail(key, "want a duration string such as %q, got %s", durString(def), describe(v))
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		if durationSyntax.MatchString(s) {
			// Written right, but past what a duration holds: "use units"
			// would send the operator looking for a typo that is not there.
			t.fail(key, "duration %q is out of range: at most %dh (about 292 years)", s, math.MaxInt64/int64(time.Hour))
			return def
		}
		t.failWrap(key, err, "bad duration %q (use units: \"500ms\", \"5s\", \"2m\")", s)
		return def
	}
	switch {
	case d < 0 && zeroOK:
		// "0s" is accepted here, so "greater than zero" would be untrue.
		t.fail(key, "duration %q must not be negative", s)
		return def
	case d <= 0 && !zeroOK:
		t.fail(key, "duration %q must be greater than zero", s)
		return def
	}
	return d
}

// strList reads an array of strings, reporting each bad element at its own line.
// idx holds each returned string's index in the array as written, so later checks
// can point at the right element (and line) even when an earlier one was dropped.
func (t *table) strList(key string) (vals []string, idx []int, present bool) {
	v, ok := t.m[key]
	if !ok {
		return nil, nil, false
	}
	arr, isArr := v.([]any)
	if !isArr {
		t.fail(key, "want an array of strings, got %s", describe(v))
		return nil, nil, true
	}
	for i, e := range arr {
		s, isStr := e.(string)
		if !isStr {
			t.d.probs.add(t.elemPos(key, i), t.keyName(key),
				fmt.Errorf("%s[%d]: want a string, got %s", t.keyName(key), i, describe(e)))
			continue
		}
		vals = append(vals, s)
		idx = append(idx, i)
	}
	return vals, idx, true
}

// elemPos is where element i of the array at key starts.
func (t *table) elemPos(key string, i int) pos {
	if p, ok := t.d.at[pathIndex(pathKey(t.path, key), i)]; ok {
		return p
	}
	return t.pos(key)
}

// sub returns the table at key. Absent tables yield an empty table, so callers can
// read defaults from it without nil checks; present reports whether it was written.
func (t *table) sub(key string) (sub *table, present bool) {
	sub = &table{d: t.d, path: pathKey(t.path, key), name: t.keyName(key), m: map[string]any{}}
	v, ok := t.m[key]
	if !ok {
		return sub, false
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		t.fail(key, "want a table ([%s]), got %s", t.keyName(key), describe(v))
		return sub, false
	}
	sub.m = m
	return sub, true
}

// filePath reads a file or directory path, resolved against the config file's directory.
func (t *table) filePath(key string) string {
	s, ok := t.str(key)
	if !ok || s == "" {
		return ""
	}
	if filepath.IsAbs(s) || t.d.base == "" || t.d.base == "." {
		return s
	}
	return filepath.Join(t.d.base, s)
}

// file reads a path that must name an existing regular file. ok says the path is
// set and the file is there to be read; a problem has been reported otherwise.
func (t *table) file(key string) (path string, ok bool) {
	p := t.filePath(key)
	if p == "" {
		return "", false
	}
	fi, err := t.d.stat(p)
	switch {
	case err != nil:
		t.failWrap(key, err, "cannot use %q", p)
	case fi.IsDir():
		t.fail(key, "%q is a directory, want a PEM file", p)
	case !fi.Mode().IsRegular():
		// A pipe or device could block or never end, and could be read only once.
		t.fail(key, "%q is not a regular file (%s), want a PEM file", p, fi.Mode().Type())
	default:
		return p, true
	}
	return p, false
}

// unknown reports keys this table does not accept. A key that belongs to another
// table gets a hint saying where; a near miss gets "did you mean".
func (t *table) unknown() {
	all := schema()
	known := all[t.name]
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(known, k) {
			continue
		}
		what := "key"
		if _, isMap := t.m[k].(map[string]any); isMap {
			what = "table"
		}
		msg := fmt.Sprintf("unknown %s %s", what, t.keyName(k))
		if s := suggest(k, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else if home := homeOf(all, k, t.name); home != "" {
			msg += fmt.Sprintf(" (it belongs in [%s])", home)
		}
		t.d.probs.add(t.pos(k), t.keyName(k), fmt.Errorf("%s", msg))
	}
}

// homeOf names the table (other than here) that accepts key, if exactly one does.
func homeOf(all map[string][]string, key, here string) string {
	home := ""
	for name, keys := range all {
		if name == here || !slices.Contains(keys, key) {
			continue
		}
		if home != "" {
			return "" // ambiguous, e.g. "ca" and "listen"; say nothing rather than guess
		}
		home = name
	}
	if home == "listener" {
		return "[listener]" // rendered as [[listener]]
	}
	return home
}

// describe names a decoded TOML value's type and shows the value, shortened.
func describe(v any) string {
	var kind string
	switch v.(type) {
	case string:
		kind = "string"
	case int64:
		kind = "integer"
	case float64:
		kind = "float"
	case bool:
		kind = "boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		kind = "datetime"
	}
	s := fmt.Sprintf("%v", v)
	switch x := v.(type) {
	case string:
		s = fmt.Sprintf("%q", x)
	case time.Time:
		s = tomlTime(x)
	}
	if len(s) > 60 {
		cut := 57
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return kind + " " + s
}

// tomlTime spells a decoded TOML date or time as it was written. BurntSushi/toml
// marks the local forms with these zone names.
func tomlTime(t time.Time) string {
	switch t.Location().String() {
	case "date-local":
		return t.Format(time.DateOnly)
	case "time-local":
		return t.Format("15:04:05.999999999")
	case "datetime-local":
		return t.Format("2006-01-02T15:04:05.999999999")
	}
	return t.Format(time.RFC3339Nano)
}

// durString spells a duration the way config.toml does ("300s", not "5m0s").
func durString(d time.Duration) string {
	if d > 0 && d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}

func quoteList(items []string) string { return strings.Join(quoteAll(items), ", ") }

func quoteAll(items []string) []string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return q
}

// osStat is the file check used outside tests.
func osStat(name string) (fs.FileInfo, error) { return os.Stat(name) }
