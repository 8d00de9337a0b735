#!/bin/bash
# Times REST lists of a full cluster: starts the local cluster of this tree (bin/cluster), fills it with SESSIONS
# sessions of TOKENS tokens each through the three masters, waits 5 s for gossip to settle, then sends LISTS lists
# (GET /openvidu/api/sessions?pendingConnections=true) in a row through master-2, and prints p50, max and the
# masters' CPU per list (from /proc/<pid>/stat). The cluster is stopped on exit.
# usage: loadtest/scripts/list-time.sh OUT_DIR [SESSIONS=2000] [TOKENS=5] [LISTS=20]
# (docs/BENCHMARKS.md "A thousand shards", "The list")
set -euo pipefail
OUT=$(realpath -m "$1"); SESSIONS=${2:-2000}; TOKENS=${3:-5}; LISTS=${4:-20}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$OUT"; cd "$ROOT"
export TESSERA_MAX_SESSIONS=$((SESSIONS + 1000)) MASTER_JAVA_OPTS="${MASTER_JAVA_OPTS:--XX:TieredStopAtLevel=1 -Xmx1g}" CLUSTER_START_TIMEOUT=180
trap 'bin/cluster stop >/dev/null 2>&1 || true' EXIT
bin/cluster stop >/dev/null 2>&1 || true
bin/cluster start --no-demo > "$OUT/start.log" 2>&1
export AUTH="OPENVIDUAPP:${TESSERA_SECRET:-MY_SECRET}" TOKENS
fill() {
  local i=$1 port=$((4443 + $1 % 3))
  curl -sf -o /dev/null -u "$AUTH" -H 'Content-Type: application/json' -d "{\"customSessionId\":\"lt-$i\"}" \
    "http://127.0.0.1:$port/openvidu/api/sessions"
  for _ in $(seq 1 "$TOKENS"); do
    curl -sf -o /dev/null -u "$AUTH" -H 'Content-Type: application/json' -d '{}' \
      "http://127.0.0.1:$port/openvidu/api/sessions/lt-$i/connection"
  done
}
export -f fill
seq 0 $((SESSIONS - 1)) | xargs -P 8 -I{} bash -c 'fill {}'
sleep 5 # let deltas and gossip settle: this times the list, not the fill
cpu() { local t=0 p; for f in .cluster/run/master-*.pid; do p=$(cat "$f"); t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat"))); done; echo "$t"; }
: > "$OUT/times"
c0=$(cpu)
for _ in $(seq 1 "$LISTS"); do
  curl -sf -o "$OUT/list.json" -w '%{time_total}\n' -u "$AUTH" \
    "http://127.0.0.1:4444/openvidu/api/sessions?pendingConnections=true" >> "$OUT/times"
done
c1=$(cpu)
python3 - "$OUT/times" "$c0" "$c1" "$(getconf CLK_TCK)" "$OUT/list.json" <<'PY' | tee "$OUT/summary"
import sys, json
t = sorted(float(x) * 1000 for x in open(sys.argv[1]))
ms_per_tick = 1000 / int(sys.argv[4])
cpu = (int(sys.argv[3]) - int(sys.argv[2])) * ms_per_tick / len(t)
d = json.load(open(sys.argv[5]))
conns = sum(len(s.get('connections', {}).get('content', [])) for s in d['content'])
print(f"lists={len(t)} p50={t[len(t) // 2]:.0f} ms max={t[-1]:.0f} ms masters' CPU per list={cpu:.0f} ms; "
      f"sessions listed={d.get('numberOfElements')}, connections={conns}")
PY
