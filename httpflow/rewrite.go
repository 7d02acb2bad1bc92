package httpflow

import (
	"bytes"
	"slices"
	"strings"
)

// RewriteResponseHead returns a copy of a response head with the fields
// named in strip removed (case-insensitively, with any obs-fold
// continuation lines) and one field line per entry of add inserted just
// before the empty line, in sorted name order so the output is
// reproducible. Every other byte, including line ends, field order, case,
// spacing and any bytes after the head, is kept as it was. Added lines use
// the line end of the head's empty line.
//
// add does not replace: to change a field, name it in strip too. An entry
// of add whose name is not a token or whose value holds CR, LF or NUL is
// skipped, since writing it would split the head; validate such values
// where they are configured. If head does not start with a complete,
// well-formed response head it is returned unchanged (as a copy).
func RewriteResponseHead(head []byte, strip []string, add map[string]string) []byte {
	_, _, end, err := ParseResponseHead(head)
	if err != nil {
		return bytes.Clone(head)
	}
	eol := "\n"
	if head[end-2] == '\r' {
		eol = "\r\n"
	}
	names := make([]string, 0, len(add))
	extra := 0
	for name, value := range add {
		if validField(name, value) {
			names = append(names, name)
			extra += len(name) + 2 + len(value) + len(eol)
		}
	}
	slices.Sort(names)

	out := make([]byte, 0, len(head)+extra)
	i := bytes.IndexByte(head, '\n') + 1
	out = append(out, head[:i]...) // status line
	skipping := false
	for {
		j := i + bytes.IndexByte(head[i:], '\n') + 1
		line := head[i:j]
		if len(trimCR(line[:len(line)-1])) == 0 {
			break // the empty line; ParseResponseHead guarantees one
		}
		if line[0] != ' ' && line[0] != '\t' {
			name := line[:bytes.IndexByte(line, ':')]
			skipping = slices.ContainsFunc(strip, func(s string) bool { return bytes.EqualFold(name, []byte(s)) })
		}
		if !skipping {
			out = append(out, line...)
		}
		i = j
	}
	for _, name := range names {
		out = append(out, name...)
		out = append(out, ": "...)
		out = append(out, add[name]...)
		out = append(out, eol...)
	}
	return append(out, head[i:]...)
}

func validField(name, value string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTchar(name[i]) {
			return false
		}
	}
	return !strings.ContainsAny(value, "\r\n\x00")
}
