package main

import (
	"strings"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr string
	}{
		{"real status excerpt", "Name:\ttlsgate\nVmPeak:\t  812340 kB\nVmSize:\t  812340 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   18892 kB\nThreads:\t7\n", 18892, ""},
		{"spaces instead of tabs", "VmRSS:  42 kB\n", 42, ""},
		{"last line without newline", "Name:\tx\nVmRSS:\t7 kB", 7, ""},
		{"VmRSS-like prefix is not VmRSS", "VmRSSx:\t5 kB\nVmRSS:\t6 kB\n", 6, ""},
		{"kernel thread has no VmRSS", "Name:\tkworker/0:1\nState:\tI (idle)\n", 0, "no VmRSS line"},
		{"empty", "", 0, "no VmRSS line"},
		{"unit missing", "VmRSS:\t18892\n", 0, "want \"VmRSS: <n> kB\""},
		{"other unit", "VmRSS:\t18 MB\n", 0, "want \"VmRSS: <n> kB\""},
		{"not a number", "VmRSS:\tlots kB\n", 0, "bad number"},
		{"negative", "VmRSS:\t-4 kB\n", 0, "bad number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseVmRSS = %d, %v; want error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseVmRSS = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

// FuzzParseVmRSS: whatever /proc holds, the parser answers a
// non-negative number or an error.
func FuzzParseVmRSS(f *testing.F) {
	f.Add([]byte("Name:\tx\nVmRSS:\t   18892 kB\n"))
	f.Add([]byte("VmRSS:\t18892\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseVmRSS(data)
		if err == nil && n < 0 {
			t.Fatalf("parseVmRSS(%q) = %d", data, n)
		}
	})
}
