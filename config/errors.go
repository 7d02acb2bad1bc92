package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem found in a config file. Parse returns all of them at once,
// joined with errors.Join, so a user fixes a file in one pass instead of one error per
// run. Use errors.As to get at the location.
type Error struct {
	File string // the name given to Parse, or the path given to Load
	Line int    // 1-based line of the offending key; 0 when the problem has no single place
	Col  int    // 1-based column (in bytes) where the key starts on Line; 0 when not known
	Key  string // dotted key as written in TOML, without array indices ("listener.client_ssl.ciphers"); may be empty
	Err  error  // what is wrong, naming the key and the value seen
}

// Error renders "config: <file>:<line>:<col>: <problem>", the form editors and
// terminals turn into a jump to the place (":<col>" is left out when only the line
// is known).
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("config: %s:%s: %v", e.File, pos{Line: e.Line, Col: e.Col}, e.Err)
	}
	return fmt.Sprintf("config: %s: %v", e.File, e.Err)
}

// Unwrap returns the underlying cause, such as the *fs.PathError of a missing
// certificate file, so callers can test it with errors.Is(err, fs.ErrNotExist).
func (e *Error) Unwrap() error { return e.Err }

// problems collects errors for one file; it sorts them by line before joining so the
// output is stable even though TOML tables decode into maps.
type problems struct {
	file string
	list []*Error
}

func (p *problems) add(at pos, key string, err error) {
	p.list = append(p.list, &Error{File: p.file, Line: at.Line, Col: at.Col, Key: key, Err: err})
}

func (p *problems) addf(at pos, key string, format string, args ...any) {
	p.add(at, key, fmt.Errorf(format, args...))
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	errs := make([]error, len(p.list))
	for i, e := range p.list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// suggest returns the known key closest to an unknown one, or "" if nothing is close
// enough to be a likely typo ("cipher" → "ciphers", "Listen" → "listen", and tmsh's
// hyphens, "sni-require" → "sni_require").
func suggest(unknown string, known []string) string {
	best, bestDist := "", 64
	lu := strings.ToLower(unknown)
	for _, k := range known {
		if strings.EqualFold(k, unknown) {
			return k
		}
		// Short keys tolerate one slip; longer ones one per three letters.
		d := editDistance(lu, strings.ToLower(k))
		if d < bestDist && (d <= 1 || d <= len(k)/3) {
			best, bestDist = k, d
		}
	}
	if best == "" {
		// Field names from Go or other tools: "cert_file" → "cert", "ca_path" → "ca".
		for _, k := range known {
			if strings.HasPrefix(lu, k+"_") {
				return k
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance, capped at inputs of 64 bytes to keep
// pathological keys cheap (anything that long is no typo of ours).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
