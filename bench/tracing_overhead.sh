#!/usr/bin/env bash
# Tracing overhead: the same GET through the gateway with every trace recorded and exported
# (ratio 1) and with none (ratio 0), in one run on a running stack (`make up` first).
#   bash bench/tracing_overhead.sh [URL_PATH] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
path=${1:-/douyin/user/?user_id=1}
seconds=${2:-15}
connections=${3:-8}
ctl=.venv/bin/dyttctl
gateway=$($ctl status --json | .venv/bin/python -c \
  'import json,sys; print({c["name"]: c for c in json.load(sys.stdin)["components"]}["gateway"]["endpoints"]["main"])')
for ratio in 1 0; do
    $ctl down gateway user >/dev/null 2>&1
    DYTT_SVC_TRACE_SAMPLE_RATIO=$ratio $ctl up >/dev/null 2>&1
    wrk -t2 -c"$connections" -d2s "$gateway$path" >/dev/null   # warm-up
    echo "== sample ratio $ratio: wrk -t2 -c$connections -d${seconds}s $gateway$path"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency "$gateway$path" \
        | grep -E "^\s+(50|99)%|Requests/sec|Non-2xx|Socket errors"
done
$ctl down gateway user >/dev/null 2>&1 && $ctl up >/dev/null 2>&1
