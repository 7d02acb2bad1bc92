package sniff

import (
	"strings"
	"testing"
)

func TestHexDumpAndASCII(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"GET /", 0, "47 45 54 20 2f |GET /|"},
		{"\x16\x03\x01\x02\x00\x01", 3, "16 03 01 |...| +3 bytes"},
		{"ab", 2, "61 62 |ab|"},
		{"", 8, " ||"},
		{"\r\n\x7f\x80~", -1, "0d 0a 7f 80 7e |....~|"},
	}
	for _, tt := range tests {
		if got := HexDump([]byte(tt.in), tt.max); got != tt.want {
			t.Errorf("HexDump(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
	if got := ASCII([]byte("SSH-2.0\r\n\x00\xff")); got != "SSH-2.0...." {
		t.Errorf("ASCII = %q", got)
	}
	if s := HexDump(make([]byte, 100), 16); strings.Count(s, "00") != 16 || !strings.HasSuffix(s, "+84 bytes") {
		t.Errorf("truncated dump %q", s)
	}
}
