#!/usr/bin/env bash
# bench/run.sh: what does tlsgate cost, next to talking to the backend
# directly and next to HAProxy doing the same job?
#
# One run builds tlsgate and tlsgate-load, starts three tlsgate-load
# backends, tlsgate (bench/tlsgate-bench.toml) and HAProxy
# (bench/haproxy-bench.cfg), all on 127.0.0.1, then measures, each
# repeated --reps times with the targets taken in turn inside every
# repetition (so drift of the machine hits all of them alike):
#   bulk TLS throughput         direct | tlsgate passthrough | haproxy sniff
#   new connections/s, plain    direct | tlsgate plaintext   | haproxy plain
#   new connections/s, TLS      direct | tlsgate passthrough | haproxy sniff
#   request latency, plain/TLS  direct | tlsgate             | haproxy
#   TLS handshakes/s            direct TLS backend | tlsgate terminate (same
#                               cert; and minted leaf) | haproxy terminate
#   memory per idle connection  tlsgate | haproxy (VmRSS growth)
# and prints a markdown table (median, min – max, ratio to direct) on
# stdout, also written to bench/results-<date>.md (raw JSON lines beside it
# in results-<date>.jsonl). Progress goes to stderr.
#
# The load generator, the proxy and the backend share this machine's
# cores, so every number includes that contention, the same way for each
# target. Nothing leaves loopback; every client is bounded by count and
# time; every process started here is stopped on exit.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: bench/run.sh [options]
  --reps N          repetitions of every measurement (default 5)
  --duration D      length of each conn-rate and handshake run, e.g. 5s (default 5s)
  --concurrency N   workers for conn-rate and handshake runs (default 8)
  --bulk SIZE       bytes per bulk run, e.g. 256MiB (default 256MiB)
  --requests N      timed requests per latency run (default 5000)
  --idle-conns N    idle connections added per step (default 500; see below)
  --quick           a smoke run: --reps 1 --duration 1s --bulk 32MiB --requests 500 --idle-conns 200
  --out FILE        markdown output (default bench/results-<date>.md)
  --keep            keep the work directory (logs, configs, raw results)
  --wait-quiet SEC  first wait up to SEC seconds for the 1-minute load average
                    to drop below 1 (other work on the machine skews every number)
  --without-tlsgate measure direct and HAProxy only (to check the bench itself)
  --tlsgate PATH    use this tlsgate binary instead of building ./cmd/tlsgate
                    (e.g. one built from a commit while the work tree is mid-edit)
  -h, --help        this text
The default run takes about 5 minutes on 2 cores.

Idle memory keeps every step's connections open: REPS x idle-conns at the end.
A relayed connection costs tlsgate 6 file descriptors (two sockets, and a
splice pipe pair per direction) and HAProxy 2, so the run lowers idle-conns
when the open-files limit (ulimit -Hn) would not hold them.
EOF
}

REPS=5
DURATION=5s
CONCURRENCY=8
BULK=256MiB
REQUESTS=5000
IDLE_CONNS=500
WAIT_QUIET=0
OUT=""
KEEP=0
WITH_TLSGATE=1
TLSGATE_BIN=""
ORIG_ARGS="$*"
while [[ $# -gt 0 ]]; do
	case "$1" in
	--reps) REPS="$2"; shift 2 ;;
	--duration) DURATION="$2"; shift 2 ;;
	--concurrency) CONCURRENCY="$2"; shift 2 ;;
	--bulk) BULK="$2"; shift 2 ;;
	--requests) REQUESTS="$2"; shift 2 ;;
	--idle-conns) IDLE_CONNS="$2"; shift 2 ;;
	--quick) REPS=1; DURATION=1s; BULK=32MiB; REQUESTS=500; IDLE_CONNS=200; shift ;;
	--out) OUT="$2"; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--wait-quiet) WAIT_QUIET="$2"; shift 2 ;;
	--without-tlsgate) WITH_TLSGATE=0; shift ;;
	--tlsgate) TLSGATE_BIN="$2"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done
for v in REPS IDLE_CONNS CONCURRENCY REQUESTS; do
	[[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: ${v,,} must be a positive integer, got '${!v}'" >&2; exit 2; }
done
[[ "$WAIT_QUIET" =~ ^[0-9]+$ ]] || { echo "run.sh: --wait-quiet takes whole seconds" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATE="$(date +%Y-%m-%d)"
OUT="${OUT:-$ROOT/bench/results-$DATE.md}"
WORK="$(mktemp -d /tmp/tlsgate-bench.XXXXXX)"
BIN="$WORK/bin"
RESULTS="$WORK/results.jsonl"
FAILURES="$WORK/failures.txt"
: >"$RESULTS"
: >"$FAILURES"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Every child's pid, so the trap stops exactly what this script started.
PIDS=()
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ $KEEP -eq 1 || $rc -ne 0 ]]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# wait_port HOST:PORT: up to 10 s for something to accept there.
wait_port() {
	local host=${1%:*} port=${1##*:}
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "run.sh: nothing is listening on $1 after 10s" >&2
	return 1
}

port_free() {
	local host=${1%:*} port=${1##*:}
	! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# --- build and prerequisites -------------------------------------------------
# 6 fds per relayed connection in tlsgate (see --help), plus some slack.
FD_LIMIT="$(ulimit -Hn)"
if [[ "$FD_LIMIT" != unlimited ]] && (( REPS * IDLE_CONNS * 6 + 200 > FD_LIMIT )); then
	IDLE_CONNS=$(( (FD_LIMIT - 200) / 6 / REPS ))
	(( IDLE_CONNS >= 1 )) || IDLE_CONNS=1
	log "open-files limit is $FD_LIMIT: idle memory uses $IDLE_CONNS connections per step"
fi
cd "$ROOT"
log "building tlsgate and tlsgate-load into $BIN"
mkdir -p "$BIN"
if [[ -n "$TLSGATE_BIN" ]]; then
	[[ -x "$TLSGATE_BIN" ]] || { echo "run.sh: --tlsgate $TLSGATE_BIN is not an executable" >&2; exit 2; }
	cp "$TLSGATE_BIN" "$BIN/tlsgate"
elif [[ $WITH_TLSGATE -eq 1 ]]; then
	go build -o "$BIN/tlsgate" ./cmd/tlsgate
fi
go build -o "$BIN/tlsgate-load" ./cmd/tlsgate-load
LOAD="$BIN/tlsgate-load"

if ! command -v haproxy >/dev/null 2>&1; then
	log "installing haproxy"
	DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy >"$WORK/apt.log" 2>&1 || {
		apt-get update >>"$WORK/apt.log" 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y haproxy >>"$WORK/apt.log" 2>&1
	}
fi
command -v openssl >/dev/null 2>&1 || { echo "run.sh: openssl is needed to make the bench certificate" >&2; exit 1; }

ALL_PORTS=(127.0.0.1:27101 127.0.0.1:27102 127.0.0.1:27103
	127.0.0.1:27301 127.0.0.1:27302 127.0.0.1:27303 127.0.0.1:27304)
if [[ $WITH_TLSGATE -eq 1 ]]; then
	ALL_PORTS+=(127.0.0.1:27201 127.0.0.1:27202 127.0.0.1:27203 127.0.0.1:27204 127.0.0.1:27205)
fi
for p in "${ALL_PORTS[@]}"; do
	port_free "$p" || { echo "run.sh: $p is already in use; stop what holds it first" >&2; exit 1; }
done

# One ECDSA P-256 certificate for every TLS server in the run, so the
# handshake costs the same on every row. It is self-signed and trusted
# directly by the clients (--ca).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=bench.local -addext "subjectAltName=DNS:bench.local,IP:127.0.0.1" \
	-keyout "$WORK/bench-key.pem" -out "$WORK/bench-cert.pem" 2>"$WORK/openssl.log"
cat "$WORK/bench-cert.pem" "$WORK/bench-key.pem" >"$WORK/bench.pem"
cp bench/tlsgate-bench.toml bench/haproxy-bench.cfg "$WORK/"
if [[ $WITH_TLSGATE -eq 1 ]]; then
	"$BIN/tlsgate" ca export -c "$WORK/tlsgate-bench.toml" >"$WORK/lab-ca.pem" 2>"$WORK/ca.log"
fi

# --- start the servers -------------------------------------------------------
start_backend() { # NAME ADDR ARGS...
	local name=$1 addr=$2
	shift 2
	"$LOAD" backend --listen "$addr" --lifetime 30m "$@" >"$WORK/backend-$name.out" 2>&1 &
	PIDS+=($!)
}
log "starting backends"
start_backend echo-tls 127.0.0.1:27101 --mode echo --tls --cert "$WORK/bench-cert.pem" --key "$WORK/bench-key.pem"
start_backend http 127.0.0.1:27102 --mode http
start_backend http-tls 127.0.0.1:27103 --mode http --tls --cert "$WORK/bench-cert.pem" --key "$WORK/bench-key.pem"

TLSGATE_PID=none
if [[ $WITH_TLSGATE -eq 1 ]]; then
	log "starting tlsgate"
	"$BIN/tlsgate" run -c "$WORK/tlsgate-bench.toml" >"$WORK/tlsgate.stdout" 2>"$WORK/tlsgate.stderr" &
	TLSGATE_PID=$!
	PIDS+=("$TLSGATE_PID")
fi

log "starting haproxy"
(cd "$WORK" && haproxy -c -f haproxy-bench.cfg) >"$WORK/haproxy-check.log" 2>&1 || {
	cat "$WORK/haproxy-check.log" >&2
	exit 1
}
(cd "$WORK" && exec haproxy -db -f haproxy-bench.cfg >"$WORK/haproxy.log" 2>&1) &
HAPROXY_PID=$!
PIDS+=("$HAPROXY_PID")

for p in "${ALL_PORTS[@]}"; do
	wait_port "$p"
done
log "all servers up (tlsgate pid $TLSGATE_PID, haproxy pid $HAPROXY_PID)"
if (( WAIT_QUIET > 0 )); then
	log "waiting up to ${WAIT_QUIET}s for the load average to drop below 1"
	for _ in $(seq "$WAIT_QUIET"); do
		awk '{exit !($1 < 1.0)}' /proc/loadavg && break
		sleep 1
	done
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
if awk '{exit !($1 > 1.0)}' /proc/loadavg; then
	log "warning: load average is $LOAD_BEFORE before the bench; other work on this machine will show in the numbers"
fi

# --- measure -----------------------------------------------------------------
# measure GROUP NAME SUBCOMMAND ARGS...: one run, its JSON line appended to
# the results; a failed run is noted and the bench goes on.
measure() {
	local group=$1 name=$2
	shift 2
	if [[ $WITH_TLSGATE -eq 0 && $name == tlsgate* ]]; then
		return 0
	fi
	# The proxy's CPU time per unit of work moves far less than rates do
	# when the machine is shared, so it is metered on every proxied run.
	local cpu=()
	case "$name" in
	tlsgate*) cpu=(--cpu-pid "$TLSGATE_PID") ;;
	haproxy*) cpu=(--cpu-pid "$HAPROXY_PID") ;;
	esac
	local line
	if line=$("$LOAD" "$@" "${cpu[@]}" --json --group "$group" --name "$name" 2>"$WORK/last.err"); then
		printf '%s\n' "$line" >>"$RESULTS"
	else
		printf -- '- %s / %s: %s\n' "$group" "$name" "$(tr '\n' ' ' <"$WORK/last.err")" >>"$FAILURES"
		log "FAILED $group / $name: $(head -c 300 "$WORK/last.err")"
	fi
}

# Idle memory first, while the proxies are fresh: pools and heap that the
# load runs below grow would otherwise absorb the new connections and hide
# their cost. One client per proxy adds IDLE_CONNS relayed connections REPS
# times, keeping the earlier ones open, and prints one result per step.
idle() { # NAME PORT PID
	log "idle memory: $1 ($IDLE_CONNS conns x $REPS steps)"
	if ! "$LOAD" idle --target "127.0.0.1:$2" --pid "$3" --conns "$IDLE_CONNS" --steps "$REPS" \
		--json --group "memory per idle conn (plain HTTP, relayed)" --name "$1" >>"$WORK/idle.jsonl" 2>"$WORK/last.err"; then
		printf -- '- idle / %s: %s\n' "$1" "$(tr '\n' ' ' <"$WORK/last.err")" >>"$FAILURES"
		log "FAILED idle $1: $(head -c 300 "$WORK/last.err")"
	fi
}
if [[ $WITH_TLSGATE -eq 1 ]]; then
	idle tlsgate 27202 "$TLSGATE_PID"
fi
idle haproxy 27302 "$HAPROXY_PID"

TLS_BENCH=(--tls --ca "$WORK/bench-cert.pem" --sni bench.local)
TLS_MINTED=(--tls --ca "$WORK/lab-ca.pem" --sni bench.local)
RATE=(--duration "$DURATION" --concurrency "$CONCURRENCY" --max 2000000)

for rep in $(seq "$REPS"); do
	log "repetition $rep of $REPS: bulk"
	for t in direct:27101 tlsgate:27201 haproxy:27301; do
		measure "bulk TLS $BULK, 1 conn" "${t%%:*}" bulk --target "127.0.0.1:${t##*:}" --bytes "$BULK" --conns 1 --duration 60s "${TLS_BENCH[@]}"
	done
	log "repetition $rep of $REPS: connection rate"
	for t in direct:27102 tlsgate:27202 haproxy:27302; do
		measure "new conns/s, plain HTTP" "${t%%:*}" connrate --target "127.0.0.1:${t##*:}" "${RATE[@]}"
	done
	for t in direct:27103 tlsgate:27203 haproxy:27303; do
		measure "new conns/s, TLS (passthrough)" "${t%%:*}" connrate --target "127.0.0.1:${t##*:}" "${RATE[@]}" "${TLS_BENCH[@]}"
	done
	log "repetition $rep of $REPS: latency"
	for t in direct:27102 tlsgate:27202 haproxy:27302; do
		measure "latency, plain HTTP" "${t%%:*}" latency --target "127.0.0.1:${t##*:}" --requests "$REQUESTS" --concurrency 1 --duration 60s
	done
	for t in direct:27103 tlsgate:27203 haproxy:27303; do
		measure "latency, TLS (passthrough)" "${t%%:*}" latency --target "127.0.0.1:${t##*:}" --requests "$REQUESTS" --concurrency 1 --duration 60s "${TLS_BENCH[@]}"
	done
	log "repetition $rep of $REPS: handshakes"
	measure "TLS handshakes/s (terminate)" direct handshakes --target 127.0.0.1:27103 "${RATE[@]}" "${TLS_BENCH[@]}"
	measure "TLS handshakes/s (terminate)" tlsgate handshakes --target 127.0.0.1:27204 "${RATE[@]}" "${TLS_BENCH[@]}"
	measure "TLS handshakes/s (terminate)" "tlsgate, minted leaf" handshakes --target 127.0.0.1:27205 "${RATE[@]}" "${TLS_MINTED[@]}"
	measure "TLS handshakes/s (terminate)" haproxy handshakes --target 127.0.0.1:27304 "${RATE[@]}" "${TLS_BENCH[@]}"
done

# --- report ------------------------------------------------------------------
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
# Memory rows go last in the table, though they were measured first.
if [[ -f "$WORK/idle.jsonl" ]]; then
	cat "$WORK/idle.jsonl" >>"$RESULTS"
fi
TABLE="$("$LOAD" report --in "$RESULTS")"
if [[ $WITH_TLSGATE -eq 0 ]]; then
	TLSGATE_DESC="not measured"
elif [[ -n "$TLSGATE_BIN" ]]; then
	TLSGATE_DESC="$("$BIN/tlsgate" version | cut -d' ' -f2) (binary given with --tlsgate)"
else
	TLSGATE_DESC="$("$BIN/tlsgate" version | cut -d' ' -f2) (built from the work tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo ', with uncommitted changes'))"
fi
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
{
	echo "# tlsgate benchmark, $DATE"
	echo
	echo "Command: \`bench/run.sh${ORIG_ARGS:+ $ORIG_ARGS}\` (repetitions $REPS; rate runs $DURATION at concurrency $CONCURRENCY; bulk $BULK; latency $REQUESTS requests; idle $IDLE_CONNS conns per step)"
	echo
	echo "Machine: $(nproc) cores ($CPU), kernel $(uname -r); $(go version | cut -d' ' -f3); $(haproxy -v | head -1 | cut -d' ' -f1-3); tlsgate $TLSGATE_DESC."
	echo "Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER."
	echo "Load generator, proxy and backend share these cores. Medians of $REPS runs; \"vs direct\" divides by the direct median;"
	echo "for memory, each run adds $IDLE_CONNS connections while keeping the earlier ones. The CPU table is the proxy process's"
	echo "own CPU time (utime+stime) during each run, divided by the work done: it is steadier than the rates on a shared machine."
	echo
	echo "$TABLE"
	if [[ -s "$FAILURES" ]]; then
		echo
		echo "Failed runs:"
		cat "$FAILURES"
	fi
} >"$OUT"
# The raw results too, one JSON line per run, for anyone who wants other
# statistics than the table's: tlsgate-load report --in FILE reprints it.
cp "$RESULTS" "${OUT%.md}.jsonl"
cat "$OUT"
log "written to $OUT and ${OUT%.md}.jsonl"
