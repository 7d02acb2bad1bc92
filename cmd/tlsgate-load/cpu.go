package main

import (
	"bytes"
	"fmt"
	"strconv"
)

// On a shared machine rates swing with whatever else runs, but the CPU a
// proxy burns per connection, per request or per gigabyte moves much
// less. So every client can read the proxy's CPU time around its run
// (--cpu-pid) and the report divides it by the work done.

// userHZ is the unit of utime and stime in /proc/PID/stat. The kernel
// fixes USER_HZ at 100 on every architecture Go supports on Linux;
// reading it at run time would need cgo's sysconf.
const userHZ = 100

// parseProcStat returns utime+stime, in clock ticks, from the text of
// /proc/PID/stat. The command name (field 2) is in parentheses and may
// itself hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseProcStat(stat []byte) (int64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat %q: no ')' after the command name", clip(stat))
	}
	f := bytes.Fields(stat[i+1:])
	// After ')' come field 3 (state) onwards: utime is field 14, stime 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("stat %q: %d fields after the command name, want at least 13", clip(stat), len(f))
	}
	var total int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("stat %q: bad CPU time %q", clip(stat), s)
		}
		total += n
	}
	return total, nil
}

// cpuMeter reads the CPU time of some processes (a proxy, or a proxy's
// master and workers) before and after a run.
type cpuMeter struct {
	readFile func(string) ([]byte, error)
	pids     []int
	start    int64
}

// startCPU begins metering the comma-separated pids, or returns nil when
// there are none (no metering).
func startCPU(readFile func(string) ([]byte, error), pidList string) (*cpuMeter, error) {
	pids, err := parsePids(pidList)
	if err != nil || len(pids) == 0 {
		return nil, err
	}
	m := &cpuMeter{readFile: readFile, pids: pids}
	m.start, err = m.read()
	return m, err
}

// read sums utime+stime over the metered processes.
func (m *cpuMeter) read() (int64, error) {
	var total int64
	for _, pid := range m.pids {
		path := fmt.Sprintf("/proc/%d/stat", pid)
		b, err := m.readFile(path)
		if err != nil {
			return 0, fmt.Errorf("cpu: %w", err)
		}
		ticks, err := parseProcStat(b)
		if err != nil {
			return 0, fmt.Errorf("cpu: %s: %w", path, err)
		}
		total += ticks
	}
	return total, nil
}

// stop records the CPU milliseconds used since start into r.
func (m *cpuMeter) stop(r *result) error {
	if m == nil {
		return nil
	}
	end, err := m.read()
	if err != nil {
		return err
	}
	r.CPUPid = m.pids[0]
	if len(m.pids) > 1 {
		r.CPUPids = m.pids
	}
	r.CPUms = float64(end-m.start) * 1000 / userHZ
	return nil
}

// cpuPerWork is r's CPU cost per unit of its work, and that unit: per GB
// relayed for bulk, per connection, handshake or request otherwise. ok is
// false when the run was not metered or did no work.
func cpuPerWork(r result) (v float64, unit string, ok bool) {
	if r.CPUPid == 0 {
		return 0, "", false
	}
	switch r.Mode {
	case "bulk":
		if r.Bytes <= 0 {
			return 0, "", false
		}
		return r.CPUms / (float64(r.Bytes) / 1e9), "CPU ms/GB", true
	case "connrate", "handshakes", "latency":
		if r.Ops <= 0 {
			return 0, "", false
		}
		per := "conn"
		switch r.Mode {
		case "handshakes":
			per = "handshake"
		case "latency":
			per = "request"
		}
		return r.CPUms * 1000 / float64(r.Ops), "CPU µs/" + per, true
	}
	return 0, "", false
}
