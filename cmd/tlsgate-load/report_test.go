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

	rs, err := parseResults([]byte(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeReport(&out, rs, "haproxy"); err != nil {
		t.Fatal(err)
	}
	got := out.String()
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
