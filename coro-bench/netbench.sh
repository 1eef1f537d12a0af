#!/usr/bin/env bash
# Network throughput of coro's servers against peers, on loopback, server and load generator
# pinned to different cores (taskset):
#   echo: coro (`coro serve echo`) vs a hand-written single-thread NIO loop vs Netty NIO and epoll
#         (one event-loop thread each); 50 connections, 1 KiB and 10 KiB ping-pong.
#   http: coro (`coro serve http`) vs Netty NIO and epoll, with wrk (if installed), 50 connections.
# Each run: WARMUP seconds of load, then SECONDS measured.
#   [ROUNDS=3] coro-bench/netbench.sh [SECONDS] [WARMUP]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_MEASURED="${1:-5}"
WARMUP="${2:-3}"
CONNECTIONS=50
SERVER_CPU=0
LOAD_CPU=1
PORT=18600
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
FAST=(--add-exports java.base/jdk.internal.vm=ALL-UNNAMED)
JVM=(-Xms512m -Xmx512m)
CLI_JAR="$ROOT/coro-examples/target/coro.jar"
BENCH_JAR="$ROOT/coro-bench/target/benchmarks.jar"

echo "building ..." >&2
(cd "$ROOT" && JAVA_HOME="$(dirname "$(dirname "$JAVA")")" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
  mvn -B -ntp -q -DskipTests -pl coro-examples,coro-bench -am package >&2)

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}
trap stop_server EXIT

# start_server NAME ARGS...: starts the server pinned to SERVER_CPU on a fresh PORT, waits until it accepts.
start_server() {
  PORT=$((PORT + 1))
  local cmd
  case "$1" in
    coro-echo)   cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve echo --port "$PORT") ;;
    coro-http)   cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve http --port "$PORT") ;;
    raw-nio)     cmd=("$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.RawNioEchoServer "$PORT") ;;
    netty-*)     local kind="${1#netty-}"
                 cmd=("$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.NettyServer "${kind#*-}" "${kind%-*}" "$PORT") ;;
  esac
  taskset -c "$SERVER_CPU" "${cmd[@]}" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "server $1 did not start" >&2
  exit 1
}

echo_run() { # echo_run SERVER SIZE -> round trips/s
  start_server "$1"
  taskset -c "$LOAD_CPU" "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.EchoLoad \
    "$PORT" "$CONNECTIONS" "$2" "$WARMUP" "$SECONDS_MEASURED"
  stop_server
}

http_run() { # http_run SERVER -> requests/s (wrk)
  start_server "$1"
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/" >/dev/null
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_MEASURED}s" "http://127.0.0.1:$PORT/" \
    | awk '/^Requests\/sec:/ {printf "%.0f\n", $2}'
  stop_server
}

# Servers take turns, ROUNDS times, so that noise from other processes hits them alike; a row
# reports the median of its rounds and its ratio to the first server of its group.
ROUNDS="${ROUNDS:-3}"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A RESULTS
groups=("echo 1024 raw-nio coro-echo netty-nio-echo netty-epoll-echo"
        "echo 10240 raw-nio coro-echo netty-nio-echo netty-epoll-echo")
if command -v wrk >/dev/null 2>&1; then
  groups+=("http - netty-nio-http coro-http netty-epoll-http")
else
  echo "wrk not installed: HTTP runs skipped (apt-get install -y wrk)" >&2
fi
for round in $(seq "$ROUNDS"); do
  for group in "${groups[@]}"; do
    read -r test size servers <<<"$group"
    for server in $servers; do
      if [ "$test" = echo ]; then rate="$(echo_run "$server" "$size")"; else rate="$(http_run "$server")"; fi
      RESULTS["$test $size $server"]+="$rate "
      echo "round $round: $test $size $server $rate" >&2
    done
  done
done
printf '%-6s %-8s %-12s %12s %8s   %s\n' test size server "req/s" "vs first" "rounds"
for group in "${groups[@]}"; do
  read -r test size servers <<<"$group"
  base=""
  for server in $servers; do
    runs="${RESULTS["$test $size $server"]}"
    rate="$(tr ' ' '\n' <<<"$runs" | grep . | median)"
    [ -z "$base" ] && base="$rate"
    name="${server%-echo}"
    printf '%-6s %-8s %-12s %12s %7.1f%%   %s\n' "$test" "$size" "${name%-http}" "$rate" \
      "$(echo "100 * $rate / $base" | bc -l)" "$runs"
  done
done
