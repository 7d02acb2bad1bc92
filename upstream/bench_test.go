package upstream

import (
	"io"
	"testing"
)

// BenchmarkPumpThroughput pushes 64 MiB client→backend through Pump over
// loopback TCP, the splice path; b.SetBytes makes the result read as MB/s.
func BenchmarkPumpThroughput(b *testing.B) {
	const size = 64 << 20
	chunk := make([]byte, 1<<20)
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		clientApp, clientSide := tcpPair(b)
		backendSide, backendApp := tcpPair(b)
		b.StartTimer()

		done := make(chan error, 1)
		go func() {
			_, err := Pump(clientSide, backendSide, nil, 0)
			done <- err
		}()
		drained := make(chan int64, 1)
		go func() {
			// A plain read loop: io.Discard reads in 8 KiB pieces, which
			// would measure the sink instead of the pump.
			buf := make([]byte, 1<<20)
			var n int64
			for {
				k, err := backendApp.Read(buf)
				n += int64(k)
				if err != nil {
					break
				}
			}
			backendApp.Close()
			drained <- n
		}()
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := clientApp.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := clientApp.CloseWrite(); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAll(clientApp); err != nil {
			b.Fatal(err)
		}
		if n := <-drained; n != size {
			b.Fatalf("backend got %d bytes, want %d", n, size)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
