package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func line(t *testing.T, r result) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// render parses result lines and returns the report they make, with
// HAProxy as the CPU and pairing baseline.
func render(t *testing.T, lines string) string {
	t.Helper()
	rs, err := parseResults([]byte(lines))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeReport(&out, rs, "haproxy"); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestReport(t *testing.T) {
	var in strings.Builder
	in.WriteString("# bench run\n\n")
	for _, v := range []float64{1000, 900, 1100} {
		in.WriteString(line(t, result{Mode: "bulk", Group: "bulk TLS", Name: "direct", Value: v, Unit: "MB/s", TLSInfo: "TLS 1.3 TLS_AES_128_GCM_SHA256 X25519"}))
		in.WriteString(line(t, result{Mode: "bulk", Group: "bulk TLS", Name: "tlsgate", Value: v / 2, Unit: "MB/s", Errors: 1}))
		in.WriteString(line(t, result{Mode: "handshakes", Group: "handshakes", Name: "direct", Value: v, Unit: "hs/s", TLSInfo: "TLS 1.3 TLS_AES_128_GCM_SHA256 X25519"}))
		in.WriteString(line(t, result{Mode: "handshakes", Group: "handshakes", Name: "haproxy", Value: v, Unit: "hs/s", TLSInfo: "TLS 1.3 TLS_AES_256_GCM_SHA384 X25519"}))
	}
	for _, p := range []float64{50, 60, 40} {
		in.WriteString(line(t, result{Mode: "latency", Group: "latency plain", Name: "direct", Value: p, Unit: "µs p50", P50us: p, P99us: p * 2}))
		in.WriteString(line(t, result{Mode: "latency", Group: "latency plain", Name: "haproxy", Value: p + 30, Unit: "µs p50", P50us: p + 30, P99us: p*2 + 100, Cut: true}))
	}
	in.WriteString(line(t, result{Mode: "idle", Group: "idle memory", Name: "tlsgate", Value: 12.5, Unit: "KiB/conn"}))
	for _, c := range []float64{100, 120, 110} {
		in.WriteString(line(t, result{Mode: "connrate", Group: "conns", Name: "tlsgate", Value: 1000, Unit: "conn/s", Ops: 1000, CPUms: 2 * c, CPUPid: 7}))
		in.WriteString(line(t, result{Mode: "connrate", Group: "conns", Name: "haproxy", Value: 2000, Unit: "conn/s", Ops: 1000, CPUms: c, CPUPid: 8}))
	}

	got := render(t, in.String())
	for _, want := range []string{
		"| bulk TLS | direct | 1000 | 900 – 1100 | MB/s | 1.00× | 3 | 0 |",
		"| bulk TLS | tlsgate | 500 | 450 – 550 | MB/s | 0.50× | 3 | 3 |",
		"| idle memory | tlsgate | 12.5 | 12.5 – 12.5 | KiB/conn | — | 1 | 0 |",
		"| latency plain | direct | 50.0 | 40.0 – 60.0 | 100 | 80.0 – 120 | +0 | +0 | 1.00× | 3 | 0 |",
		"| latency plain | haproxy | 80.0 | 70.0 – 90.0 | 200 | 180 – 220 | +30 | +100 | 1.60× | 3 | 0 |",
		"bulk TLS: TLS 1.3 TLS_AES_128_GCM_SHA256 X25519\n",
		"handshakes: direct: TLS 1.3 TLS_AES_128_GCM_SHA256 X25519; haproxy: TLS 1.3 TLS_AES_256_GCM_SHA384 X25519",
		"latency plain / haproxy: 3 run(s) ended by the duration bound",
		"| test | target | CPU median | min – max | unit | vs haproxy | runs |",
		"| conns | tlsgate | 220 | 200 – 240 | CPU µs/conn | 2.00× | 3 |",
		"| conns | haproxy | 110 | 100 – 120 | CPU µs/conn | 1.00× | 3 |",
		"| test | target | over haproxy in the same repetition, median | min – max | repetitions ahead | unpaired runs |",
		"| conns | tlsgate | 0.500× | 0.500 – 0.500 | 0 of 3 | 0 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q\n%s", want, got)
		}
	}
	if strings.Index(got, "bulk TLS") > strings.Index(got, "idle memory") {
		t.Errorf("groups are not in the order they ran:\n%s", got)
	}
}

func TestParseResultsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"not json", "MB/s 1000\n", "line 1"},
		{"json but not a result", "{}\n", "not a tlsgate-load result"},
		{"error on a later line", `{"mode":"bulk","unit":"MB/s","value":1}` + "\n\n{oops\n", "line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseResults([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzParseResults: any input either fails cleanly or yields results a
// report can be written from.
func FuzzParseResults(f *testing.F) {
	f.Add([]byte(`{"mode":"bulk","group":"g","name":"direct","unit":"MB/s","value":1}` + "\n"))
	f.Add([]byte(`{"mode":"latency","unit":"µs p50","p50_us":3,"p99_us":4}` + "\n# c\n"))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parseResults(data)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := writeReport(&out, rs, "haproxy"); err != nil {
			t.Fatalf("writeReport: %v", err)
		}
	})
}

// TestReportSections checks what the sectioned bench report relies on:
// headings in first-seen order, a baseline other than direct, CPU
// compared with the metered baseline or a qualified cpu-baseline name,
// connection-time headlines in the latency table, targets, notes, and one
// command per row (one per package for Go benchmarks).
func TestReportSections(t *testing.T) {
	var in strings.Builder
	add := func(r result) { in.WriteString(line(t, r)) }
	const core, ins, flt = "Core gateway (issue 2)", "Inspect mode (issue 3)", "Fault engine (issue 4)"
	for _, v := range []float64{1000, 800, 1200} {
		add(result{Section: ins, Mode: "connrate", Group: "warm", Name: "direct", Value: v, Unit: "conn/s", Command: "tlsgate-load connrate --target 127.0.0.1:1"})
		add(result{Section: ins, Mode: "connrate", Group: "warm", Name: "tlsgate inspect", Value: v * 0.4, Unit: "conn/s", Ops: 100, CPUPid: 5, CPUms: 100, Command: "tlsgate-load connrate --target 127.0.0.1:2"})
		add(result{Section: ins, Mode: "connrate", Group: "warm", Name: "haproxy re-encrypt", Value: v * 0.3, Unit: "conn/s", Ops: 100, CPUPid: 6, CPUms: 50, Command: "tlsgate-load connrate --target 127.0.0.1:3"})
	}
	add(result{Section: core, Mode: "bulk", Group: "bulk", Name: "direct", Value: 10, Unit: "MB/s"})
	add(result{Section: ins, Mode: modeGoBench, Group: "pki", Name: "MintCold", Value: 150000, Unit: "ns/op", Extra: map[string]float64{"B/op": 4000}, Command: "go test -bench MintCold ./pki"})
	add(result{Section: ins, Mode: modeGoBench, Group: "pki", Name: "LeafWarm", Value: 100, Unit: "ns/op", Command: "go test -bench MintCold ./pki"})
	add(result{Section: ins, Mode: modeTarget, Group: "warm", Name: "tlsgate inspect", Text: "inspect ≥ 0.35× direct", Expect: &expect{MinRatio: 0.35}})
	add(result{Section: ins, Mode: modeTarget, Group: "warm", Name: "haproxy re-encrypt", Expect: &expect{MinRatio: 0.35}})
	add(result{Section: ins, Mode: modeTarget, Group: "pki", Name: "MintCold", Text: "cold mint under 2 ms", Expect: &expect{MaxValue: 2e6}})
	add(result{Section: ins, Mode: modeTarget, Group: "cold", Name: "tlsgate inspect", Text: "never ran", Expect: &expect{MinRatio: 0.35}})
	add(result{Section: ins, Mode: modeNote, Text: "backend tally: 0 resumed"})
	for _, n := range []struct {
		name string
		p50  float64
		cpu  float64
	}{{"0 rules", 1000, 400}, {"10 rules", 1010, 404}, {"1000 rules", 1100, 480}} {
		add(result{Section: flt, Mode: "connrate", Group: "one at a time", Name: n.name, Baseline: "0 rules", Value: n.p50, Unit: "µs p50",
			P50us: n.p50, P99us: 2 * n.p50, Ops: 1000, CPUPid: 5, CPUms: n.cpu})
	}

	got := render(t, in.String())
	for _, want := range []string{
		"## Inspect mode (issue 3)\n",
		"| warm | tlsgate inspect | 400 | 320 – 480 | conn/s | 0.40× | 3 | 0 |",
		"| test | target | CPU median | min – max | unit | vs haproxy re-encrypt | runs |",
		"| warm | tlsgate inspect | 1000 | 1000 – 1000 | CPU µs/conn | 2.00× | 3 |",
		"| pki | MintCold | 150000 | 150000 – 150000 | ns/op | 4000 B/op | 1 |",
		"| inspect ≥ 0.35× direct | warm / tlsgate inspect | 0.40× direct (400 conn/s) | met |",
		"| ≥ 0.35× baseline | warm / haproxy re-encrypt | 0.30× direct (300 conn/s) | **not met** |",
		"| cold mint under 2 ms | pki / MintCold | 150000 ns/op | met |",
		"| never ran | cold / tlsgate inspect | — | not measured |",
		"- backend tally: 0 resumed\n",
		"- warm / tlsgate inspect: `tlsgate-load connrate --target 127.0.0.1:2`\n",
		"- pki: `go test -bench MintCold ./pki`\n",
		"## Fault engine (issue 4)\n",
		"| one at a time | 1000 rules | 1100 | 1100 – 1100 | 2200 | 2200 – 2200 | +100 | +200 | 1.10× | 1 | 0 |",
		"| test | target | CPU median | min – max | unit | vs 0 rules | runs |",
		"| one at a time | 1000 rules | 480 | 480 – 480 | CPU µs/conn | 1.20× | 1 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q\n%s", want, got)
		}
	}
	if strings.Count(got, "go test -bench MintCold ./pki") != 1 {
		t.Errorf("the Go benchmark command should be listed once for its package:\n%s", got)
	}
	if i, j, k := strings.Index(got, "## Inspect"), strings.Index(got, "## Core"), strings.Index(got, "## Fault"); !(i < j && j < k) {
		t.Errorf("sections are not in first-seen order (inspect %d, core %d, faults %d)", i, j, k)
	}
	// A section's own rows only: the core bulk row is not in the inspect tables.
	inspect := got[strings.Index(got, "## Inspect"):strings.Index(got, "## Core")]
	if strings.Contains(inspect, "| bulk |") {
		t.Errorf("the inspect section holds the core section's row:\n%s", inspect)
	}
}

func TestParseResultsAnnotations(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"note without text", `{"mode":"note"}`, "a note without text"},
		{"target without row", `{"mode":"target","expect":{"min_ratio":1}}`, "without group, name and expect"},
		{"target without bound", `{"mode":"target","group":"g","name":"n","expect":{}}`, "needs a bound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseResults([]byte(tt.in + "\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want %q", err, tt.want)
			}
		})
	}
}
