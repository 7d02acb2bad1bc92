package main

import (
	"bytes"
	"context"
	"math"
	"testing"
)

// TestNoteAndTargetLines: the lines the subcommands print are ones report
// takes back.
func TestNoteAndTargetLines(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{
		{"note", "--section", "S", "--text", "no rule fired"},
		{"target", "--section", "S", "--group", "g", "--name", "n", "--min-ratio", "0.35", "--text", "≥ 0.35×"},
		{"target", "--group", "pki", "--name", "MintCold", "--max-value", "2e6"},
	} {
		if code := run(context.Background(), args, osEnv(&out, &errOut)); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
	}
	rs, err := parseResults(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Mode != modeNote || rs[0].Text != "no rule fired" || rs[0].Section != "S" {
		t.Fatalf("parsed %+v", rs)
	}
	if x := rs[1].Expect; rs[1].Mode != modeTarget || x == nil || x.MinRatio != 0.35 || rs[1].Group != "g" || rs[1].Name != "n" {
		t.Errorf("target line parsed as %+v", rs[1])
	}
	if x := rs[2].Expect; x == nil || x.MaxValue != 2e6 {
		t.Errorf("target line parsed as %+v", rs[2])
	}
}

func TestExpectCheck(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name         string
		x            expect
		value, ratio float64
		want         bool
	}{
		{"ratio above the floor", expect{MinRatio: 0.35}, 1, 0.4, true},
		{"ratio below the floor", expect{MinRatio: 0.35}, 1, 0.3, false},
		{"ratio on the floor", expect{MinRatio: 0.35}, 1, 0.35, true},
		{"unknown ratio fails", expect{MinRatio: 0.35}, 1, nan, false},
		{"value under the ceiling", expect{MaxValue: 2e6}, 1.5e6, nan, true},
		{"value over the ceiling", expect{MaxValue: 2e6}, 2.5e6, nan, false},
		{"both bounds, one fails", expect{MinValue: 10, MaxRatio: 1.1}, 20, 1.2, false},
		{"both bounds hold", expect{MinValue: 10, MaxRatio: 1.1}, 20, 1.05, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.x.check(tt.value, tt.ratio); got != tt.want {
				t.Errorf("check(%v, %v) = %v; want %v", tt.value, tt.ratio, got, tt.want)
			}
		})
	}
}
