package upstream

import "testing"

// TestAlertRecord: only bytes that begin a TLS alert record give its
// description; anything shorter or else gives -1, never a panic.
func TestAlertRecord(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want int
	}{
		{"handshake_failure", []byte{21, 3, 3, 0, 2, 2, 40}, 40},
		{"internal_error, TLS 1.0 record", []byte{21, 3, 1, 0, 2, 2, 80, 0xff}, 80},
		{"empty", nil, -1},
		{"cut short", []byte{21, 3, 3, 0, 2, 2}, -1},
		{"handshake record", []byte{22, 3, 3, 0, 2, 2, 40}, -1},
		{"length under 2", []byte{21, 3, 3, 0, 1, 2, 40}, -1},
		{"plaintext", []byte("HTTP/1.1 400"), -1},
	} {
		if got := alertRecord(tc.b); got != tc.want {
			t.Errorf("%s: alertRecord(% x) = %d, want %d", tc.name, tc.b, got, tc.want)
		}
	}
}

// FuzzAlertRecord: any bytes a backend sends before its reset give -1 or
// an alert description taken from inside them, never a panic.
func FuzzAlertRecord(f *testing.F) {
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Add([]byte{21, 3, 1, 0, 2, 2})
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := alertRecord(b)
		if got == -1 {
			return
		}
		if len(b) < 7 || b[0] != 21 || got != int(b[6]) {
			t.Fatalf("alertRecord(% x) = %d, not the description byte of an alert record", b, got)
		}
	})
}
