package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/tlsgate/tlsgate/faults"
)

// ruleTOML writes a rule as a [[fault]] table. The rule's JSON form is the
// schema config decodes [[fault]] with, so going through it writes every
// field under the name config reads, in the spelling it accepts (durations
// as "1s", alerts and versions by name). Only config may import a TOML
// library, hence this small writer for flat values.
func ruleTOML(r faults.Rule) string {
	raw, err := json.Marshal(r)
	if err != nil {
		// A Rule holds only strings, numbers and their text forms.
		return fmt.Sprintf("# lab: cannot render rule %q: %v\n", r.Name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return fmt.Sprintf("# lab: cannot render rule %q: %v\n", r.Name, err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Who and what first, as a reader scans a rule; the rest by name.
	first := []string{"name", "listener", "sni", "stage", "direction", "action"}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(first, a), slices.Index(first, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	var b strings.Builder
	b.WriteString("[[fault]]\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, tomlValue(m[k]))
	}
	return b.String()
}

// tomlValue writes a JSON-decoded scalar or list of scalars as TOML.
func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = tomlValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return quote(fmt.Sprint(v))
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func quoteList(l []string) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
