package faults

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestReadmeChainList: README's certificates row names exactly the chains
// that validation accepts. It once listed "good", which config and the
// admin API reject: the good chain with a skew is a rule with no chain.
func TestReadmeChainList(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for line := range strings.Lines(string(readme)) {
		if strings.HasPrefix(line, "| certificates | `chain` = ") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("README has no \"| certificates | `chain` = …\" row")
	}
	// The names are the backquoted words before the first ';'.
	list, _, _ := strings.Cut(strings.TrimPrefix(row, "| certificates | `chain` = "), ";")
	var got []string
	for _, m := range regexp.MustCompile("`([a-z0-9_]+)`").FindAllStringSubmatch(list, -1) {
		got = append(got, m[1])
	}
	var want []string
	for _, c := range Chains() {
		want = append(want, string(c))
	}
	if !slices.Equal(got, want) {
		t.Errorf("README chains:\n %v\nChains():\n %v", got, want)
	}
}
