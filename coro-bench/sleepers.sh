#!/usr/bin/env bash
# Runs dev.coro.bench.Sleepers (N tasks on one loop, each sleeping a random 0-1 s) for 100,000 and
# 1,000,000 tasks on the continuation backend and prints a table. Each size runs twice, in fresh
# JVMs: once for wall time and peak RSS, once with --heap (forced GCs) for heap per parked task.
#   coro-bench/sleepers.sh [SIZES...]        default sizes: 100000 1000000
# With BASELINE=JAR (another build's benchmarks.jar), compares the two builds instead: ROUNDS
# (default 8) pairs of 1,000,000-sleeper runs, the baseline and this build taking turns, then
# the median of each column per build and in how many pairs this build's wake-up CPU was lower.
# On a noisy host only such same-run comparisons mean anything.
#   BASELINE=/tmp/old/coro-bench/target/benchmarks.jar ROUNDS=8 coro-bench/sleepers.sh
# With PEERS=1, compares coro with its peers instead (dev.coro.bench.SleeperPeers): ROUNDS (default
# 5) rounds of 1,000,000 sleepers on coro, kotlinx.coroutines (runBlocking) and virtual threads
# taking turns, then each one's median wall time and peak RSS and its wall time as a share of
# kotlinx's in the same round (the issue's 3.6 s target is kotlinx's figure on a quiet host).
#   PEERS=1 ROUNDS=5 coro-bench/sleepers.sh
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

JAR="$ROOT/coro-bench/target/benchmarks.jar"

run() { # prints the key=value fields of one Sleepers run
  "$JAVA" --add-exports java.base/jdk.internal.vm=ALL-UNNAMED -Dcoro.backend=continuation \
    -cp "$JAR" dev.coro.bench.Sleepers "$@" | sed -n 's/^sleepers: //p'
}
peer() { # prints the key=value fields of one SleeperPeers run: peer() kotlinx|virtual-threads TASKS
  "$JAVA" -cp "$JAR" dev.coro.bench.SleeperPeers "$@" | sed -n 's/^sleepers: //p'
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
wake_cpu() { field loop_cpu_seconds "$1" | cut -d/ -f3; }

COLUMNS=(wall_seconds spawn_seconds park_seconds wake_seconds loop_cpu_seconds gc_pause_seconds process_cpu_seconds peak_rss_mib)

if [ -n "${PEERS:-}" ]; then
  declare -A RUNS=()
  RATIOS=""
  for ((i = 1; i <= ${ROUNDS:-5}; i++)); do
    coro="$(run 1000000)"
    kotlinx="$(peer kotlinx 1000000)"
    threads="$(peer virtual-threads 1000000)"
    printf '%-16s %s\n' coro "$coro" kotlinx "$kotlinx" virtual-threads "$threads"
    RUNS[coro]+="$coro"$'\n'; RUNS[kotlinx]+="$kotlinx"$'\n'; RUNS[virtual-threads]+="$threads"$'\n'
    RATIOS+="$(field wall_seconds "$coro") $(field wall_seconds "$kotlinx")"$'\n'
  done
  printf '%-16s %s %s %s\n' runtime median_wall_seconds median_gc_pause_seconds median_peak_rss_mib
  for r in coro kotlinx virtual-threads; do
    lines="$(sed '/^$/d' <<<"${RUNS[$r]}")"
    printf '%-16s %19s %23s %19s\n' "$r" \
      "$(while read -r l; do field wall_seconds "$l"; done <<<"$lines" | median)" \
      "$(while read -r l; do field gc_pause_seconds "$l"; done <<<"$lines" | median)" \
      "$(while read -r l; do field peak_rss_mib "$l"; done <<<"$lines" | median)"
  done
  echo "coro's wall time as a share of kotlinx's in the same round: median $(sed '/^$/d' <<<"$RATIOS" \
    | awk '{printf "%.3f\n", $1 / $2}' | median), rounds $(sed '/^$/d' <<<"$RATIOS" | awk '{printf "%.3f ", $1 / $2}')"
  exit 0
fi

if [ -n "${BASELINE:-}" ]; then
  [ -f "$BASELINE" ] || { echo "sleepers.sh: BASELINE=$BASELINE is not a file; give another build's benchmarks.jar." >&2; exit 1; }
  HEAD_JAR="$JAR"
  declare -A RUNS=()
  wins=0
  for ((i = 1; i <= ${ROUNDS:-8}; i++)); do
    JAR="$BASELINE"; base="$(run 1000000)"
    JAR="$HEAD_JAR"; head="$(run 1000000)"
    echo "baseline $base"
    echo "head     $head"
    RUNS[baseline]+="$base"$'\n'
    RUNS[head]+="$head"$'\n'
    awk -v b="$(wake_cpu "$base")" -v h="$(wake_cpu "$head")" 'BEGIN {exit !(h < b)}' && wins=$((wins + 1))
  done
  printf '%-9s %s %s %s %s\n' build median_wall_seconds median_wake_loop_cpu_seconds median_gc_pause_seconds median_peak_rss_mib
  for b in baseline head; do
    lines="$(sed '/^$/d' <<<"${RUNS[$b]}")"
    printf '%-9s %19s %29s %23s %19s\n' "$b" \
      "$(while read -r l; do field wall_seconds "$l"; done <<<"$lines" | median)" \
      "$(while read -r l; do wake_cpu "$l"; done <<<"$lines" | median)" \
      "$(while read -r l; do field gc_pause_seconds "$l"; done <<<"$lines" | median)" \
      "$(while read -r l; do field peak_rss_mib "$l"; done <<<"$lines" | median)"
  done
  echo "head's wake-up loop CPU was lower in $wins of ${ROUNDS:-8} pairs"
  exit 0
fi

printf '%-9s' tasks; printf ' %s' "${COLUMNS[@]}" heap_bytes_per_task; echo
for n in "${SIZES[@]}"; do
  timed="$(run "$n")"
  heap="$(run "$n" --heap)"
  printf '%-9s' "$n"
  for c in "${COLUMNS[@]}"; do printf " %${#c}s" "$(field "$c" "$timed")"; done
  printf ' %19s\n' "$(field heap_bytes_per_task "$heap")"
done
