package config

import (
	"testing"

	"github.com/BurntSushi/toml"
)

func TestLocate(t *testing.T) {
	src := `# comment [not.a.table]
top = "a # not a comment"     # 2
[log]                         # 3
format = 'x'                  # 4
"quoted.key" = 1              # 5
"esc\u0041ped" = 1            # 6
  spaced . dotted = true      # 7

[[listener]]                  # 9
name = """
multi [[fake]]
line = 3 """                  # 12
ciphers = [                   # 13
  "A",                        # 14
  # comment
  'B', [1, 2],                # 16
]
client_ssl = { cert = "c",    # 18
  key = "k" }                 # 19

[[listener]]                  # 21
when = 1979-05-27 07:32:00Z   # 22
[listener.client_ssl]         # 23
cert = '''
'''''                         # 25
key = "k"                     # 26
[ listener . server_ssl ]     # 27
ca = "c"                      # 28
[[listener.nested]]           # 29
x = 1                         # 30
[[listener]]                  # 31
inline = [{a = 1}, {b = [{c = 2}]}] # 32
`
	want := map[string]int{
		"top":                          2,
		"log":                          3,
		"log.format":                   4,
		`log."quoted.key"`:             5,
		"log.escAped":                  6,
		"log.spaced":                   7,
		"log.spaced.dotted":            7,
		"listener":                     9,
		"listener[0]":                  9,
		"listener[0].name":             10,
		"listener[0].ciphers":          13,
		"listener[0].ciphers[0]":       14,
		"listener[0].ciphers[1]":       16,
		"listener[0].ciphers[2]":       16,
		"listener[0].ciphers[2][1]":    16,
		"listener[0].client_ssl":       18,
		"listener[0].client_ssl.cert":  18,
		"listener[0].client_ssl.key":   19,
		"listener[1]":                  21,
		"listener[1].when":             22,
		"listener[1].client_ssl":       23,
		"listener[1].client_ssl.cert":  24,
		"listener[1].client_ssl.key":   26,
		"listener[1].server_ssl":       27,
		"listener[1].server_ssl.ca":    28,
		"listener[1].nested[0]":        29,
		"listener[1].nested[0].x":      30,
		"listener[2]":                  31,
		"listener[2].inline[0].a":      32,
		"listener[2].inline[1].b[0].c": 32,
	}
	var m map[string]any
	if _, err := toml.Decode(src, &m); err != nil {
		t.Fatalf("test input is not valid TOML: %v", err)
	}
	got := locate([]byte(src))
	for path, line := range want {
		p, ok := got[path]
		if !ok {
			t.Errorf("%s: not located", path)
			continue
		}
		if p.Line != line {
			t.Errorf("%s: line %d, want %d", path, p.Line, line)
		}
	}
	for _, bogus := range []string{"not", "fake", "listener[0].fake", "listener[0].line", "listener[3]"} {
		if _, ok := got[bogus]; ok {
			t.Errorf("%s located, but it is inside a comment or string", bogus)
		}
	}
	if missing := unlocated(m, got); len(missing) > 0 {
		t.Errorf("decoded keys with no position: %v", missing)
	}
}

// unlocated walks a decoded TOML document and returns the paths locate missed.
func unlocated(m map[string]any, at map[string]pos) []string {
	var missing []string
	var walk func(path string, v any)
	check := func(path string, v any) {
		if _, ok := at[path]; !ok {
			missing = append(missing, path)
		}
		walk(path, v)
	}
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				check(pathKey(path, k), e)
			}
		case []map[string]any:
			for i, e := range x {
				check(pathIndex(path, i), e)
			}
		case []any:
			for i, e := range x {
				check(pathIndex(path, i), e)
			}
		}
	}
	walk("", m)
	return missing
}

func TestLocateColumn(t *testing.T) {
	got := locate([]byte("[a]\n  key = 1\n"))
	if p := got["a.key"]; p != (pos{Line: 2, Col: 3}) {
		t.Errorf("a.key at %+v, want line 2 col 3", p)
	}
}

func TestUnescapeBasic(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`a\tb`, "a\tb"},
		{`\u00e9\U0001F600`, "é😀"},
		{`\x41\e`, "A\x1b"},
		{`\"\\`, `"\`},
		{`\u12`, `\u12`},           // too short: kept as written
		{`\uD800`, `\uD800`},       // surrogate: kept
		{`trailing\`, `trailing\`}, // lone backslash at the end
		{`\q`, `\q`},
	}
	for _, tt := range tests {
		if got := unescapeBasic(tt.in); got != tt.want {
			t.Errorf("unescapeBasic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
