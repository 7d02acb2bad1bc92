package main

import (
	"strings"
	"testing"
)

// TestPairedTable: each target over HAProxy, run by run within a
// repetition, whatever order or failures the runs came in.
func TestPairedTable(t *testing.T) {
	type run struct {
		name string
		rep  int
		v    float64
	}
	for _, tt := range []struct {
		name   string
		mode   string
		unit   string
		runs   []run
		want   []string
		absent []string
	}{
		{
			name: "labelled, one failure each side",
			mode: "connrate", unit: "conn/s",
			// tlsgate failed in repetition 2 and HAProxy in 4: by index
			// the last two would pair 3000/4000 and 2000/5000.
			runs: []run{{"direct", 1, 9000}, {"tlsgate", 1, 1000}, {"haproxy", 1, 2000},
				{"haproxy", 2, 1000},
				{"tlsgate", 3, 3000}, {"haproxy", 3, 4000},
				{"tlsgate", 4, 2000},
				{"tlsgate", 5, 6000}, {"haproxy", 5, 5000}},
			want: []string{"| conns | tlsgate | 0.750× | 0.500 – 1.200 | 1 of 3 | 1 |"},
		},
		{
			name: "unlabelled, same counts pair by index",
			mode: "handshakes", unit: "hs/s",
			runs: []run{{"tlsgate", 0, 1000}, {"haproxy", 0, 2000}, {"tlsgate", 0, 3000}, {"haproxy", 0, 1000},
				{"tlsgate", 0, 2000}, {"haproxy", 0, 4000}},
			want: []string{"| conns | tlsgate | 0.500× | 0.500 – 3.000 | 1 of 3 | 0 |"},
		},
		{
			name: "unlabelled, different counts are not paired",
			mode: "connrate", unit: "conn/s",
			runs:   []run{{"tlsgate", 0, 1000}, {"haproxy", 0, 2000}, {"tlsgate", 0, 3000}, {"haproxy", 0, 1000}, {"tlsgate", 0, 1}},
			absent: []string{"same repetition"},
		},
		{
			name: "a qualified baseline name, a zero baseline run",
			mode: "bulk", unit: "MB/s",
			runs: []run{{"tlsgate", 1, 100}, {"haproxy re-encrypt", 1, 50}, {"tlsgate", 2, 100}, {"haproxy re-encrypt", 2, 0},
				{"tlsgate", 3, 100}, {"haproxy re-encrypt", 3, 200}},
			want: []string{"| conns | tlsgate | 1.250× | 0.500 – 2.000 | 1 of 2 | 1 |"},
		},
		{
			name: "one run is not a pairing",
			mode: "connrate", unit: "conn/s",
			runs:   []run{{"tlsgate", 1, 1000}, {"haproxy", 1, 2000}},
			absent: []string{"same repetition"},
		},
		{
			name: "latency headline rows are not rates",
			mode: "connrate", unit: "µs p50",
			runs:   []run{{"tlsgate", 1, 100}, {"haproxy", 1, 200}, {"tlsgate", 2, 100}, {"haproxy", 2, 200}},
			absent: []string{"same repetition"},
		},
		{
			name: "no HAProxy in the test",
			mode: "connrate", unit: "conn/s",
			runs:   []run{{"direct", 1, 2000}, {"tlsgate", 1, 1000}, {"direct", 2, 2000}, {"tlsgate", 2, 1000}},
			absent: []string{"same repetition"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var in strings.Builder
			for _, r := range tt.runs {
				in.WriteString(line(t, result{Mode: tt.mode, Group: "conns", Name: r.name, Rep: r.rep, Value: r.v, Unit: tt.unit}))
			}
			got := render(t, in.String())
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("missing %q in:\n%s", want, got)
				}
			}
			for _, no := range tt.absent {
				if strings.Contains(got, no) {
					t.Errorf("unexpected %q in:\n%s", no, got)
				}
			}
		})
	}
}
