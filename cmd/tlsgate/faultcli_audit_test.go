package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestFaultManyNamesAllOrNothing: rm, enable and disable check every name
// before changing any rule. "rm nosuch a1" used to stop at nosuch, leave
// a1 in place, and say nothing of it.
func TestFaultManyNamesAllOrNothing(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		out     string // stdout, exactly
		errText string
		left    []string // the rules after the command, in order
		enabled []bool   // a1's and b2's state after it
	}{
		{args: []string{"rm", "nosuch", "a1"}, code: 1, errText: `fault rm: no rule named "nosuch"; nothing removed (the rules: a1, b2)`,
			left: []string{"a1", "b2"}, enabled: []bool{true, true}},
		{args: []string{"rm", "a1", "nosuch", "other"}, code: 1, errText: `fault rm: no rules named "nosuch", "other"; nothing removed`,
			left: []string{"a1", "b2"}, enabled: []bool{true, true}},
		{args: []string{"disable", "a1", "nosuch"}, code: 1, errText: `fault disable: no rule named "nosuch"; nothing disabled`,
			left: []string{"a1", "b2"}, enabled: []bool{true, true}},
		{args: []string{"disable", "a1", "b2"}, out: "disabled rule a1\ndisabled rule b2\n",
			left: []string{"a1", "b2"}, enabled: []bool{false, false}},
		{args: []string{"enable", "nosuch", "b2"}, code: 1, errText: `fault enable: no rule named "nosuch"; nothing enabled`,
			left: []string{"a1", "b2"}, enabled: []bool{false, false}},
		{args: []string{"enable", "b2", "b2"}, out: "enabled rule b2\n",
			left: []string{"a1", "b2"}, enabled: []bool{false, true}},
		{args: []string{"rm", "a1", "a1", "b2"}, out: "removed rule a1\nremoved rule b2\n"},
		{args: []string{"rm", "a1"}, code: 1, errText: `fault rm: no rule named "a1"; nothing removed (there are no rules)`},
	}
	f := newFaultEnv(t, "")
	for _, r := range []faults.Rule{{Name: "a1", Action: faults.ActReset}, {Name: "b2", Action: faults.ActReset}} {
		if err := f.engine.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		code, out, errText := f.run(tt.args...)
		if code != tt.code || out != tt.out || !strings.Contains(errText, tt.errText) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want %d, %q, ~%q", tt.args, code, out, errText, tt.code, tt.out, tt.errText)
		}
		var left []string
		for _, st := range f.engine.List() {
			left = append(left, st.Rule.Name)
		}
		if !slices.Equal(left, tt.left) {
			t.Fatalf("%v: rules left %v, want %v", tt.args, left, tt.left)
		}
		for i, name := range tt.left {
			if st, _ := f.rule(name); tt.enabled != nil && st.Enabled != tt.enabled[i] {
				t.Fatalf("%v: %s enabled = %v, want %v", tt.args, name, st.Enabled, tt.enabled[i])
			}
		}
	}
}

// TestFaultAddChecksValuesLocally: a flag value that cannot have its
// field's type is refused before any request, naming the flag and what it
// wants; the API could only say "field "probability": want a number, got
// JSON string". A --file or --json that is not one JSON object (a
// config's TOML [[fault]] table) says so and where such tables belong.
func TestFaultAddChecksValuesLocally(t *testing.T) {
	dir := t.TempDir()
	tomlFile := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(tomlFile, []byte("[[fault]]\nname = \"waf\"\naction = \"reset\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	arrayFile := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(arrayFile, []byte(`[{"name":"waf","action":"reset"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"probability", []string{"add", "-n", "x", "--action", "reset", "--probability", "abc"},
			`fault add: --probability "abc": want a number from 0 to 1, e.g. 0.3`},
		{"seed", []string{"add", "-n", "x", "--action", "reset", "--seed", "abc"},
			`fault add: --seed "abc": want a whole number, e.g. 3`},
		{"seed fraction", []string{"add", "-n", "x", "--action", "reset", "--seed", "1.5"},
			`fault add: --seed "1.5": want a whole number`},
		{"max_fires", []string{"add", "-n", "x", "--action", "reset", "--param", "max_fires=abc"},
			`fault add: --param max_fires=abc: want a whole number, e.g. 3`},
		{"bool param", []string{"add", "-n", "x", "--action", "reset", "--param", "hello_multi_segment=perhaps"},
			`fault add: --param hello_multi_segment=perhaps: want true or false`},
		{"toml file", []string{"add", "--file", tomlFile},
			`fault add: --file ` + tomlFile + `: not JSON (its first line is "[[fault]]"): want one rule as a JSON object, e.g. {"name": "waf", "action": "reset"}; the [[fault]] tables of a TOML config are read by 'tlsgate run -c', not by fault add`},
		{"toml json", []string{"add", "--json", `name = "waf"`}, `fault add: --json: not JSON`},
		{"json array", []string{"add", "--file", arrayFile}, `fault add: --file ` + arrayFile + `: want one rule as a JSON object ({"name": …, "action": …}), got a JSON array`},
	}
	f := newFaultEnv(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errText := f.run(tt.args...)
			if code != 2 || !strings.Contains(errText, tt.want) || strings.Contains(errText, "HTTP") {
				t.Fatalf("exit %d, stderr %q; want exit 2, %q, and no answer from the API", code, errText, tt.want)
			}
		})
	}
	if n := len(f.engine.List()); n != 0 {
		t.Fatalf("%d rules added, want none", n)
	}
}
