#!/usr/bin/env bash
# A/B check of two builds of coro's echo server against the raw NIO loop, on loopback, server and
# load generator pinned to different cores as in netbench.sh. Each round runs raw, A, B in turn
# (10 s warm-up, 5 s measured, 50 connections), so that a noisy host's swings hit all three alike;
# the last lines give each server's median req/s and server CPU µs per round trip, and in how many
# rounds B used less CPU per round trip than A.
#   coro-bench/echo-ab.sh CORO_JAR_A CORO_JAR_B [ROUNDS] [SIZE]     default 6 rounds, 1024 bytes
# A CORO_JAR is coro-examples/target/coro.jar of a build (e.g. a `git worktree` of an older commit).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: coro-bench/echo-ab.sh CORO_JAR_A CORO_JAR_B [ROUNDS] [SIZE]" >&2
  exit 2
fi
JAR_A="$1"; JAR_B="$2"; ROUNDS="${3:-6}"; SIZE="${4:-1024}"
for jar in "$JAR_A" "$JAR_B"; do
  [ -f "$jar" ] || { echo "echo-ab.sh: no such jar: $jar (build it with mvn -pl coro-examples -am package)" >&2; exit 2; }
done
"$ROOT/coro" bench -l >/dev/null   # builds coro-bench/target/benchmarks.jar (the raw loop and the load) if stale
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
BENCH_JAR="$ROOT/coro-bench/target/benchmarks.jar"
JVM=(-Xms512m -Xmx512m)
FAST=(--add-exports java.base/jdk.internal.vm=ALL-UNNAMED)
TICKS="$(getconf CLK_TCK)"
PORT=18700
SERVER_PID=""
trap '[ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true' EXIT

# run NAME SERVER_COMMAND... (the port is appended): prints "NAME req/s server-µs/req"
run() {
  local name="$1"; shift
  PORT=$((PORT + 1))
  taskset -c 0 "$@" "$PORT" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
  local out; out="$(mktemp)"
  taskset -c 1 "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.EchoLoad "$PORT" 50 "$SIZE" 10 5 >"$out" &
  local load=$!
  sleep 10.2; local c0; c0="$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")"
  sleep 4.6;  local c1; c1="$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")"
  wait "$load"
  local rate; rate="$(cat "$out")"; rm -f "$out"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
  printf '%s %s %.2f\n' "$name" "$rate" "$(echo "($c1 - $c0) / $TICKS / 4.6 / $rate * 1000000" | bc -l)"
}

results="$(mktemp)"
for round in $(seq "$ROUNDS"); do
  run raw "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.RawNioEchoServer | tee -a "$results"
  run A "$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$JAR_A" serve echo --port | tee -a "$results"
  run B "$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$JAR_B" serve echo --port | tee -a "$results"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for name in raw A B; do
  printf '%-4s median %s req/s, %s µs/req\n' "$name" \
    "$(awk -v n=$name '$1 == n {print $2}' "$results" | median)" "$(awk -v n=$name '$1 == n {print $3}' "$results" | median)"
done
paste <(awk '$1 == "A" {print $3}' "$results") <(awk '$1 == "B" {print $3}' "$results") |
  awk '{if ($2 < $1) b++; else if ($2 > $1) a++} END {printf "B cheaper per round trip in %d of %d rounds, A in %d\n", b, NR, a}'
rm -f "$results"
