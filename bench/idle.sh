#!/usr/bin/env bash
# Where the plain connection rate goes, per connection: the CPU time of the
# proxy, the backend and the load client, the whole machine's CPU time and
# idle share, each process's context switches, and the client's p50/p99.
# Session 20 (BENCHMARKS.md) found the CPU, the system calls, the TCP
# segments and the switches per connection at parity with HAProxy, and the
# difference in the machine's idle share.
#
#   bench/idle.sh [--rounds N] [--concurrency C] [--duration D] BIN=CONFIG=PORT ...
#
# Starts the HTTP backend on 127.0.0.1:29102, HAProxy's sniffing plain
# frontend on 127.0.0.1:29302 (bench/uring17/haproxy.cfg) and one tlsgate
# per BIN=CONFIG=PORT (its listener on 127.0.0.1:PORT, forwarding to
# 29102), all from this one session, then measures every tlsgate, HAProxy
# and the backend directly, N rounds, round r starting at target r mod n
# (the first target in a round tends to lead: bench/ab.sh). Bounded: N
# rounds x targets x D, at most 400000 connections each, loopback only.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
rounds=3
conc=8
duration=4s
servers=()
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) rounds="$2"; shift 2 ;;
	--concurrency) conc="$2"; shift 2 ;;
	--duration) duration="$2"; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "idle.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*=*=*) servers+=("$1"); shift ;;
	*) echo "idle.sh: $1 is not BIN=CONFIG=PORT (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$rounds" "$conc"; do
	case "$v" in ''|*[!0-9]*|0) echo "idle.sh: $v is not a positive count" >&2; exit 2 ;; esac
done
command -v haproxy >/dev/null || { echo "idle.sh: haproxy is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "idle.sh: /usr/bin/time is not installed (apt-get install -y time)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
(cd "$top" && go build -o "$work/load" ./cmd/tlsgate-load)
"$work/load" backend --listen 127.0.0.1:29102 --mode http --lifetime 60m >"$work/backend.log" 2>&1 &
bpid=$!
pids+=($bpid)
haproxy -db -f "$top/bench/uring17/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
targets=()
for s in "${servers[@]}"; do
	IFS='=' read -r bin cfg port <<<"$s"
	"$bin" run -c "$cfg" >"$work/tlsgate$port.log" 2>&1 &
	pids+=($!)
	targets+=("$port:$!:$(basename "$bin")@$port")
done
targets+=("29302:${pids[1]}:haproxy" "29102:0:direct")
sleep 1.5
for p in "${pids[@]}"; do
	if ! kill -0 "$p" 2>/dev/null; then
		echo "idle.sh: a server did not start (pid $p); its logs:" >&2
		tail -n 5 "$work"/*.log >&2
		exit 1
	fi
done

# CPU ticks (utime+stime, 1/100 s) and context switches of every thread.
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
switches() { { cat /proc/"$1"/task/*/status 2>/dev/null || true; } | awk '/ctxt_switches/ {s += $2} END {print s+0}'; }
json() { sed -n "s/.*\"$1\":\\([0-9.]*\\).*/\\1/p" <<<"$2"; }

printf '%-16s %7s %8s %8s %8s %8s %6s %6s %6s %6s %6s %6s\n' target conn/s proxy_us backend client machine idle% p_cs b_cs c_cs p50us p99us
n=${#targets[@]}
for r in $(seq "$rounds"); do
	for k in $(seq 0 $((n - 1))); do
		t=${targets[$(((k + r - 1) % n))]}
		IFS=: read -r port p name <<<"$t"
		p0=0 pc0=0
		if [ "$p" != 0 ]; then p0=$(ticks "$p"); pc0=$(switches "$p"); fi
		b0=$(ticks "$bpid") bc0=$(switches "$bpid")
		read -r _ u0 n0 s0 i0 w0 q0 sq0 st0 _ </proc/stat
		out=$({ /usr/bin/time -f "CLIENT %U %S %c %w" "$work/load" connrate --target "127.0.0.1:$port" \
			--duration "$duration" --concurrency "$conc" --max 400000 --json; } 2>&1) || {
			echo "idle.sh: $name: $(tail -n 3 <<<"$out")" >&2
			exit 1
		}
		read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
		p1=0 pc1=0
		if [ "$p" != 0 ]; then p1=$(ticks "$p"); pc1=$(switches "$p"); fi
		b1=$(ticks "$bpid") bc1=$(switches "$bpid")
		ops=$(json ops "$out")
		[ -n "$ops" ] && [ "$ops" -gt 0 ] || { echo "idle.sh: $name: no connections: $(tail -2 <<<"$out")" >&2; exit 1; }
		awk -v n="$name" -v r="$(json value "$out")" -v o="$ops" -v p=$((p1 - p0)) -v b=$((b1 - b0)) \
			-v cl="$(grep '^CLIENT' <<<"$out")" -v busy=$(((u1 - u0) + (n1 - n0) + (s1 - s0) + (q1 - q0) + (sq1 - sq0) + (st1 - st0))) \
			-v idle=$(((i1 - i0) + (w1 - w0))) -v pc=$((pc1 - pc0)) -v bc=$((bc1 - bc0)) \
			-v p50="$(json p50_us "$out")" -v p99="$(json p99_us "$out")" 'BEGIN {
				split(cl, c, " ")
				printf "%-16s %7.0f %8.1f %8.1f %8.1f %8.1f %6.1f %6.2f %6.2f %6.2f %6.0f %6.0f\n", n, r,
					p * 1e4 / o, b * 1e4 / o, (c[2] + c[3]) * 1e6 / o, busy * 1e4 / o, 100 * idle / (busy + idle),
					pc / o, bc / o, (c[4] + c[5]) / o, p50, p99
			}'
	done
done
