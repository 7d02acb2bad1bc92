package main

import (
	"math"
	"strings"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	// Field 14 (utime) is 1200 and 15 (stime) is 34 in the real line.
	real := "6083 (tlsgate) S 6000 6083 6000 0 -1 4194560 21690 0 0 0 1200 34 0 0 20 0 7 0 8713 1256058880 6003 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr string
	}{
		{"real line", real, 1234, ""},
		{"name with spaces and parens", strings.Replace(real, "(tlsgate)", "(a (b) c)", 1), 1234, ""},
		{"name that looks like fields", strings.Replace(real, "(tlsgate)", "(1 2 3 4 5 6 7 8 9 10 11 12))", 1), 1234, ""},
		{"no name", "6083 tlsgate S 1 2", 0, "no ')'"},
		{"cut short", "6083 (x) S 1 2 3 4 5 6 7 8 9", 0, "want at least 13"},
		{"bad number", strings.Replace(real, " 1200 ", " 12x0 ", 1), 0, "bad CPU time"},
		{"negative", strings.Replace(real, " 1200 ", " -5 ", 1), 0, "bad CPU time"},
		{"empty", "", 0, "no ')'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseProcStat = %d, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseProcStat = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestCPUPerWork(t *testing.T) {
	tests := []struct {
		name     string
		r        result
		want     float64
		wantUnit string
		ok       bool
	}{
		{"not metered", result{Mode: "connrate", Ops: 10, CPUms: 5}, 0, "", false},
		{"bulk per GB", result{Mode: "bulk", Bytes: 500_000_000, CPUms: 250, CPUPid: 1}, 500, "CPU ms/GB", true},
		{"conn per conn", result{Mode: "connrate", Ops: 1000, CPUms: 120, CPUPid: 1}, 120, "CPU µs/conn", true},
		{"handshake", result{Mode: "handshakes", Ops: 400, CPUms: 100, CPUPid: 1}, 250, "CPU µs/handshake", true},
		{"request", result{Mode: "latency", Ops: 5000, CPUms: 50, CPUPid: 1}, 10, "CPU µs/request", true},
		{"no work", result{Mode: "latency", CPUms: 50, CPUPid: 1}, 0, "", false},
		{"idle is not metered", result{Mode: "idle", Ops: 5, CPUms: 50, CPUPid: 1}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, unit, ok := cpuPerWork(tt.r)
			if ok != tt.ok || unit != tt.wantUnit || math.Abs(v-tt.want) > 1e-9 {
				t.Errorf("cpuPerWork = %v %q %v; want %v %q %v", v, unit, ok, tt.want, tt.wantUnit, tt.ok)
			}
		})
	}
}

// FuzzParseProcStat: any stat text gives a non-negative tick count or an
// error.
func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("6083 (tlsgate) S 6000 6083 6000 0 -1 4194560 21690 0 0 0 1200 34 0 0 20 0 7 0\n"))
	f.Add([]byte("1 ((x)) R"))
	f.Add([]byte(")"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseProcStat(data)
		if err == nil && n < 0 {
			t.Fatalf("parseProcStat(%q) = %d", data, n)
		}
	})
}
