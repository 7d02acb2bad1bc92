package explain

import "testing"

// TestHelloSeen: a stalled hello is worded from its bytes alone, in each
// language: part of a record header, the header and part of the body it
// announced, or whole records with the hello still incomplete.
func TestHelloSeen(t *testing.T) {
	tests := []struct {
		first    []byte
		firstLen int
		lang     string
		want     string
	}{
		{[]byte{22, 3}, 0, LangEN, "2 bytes of a TLS record header"},
		{[]byte{22, 3, 1, 2}, 0, LangEN, "4 bytes of a TLS record header"},
		{[]byte{22, 3, 1, 2, 0, 1}, 0, LangEN, "6 bytes, a TLS record header and 1 of the 512 bytes it announced"},
		// The Outcome keeps the first bytes only; the count is all of them.
		{[]byte{22, 3, 1, 0, 4, 1, 0, 0, 0}, 9, LangEN, "9 bytes of TLS records, the ClientHello still incomplete"},
		{[]byte{22, 3, 1, 2, 0, 1}, 700, LangEN, "700 bytes of TLS records, the ClientHello still incomplete"},
		{[]byte{22}, 0, LangEN, "1 byte, a TLS handshake record's content type (0x16)"},
		// An SSLv2 header's length counts what follows its two bytes.
		{[]byte{0x80, 0x2e, 0x01}, 0, LangEN, "3 bytes of an SSLv2 record header, announcing a 46-byte ClientHello (msg_type 1)"},
		{[]byte{0x80, 0x2e, 0x01, 0x03, 0x01}, 0, LangEN, "5 bytes of an SSLv2-format ClientHello, 3 of the 46 bytes its record header announced"},
		{[]byte{22, 3}, 0, LangJA, "TLS レコードヘッダの先頭 2 バイト"},
		{[]byte{22}, 0, LangJA, "1 バイト（TLS ハンドシェイクレコードのコンテントタイプ 0x16）"},
		{[]byte{0x80, 0x2e, 0x01}, 0, LangJA, "SSLv2 レコードヘッダの先頭 3 バイト（46 バイトの ClientHello を予告、msg_type 1）"},
		{[]byte{22, 3, 1, 2, 0, 1}, 0, LangJA, "6 バイト（TLS レコードヘッダと、それが予告した 512 バイトのうち 1 バイト）"},
	}
	for _, tc := range tests {
		o := base("plaintext")
		o.FirstBytes, o.FirstLen = tc.first, tc.firstLen
		f := &facts{o: o, lang: tc.lang}
		if got := f.helloSeen(); got != tc.want {
			t.Errorf("% x (%d bytes), %s: %q, want %q", tc.first, tc.firstLen, tc.lang, got, tc.want)
		}
	}
}
