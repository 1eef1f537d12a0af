#!/usr/bin/env bash
# Runs dev.coro.bench.Sleepers (N tasks on one loop, each sleeping a random 0-1 s) for 100,000 and
# 1,000,000 tasks on the continuation backend and prints a table. Each size runs twice, in fresh
# JVMs: once for wall time and peak RSS, once with --heap (forced GCs) for heap per parked task.
#   coro-bench/sleepers.sh [SIZES...]        default sizes: 100000 1000000
# JAVA_HOME must point at JDK 21+ (the ./coro launcher finds one itself and builds the jar).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/coro" bench -l >/dev/null   # builds coro-bench/target/benchmarks.jar if it is stale
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
if ! "$JAVA" -version >/dev/null 2>&1; then
  echo "sleepers.sh: no java at $JAVA; set JAVA_HOME to a JDK 21 or newer." >&2
  exit 1
fi
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000)

run() { # prints the key=value fields of one Sleepers run
  "$JAVA" --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -Dcoro.backend=continuation \
    -cp "$ROOT/coro-bench/target/benchmarks.jar" dev.coro.bench.Sleepers "$@" | sed -n 's/^sleepers: //p'
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

COLUMNS=(wall_seconds spawn_seconds park_seconds wake_seconds loop_cpu_seconds gc_pause_seconds process_cpu_seconds peak_rss_mib)
printf '%-9s' tasks; printf ' %s' "${COLUMNS[@]}" heap_bytes_per_task; echo
for n in "${SIZES[@]}"; do
  timed="$(run "$n")"
  heap="$(run "$n" --heap)"
  printf '%-9s' "$n"
  for c in "${COLUMNS[@]}"; do printf " %${#c}s" "$(field "$c" "$timed")"; done
  printf ' %19s\n' "$(field heap_bytes_per_task "$heap")"
done
