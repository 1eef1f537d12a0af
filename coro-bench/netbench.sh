#!/usr/bin/env bash
# Network throughput of coro's servers against peers, on loopback, server and load generator
# pinned to different cores (taskset):
#   echo: coro (`coro serve echo`) vs a hand-written single-thread NIO loop vs Netty NIO and epoll
#         (one event-loop thread each); 50 connections, 1 KiB and 10 KiB ping-pong.
#   http: coro (`coro serve http`) vs Netty NIO and epoll, with wrk (if installed), 50 connections.
# Each run: WARMUP seconds of load, then SECONDS measured. The table gives each server's medians
# and their ratios to the first server of its group; a second table gives the ratio round by round.
#   [ROUNDS=3] [TESTS="echo http"] [ECHO_SIZES=...] [ECHO_SERVERS=...] coro-bench/netbench.sh [SECONDS] [WARMUP]
# TESTS=echo runs the echo groups only (more rounds of one test in the same time). ECHO_SERVERS
# replaces the echo servers (default: raw-nio coro-echo netty-nio-echo netty-epoll-echo); a server
# coro-echo=JAR runs the echo server of another build's coro.jar, so that two builds are compared
# round by round against the raw loop (an A/B check on a noisy host):
#   ROUNDS=12 TESTS=echo ECHO_SIZES=1024 ECHO_SERVERS="raw-nio coro-echo=/tmp/old/coro-examples/target/coro.jar coro-echo" coro-bench/netbench.sh
# fiber-nio is the raw loop with a fiber (a JDK continuation) per connection and nothing else of coro:
# the floor of any server that gives a connection a stack; ECHO_SERVERS="raw-nio fiber-nio coro-echo"
# splits coro's distance from the raw loop into the switch's share and coro's own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_MEASURED="${1:-5}"
WARMUP="${2:-10}"   # long enough for C2 to finish with Netty's HTTP codec on a busy core
CONNECTIONS=50
SERVER_CPU=0
LOAD_CPU=1
PORT=18600
# shellcheck source=server-cpu.sh
source "$ROOT/coro-bench/server-cpu.sh"   # JAVA, FAST, JVM, the jars, build_jars, SERVER_PID, stop_server, measure

build_jars

trap stop_server EXIT

# start_server NAME ARGS...: starts the server pinned to SERVER_CPU on a fresh PORT, waits until it accepts.
start_server() {
  PORT=$((PORT + 1))
  local cmd
  case "$1" in
    coro-echo)   cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve echo --port "$PORT") ;;
    coro-echo=*) cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "${1#coro-echo=}" serve echo --port "$PORT") ;;
    coro-http)   cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve http --port "$PORT") ;;
    raw-nio)     cmd=("$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.RawNioEchoServer "$PORT") ;;
    fiber-nio)   cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.FiberNioEchoServer "$PORT") ;;
    netty-*)     local kind="${1#netty-}"
                 # Leak detection off, as in Netty's own benchmarks: the peer at its fastest.
                 cmd=("$JAVA" "${JVM[@]}" -Dio.netty.leakDetection.level=disabled -cp "$BENCH_JAR" \
                      dev.coro.bench.net.NettyServer "${kind#*-}" "${kind%-*}" "$PORT") ;;
    *)           echo "netbench.sh: unknown server '$1' (expected raw-nio, fiber-nio, coro-echo, coro-echo=JAR, coro-http or netty-{nio,epoll}-{echo,http})" >&2
                 exit 2 ;;
  esac
  if [[ "$1" == coro-echo=* && ! -f "${1#coro-echo=}" ]]; then
    echo "netbench.sh: no such jar: ${1#coro-echo=} (a build's coro-examples/target/coro.jar)" >&2
    exit 2
  fi
  taskset -c "$SERVER_CPU" "${cmd[@]}" >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "server $1 did not start" >&2
  exit 1
}

echo_run() { # echo_run SERVER SIZE -> "round trips/s  server µs/round trip"
  start_server "$1"
  measure "$WARMUP" taskset -c "$LOAD_CPU" "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.EchoLoad \
    "$PORT" "$CONNECTIONS" "$2" "$WARMUP" "$SECONDS_MEASURED"
  stop_server
}

wrk_rate() { # wrk_rate SECONDS -> requests/s of one wrk run
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$1s" "http://127.0.0.1:$PORT/" | awk '/^Requests\/sec:/ {printf "%.0f\n", $2}'
}

http_run() { # http_run SERVER -> "requests/s  server µs/request"
  start_server "$1"
  wrk_rate "$WARMUP" >/dev/null
  measure 0 wrk_rate "$SECONDS_MEASURED"
  stop_server
}

# Servers take turns, ROUNDS times, so that noise from other processes hits them alike; a row
# reports the medians of its rounds and their ratios to the first server of its group. On a shared
# machine the server's CPU time per request (µs/req, lower is better; "vs first" > 100% means
# cheaper than the first) is the steadier of the two measures, and its user-space part (user µs) the
# steadiest: on loopback the kernel's TCP work is most of a request's CPU and moves with the host, while
# the user-space part is what the server's own code costs (the raw loop's, a fiber switch, coro's).
ROUNDS="${ROUNDS:-3}"
TESTS="${TESTS:-echo http}"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A RESULTS CPU USER_CPU
groups=()
if [[ " $TESTS " == *" echo "* ]]; then
  for size in ${ECHO_SIZES:-1024 10240}; do
    groups+=("echo $size ${ECHO_SERVERS:-raw-nio coro-echo netty-nio-echo netty-epoll-echo}")
  done
fi
if [[ " $TESTS " == *" http "* ]]; then
  # wrk comes from Debian's packages: installed here when missing and we are root (a new machine).
  if ! command -v wrk >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing wrk ..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >&2 || true
  fi
  if command -v wrk >/dev/null 2>&1; then
    groups+=("http - netty-nio-http coro-http netty-epoll-http")
  else
    echo "wrk not installed: HTTP runs skipped (apt-get install -y wrk)" >&2
  fi
fi
if [ ${#groups[@]} -eq 0 ]; then
  echo "netbench.sh: TESTS='$TESTS' names no test (expected: echo, http or both)" >&2
  exit 2
fi
for round in $(seq "$ROUNDS"); do
  for group in "${groups[@]}"; do
    read -r test size servers <<<"$group"
    for server in $servers; do
      if [ "$test" = echo ]; then result="$(echo_run "$server" "$size")"; else result="$(http_run "$server")"; fi
      read -r rate cpu user <<<"$result"
      RESULTS["$test $size $server"]+="$rate "
      CPU["$test $size $server"]+="$cpu "
      USER_CPU["$test $size $server"]+="$user "
      echo "round $round: $test $size $server $rate req/s, $cpu µs/req, $user in user space" >&2
    done
  done
done
printf '%-6s %-7s %-12s %9s %9s %8s %9s %8s %9s   %s\n' test size server "req/s" "vs first" "µs/req" "vs first" \
  "user µs" "vs first" "rounds (req/s; µs/req)"
for group in "${groups[@]}"; do
  read -r test size servers <<<"$group"
  base=""; base_cpu=""; base_user=""
  for server in $servers; do
    runs="${RESULTS["$test $size $server"]}"; cpus="${CPU["$test $size $server"]}"
    rate="$(tr ' ' '\n' <<<"$runs" | grep . | median)"
    cpu="$(tr ' ' '\n' <<<"$cpus" | grep . | median)"
    user="$(tr ' ' '\n' <<<"${USER_CPU["$test $size $server"]}" | grep . | median)"
    [ -z "$base" ] && base="$rate" && base_cpu="$cpu" && base_user="$user"
    name="${server%-echo}"
    printf '%-6s %-7s %-12s %9s %8.1f%% %8s %8.1f%% %8s %8.1f%%   %s; %s\n' "$test" "$size" "${name%-http}" "$rate" \
      "$(echo "100 * $rate / $base" | bc -l)" "$cpu" "$(echo "100 * $base_cpu / $cpu" | bc -l)" \
      "$user" "$(echo "100 * $base_user / $user" | bc -l)" "$runs" "$cpus"
  done
done
# The same comparison round by round: each server's req/s over the first server's in the same round,
# which cancels the noise that moves a whole round (the medians above pair different rounds).
echo
echo "req/s as a share of the first server's in the same round (median of the rounds; each round):"
for group in "${groups[@]}"; do
  read -r test size servers <<<"$group"
  first="${servers%% *}"
  for server in ${servers#"$first"}; do
    ratios="$(paste -d' ' <(tr ' ' '\n' <<<"${RESULTS["$test $size $server"]}" | grep .) \
      <(tr ' ' '\n' <<<"${RESULTS["$test $size $first"]}" | grep .) | awk '{printf "%.1f\n", 100 * $1 / $2}')"
    name="${server%-echo}"
    printf '%-6s %-7s %-12s %8s%%   %s\n' "$test" "$size" "${name%-http}" "$(median <<<"$ratios")" "$(tr '\n' ' ' <<<"$ratios")"
  done
done
