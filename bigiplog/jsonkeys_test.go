package bigiplog

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// keyPaths are the key paths of one JSON value: "conn.client_tls.version",
// with "[]" for an array's elements ("conn.faults.[].rule"), and the path of
// an array with elements once more with ".[]" (so an empty array is told
// from one whose elements have no such key). The evidence object's keys are
// left out: they name the diagnosis's evidence, which differs by design.
func keyPaths(prefix string, v any, out map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			if p != "conn.evidence" {
				keyPaths(p, sub, out)
			}
		}
	case []any:
		for _, sub := range t {
			out[prefix+".[]"] = true
			keyPaths(prefix+".[]", sub, out)
		}
	}
}

// stableEvents are connections that differ in every way the JSON can:
// success, failure, a fault that ended the connection and one that did
// not, an http_date edit, bytes lost in the connect race, interception.
func stableEvents() map[string]*explain.Outcome {
	race := okOutcome()
	race.ID, race.BytesUp, race.BytesUpUndelivered = 13, 0, 78
	dated := inspectOutcome()
	dated.ID, dated.Faults = 14, []string{"date"}
	dated.FaultFirings = []explain.FaultFiring{{Rule: "date", Action: "http_date", Stage: "response", Direction: "s2c",
		DateEdit: "shifted", OriginDate: "Sat, 28 Nov 2026 08:00:00 GMT"}}
	acted := faultWrapOutcome()
	acted.FaultFirings[0].Acted = "response"
	return map[string]*explain.Outcome{
		"ok": okOutcome(), "plaintext": plaintextOutcome(), "fault stop": faultStopOutcome(),
		"fault wrap": faultWrapOutcome(), "fault acted": acted, "inspect": inspectOutcome(),
		"silent": silentOutcome(), "connect race": race, "http_date": dated,
	}
}

// TestJSONKeysStable: every connection's JSON has the same keys, whatever
// happened to it, as Event promises: a SIEM that maps the fields from a
// success must find the same names in a failure. Only array elements an
// empty array lacks, and the evidence object's keys, may differ.
func TestJSONKeysStable(t *testing.T) {
	opts := testOptions
	opts.Format = "json"
	enc, err := NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]map[string]bool{}
	for name, o := range stableEvents() {
		line := encodeOne(t, enc, zapcore.Entry{Level: zapcore.InfoLevel, Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: o})})
		var rec map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
			t.Fatal(err)
		}
		paths[name] = map[string]bool{}
		keyPaths("", rec, paths[name])
	}
	for a, pa := range paths {
		for b, pb := range paths {
			var missing []string
			for p := range pa {
				if !pb[p] && !inEmptyArray(p, pb) {
					missing = append(missing, p)
				}
			}
			slices.Sort(missing)
			if len(missing) > 0 {
				t.Errorf("%s has keys %s has not: %q", a, b, missing)
			}
		}
	}
}

// inEmptyArray says p lies inside an array that has no elements in paths.
func inEmptyArray(p string, paths map[string]bool) bool {
	for i := strings.Index(p, ".[]"); i >= 0; {
		if !paths[p[:i+3]] {
			return true
		}
		next := strings.Index(p[i+3:], ".[]")
		if next < 0 {
			break
		}
		i += 3 + next
	}
	return false
}

// TestJSONEvidenceKeysUnique: the evidence object never repeats a key. A
// connection two fault rules fired on has two "fault" evidence items; as
// two members of one JSON object, jq, Python and the live view kept the
// last and lost the first rule. Repeated keys become one member whose
// value holds each item, in order.
func TestJSONEvidenceKeysUnique(t *testing.T) {
	opts := testOptions
	opts.Format = "json"
	enc, err := NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	o := faultStopOutcome() // two rules fired: two "fault" items
	line := encodeOne(t, enc, zapcore.Entry{Level: zapcore.WarnLevel, Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: o})})
	var rec struct {
		Conn struct {
			Evidence json.RawMessage `json:"evidence"`
		} `json:"conn"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(rec.Conn.Evidence)))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	values := map[string]string{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		v, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		key := k.(string)
		if seen[key] {
			t.Errorf("evidence repeats the key %q: %s", key, rec.Conn.Evidence)
		}
		seen[key] = true
		values[key], _ = v.(string)
	}
	for _, rule := range []string{"slow-accept", "waf-sni-block"} {
		if !strings.Contains(values["fault"], rule) {
			t.Errorf("evidence fault %q lost rule %s", values["fault"], rule)
		}
	}
}

// TestJSONKeysDocumented: README's "`json` log keys" section names every
// key a connection's JSON has (at any depth, the evidence object's own
// keys aside), and each key it lists in its first column exists, so a SIEM
// author can map the fields from the documentation alone.
func TestJSONKeysDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const head = "### `json` log keys\n"
	readme := string(b)
	i := strings.Index(readme, head)
	if i < 0 {
		t.Fatalf("README.md has no %q section", strings.TrimSpace(head))
	}
	sec := readme[i+len(head):]
	if j := strings.Index(sec, "\n#"); j >= 0 {
		sec = sec[:j]
	}
	tick := regexp.MustCompile("`([a-z0-9_]+)`")
	named := map[string]bool{}
	for _, m := range tick.FindAllStringSubmatch(sec, -1) {
		named[m[1]] = true
	}

	opts := testOptions
	opts.Format = "json"
	enc, err := NewEncoder(opts)
	if err != nil {
		t.Fatal(err)
	}
	leaves := map[string]bool{}
	for _, o := range stableEvents() {
		line := encodeOne(t, enc, zapcore.Entry{Level: zapcore.InfoLevel, Time: testTime, Message: "conn"}, []zapcore.Field{Field(Event{Outcome: o})})
		var rec map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &rec); err != nil {
			t.Fatal(err)
		}
		paths := map[string]bool{}
		keyPaths("", rec, paths)
		for p := range paths {
			parts := strings.Split(p, ".")
			if leaf := parts[len(parts)-1]; leaf != "[]" {
				leaves[leaf] = true
				if !named[leaf] {
					t.Errorf("README.md's json section does not name the key %q (%s)", leaf, p)
				}
			}
		}
	}
	// The first column lists keys: each must exist.
	for _, row := range strings.Split(sec, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 3 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(cells[1], -1) {
			if !leaves[m[1]] {
				t.Errorf("README.md's json section lists %q, which no connection's JSON has", m[1])
			}
		}
	}
}
