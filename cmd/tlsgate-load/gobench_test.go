package main

import (
	"strings"
	"testing"
)

const goBenchOutput = `goos: linux
goarch: amd64
pkg: github.com/tlsgate/tlsgate/faults
cpu: AMD EPYC
BenchmarkPlan/rules=0-2   	30201333	        13.58 ns/op	         0 firings/conn	       0 B/op	       0 allocs/op
BenchmarkPlan/rules=1000-2         	   22360	     13479 ns/op	         1.499 firings/conn	     240 B/op	       3 allocs/op
BenchmarkNoisy-2
    bench_test.go:12: BenchmarkNoisy logs a line
PASS
ok  	github.com/tlsgate/tlsgate/faults	2.275s
pkg: github.com/tlsgate/tlsgate/pki
BenchmarkMintCold-2       	    2379	    151558 ns/op
BenchmarkParse-v2-16   	  285400	      1641 ns/op	 914.22 MB/s
`

func TestParseGoBench(t *testing.T) {
	rs, err := parseGoBench([]byte(goBenchOutput))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		group, name string
		ns          float64
		iters       int64
		extra       map[string]float64
	}{
		{"faults", "Plan/rules=0", 13.58, 30201333, map[string]float64{"firings/conn": 0, "B/op": 0, "allocs/op": 0}},
		{"faults", "Plan/rules=1000", 13479, 22360, map[string]float64{"firings/conn": 1.499, "B/op": 240, "allocs/op": 3}},
		{"pki", "MintCold", 151558, 2379, nil},
		{"pki", "Parse-v2", 1641, 285400, map[string]float64{"MB/s": 914.22}},
	}
	if len(rs) != len(want) {
		t.Fatalf("%d results; want %d: %+v", len(rs), len(want), rs)
	}
	for i, w := range want {
		r := rs[i]
		if r.Mode != modeGoBench || r.Group != w.group || r.Name != w.name || r.Value != w.ns || r.Unit != "ns/op" || r.Ops != w.iters {
			t.Errorf("result %d = %+v; want %s/%s %v ns/op over %d", i, r, w.group, w.name, w.ns, w.iters)
		}
		if len(r.Extra) != len(w.extra) {
			t.Errorf("result %d extra = %v; want %v", i, r.Extra, w.extra)
		}
		for u, v := range w.extra {
			if got, ok := r.Extra[u]; !ok || got != v {
				t.Errorf("result %d extra[%s] = %v, %v; want %v", i, u, got, ok, v)
			}
		}
	}
}

func TestParseGoBenchErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"odd pairs", "BenchmarkX-2  10  5 ns/op 3\n", "value-unit pairs"},
		{"no ns/op", "BenchmarkX-2  10  5 B/op 3 allocs/op\n", "no ns/op"},
		{"bad value", "BenchmarkX-2  10  fast ns/op\n", `value "fast"`},
		{"infinite value", "BenchmarkX-2  10  +Inf ns/op\n", "not a number"},
		{"zero iterations", "BenchmarkX-2  0  5 ns/op\n", "0 iterations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseGoBench([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "line 1") {
				t.Fatalf("err = %v; want one naming line 1 and %q", err, tt.want)
			}
		})
	}
}

func TestBenchName(t *testing.T) {
	for in, want := range map[string]string{
		"BenchmarkPlan/rules=10-2": "Plan/rules=10",
		"BenchmarkJA4-16":          "JA4",
		"BenchmarkJA4":             "JA4",
		"BenchmarkA/b-c":           "A/b-c",
		"BenchmarkA-":              "A-",
	} {
		if got := benchName(in); got != want {
			t.Errorf("benchName(%q) = %q; want %q", in, got, want)
		}
	}
}

// FuzzParseGoBench: any input either fails cleanly or yields results that
// report accepts and can print.
func FuzzParseGoBench(f *testing.F) {
	f.Add([]byte(goBenchOutput))
	f.Add([]byte("BenchmarkX-2 1 1 ns/op\n"))
	f.Add([]byte("BenchmarkX-2 1 NaN ns/op\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parseGoBench(data)
		if err != nil {
			return
		}
		for _, r := range rs {
			if err := r.valid(); err != nil {
				t.Fatalf("parsed result %+v is not valid: %v", r, err)
			}
			if r.Ops <= 0 {
				t.Fatalf("parsed result with %d iterations", r.Ops)
			}
		}
		var out strings.Builder
		if err := writeReport(&out, rs, "haproxy"); err != nil {
			t.Fatal(err)
		}
	})
}
