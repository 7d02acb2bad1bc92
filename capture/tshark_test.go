package capture

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
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
		// late is the leg whose relay socket returns from its first
		// write only after the answer to it was relayed (see
		// answeredFirst), as happens now and then on a loaded machine.
		late Leg
	}{
		{"TLS 1.3 terminated", tls.VersionTLS13, false, noLeg},
		{"TLS 1.2 terminated", tls.VersionTLS12, false, noLeg},
		{"TLS 1.3 through a passthrough relay", tls.VersionTLS13, true, noLeg},
		{"TLS 1.3 relay, backend answers before the write returns", tls.VersionTLS13, true, ServerLeg},
		{"TLS 1.3 relay, client answers before the write returns", tls.VersionTLS13, true, ClientLeg},
		{"TLS 1.2 relay, client answers before the write returns", tls.VersionTLS12, true, ClientLeg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pcapPath, keyLog, ports := exchange(t, tt.version, tt.proxy, tt.late)
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
