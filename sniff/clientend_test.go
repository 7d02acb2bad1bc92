package sniff

import "testing"

func TestClientAfterHello(t *testing.T) {
	const hello = 517
	ccs := ccsRecord
	encAlert := "\x17\x03\x03\x00\x13" + "0123456789abcdefghi"
	finished := "\x17\x03\x03\x00\x35" + "0123456789a"
	tests := []struct {
		name string
		head string
		up   int64 // bytes after the hello; head's length when 0
		want ClientEnd
	}{
		{"tls12 unknown_ca", "\x15\x03\x03\x00\x02\x02\x30", 0, ClientEnd{Kind: ClientEndAlert, Level: 2, Desc: 48}},
		{"openssl tls13 plaintext after ccs", ccs + "\x15\x03\x03\x00\x02\x02\x2d", 0,
			ClientEnd{Kind: ClientEndAlert, CCS: true, Level: 2, Desc: 45}},
		{"tls13 encrypted alert after ccs", ccs + encAlert[:16], 6 + 24, ClientEnd{Kind: ClientEndEncryptedAlert, CCS: true}},
		{"tls13 encrypted alert", encAlert, 0, ClientEnd{Kind: ClientEndEncryptedAlert}},
		{"silent", "", 0, ClientEnd{Kind: ClientEndSilent}},
		// A finished handshake: the client's Finished, then more.
		{"tls13 finished", ccs + finished[:10], 6 + 58 + 24, ClientEnd{}},
		{"tls13 alert-sized record then more", encAlert[:16], 24 + 100, ClientEnd{}},
		{"tls12 client key exchange", "\x16\x03\x03\x00\x25\x10\x00\x00\x21", 300, ClientEnd{}},
		{"tls12 encrypted alert after ccs", ccs + "\x15\x03\x03\x00\x1a", 6 + 31, ClientEnd{}},
		{"ccs alone", ccs, 0, ClientEnd{}},
		{"short head", "\x15\x03", 7, ClientEnd{}},
		{"not tls", "GET / HTTP/1.1\r\n", 0, ClientEnd{}},
		{"warning level read", "\x15\x03\x03\x00\x02\x01\x00", 0, ClientEnd{Kind: ClientEndAlert, Level: 1, Desc: 0}},
		{"bad level", "\x15\x03\x03\x00\x02\x07\x30", 0, ClientEnd{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := tt.up
			if up == 0 {
				up = int64(len(tt.head))
			}
			if got := ClientAfterHello(hello, []byte(tt.head), hello+up); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	// Counts that disagree with the head say nothing.
	if got := ClientAfterHello(hello, []byte("\x15\x03\x03\x00\x02\x02\x30"), hello+3); got != (ClientEnd{}) {
		t.Errorf("head longer than what was sent: %+v", got)
	}
	if got := ClientAfterHello(0, nil, 0); got != (ClientEnd{}) {
		t.Errorf("no hello: %+v", got)
	}
}

func TestServerSentFlight(t *testing.T) {
	tests := []struct {
		name string
		head string
		down int64
		want bool
	}{
		{"tls13 flight", "\x16\x03\x03\x00\x7a\x02\x00\x00", 1500, true},
		{"bare server hello", "\x16\x03\x03\x00\x7a\x02\x00\x00", 5 + 0x7a, false},
		{"tls12 packed flight", "\x16\x03\x03\x04\x00\x02\x00\x00", 5 + 0x400, true},
		{"alert", "\x15\x03\x03\x00\x02\x02\x28", 7, false},
		{"not a server hello", "\x16\x03\x03\x00\x7a\x0b\x00\x00", 1500, false},
		{"short", "\x16\x03", 1500, false},
	}
	for _, tt := range tests {
		if got := ServerSentFlight([]byte(tt.head), tt.down); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
