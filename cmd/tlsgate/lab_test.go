package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/lab"
	"github.com/tlsgate/tlsgate/pki"
)

// freeBase finds a base port whose ports for the named scenarios (and the
// demo backend and lab origin, base+98 and base+99) are free now. It looks
// below the usual ephemeral range (32768 and up), where outgoing
// connections would take ports from under the lab.
func freeBase(t *testing.T, only string) int {
	t.Helper()
	for range 50 {
		base := 10000 + rand.IntN(20000)
		placed, err := lab.Place(lab.Catalog(), []string{only}, base)
		if err != nil {
			t.Fatal(err)
		}
		ports := []int{base + 98, base + 99}
		for _, p := range placed {
			ports = append(ports, p.Port)
		}
		if allFree(ports) {
			return base
		}
	}
	t.Fatal("found no free base port")
	return 0
}

func allFree(ports []int) bool {
	for _, p := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort(lab.Host, strconv.Itoa(p)))
		if err != nil {
			return false
		}
		_ = ln.Close()
	}
	return true
}

// TestLabLeavesNoCAOnABusyPort: a lab start-up stopped by a port already in
// use leaves no lab CA behind. It used to write the CA (pki.LoadOrCreate)
// before binding anything. An inspect scenario needs the CA's file before
// the config is parsed, so there the CA is written first and removed again;
// the others leave it to serve, which writes it only once everything is bound.
// mtls-required writes a client pair beside the CA first: it goes too.
func TestLabLeavesNoCAOnABusyPort(t *testing.T) {
	for _, only := range []string{"waf-sni-reset", "security-software-interception", "mtls-required"} {
		t.Run(only, func(t *testing.T) {
			for _, pre := range []string{"", "empty dir"} {
				dir := t.TempDir()
				caDir := filepath.Join(dir, "ca")
				if pre != "" {
					if err := os.Mkdir(caDir, 0o700); err != nil {
						t.Fatal(err)
					}
				}
				args := []string{"--only", only, "--base-port", strconv.Itoa(freeBase(t, only)), "--ca-dir", caDir,
					"--log-file", filepath.Join(dir, "lab.log"), "--admin", takenAddr(t)}
				err := cmdLab(args, io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "address already in use") {
					t.Fatalf("lab %v = %v, want the taken port's error", args, err)
				}
				entries, statErr := os.ReadDir(caDir)
				switch {
				case pre == "" && !errors.Is(statErr, fs.ErrNotExist):
					t.Errorf("%s: the CA directory is left after the failed start-up (%v, %d entries)", pre, statErr, len(entries))
				case pre != "" && len(entries) != 0:
					t.Errorf("%s: the CA directory holds %d files after the failed start-up", pre, len(entries))
				}
				if _, err := os.Lstat(filepath.Join(dir, "lab.log")); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the log file is left after the failed start-up (%v)", err)
				}
			}
		})
	}
}

// TestLabKeepsTheCAOnceBound: the CA of a lab start-up that bound every
// socket is kept, whether serve wrote it after binding or the lab wrote it
// ahead for an inspect scenario; with mtls-required, so is the client pair
// its explanation's curl --cert names.
func TestLabKeepsTheCAOnceBound(t *testing.T) {
	for _, only := range []string{"waf-sni-reset", "security-software-interception", "mtls-required"} {
		t.Run(only, func(t *testing.T) {
			caDir := filepath.Join(t.TempDir(), "ca")
			// A port freeBase found free can be taken before the lab binds
			// it; that start-up fails, and the next base is tried.
			for attempt := 1; ; attempt++ {
				err := runLabUntilBound(t, only, caDir)
				if err == nil {
					break
				}
				if !strings.Contains(err.Error(), "address already in use") || attempt == 3 {
					t.Fatalf("serveLab ended before it was stopped: %v", err)
				}
			}
			if _, err := pki.Load(caDir, time.Now); err != nil {
				t.Errorf("the CA of a lab that bound everything was not kept: %v", err)
			}
			_, err := tls.LoadX509KeyPair(filepath.Join(caDir, pki.ClientCertFile), filepath.Join(caDir, pki.ClientKeyFile))
			if wantPair := only == "mtls-required"; (err == nil) != wantPair {
				t.Errorf("client pair beside the CA: %v, want one: %v", err, wantPair)
			}
		})
	}
}

// firstWrite closes c on its first Write and keeps what is written.
type firstWrite struct {
	once sync.Once
	c    chan struct{}
	mu   sync.Mutex
	b    strings.Builder
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.b.Write(p)
	w.mu.Unlock()
	w.once.Do(func() { close(w.c) })
	return len(p), nil
}

func (w *firstWrite) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// runLabUntilBound starts the lab with one scenario, waits until every
// socket is bound (the table is printed then), and stops it; an error is a
// start-up or shutdown that failed.
func runLabUntilBound(t *testing.T, only, caDir string) error {
	t.Helper()
	_, err := runLabOptions(t, only, lab.Options{CADir: caDir, LogFile: filepath.Join(t.TempDir(), "lab.log")})
	return err
}

// runLabOptions is runLabUntilBound with the options as the flags give
// them (cmdLab's labOptions makes their paths absolute), on a free base
// port; it returns what the lab printed to standard output.
func runLabOptions(t *testing.T, only string, flags lab.Options) (string, error) {
	t.Helper()
	flags.BasePort = freeBase(t, only)
	opts, err := labOptions(flags)
	if err != nil {
		t.Fatal(err)
	}
	placed, err := lab.Place(lab.Catalog(), []string{only}, opts.BasePort)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	table := &firstWrite{c: make(chan struct{})}
	go func() { done <- serveLab(ctx, placed, opts, table, io.Discard) }()
	select {
	case err := <-done:
		return table.String(), err
	case <-table.c:
	}
	cancel()
	err = <-done
	return table.String(), err
}

// TestLabLogFileFromWorkingDirectory: a relative --log-file is the file the
// operator named from where they ran tlsgate, and the start-up output says
// its absolute path. The lab's config is parsed as if it lived in the CA
// directory, so a relative path used to land there.
func TestLabLogFileFromWorkingDirectory(t *testing.T) {
	work := t.TempDir()
	t.Chdir(work)
	const only = "waf-sni-reset"
	var out string
	for attempt := 1; ; attempt++ {
		var err error
		out, err = runLabOptions(t, only, lab.Options{CADir: "ca", LogFile: "lab.log"})
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "address already in use") || attempt == 3 {
			t.Fatalf("serveLab ended before it was stopped: %v", err)
		}
	}
	want := filepath.Join(work, "lab.log")
	if _, err := os.Stat(want); err != nil {
		t.Errorf("no log file where --log-file lab.log named it (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(work, "ca", "lab.log")); err == nil {
		t.Errorf("the log file was made in the CA directory")
	}
	if !strings.Contains(out, "connection log: "+want+"\n") {
		t.Errorf("the start-up output does not name the log file %s:\n%s", want, out)
	}
}

// TestPrintCatalogGroupsFamilies: --list, and the table a running lab
// prints, group by family although the catalog appends later scenarios
// (the server clock ones) after the network family, to keep every earlier
// port.
func TestPrintCatalogGroupsFamilies(t *testing.T) {
	placed, err := lab.Place(lab.Catalog(), nil, lab.DefaultBasePort)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		print func(*strings.Builder) error
	}{
		{"--list", func(b *strings.Builder) error { return printCatalog(b, lab.Catalog(), "en") }},
		{"run table", func(b *strings.Builder) error {
			printTable(b, placed, lab.Options{BasePort: lab.DefaultBasePort, CADir: t.TempDir()})
			return nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := tt.print(&b); err != nil {
				t.Fatal(err)
			}
			var families []string
			rows := false
			for line := range strings.Lines(b.String()) {
				f := strings.Fields(line)
				if len(f) > 0 && f[0] == "SCENARIO" {
					rows = true
					continue
				}
				if !rows {
					continue
				}
				if len(f) < 2 {
					break // the table ends with a blank line
				}
				if n := len(families); n == 0 || families[n-1] != f[1] {
					families = append(families, f[1])
				}
			}
			want := []string{string(lab.FamilyClient), string(lab.FamilyServer), string(lab.FamilyNetwork)}
			if strings.Join(families, ",") != strings.Join(want, ",") {
				t.Errorf("%s runs through families %q, want each once, in order %q:\n%s", tt.name, families, want, b.String())
			}
		})
	}
}
