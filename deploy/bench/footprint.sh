#!/usr/bin/env bash
# Measures the agent's memory footprint and cold start on this machine: a real Mosquitto, the reference
# Fashion-MNIST CNN (or --onnx another model; variants fp32 and int8, the rpi-zero-2w profile picks one)
# published and cached in a state directory, then for each JVM configuration: start the agent, time the first
# answered inference from process start (a client asks every 5 ms), time 200 round trips, read
# VmRSS/VmHWM/RssAnon/RssFile/Threads from /proc --settle seconds later (2) and VmRSS/VmHWM again --steady
# seconds (15) after the first answer, stop it. Prints a Markdown table (docs/agent-footprint.md records one).
#
#   deploy/bench/footprint.sh [--runs N] [--agent-home DIR] [--work DIR] [--onnx FILE] [--settle S]
#                             [--steady S] [--only "LABEL|JVM OPTIONS"]
#
# --agent-home: a directory with pipit-agent.jar and lib/ (the installed package: /usr/lib/pipit);
#               default: the build tree (agent/target; run 'mvn -pl agent -am package -DskipTests').
# --only:       one configuration instead of the four: JVM options replacing the launcher's, or "CDS ..."
#               for the launcher's own with its archive plus the options after CDS. With
#               -XX:NativeMemoryTracking=summary the work directory gets nmt.last (NMT, heap, threads,
#               histogram); every run leaves smaps.last, the last agent's /proc/PID/smaps.
# The bundle is made once with the cli module's 'pipit compress' (cli/target must be built) and kept in
# the work directory (default: $TMPDIR/pipit-footprint). Needs mosquitto, a JDK 17+ (javac for the probe).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=3
agent_home=""
work="${TMPDIR:-/tmp}/pipit-footprint"
onnx="/work/shared/models/cnn_fp32.onnx"
only=""
settle=2
steady_after=15
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --agent-home) agent_home="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --onnx) onnx="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --steady) steady_after="$2"; shift 2 ;;
    *) echo "footprint: unknown option $1" >&2; exit 2 ;;
  esac
done

if [ -n "$agent_home" ]; then
  agent_cp="$agent_home/pipit-agent.jar:$agent_home/lib/*"
  launcher="$agent_home/bin/pipit-agent"
else
  jar=$(ls "$root"/agent/target/pipit-agent-*[0-9T].jar 2>/dev/null | head -1)
  [ -n "$jar" ] && [ -d "$root/agent/target/lib" ] || { echo "footprint: build the agent first: mvn -pl agent -am package -DskipTests" >&2; exit 1; }
  agent_cp="$jar:$root/agent/target/lib/*"
  launcher="$root/deploy/bin/pipit-agent"
fi
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "footprint: mosquitto is missing (apt-get install mosquitto)" >&2; exit 1; }
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
mkdir -p "$work"

# --- the bundle (once) ---
cli=( java -cp "$root/cli/target/pipit-cli-0.1.0-SNAPSHOT.jar:$root/cli/target/lib/*" dev.pipit.cli.Pipit )
if [ ! -f "$work/mlp.bundle" ]; then
  [ -f "$root/cli/target/pipit-cli-0.1.0-SNAPSHOT.jar" ] || { echo "footprint: build the cli first: mvn -pl cli -am package -DskipTests" >&2; exit 1; }
  echo "footprint: compressing $onnx (once) ..." >&2
  rm -rf "$work/keys"
  "${cli[@]}" keys generate --out "$work/keys" >&2
  "${cli[@]}" compress --onnx "$onnx" --key "$work/keys/signing.key" --out "$work/mlp.bundle" --variants fp32,int8 \
      --chunk-bytes 16384 >&2
fi

# --- the probe client ---
if [ ! -f "$work/probe/FirstInference.class" ] || [ "$root/deploy/bench/FirstInference.java" -nt "$work/probe/FirstInference.class" ]; then
  mkdir -p "$work/probe"
  javac -cp "$agent_cp" -d "$work/probe" "$root/deploy/bench/FirstInference.java"
fi

# --- the broker ---
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18883)
cat > "$work/mosquitto.conf" <<EOF
listener $port 127.0.0.1
# small packets wait for each other (request, answer): without this, Nagle and delayed ACKs add 40 ms
set_tcp_nodelay true
allow_anonymous true
persistence false
EOF
"$mosquitto_bin" -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker=$!
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  kill "$broker" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
url="tcp://127.0.0.1:$port"
"${cli[@]}" fleet publish --broker "$url" --bundle "$work/mlp.bundle" > /dev/null

# --- the device: config and a cached model ---
state="$work/state"
rm -rf "$state"
cat > "$work/agent.yaml" <<EOF
broker: $url
id: bench-1
profile: rpi-zero-2w
state-dir: $state
trust: $work/keys/signing.pub
report-interval: 60
EOF

# Runs the agent through the launcher: with JVM options "$1" instead of the launcher's, or with the
# launcher's own ("DEFAULT", no class data sharing) or those plus its AppCDS archive ("CDS"). Leaves its pid
# in agent_pid.
start_agent() {
  local opts="$1"
  case "$opts" in
    DEFAULT) env -u PIPIT_CDS_DIR PIPIT_CLASSPATH="$agent_cp" "$launcher" --config "$work/agent.yaml" > "$work/agent.log" 2>&1 & ;;
    CDS*) JAVA_OPTS="${opts#CDS}" PIPIT_CDS_DIR="$work/cds" PIPIT_CLASSPATH="$agent_cp" "$launcher" --config "$work/agent.yaml" > "$work/agent.log" 2>&1 & ;;
    *) PIPIT_DEFAULT_JAVA_OPTS="$opts" PIPIT_CLASSPATH="$agent_cp" "$launcher" --config "$work/agent.yaml" > "$work/agent.log" 2>&1 & ;;
  esac
  agent_pid=$!
}

stop_agent() {
  kill -TERM "$agent_pid" 2>/dev/null || true
  wait "$agent_pid" 2>/dev/null || true
  agent_pid=""
}

# the first run downloads and activates the model; later runs start from the cached one
start_agent "-Xmx32m -XX:+UseSerialGC"
for _ in $(seq 200); do grep -q "activated fashion-mnist-mlp" "$work/agent.log" && break; sleep 0.1; done
grep -q "activated fashion-mnist-mlp" "$work/agent.log" || { cat "$work/agent.log" >&2; exit 1; }
stop_agent

field() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$2/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# One measurement: prints "first_ms cpu_ms rss_kb hwm_kb anon_kb file_kb threads p50_us".
measure() {
  local opts="$1"
  local fifo="$work/probe.out"
  rm -f "$fifo"
  java -cp "$work/probe:$agent_cp" FirstInference "$url" bench-1 784 200 > "$fifo" 2>"$work/probe.err" &
  local probe=$!
  for _ in $(seq 100); do grep -q ready "$fifo" 2>/dev/null && break; sleep 0.05; done
  local t0
  t0=$(date +%s%3N)
  start_agent "$opts"
  for _ in $(seq 1500); do grep -q "^first" "$fifo" 2>/dev/null && break; sleep 0.02; done
  # CPU time (all threads) the agent took to answer its first inference: a figure a busy machine cannot inflate
  local cpu
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($14 + $15) * 1000 / hz}' "/proc/$agent_pid/stat")
  for _ in $(seq 600); do grep -q "^steady" "$fifo" 2>/dev/null && break; kill -0 "$probe" 2>/dev/null || break; sleep 0.05; done
  local first
  first=$(awk '/^first/ {print $2}' "$fifo")
  local steady
  steady=$(awk '/^steady/ {print $2}' "$fifo")
  kill "$probe" 2>/dev/null || true
  wait "$probe" 2>/dev/null || true
  sleep "$settle"
  local out
  out="$((first - t0)) $cpu $(field VmRSS "$agent_pid") $(field VmHWM "$agent_pid") $(field RssAnon "$agent_pid") $(field RssFile "$agent_pid") $(field Threads "$agent_pid") $steady"
  # and once the periodic clean-ups ran (the native heap trim every 10 s): what the device keeps using
  sleep $((steady_after > settle ? steady_after - settle : 0))
  out="$out $(field VmRSS "$agent_pid") $(field VmHWM "$agent_pid")"
  # per-mapping detail of the last run, for docs/agent-footprint.md's "where the memory goes"
  cp "/proc/$agent_pid/smaps" "$work/smaps.last" 2>/dev/null || true
  case "$opts" in
    *NativeMemoryTracking*)
      { jcmd "$agent_pid" VM.native_memory summary; jcmd "$agent_pid" GC.heap_info; cat /proc/"$agent_pid"/task/*/comm
        jcmd "$agent_pid" GC.class_histogram | head -30; } \
          > "$work/nmt.last" 2>&1 || true ;;
  esac
  stop_agent
  echo "$out"
}

all_configs=(
  "JDK defaults, -Xmx32m, serial GC, C2 + Vector API|-Xmx32m -XX:+UseSerialGC --add-modules jdk.incubator.vector"
  "+ C1 only (-XX:TieredStopAtLevel=1)|-Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
  "launcher options, no class data sharing|DEFAULT"
  "launcher options + AppCDS archive (as the unit runs it)|CDS"
)
configs=("${all_configs[@]}")
if [ -n "$only" ]; then configs=("$only"); fi
# the launcher records the agent's classes on a first start and archives them on the second
rm -rf "$work/cds"
for _ in 1 2; do
  start_agent CDS
  for _ in $(seq 300); do grep -q "report published (connect)" "$work/agent.log" && break; sleep 0.1; done
  stop_agent
done

java_version=$(java -version 2>&1 | head -1)
echo
echo "Agent: $agent_cp"
echo "JVM: $java_version; $(nproc) CPUs; $(uname -m); median of $runs cold starts, memory of the last run"
echo
echo "| JVM configuration | VmRSS MiB | VmHWM MiB | RssAnon MiB | RssFile MiB | threads | VmRSS after ${steady_after} s | VmHWM after ${steady_after} s | first inference ms | its CPU ms | round trip p50 µs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for c in "${configs[@]}"; do
  label="${c%%|*}"
  opts="${c#*|}"
  firsts=()
  cpus=()
  last=""
  for _ in $(seq "$runs"); do
    last=$(measure "$opts")
    read -r f c _ <<< "$last"
    firsts+=("$f")
    cpus+=("$c")
  done
  read -r _ _ rss hwm anon file threads p50 rss_later hwm_later <<< "$last"
  echo "| $label | $(mib "$rss") | $(mib "$hwm") | $(mib "$anon") | $(mib "$file") | $threads | $(mib "$rss_later") | $(mib "$hwm_later") |" \
       "$(printf '%s\n' "${firsts[@]}" | median) | $(printf '%s\n' "${cpus[@]}" | median) | $p50 |"
done
echo
echo "Launcher options: $(env -u PIPIT_CDS_DIR PIPIT_PRINT_JAVA_OPTS=1 PIPIT_CLASSPATH="$agent_cp" "$launcher")"
echo "Load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
