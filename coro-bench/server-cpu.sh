# Sourced by netbench.sh and servers.sh (which set ROOT first, and SECONDS_MEASURED): the java and
# jars they run, their build, and one server process at a time (SERVER_PID) whose CPU time is read
# from /proc around a measured window of load.

JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
FAST=(--add-exports java.base/jdk.internal.vm=ALL-UNNAMED)
JVM=(-Xms512m -Xmx512m)
CLI_JAR="$ROOT/coro-examples/target/coro.jar"
BENCH_JAR="$ROOT/coro-bench/target/benchmarks.jar"

build_jars() { # the coro CLI's and the benchmarks' jars, built if stale
  echo "building ..." >&2
  (cd "$ROOT" && JAVA_HOME="$(dirname "$(dirname "$JAVA")")" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
    mvn -B -ntp -q -DskipTests -Dmaven.javadoc.skip=true -pl coro-examples,coro-bench -am package >&2)
}

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}

TICKS="$(getconf CLK_TCK)"
server_cpu() { awk '{print $14 + $15, $14}' "/proc/$SERVER_PID/stat"; }   # utime + stime, and utime, in clock ticks

# measure DELAY COMMAND...: runs the load COMMAND (which measures for SECONDS_MEASURED after DELAY
# seconds and prints its rate) and prints "<rate> <server CPU µs per request> <of which in user space>"
# (the same figures as server CPU-seconds per million requests), sampling the server's CPU time inside
# the measured window. On loopback the kernel's share (the TCP stack, both ends' wake-ups) is most of
# it and moves with the host's noise; the user-space share is what a server's own code costs.
measure() {
  local delay="$1"; shift
  local out; out="$(mktemp)"
  "$@" >"$out" &
  local load=$!
  sleep "$(echo "$delay + 0.2" | bc -l)"
  local c0 u0; read -r c0 u0 < <(server_cpu)
  sleep "$(echo "$SECONDS_MEASURED - 0.4" | bc -l)"
  local c1 u1; read -r c1 u1 < <(server_cpu)
  wait "$load"
  local rate; rate="$(cat "$out")"; rm -f "$out"
  if [ -z "$rate" ] || [ "$rate" = 0 ]; then echo "measure: the load generator measured nothing ($*)" >&2; exit 1; fi
  local per="$TICKS / ($SECONDS_MEASURED - 0.4) / $rate * 1000000"
  printf '%s %.2f %.3f\n' "$rate" "$(echo "($c1 - $c0) / $per" | bc -l)" "$(echo "($u1 - $u0) / $per" | bc -l)"
}
