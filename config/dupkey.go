package config

import (
	"regexp"

	"github.com/BurntSushi/toml"
)

// dupKeyMessage is toml's wording for a key or table defined twice.
var dupKeyMessage = regexp.MustCompile(`^Key '(.+)' has already been defined\.$`)

// firstDefinition finds where a key that toml reports as defined twice
// was set first: the error names only the second place (at), and in a
// long file, or one pasted together from two, the first is the one to
// find. The source before the second place is located, and of the places
// with the key's path (array indices aside) the last one wins: in an
// array of tables that is the element the duplicate is in. The zero pos
// when it is not found.
func firstDefinition(src []byte, pe toml.ParseError, at pos) pos {
	m := dupKeyMessage.FindStringSubmatch(pe.Message)
	if m == nil || at.Col == 0 || pe.Position.Start <= 0 || pe.Position.Start > len(src) {
		return pos{} // no column: the offset disagreed with the line (syntaxPos)
	}
	var first pos
	for k, p := range locate(src[:pe.Position.Start]) {
		if dropIndices(k) != m[1] || p.Line > at.Line || p.Line == at.Line && p.Col >= at.Col {
			continue
		}
		if p.Line > first.Line || p.Line == first.Line && p.Col > first.Col {
			first = p
		}
	}
	return first
}
