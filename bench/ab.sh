#!/usr/bin/env bash
# Interleaved A/B rounds of the plain (or TLS) connection-rate test against
# servers that are already running, for changes smaller than the spread
# between two bench/run.sh runs on a shared machine.
#
# Each round measures every target once, in the order given, and the
# report is the median over rounds of each target's rate divided by the
# LAST target's rate in the same round: a slow stretch of the machine
# then moves both sides of a ratio instead of one. Put the reference
# (HAProxy, or the old build) last.
#
#   bench/ab.sh [--reps N] [--duration D] [--concurrency C] [--rotate] [--tls CAFILE SNI] ADDR=NAME ...
#
# --concurrency is the connections in flight (default 8, as in bench/run.sh;
# session 20 also compared at 32 and 64, where both proxies saturate the CPUs).
#
# The target measured first in a round tends to lead (2-5% in session 19's
# pairs, BENCHMARKS.md): --rotate starts round r at target r mod n, so each
# target, the reference too, is measured first in as many rounds as the
# others. The report is the same (each rate against the reference's rate
# in the same round).
#
# Example, after bench/run.sh --keep left its servers' configs behind, or
# with two tlsgate builds on different ports and HAProxy:
#   bench/ab.sh --reps 12 127.0.0.1:28202=new 127.0.0.1:27202=old 127.0.0.1:27302=haproxy
#
# Start the servers and this script from one session (one shell, or one
# setsid): with the kernel's autogroup scheduling on, a load client in a
# session of its own gets a share of the CPUs apart from the servers', which
# measured tlsgate about 6% lower against HAProxy (BENCHMARKS.md, "Session
# 8"). bench/run.sh starts everything from one session.
#
# Every run is bounded: N rounds x targets x D seconds, at most 200000
# connections each, all to the addresses given (use loopback).
set -euo pipefail

reps=10
duration=3s
conc=8
rotate=0
tls=()
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps="$2"; shift 2 ;;
	--duration) duration="$2"; shift 2 ;;
	--rotate) rotate=1; shift ;;
	--concurrency) conc="$2"; shift 2 ;;
	--tls) tls=(--tls --ca "$2" --sni "$3"); shift 3 ;;
	-h|--help) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "ab.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*=*) targets+=("$1"); shift ;;
	*) echo "ab.sh: target $1 is not ADDR=NAME" >&2; exit 2 ;;
	esac
done
if [ ${#targets[@]} -lt 2 ]; then
	echo "ab.sh: give at least two targets, ADDR=NAME, the reference last" >&2
	exit 2
fi
case "$reps" in
''|*[!0-9]*) echo "ab.sh: --reps $reps is not a count" >&2; exit 2 ;;
esac
case "$conc" in
''|*[!0-9]*|0) echo "ab.sh: --concurrency $conc is not a positive count" >&2; exit 2 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$top" && go build -o "$work/tlsgate-load" ./cmd/tlsgate-load)

n=${#targets[@]}
for r in $(seq "$reps"); do
	declare -A got=()
	for k in $(seq 0 $((n - 1))); do
		i=$(( rotate ? (k + r - 1) % n : k ))
		t=${targets[$i]}
		addr=${t%%=*}
		out=$("$work/tlsgate-load" connrate --target "$addr" --duration "$duration" --concurrency "$conc" \
			--max 200000 "${tls[@]}" --json 2>"$work/err") || {
			echo "ab.sh: $addr: $(tail -1 "$work/err")" >&2
			exit 1
		}
		got[$i]=$(printf '%s\n' "$out" | tail -1 | sed -n 's/.*"value":\([0-9.]*\).*/\1/p')
	done
	line=""
	for i in $(seq 0 $((n - 1))); do line="$line ${got[$i]}"; done
	echo "round $r:$line" >&2
	echo "$line"
done | awk -v names="$(printf '%s\n' "${targets[@]}" | sed 's/.*=//' | paste -sd' ')" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	{ rows++; for (i = 1; i <= NF; i++) { rate[i, rows] = $i; ratio[i, rows] = $i / $NF } ; k = NF }
	END {
		split(names, nm, " ")
		for (i = 1; i <= k; i++) {
			for (r = 1; r <= rows; r++) { a[r] = rate[i, r]; b[r] = ratio[i, r] }
			printf "%-12s median %8.0f conn/s   ratio to %s, median of rounds: %.3f\n", nm[i], median(a, rows), nm[k], median(b, rows)
		}
	}'
