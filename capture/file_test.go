package capture

// The file itself: its name and mode, its size limit, and write errors.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	tests := []struct {
		name      string
		limit     int64
		truncated bool
	}{
		{"room for all", 1 << 20, false},
		{"handshake only", 24 + 3*(16+52) + 4, true},
		{"header only", 24, true},
		{"below the header means default", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, f := writeCapture(t, []op{
				{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server},
				{kind: "data", leg: ClientLeg, fromClient: true, data: pattern(5000, 1)},
				{kind: "fin", leg: ClientLeg, fromClient: true},
			}, WithLimit(tt.limit))
			if w.Truncated() != tt.truncated {
				t.Errorf("Truncated() = %v, want %v", w.Truncated(), tt.truncated)
			}
			if (w.Dropped() > 0) != tt.truncated {
				t.Errorf("Dropped() = %d with Truncated() %v", w.Dropped(), tt.truncated)
			}
			if int(w.Dropped())+len(f.packets) != 3+2+2 {
				t.Errorf("%d written + %d dropped, want 7 in all", len(f.packets), w.Dropped())
			}
			st, err := os.Stat(w.Path())
			if err != nil {
				t.Fatal(err)
			}
			if tt.truncated && st.Size() > tt.limit {
				t.Errorf("file is %d bytes, limit %d", st.Size(), tt.limit)
			}
			if _, err := followFlows(f.packets); err != nil {
				t.Errorf("a truncated capture must still be consistent: %v", err)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	fixed := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 6000, time.FixedZone("CET", 3600)) }
	w, err := Create(dir, 7, fixed)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	name := filepath.Base(w.Path())
	if name != "20250102T020405.000006000Z-conn7.pcap" {
		t.Errorf("file name %q", name)
	}
	if !regexp.MustCompile(`^[0-9T.Z]+-conn[0-9]+\.pcap$`).MatchString(name) {
		t.Errorf("file name %q has characters some filesystems refuse", name)
	}
	st, err := os.Stat(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}

	errTests := []struct {
		name string
		dir  string
		now  func() time.Time
		want string
	}{
		{"same connection twice", dir, fixed, "capture: create file for conn 7"},
		{"missing directory", filepath.Join(dir, "nope"), fixed, "capture: create file for conn 7"},
		{"nil clock", dir, nil, "capture: nil clock"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			w2, err := Create(tt.dir, 7, tt.now)
			if err == nil {
				w2.Close()
				t.Fatal("Create succeeded")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestWriteErrorReportedByClose(t *testing.T) {
	w, err := Create(t.TempDir(), 9, newStepClock().now)
	if err != nil {
		t.Fatal(err)
	}
	w.Open(ClientLeg, v4Client, v4Server)
	// Pull the file out from under the buffer: the next flush fails, as it
	// would on a full disk.
	_ = w.f.Close()
	w.Data(ClientLeg, true, pattern(200000, 0))
	if err := w.Flush(); err == nil || !strings.HasPrefix(err.Error(), "capture: ") {
		t.Errorf("Flush = %v, want a capture: error", err)
	}
	err = w.Close()
	if err == nil || !strings.Contains(err.Error(), w.Path()) {
		t.Errorf("Close = %v, want an error naming the file", err)
	}
	if err2 := w.Close(); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second Close = %v, want the same error %v", err2, err)
	}
	w.Data(ClientLeg, true, []byte("after close")) // must not panic
}
