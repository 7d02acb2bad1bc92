package sniff

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"
)

// TestParseClientHelloMatchesCryptoTLS replays each captured hello to a real
// crypto/tls server on loopback and compares what Go's own parser saw with
// what ParseClientHello reports, split across records so the server's
// reassembly is exercised too.
func TestParseClientHelloMatchesCryptoTLS(t *testing.T) {
	files := []string{
		"hello-go-tls13.bin", "hello-go-tls12.bin", "hello-curl.bin", "hello-curl-tls12.bin",
		"hello-curl-sni.bin", "hello-openssl.bin", "hello-openssl-tls12.bin", "hello-openssl-alpn.bin",
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			wire := readHello(t, file)
			mine, err := ParseClientHello(wire)
			if err != nil {
				t.Fatal(err)
			}
			info := serverSees(t, records(wire[5:], 100, 50))
			if info.ServerName != mine.ServerName {
				t.Errorf("ServerName: crypto/tls %q, sniff %q", info.ServerName, mine.ServerName)
			}
			if !slices.Equal(info.CipherSuites, mine.CipherSuites) {
				t.Errorf("CipherSuites: crypto/tls %x, sniff %x", info.CipherSuites, mine.CipherSuites)
			}
			if !slices.Equal(info.Extensions, mine.Extensions) {
				t.Errorf("Extensions: crypto/tls %d, sniff %d", info.Extensions, mine.Extensions)
			}
			if !slices.Equal(info.SupportedProtos, mine.ALPN) {
				t.Errorf("ALPN: crypto/tls %q, sniff %q", info.SupportedProtos, mine.ALPN)
			}
			if !slices.Equal(info.SupportedPoints, mine.ECPointFormats) {
				t.Errorf("points: crypto/tls %d, sniff %d", info.SupportedPoints, mine.ECPointFormats)
			}
			groups := make([]uint16, len(info.SupportedCurves))
			for i, c := range info.SupportedCurves {
				groups[i] = uint16(c)
			}
			if !slices.Equal(groups, mine.SupportedGroups) {
				t.Errorf("groups: crypto/tls %x, sniff %x", groups, mine.SupportedGroups)
			}
			sigs := make([]uint16, len(info.SignatureSchemes))
			for i, s := range info.SignatureSchemes {
				sigs[i] = uint16(s)
			}
			if !slices.Equal(sigs, mine.SignatureAlgorithms) {
				t.Errorf("sigalgs: crypto/tls %x, sniff %x", sigs, mine.SignatureAlgorithms)
			}
			// crypto/tls fills SupportedVersions from the legacy version
			// when the extension is absent; MaxVersion does the same.
			if slices.Max(info.SupportedVersions) != mine.MaxVersion() {
				t.Errorf("max version: crypto/tls %x, sniff %#04x", info.SupportedVersions, mine.MaxVersion())
			}
		})
	}
}

// errStop aborts the server handshake once the hello has been seen.
var errStop = errors.New("stop after hello")

// serverSees sends wire to a crypto/tls server over loopback and returns the
// ClientHelloInfo it parsed.
func serverSees(t *testing.T, wire []byte) *tls.ClientHelloInfo {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan *tls.ClientHelloInfo, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer conn.Close()
		var seen *tls.ClientHelloInfo
		cfg := &tls.Config{GetConfigForClient: func(chi *tls.ClientHelloInfo) (*tls.Config, error) {
			seen = chi
			return nil, errStop
		}}
		_ = tls.Server(conn, cfg).Handshake()
		got <- seen
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A deadline only so a broken server cannot hang the test run.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, conn) // the server's alert, then EOF
	info := <-got
	if info == nil {
		t.Fatal("crypto/tls did not parse the hello")
	}
	return info
}
