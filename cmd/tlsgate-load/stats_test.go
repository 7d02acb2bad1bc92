package main

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func ms(vs ...int) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func repeatInt(n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
		ok     bool
	}{
		{"empty", nil, 50, 0, false},
		{"p zero is out of range", ms(1, 2, 3), 0, 0, false},
		{"p over 100 is out of range", ms(1, 2, 3), 100.5, 0, false},
		{"NaN", ms(1, 2, 3), math.NaN(), 0, false},
		{"one sample is every percentile", ms(7), 1, 7 * time.Millisecond, true},
		{"one sample p99", ms(7), 99, 7 * time.Millisecond, true},
		{"p50 of odd count is the middle", ms(1, 2, 3), 50, 2 * time.Millisecond, true},
		{"p50 of even count is the lower middle (nearest rank)", ms(1, 2, 3, 4), 50, 2 * time.Millisecond, true},
		{"p100 is the max", ms(1, 2, 3, 4), 100, 4 * time.Millisecond, true},
		{"p99 of 100 samples is the 99th", hundred, 99, 99 * time.Millisecond, true},
		{"p90 of 100 samples is the 90th", hundred, 90, 90 * time.Millisecond, true},
		{"p99.9 of 100 samples rounds up to the max", hundred, 99.9, 100 * time.Millisecond, true},
		{"p1 of 100 samples is the min", hundred, 1, 1 * time.Millisecond, true},
		{"tiny p is the min", hundred, 0.001, 1 * time.Millisecond, true},
		{"p99 of 10 samples is the max", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond, true},
		{"p90 of 10 samples is the 9th", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := percentile(tt.sorted, tt.p)
			if got != tt.want || ok != tt.ok {
				t.Errorf("percentile(p=%v) = %v, %v; want %v, %v", tt.p, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name    string
		samples []time.Duration
		want    latencySummary
	}{
		{"none", nil, latencySummary{}},
		{"unsorted input is sorted first", ms(5, 1, 4, 2, 3), latencySummary{
			N: 5, P50: 3 * time.Millisecond, P90: 5 * time.Millisecond, P99: 5 * time.Millisecond,
			Max: 5 * time.Millisecond, Mean: 3 * time.Millisecond,
		}},
		{"outlier shows in max and p99 only", append(ms(repeatInt(99, 1)...), ms(101)...), latencySummary{
			N: 100, P50: time.Millisecond, P90: time.Millisecond, P99: time.Millisecond,
			Max: 101 * time.Millisecond, Mean: 2 * time.Millisecond,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summarize(tt.samples); got != tt.want {
				t.Errorf("summarize = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{10, 10, 1, 1000, 11}, 10},
	}
	for _, tt := range tests {
		in := append([]float64(nil), tt.in...)
		if got := median(in); got != tt.want {
			t.Errorf("median(%v) = %v; want %v", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Errorf("median changed its input: %v became %v", tt.in, in)
				break
			}
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) should be NaN")
	}
}

func TestResultPrint(t *testing.T) {
	r := result{Mode: "latency", Section: "Core", Group: "latency plain", Name: "direct", Baseline: "direct",
		Command: "tlsgate-load latency --target 127.0.0.1:1", Target: "127.0.0.1:1", CPUPid: 3, CPUPids: []int{3, 4},
		CPUms: 20, Extra: map[string]float64{"B/op": 1}, Concurrency: 1, Ops: 10, Value: 75, Unit: "µs p50", P50us: 75, P90us: 80, P99us: 99, MaxUs: 120}
	var js bytes.Buffer
	if err := r.print(&js, true); err != nil {
		t.Fatal(err)
	}
	if strings.Count(js.String(), "\n") != 1 {
		t.Fatalf("JSON output is not one line: %q", js.String())
	}
	var back result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip: got %+v; want %+v", back, r)
	}
	var txt bytes.Buffer
	if err := r.print(&txt, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency direct (127.0.0.1:1): 75.0 µs p50", "p99 99"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text output %q lacks %q", txt.String(), want)
		}
	}
}
