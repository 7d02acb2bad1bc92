package capture

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests hand real captures to Wireshark's own dissectors (tshark):
// the pcap, IP and TCP layers must raise no checksum or analysis flag, the
// TLS handshake must be visible, and with the key log the HTTP inside must
// decrypt. tshark is a required tool (apt package "tshark"): a missing one
// fails the test, it is never skipped.

// requireTool returns the path of name, or fails tb: a CI machine without
// it must not report green for checks it did not run.
func requireTool(tb testing.TB, name, aptPackage string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		tb.Fatalf("%s is required by these tests and was not found (%v); install it: DEBIAN_FRONTEND=noninteractive apt-get install -y %s", name, err, aptPackage)
		return ""
	}
	return p
}

// recordingTB notes whether the helper failed or skipped, without ending
// the real test.
type recordingTB struct {
	testing.TB
	fatal, skip bool
	msg         string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal, r.msg = true, fmt.Sprintf(format, args...)
}
func (r *recordingTB) Skipf(format string, args ...any) { r.skip = true }
func (r *recordingTB) Skip(args ...any)                 { r.skip = true }
func (r *recordingTB) SkipNow()                         { r.skip = true }

func TestMissingTsharkFails(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // an empty directory: no tshark on it
	rec := &recordingTB{TB: t}
	if p := requireTool(rec, "tshark", "tshark"); p != "" {
		t.Fatalf("found %q on an empty PATH", p)
	}
	if !rec.fatal || rec.skip {
		t.Fatalf("missing tshark: fatal %v, skip %v; it must fail, not skip", rec.fatal, rec.skip)
	}
	if !strings.Contains(rec.msg, "apt-get install -y tshark") {
		t.Errorf("failure message %q does not say how to install it", rec.msg)
	}
}

// selfSigned makes a certificate for localhost, so the test needs no
// other tlsgate package.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

const requestURI = "/capture-test"

// serveOne answers one HTTPS request on raw and closes.
func serveOne(raw net.Conn, cert tls.Certificate, version uint16) error {
	tc := tls.Server(raw, &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   version,
		MaxVersion:   version,
		NextProtos:   []string{"http/1.1"},
	})
	defer tc.Close()
	req, err := http.ReadRequest(bufio.NewReader(tc))
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if req.RequestURI != requestURI {
		return fmt.Errorf("server: request for %q", req.RequestURI)
	}
	if _, err := io.WriteString(tc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	// close_notify, then wait for the client's: closing with the client's
	// alert still unread, or before it arrives, ends in an RST that a relay
	// would (rightly) record, and this test wants a clean exchange.
	if err := tc.CloseWrite(); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	if rest, err := io.ReadAll(tc); err != nil || len(rest) > 0 {
		return fmt.Errorf("server: after the response: %q, %w", rest, err)
	}
	return nil
}

// pump copies one direction and passes the FIN on, as a passthrough proxy.
func pump(dst, src net.Conn) error {
	_, err := io.Copy(dst, src)
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
	return err
}

// exchange runs one HTTPS request over loopback and records it. With proxy,
// a passthrough relay sits in the middle and both of its legs are recorded
// (the same TLS session twice); else the server's socket is recorded.
// It returns the capture, the key log, and the TCP ports Wireshark must
// decode as TLS.
func exchange(t *testing.T, version uint16, proxy bool) (pcapPath, keyLog string, ports []uint16) {
	t.Helper()
	dir := t.TempDir()
	cert, pool := selfSigned(t)
	w, err := Create(dir, 1, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer backend.Close()
	front := backend
	if proxy {
		front, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer front.Close()
	}
	// A safety net against a hung test, not a timing assertion.
	deadline := time.Now().Add(time.Minute)
	accept := func(ln net.Listener) (net.Conn, error) {
		c, err := ln.Accept()
		if err == nil {
			_ = c.SetDeadline(deadline)
		}
		return c, err
	}

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		raw, err := accept(backend)
		if err != nil {
			errs <- err
			return
		}
		if !proxy {
			w.Open(ClientLeg, addrPort(raw.RemoteAddr()), addrPort(raw.LocalAddr()))
			raw = Conn(raw, w, ClientLeg, true)
		}
		errs <- serveOne(raw, cert, version)
	})
	if proxy {
		wg.Go(func() {
			in, err := accept(front)
			if err != nil {
				errs <- err
				return
			}
			w.Open(ClientLeg, addrPort(in.RemoteAddr()), addrPort(in.LocalAddr()))
			out, err := net.Dial("tcp", backend.Addr().String())
			if err != nil {
				in.Close()
				errs <- err
				return
			}
			_ = out.SetDeadline(deadline)
			w.Open(ServerLeg, addrPort(out.LocalAddr()), addrPort(out.RemoteAddr()))
			cin, cout := Conn(in, w, ClientLeg, true), Conn(out, w, ServerLeg, false)
			var p sync.WaitGroup
			p.Go(func() { _ = pump(cout, cin) })
			p.Go(func() { _ = pump(cin, cout) })
			p.Wait()
			cin.Close()
			cout.Close()
		})
	}

	keyLog = filepath.Join(dir, "keys.log")
	kf, err := os.OpenFile(keyLog, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()
	raw, err := net.Dial("tcp", front.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.SetDeadline(deadline)
	client := tls.Client(raw, &tls.Config{
		ServerName:   "localhost",
		RootCAs:      pool,
		MinVersion:   version,
		MaxVersion:   version,
		NextProtos:   []string{"http/1.1"},
		KeyLogWriter: kf,
	})
	if _, err := io.WriteString(client, "GET "+requestURI+" HTTP/1.1\r\nHost: localhost\r\nUser-Agent: capture-test\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(client), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "ok" {
		t.Fatalf("response body %q, %v", body, err)
	}
	// Read to the server's close_notify before closing (see serveOne).
	if rest, err := io.ReadAll(client); err != nil || len(rest) > 0 {
		t.Fatalf("after the response: %q, %v", rest, err)
	}
	client.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ports = append(ports, uint16(front.Addr().(*net.TCPAddr).Port))
	if proxy {
		ports = append(ports, uint16(backend.Addr().(*net.TCPAddr).Port))
	}
	return w.Path(), keyLog, ports
}

// tshark runs tshark on a capture with checksum validation on and the key
// log loaded, and returns its output lines.
func tshark(t *testing.T, bin, pcapPath, keyLog string, ports []uint16, args ...string) []string {
	t.Helper()
	full := []string{
		"-n", "-r", pcapPath,
		"-o", "ip.check_checksum:TRUE",
		"-o", "tcp.check_checksum:TRUE",
		"-o", "tls.keylog_file:" + keyLog,
	}
	for _, p := range ports {
		full = append(full, "-d", "tcp.port=="+strconv.Itoa(int(p))+",tls")
	}
	full = append(full, args...)
	cmd := exec.Command(bin, full...)
	// A private profile directory: the user's Wireshark preferences must
	// not change what the test sees.
	cmd.Env = append(os.Environ(), "WIRESHARK_CONFIG_DIR="+t.TempDir(), "HOME="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v\n%s", strings.Join(full, " "), err, stderr.String())
	}
	var lines []string
	for l := range strings.SplitSeq(strings.TrimRight(string(out), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestTsharkReadsTLSCapture(t *testing.T) {
	bin := requireTool(t, "tshark", "tshark")
	tests := []struct {
		name    string
		version uint16
		proxy   bool
	}{
		{"TLS 1.3 terminated", tls.VersionTLS13, false},
		{"TLS 1.2 terminated", tls.VersionTLS12, false},
		{"TLS 1.3 through a passthrough relay", tls.VersionTLS13, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pcapPath, keyLog, ports := exchange(t, tt.version, tt.proxy)
			legs := len(ports)

			// Every frame: IPv4 and TCP checksums good, no TCP analysis
			// flag (retransmission, lost segment, window trouble...).
			rows := tshark(t, bin, pcapPath, keyLog, ports, "-T", "fields", "-E", "separator=|",
				"-e", "frame.number", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
				"-e", "tcp.analysis.flags", "-e", "tls.handshake.type", "-e", "_ws.malformed")
			hs := map[string]int{}
			for _, r := range rows {
				f := strings.Split(r, "|")
				if len(f) != 6 {
					t.Fatalf("tshark row %q", r)
				}
				if f[1] != "1" || f[2] != "1" {
					t.Errorf("frame %s: ip checksum status %q, tcp %q; want 1 (good)", f[0], f[1], f[2])
				}
				if f[3] != "" || f[5] != "" {
					t.Errorf("frame %s: analysis flags %q, malformed %q", f[0], f[3], f[5])
				}
				for typ := range strings.SplitSeq(f[4], ",") {
					if typ != "" {
						hs[typ]++
					}
				}
			}
			if hs["1"] != legs || hs["2"] != legs {
				t.Errorf("handshake types seen %v; want a ClientHello (1) and a ServerHello (2) per leg (%d)", hs, legs)
			}
			if hs["20"] != 2*legs {
				t.Errorf("handshake types seen %v; want both Finished (20) decrypted on each leg", hs)
			}

			// Warnings and errors of any dissector (bad checksums, malformed
			// packets, TCP trouble); a FIN is only a note.
			if bad := tshark(t, bin, pcapPath, keyLog, ports, "-Y", "_ws.expert.severity >= warning"); len(bad) > 0 {
				t.Errorf("expert warnings or errors:\n%s", strings.Join(bad, "\n"))
			}

			reqs := tshark(t, bin, pcapPath, keyLog, ports, "-Y", "http.request", "-T", "fields", "-E", "separator=|",
				"-e", "http.request.method", "-e", "http.request.uri", "-e", "http.user_agent")
			if len(reqs) != legs {
				t.Fatalf("%d decrypted HTTP requests, want %d: %q", len(reqs), legs, reqs)
			}
			for _, r := range reqs {
				if r != "GET|"+requestURI+"|capture-test" {
					t.Errorf("decrypted request %q", r)
				}
			}
			resps := tshark(t, bin, pcapPath, keyLog, ports, "-Y", "http.response", "-T", "fields", "-e", "http.response.code")
			if strings.Join(resps, ",") != strings.Repeat("200,", legs-1)+"200" {
				t.Errorf("decrypted responses %q", resps)
			}
		})
	}
}

func TestTsharkReadsIPv6(t *testing.T) {
	bin := requireTool(t, "tshark", "tshark")
	w, err := Create(t.TempDir(), 6, newStepClock().now, WithMSS(1000))
	if err != nil {
		t.Fatal(err)
	}
	w.Open(ClientLeg, v6Client, v6Server)
	w.Data(ClientLeg, true, pattern(2500, 9))
	w.Data(ClientLeg, false, []byte("reply"))
	w.Fin(ClientLeg, false)
	w.Fin(ClientLeg, true)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows := tshark(t, bin, w.Path(), os.DevNull, nil, "-T", "fields", "-E", "separator=|",
		"-e", "ipv6.src", "-e", "tcp.srcport", "-e", "tcp.checksum.status", "-e", "tcp.analysis.flags", "-e", "tcp.len", "-e", "tcp.options.mss_val", "-e", "tcp.window_size")
	if len(rows) != 3+6+2+2+2 {
		t.Fatalf("%d frames:\n%s", len(rows), strings.Join(rows, "\n"))
	}
	var payload int
	for i, r := range rows {
		f := strings.Split(r, "|")
		src := netip.MustParseAddr(f[0])
		if src != v6Client.Addr() && src != v6Server.Addr() {
			t.Errorf("frame %d from %s", i+1, f[0])
		}
		if f[2] != "1" || f[3] != "" {
			t.Errorf("frame %d: checksum status %q, analysis %q", i+1, f[2], f[3])
		}
		n, _ := strconv.Atoi(f[4])
		payload += n
		if i == 0 && f[5] != "1000" {
			t.Errorf("SYN MSS %q, want 1000", f[5])
		}
		if i >= 2 && f[6] != "65536" {
			t.Errorf("frame %d: scaled window %q, want 65536", i+1, f[6])
		}
	}
	if payload != 2505 {
		t.Errorf("tshark counts %d payload bytes, want 2505", payload)
	}
}
