#!/usr/bin/env bash
# coro's servers against Netty, on loopback, server and load generator sharing the host's cores
# (nothing pinned: a server with 2 loops needs both). Measurements:
#   http       coro `serve http --loops L` vs Netty's HTTP/1.1 hello (HttpServerCodec) with L event
#              loops, NIO and epoll; wrk -t2, CONNECTIONS keep-alive connections, the same response bytes.
#   http-close the same servers, each request on a new connection (wrk -H "Connection: close"): the
#              accept path, where the hand-off acceptor (coro-handoff below) does its work.
#   echo       coro `serve echo --loops L` vs Netty's echo, L event loops, NIO and epoll; EchoLoad,
#              CONNECTIONS connections, ECHO_SIZE-byte ping-pong.
#              With L > 1, http, http-close and echo also run coro with `--hand-off` (coro-handoff:
#              one acceptor handing connections to the least-loaded loop, the fallback where
#              SO_REUSEPORT is missing).
#   tls-echo   coro `serve echo --tls` vs Netty's SslHandler with the JDK provider (netty-jdk) and with
#              BoringSSL through netty-tcnative (netty-openssl), one loop each, transport TLS_TRANSPORT;
#              TlsLoad echo: TLS 1.3, TLS_AES_128_GCM_SHA256, TLS_CONNECTIONS connections, TLS_SIZE bytes.
#   handshake  the same three TLS servers; TlsLoad handshake: HANDSHAKE_CLIENTS clients doing full
#              TLS 1.3 handshakes (no resumption) and one echoed byte, over and over.
# Every TLS server presents a self-signed EC P-256 certificate made by keytool at start-up.
# Each measurement starts a fresh server, loads it WARMUP seconds, then DURATION seconds measured. The
# server's CPU time over the measured window (utime + stime from /proc/PID/stat) per request gives
# "cpu_s_per_M": server CPU-seconds per million requests (equal to µs per request; per handshake for
# `handshake`). ROUNDS rounds; in each, the servers of a measurement take turns, so that noise from
# other processes hits them alike. On a shared host CPU per request is the steadier measure.
#
#   [ROUNDS=5] [DURATION=10] [WARMUP=10] [TESTS="http http-close echo tls-echo handshake"] [LOOPS="1 2"] [PIN=1] coro-bench/servers.sh
#
# With the defaults: 27 measurements per round of about 22 s each, some 50 minutes in all.
#
# Output (stdout): one line per measurement, then one summary line per (test, loops, server), all
# key=value, so that `grep ^summary | column -t` or a spreadsheet tabulates them:
#   run round=1 test=http loops=1 server=coro rate=41234 cpu_s_per_M=21.40
#   summary test=http loops=1 server=netty-epoll rate=45000 cpu_s_per_M=19.80 rate_vs_coro=1.091 cpu_vs_coro=0.925 rounds=5
# rate is requests (round trips, handshakes) per second; *_vs_coro is the median over the rounds of
# the ratio to coro's figure in the same round (cpu_vs_coro < 1: the peer spends less CPU per request).
# Progress and build output go to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
SECONDS_MEASURED="${DURATION:-10}"
WARMUP="${WARMUP:-10}"   # C2 must be done with Netty's HTTP codec and the TLS engines before measuring
TESTS="${TESTS:-http http-close echo tls-echo handshake}"
LOOPS="${LOOPS:-1 2}"
CONNECTIONS="${CONNECTIONS:-50}"
ECHO_SIZE="${ECHO_SIZE:-1024}"
TLS_SIZE="${TLS_SIZE:-1024}"
TLS_CONNECTIONS="${TLS_CONNECTIONS:-50}"
TLS_TRANSPORT="${TLS_TRANSPORT:-nio}"
HANDSHAKE_CLIENTS="${HANDSHAKE_CLIENTS:-8}"
PORT=18700
# shellcheck source=server-cpu.sh
source "$ROOT/coro-bench/server-cpu.sh"   # JAVA, FAST, JVM, the jars, build_jars, SERVER_PID, stop_server, measure

if ! "$JAVA" -version >/dev/null 2>&1; then
  echo "servers.sh: no java at $JAVA; set JAVA_HOME to a JDK 21 or newer." >&2
  exit 1
fi
for t in $TESTS; do
  case "$t" in http|http-close|echo|tls-echo|handshake) ;; *) echo "servers.sh: unknown test '$t' (expected: http http-close echo tls-echo handshake)" >&2; exit 2 ;; esac
done
# wrk comes from Debian's packages: installed here when missing and we are root (a new machine).
if [[ " $TESTS " == *" http"* ]] && ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing wrk ..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >&2 || true
  fi
  if ! command -v wrk >/dev/null 2>&1; then
    echo "servers.sh: wrk is not installed (apt-get install -y wrk); the http test needs it" >&2
    exit 1
  fi
fi

build_jars

SERVER_LOG="$(mktemp)"
RESULTS="$(mktemp)"
ONE="$(mktemp)"
trap 'stop_server; rm -f "$SERVER_LOG" "$RESULTS" "$ONE"' EXIT

# PIN=1 pins the server to core 0 and the load generator to core 1 (taskset), as issue 23 measures
# one-loop TLS servers; leave it off for servers with 2 loops, which need both cores.
PIN_SERVER=(); PIN_LOAD=()
if [ "${PIN:-0}" = 1 ]; then PIN_SERVER=(taskset -c 0); PIN_LOAD=(taskset -c 1); fi

# start_server TEST LOOPS SERVER: starts it on a fresh PORT and waits for its "listening on" line.
start_server() {
  local test="$1" loops="$2" server="$3" cmd
  PORT=$((PORT + 1))
  local kind="$test"
  case "$test" in handshake) kind=tls-echo ;; http-close) kind=http ;; esac
  case "$server:$kind" in
    coro:http)          cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve http --port "$PORT" --loops "$loops") ;;
    coro:echo)          cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve echo --port "$PORT" --loops "$loops") ;;
    coro-handoff:http|coro-handoff:echo)
                        cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve "$kind" --hand-off --port "$PORT" --loops "$loops") ;;
    coro:tls-echo)      cmd=("$JAVA" "${JVM[@]}" "${FAST[@]}" -jar "$CLI_JAR" serve echo --tls --port "$PORT" --loops "$loops") ;;
    netty-nio:*|netty-epoll:*)
                        cmd=("$JAVA" "${JVM[@]}" -Dio.netty.leakDetection.level=disabled -cp "$BENCH_JAR" \
                             dev.coro.bench.net.NettyServer "$kind" "${server#netty-}" "$PORT" "$loops") ;;
    netty-jdk:tls-echo|netty-openssl:tls-echo)
                        cmd=("$JAVA" "${JVM[@]}" -Dio.netty.leakDetection.level=disabled -cp "$BENCH_JAR" \
                             dev.coro.bench.net.NettyServer tls-echo "$TLS_TRANSPORT" "$PORT" "$loops" "${server#netty-}") ;;
    *)                  echo "servers.sh: no server '$server' for $test" >&2; exit 2 ;;
  esac
  : >"$SERVER_LOG"   # emptied here: the server's own redirection may come after the first check below
  "${PIN_SERVER[@]}" "${cmd[@]}" >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    if grep -q "listening on .*:$PORT" "$SERVER_LOG"; then return; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "servers.sh: server $server ($test, $loops loops) did not start:" >&2
  cat "$SERVER_LOG" >&2
  exit 1
}

wrk_rate() { # wrk_rate SECONDS [WRK ARGS...] -> requests/s of one wrk run
  local seconds="$1"; shift
  "${PIN_LOAD[@]}" wrk -t2 -c"$CONNECTIONS" -d"${seconds}s" "$@" "http://127.0.0.1:$PORT/" | awk '/^Requests\/sec:/ {printf "%.0f\n", $2}'
}

run_one() { # run_one TEST LOOPS SERVER -> "rate cpu"
  local test="$1"
  start_server "$@"
  case "$test" in
    http)      wrk_rate "$WARMUP" >/dev/null
               measure 0 wrk_rate "$SECONDS_MEASURED" ;;
    http-close) wrk_rate "$WARMUP" -H "Connection: close" >/dev/null
               measure 0 wrk_rate "$SECONDS_MEASURED" -H "Connection: close" ;;
    echo)      measure "$WARMUP" "${PIN_LOAD[@]}" "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.EchoLoad \
                 "$PORT" "$CONNECTIONS" "$ECHO_SIZE" "$WARMUP" "$SECONDS_MEASURED" ;;
    tls-echo)  measure "$WARMUP" "${PIN_LOAD[@]}" "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.TlsLoad echo \
                 "$PORT" "$TLS_CONNECTIONS" "$TLS_SIZE" "$WARMUP" "$SECONDS_MEASURED" ;;
    handshake) measure "$WARMUP" "${PIN_LOAD[@]}" "$JAVA" "${JVM[@]}" -cp "$BENCH_JAR" dev.coro.bench.net.TlsLoad handshake \
                 "$PORT" "$HANDSHAKE_CLIENTS" "$WARMUP" "$SECONDS_MEASURED" ;;
  esac
  stop_server
}

# The measurements: "test loops servers...", coro first (the ratios are to it).
groups=()
for t in $TESTS; do
  case "$t" in
    http|http-close|echo) for l in $LOOPS; do
                 if [ "$l" -gt 1 ]; then groups+=("$t $l coro coro-handoff netty-nio netty-epoll")
                 else groups+=("$t $l coro netty-nio netty-epoll"); fi
               done ;;
    *)         groups+=("$t 1 coro netty-jdk netty-openssl") ;;
  esac
done

echo "servers.sh: $(date -u '+%Y-%m-%d %H:%M UTC') host $(hostname) $(nproc) cores; ROUNDS=$ROUNDS DURATION=$SECONDS_MEASURED WARMUP=$WARMUP" >&2
for round in $(seq "$ROUNDS"); do
  for group in "${groups[@]}"; do
    read -r test loops servers <<<"$group"
    for server in $servers; do
      run_one "$test" "$loops" "$server" >"$ONE"   # not in $(...): the server's PID and PORT live in this shell
      read -r rate cpu _ <"$ONE"
      echo "$round $test $loops $server $rate $cpu" >>"$RESULTS"
      echo "run round=$round test=$test loops=$loops server=$server rate=$rate cpu_s_per_M=$cpu"
    done
  done
done

median() { sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for group in "${groups[@]}"; do
  read -r test loops servers <<<"$group"
  for server in $servers; do
    mine() { awk -v t="$test" -v l="$loops" -v s="$server" -v f="$1" '$2 == t && $3 == l && $4 == s {print $f}' "$RESULTS"; }
    # Per round: this server's figure over coro's in the same round.
    ratios="$(awk -v t="$test" -v l="$loops" -v s="$server" '
      $2 == t && $3 == l && $4 == "coro" {cr[$1] = $5; cc[$1] = $6}
      $2 == t && $3 == l && $4 == s {r[$1] = $5; c[$1] = $6}
      END {for (k in r) if ((k in cr) && cr[k] > 0 && cc[k] > 0) printf "%.3f %.3f\n", r[k] / cr[k], c[k] / cc[k]}' "$RESULTS")"
    printf 'summary test=%s loops=%s server=%s rate=%s cpu_s_per_M=%s rate_vs_coro=%s cpu_vs_coro=%s rounds=%s\n' \
      "$test" "$loops" "$server" "$(mine 5 | median)" "$(mine 6 | median)" \
      "$(awk '{print $1}' <<<"$ratios" | median)" "$(awk '{print $2}' <<<"$ratios" | median)" "$(mine 5 | wc -l)"
  done
done
