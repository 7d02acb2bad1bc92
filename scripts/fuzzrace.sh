#!/usr/bin/env bash
# fuzzrace.sh LOG TARGET: exits 0 when LOG, the output of a failed
# `go test -fuzz=TARGET -fuzztime=DURATION` run, is Go's fuzz coordinator
# shutdown race and nothing else, 1 otherwise.
#
# The race is go.dev/issue/75804: internal/fuzz.CoordinateFuzzing turns
# -fuzztime into a context deadline and means to swallow it as a normal
# end, but compares it only with the workers' child context, which
# context.cancelCtx cancels after it has closed the parent's Done channel.
# When the coordinator wakes in between (a loaded machine makes that
# likely), the target fails with a bare "context deadline exceeded" at
# the end of its time, having found nothing. go1.26.8's stop() still has
# only the child comparison; drop this when go.mod moves to a release
# with the fix.
#
# Only that exact shape counts: the target's FAIL line, the one bare error
# line under it, go test's trailer and progress lines. A crasher ("Failing
# input written to"), a seed corpus failure, a t.Fatal message (file:line),
# a panic or a test timeout all print other lines and are real failures,
# even when their text mentions a deadline.
set -euo pipefail
log=$1 target=$2

grep -qx -- "--- FAIL: ${target} ([0-9.]*s)" "$log" || exit 1
grep -qx -- "    context deadline exceeded" "$log" || exit 1
# Any line outside the race's shape makes it a real failure.
if grep -vxE -- "fuzz: elapsed: .*|warning: starting with empty corpus|--- FAIL: ${target} \\([0-9.]+s\\)|    context deadline exceeded|FAIL|exit status 1|FAIL	[^ 	]+	[0-9.]+s" "$log" >/dev/null; then
	exit 1
fi
exit 0
