#!/usr/bin/env bash
# bench-e2e.sh: whole-pipeline throughput of `unsproc run`, process start to exit.
#
# Usage: scripts/bench-e2e.sh            (make bench-e2e)
#   N=1000000   inputs in the generated recording (scripts/gen-recording.awk)
#   RUNS=3      runs of each case; the table shows every run's rate and the median
#   KAFKA_N=200000  inputs of the uns (Kafka) case
#   BATCH=500   uns_replay's batch_size
#   PROFILE=3   seconds of CPU profile taken from the first case (0: none)
#
# Cases, all on the same recording, output `drop`:
#   replay-pump-t1  uns_replay → the pump example's stream_processor, pipeline.threads 1
#   replay-pump-t2  the same with pipeline.threads 2 (batches in parallel: the order
#                   between batches is not kept)
#   replay-only     uns_replay with no processor: what the processor adds is the rest
#   file-mapping    the examples' former pipeline: file input, a Bloblang step setting
#                   umh_topic and re-parsing the payload, the processor; batches of one
#   pump-example    examples/pump/config.yaml as it is (UNSPROC_INPUT set to the
#                   recording): every output formatted as a line, stdout to /dev/null
# Each run reports wall-clock seconds and user+system CPU from /usr/bin/time: inputs/s
# is N / wall, CPU µs per input (user+sys) / N. The profile comes from an extra run of
# the first case with Benthos' debug endpoints (/debug/pprof/profile).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
RUNS=${RUNS:-3}
BATCH=${BATCH:-500}
PROFILE=${PROFILE:-3}
PORT=${PORT:-14195}
KAFKA_N=${KAFKA_N:-200000}
dir=bin/e2e
mkdir -p "$dir"

go build -o bin/unsproc ./cmd/unsproc
recording="$dir/recording-$N.jsonl"
if [ ! -s "$recording" ]; then
	awk -v n="$N" -f scripts/gen-recording.awk >"$recording"
fi

# The pump example's stream_processor (examples/pump/config.yaml).
pump='    - stream_processor:
        output_topic: umh.v1.corpA.plant-A.aawd
        model: { name: pump, version: v1 }
        sources:
          press: umh.v1.corpA.plant-A.aawd._raw.press
          tF: umh.v1.corpA.plant-A.aawd._raw.tempF
          r: umh.v1.corpA.plant-A.aawd._raw.run
        mapping:
          pressure: press+4.00001
          temperature: tF*69/31
          combined: press+tF
          motor:
            rpm: press/4
          serialNumber: '"'"'"SN-P42-008"'"'"'
          deviceType: '"'"'"pump"'"'"'
          status: '"'"'r ? "active" : "inactive"'"'"''

# config NAME INPUT THREADS PROCESSORS: writes $dir/NAME.yaml.
config() {
	cat >"$dir/$1.yaml" <<YAML
http:
  enabled: \${E2E_HTTP:false}
  address: 127.0.0.1:$PORT
  debug_endpoints: true
input:
$2
pipeline:
  threads: $3
  processors:
$4
output:
  drop: {}
logger:
  level: warn
YAML
}

replay="  uns_replay:
    paths: [ \"$recording\" ]
    batch_size: $BATCH"
file="  file:
    paths: [ \"$recording\" ]
    scanner:
      lines: {}"
mapping='    - mapping: |
        meta umh_topic = this.topic
        root = this.payload'

config replay-pump-t1 "$replay" 1 "$pump"
config replay-pump-t2 "$replay" 2 "$pump"
config replay-only "$replay" 1 "    []"
config file-mapping "$file" 1 "$mapping
$pump"

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "# $(date -u +%Y-%m-%d) commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bin' || echo ' (modified)'), N=$N, batch_size=$BATCH, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| case | inputs/s (each run) | median inputs/s | CPU µs/input (median) |"
echo "|---|---|---|---|"
for c in replay-pump-t1 replay-pump-t2 replay-only file-mapping pump-example; do
	conf="$dir/$c.yaml"
	[ "$c" = pump-example ] && conf=examples/pump/config.yaml
	rates=() cpus=()
	for _ in $(seq "$RUNS"); do
		UNSPROC_INPUT="$recording" /usr/bin/time -o "$dir/time" -f '%e %U %S' ./bin/unsproc run "$conf" >/dev/null
		read -r wall user sys <"$dir/time"
		rates+=("$(awk -v n="$N" -v w="$wall" 'BEGIN {printf "%.0f", n / w}')")
		cpus+=("$(awk -v n="$N" -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", (u + s) * 1e6 / n}')")
	done
	echo "| $c | ${rates[*]} | $(median "${rates[@]}") | $(median "${cpus[@]}") |"
done

# uns (Kafka) end to end: BenchmarkUNSPipeline produces KAFKA_N pump inputs into the
# in-process Kafka cluster (kfake), then times `uns` input → pump processor → `uns`
# output until all 4·KAFKA_N outputs are acknowledged, and profiles that part.
echo
echo "uns (Kafka, in-process cluster) → pump processor → uns, $KAFKA_N inputs:"
go test ./components/uns -run '^$' -bench '^BenchmarkUNSPipeline$' -benchtime "${KAFKA_N}x" \
	-count "$RUNS" -uns.cpuprofile "$PWD/$dir/uns.prof" | grep -E '^Benchmark'
echo "CPU profile of the last run, by cumulative time:"
go tool pprof -top -cum -nodecount=25 "$dir/uns.prof" 2>/dev/null | sed -n '/flat%/,$p'

if [ "$PROFILE" -gt 0 ]; then
	E2E_HTTP=true ./bin/unsproc run "$dir/replay-pump-t1.yaml" &
	pid=$!
	until curl -sf "http://127.0.0.1:$PORT/ping" >/dev/null; do sleep 0.05; done
	curl -sf -o "$dir/cpu.prof" "http://127.0.0.1:$PORT/debug/pprof/profile?seconds=$PROFILE"
	wait "$pid"
	echo
	echo "CPU profile of replay-pump-t1 ($PROFILE s), by cumulative time:"
	go tool pprof -top -cum -nodecount=30 bin/unsproc "$dir/cpu.prof" 2>/dev/null | sed -n '/flat%/,$p'
	echo
	echo "by own time:"
	go tool pprof -top -nodecount=20 bin/unsproc "$dir/cpu.prof" 2>/dev/null | sed -n '/flat%/,$p'
fi
