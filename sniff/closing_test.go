package sniff

import "testing"

func TestClosingRecord(t *testing.T) {
	enc13 := append([]byte{23, 3, 3, 0, EncryptedAlertLen}, make([]byte, EncryptedAlertLen)...)
	tests := []struct {
		name string
		head []byte
		n    int // the read's length; 0 means len(head)
		want bool
	}{
		{"close_notify in the clear", []byte{21, 3, 3, 0, 2, 1, 0}, 0, true},
		{"fatal alert in the clear", []byte{21, 3, 1, 0, 2, 2, 48}, 0, true},
		{"user_canceled warning", []byte{21, 3, 3, 0, 2, 1, 90}, 0, false},
		{"alert with a bad level", []byte{21, 3, 3, 0, 2, 9, 0}, 0, false},
		{"plaintext alert cut short", []byte{21, 3, 3, 0, 2, 1}, 7, false},
		{"TLS 1.2 encrypted alert (AES-GCM)", []byte{21, 3, 3, 0, 26, 0, 0, 0}, 31, true},
		{"TLS 1.3 encrypted alert size", enc13[:8], len(enc13), true},
		{"TLS 1.3 record of another size", []byte{23, 3, 3, 0, 53, 0, 0, 0}, 58, false},
		{"alert-sized record and more in one read", enc13[:8], len(enc13) + 5, false},
		{"part of a record", []byte{21, 3, 3, 0, 26, 0, 0, 0}, 20, false},
		{"handshake record", []byte{22, 3, 3, 0, 2, 1, 0}, 0, false},
		{"not TLS", []byte("GET / HTTP/1.1\r\n"), 0, false},
		{"record version beyond TLS 1.3", []byte{21, 3, 5, 0, 2, 1, 0}, 0, false},
		{"header cut short", []byte{21, 3, 3, 0}, 7, false},
		{"more kept than read", []byte{21, 3, 3, 0, 2, 1, 0}, 6, false},
		{"empty", nil, 0, false},
	}
	for _, tt := range tests {
		n := tt.n
		if n == 0 {
			n = len(tt.head)
		}
		if got := ClosingRecord(tt.head, n); got != tt.want {
			t.Errorf("%s: ClosingRecord(% x, %d) = %v, want %v", tt.name, tt.head, n, got, tt.want)
		}
	}
}

// FuzzClosingRecord: a closing record is always one whole alert record (or
// a TLS 1.3 record of an encrypted alert's size) filling the read, and
// bytes kept past its header's first seven change nothing.
func FuzzClosingRecord(f *testing.F) {
	f.Fuzz(func(t *testing.T, head []byte, n int) {
		if !ClosingRecord(head, n) {
			return
		}
		l := int(head[3])<<8 | int(head[4])
		if n != 5+l || head[1] != 3 {
			t.Fatalf("closing record % x in a read of %d", head, n)
		}
		switch head[0] {
		case 21:
			if l == 2 && (len(head) < AlertRecordLen || head[5] == 1 && head[6] != 0) {
				t.Fatalf("plaintext alert % x is not a closing one", head)
			}
		case 23:
			if l != EncryptedAlertLen {
				t.Fatalf("application_data of %d bytes", l)
			}
		default:
			t.Fatalf("content type %d", head[0])
		}
		if len(head) > AlertRecordLen && !ClosingRecord(head[:AlertRecordLen], n) {
			t.Fatalf("% x: the first %d bytes alone say otherwise", head, AlertRecordLen)
		}
	})
}
