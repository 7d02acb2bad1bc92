package sniff

import "testing"

func BenchmarkClassify(b *testing.B) {
	inputs := []struct {
		name string
		in   []byte
	}{
		{"tls", readHello(b, "hello-go-tls13.bin")[:16]},
		{"http", []byte("POST /api HTTP/1.1\r\n")},
		{"h2", []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")},
		{"unknown", []byte("EHLO mail.lab.test\r\n")},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Classify(in.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseClientHello uses Go's default post-quantum hello (~1.5 KB).
func BenchmarkParseClientHello(b *testing.B) {
	hello := readHello(b, "hello-go-tls13.bin")
	split := records(hello[5:], 300, 700)
	for _, in := range []struct {
		name string
		wire []byte
	}{{"one record", hello}, {"three records", split}} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.wire)))
			for b.Loop() {
				if _, err := ParseClientHello(in.wire); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJA4(b *testing.B) {
	h, err := ParseClientHello(readHello(b, "hello-curl.bin"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if JA4(h) == "" {
			b.Fatal("empty JA4")
		}
	}
}
