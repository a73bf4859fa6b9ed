#!/usr/bin/env bash
# Issue 11.1: socketioxide-redis's adapter against natter's own Redis bus.
#
#   bench/bus-compare/run.sh [OUT_DIR]
#
# Environment (defaults in brackets): RATES [500 2000 5000] ROUNDS [3] SECS [15]
# CLIENTS [200] ROOMS [50] OUTAGE [1: also the Redis-down and Redis-frozen runs]
# CARGO_TARGET_DIR [bench/bus-compare/target].
#
# A private redis-server on 127.0.0.1:6390 and two nodes on 127.0.0.1:47001/47002 per
# variant. The rounds interleave the variants (round 1: adapter 500, bus 500, adapter
# 2000, …) so that a neighbour's load lands on both alike. CPU is the utime + stime of
# each process from /proc over the sending window and the drain; Redis commands are the
# INFO commandstats delta (reset before each run).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/results/$(date +%Y%m%d-%H%M%S)}
RATES=${RATES:-500 2000 5000}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-15}
CLIENTS=${CLIENTS:-200}
ROOMS=${ROOMS:-50}
OUTAGE=${OUTAGE:-1}
RPORT=6390
P1=47001
P2=47002
REDIS_URL=redis://127.0.0.1:$RPORT/
target=${CARGO_TARGET_DIR:-$here/target}
mkdir -p "$out"

if ! command -v redis-server >/dev/null; then
    apt-get install -y redis-server
fi
(cd "$here" && CARGO_TARGET_DIR=$target nice -n 10 cargo build --release --quiet)
bin=$target/release/bus-compare

REDIS_PID=
N1=
N2=
cleanup() {
    for p in $N1 $N2 $REDIS_PID; do
        kill -CONT "$p" 2>/dev/null || true
        kill "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT

wait_port() {
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "port $1 did not open" >&2
    return 1
}

start_redis() {
    redis-server --port $RPORT --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        >>"$out/redis.log" 2>&1 &
    REDIS_PID=$!
    wait_port $RPORT
}

stop_redis() {
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
}

start_nodes() { # variant tag
    "$bin" node --variant "$1" --port $P1 --redis $REDIS_URL >"$out/$2.node1.log" 2>&1 &
    N1=$!
    "$bin" node --variant "$1" --port $P2 --redis $REDIS_URL >"$out/$2.node2.log" 2>&1 &
    N2=$!
    wait_port $P1
    wait_port $P2
}

stop_nodes() {
    for p in $N1 $N2; do kill "$p" 2>/dev/null || true; done
    for p in $N1 $N2; do wait "$p" 2>/dev/null || true; done
    N1=
    N2=
}

# Total calls, and PUBLISH calls, in INFO commandstats.
redis_calls() {
    redis-cli -p $RPORT info commandstats | tr -d '\r' | awk -F'[:=,]' '
        /^cmdstat_/ { total += $3; if ($1 == "cmdstat_publish") pub += $3 }
        END { printf "%d %d\n", total, pub }'
}

load() { # tag rate secs [extra args]
    local tag=$1 rate=$2 secs=$3
    shift 3
    "$bin" load --urls ws://127.0.0.1:$P1,ws://127.0.0.1:$P2 --clients "$CLIENTS" --rooms "$ROOMS" \
        --rate "$rate" --secs "$secs" --label "$tag" \
        --watch "node1=$N1,node2=$N2,redis=$REDIS_PID" "$@" 2>"$out/$tag.load.err"
}

{
    echo "# $(date -u +%FT%TZ) $(nproc) cores, $(uname -r)"
    redis-server --version
    rustc --version
    grep -A1 -E '^name = "(socketioxide|socketioxide-redis|socketioxide-core|redis|axum|tokio)"$' \
        "$here/Cargo.lock" | grep -v '^--' | paste - - | sed 's/name = //; s/version = //'
    uptime
} >"$out/machine.txt"

start_redis
for round in $(seq 1 "$ROUNDS"); do
    for rate in $RATES; do
        for variant in adapter bus; do
            tag=$variant-$rate-r$round
            start_nodes "$variant" "$tag"
            redis-cli -p $RPORT config resetstat >/dev/null
            json=$(load "$tag" "$rate" "$SECS")
            read -r calls publishes < <(redis_calls)
            stop_nodes
            # The INFO that read the stats is itself one call.
            echo "$json" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
r["variant"], r["round"] = sys.argv[1], int(sys.argv[2])
r["redis_calls"], r["redis_publish"] = int(sys.argv[3]) - 1, int(sys.argv[4])
print(json.dumps(r))' "$variant" "$round" "$calls" "$publishes" | tee -a "$out/results.jsonl"
            sleep 1
        done
    done
done
stop_redis

# Redis away for 10 s in the middle of a 30 s run at 500 msgs/s: killed (-9, then
# started again: connections reset, pub/sub state gone) and frozen (SIGSTOP: nothing
# answers, nothing closes), then a 5 s run on the same node processes.
outage() { # variant how
    local variant=$1 how=$2 tag=$1-$2
    start_redis
    start_nodes "$variant" "$tag"
    load "$tag" 500 30 --series "$out/$tag.series.csv" >"$out/$tag.json" &
    local lp=$!
    until grep -q "sending started" "$out/$tag.load.err" 2>/dev/null; do sleep 0.1; done
    sleep 10
    echo "t=10 redis $how" >"$out/$tag.events"
    if [ "$how" = killed ]; then
        kill -9 "$REDIS_PID"
        wait "$REDIS_PID" 2>/dev/null || true
        sleep 10
        start_redis
    else
        kill -STOP "$REDIS_PID"
        sleep 10
        kill -CONT "$REDIS_PID"
    fi
    echo "t=20 redis back" >>"$out/$tag.events"
    wait "$lp" || echo "load exited $?" >>"$out/$tag.events"
    for n in 1 2; do
        local p
        p=$([ $n = 1 ] && echo "$N1" || echo "$N2")
        if kill -0 "$p" 2>/dev/null; then
            echo "node$n alive" >>"$out/$tag.events"
        else
            echo "node$n DEAD" >>"$out/$tag.events"
        fi
    done
    load "$tag-after" 500 5 >"$out/$tag-after.json" || echo "after-run failed" >>"$out/$tag.events"
    stop_nodes
    stop_redis
}
if [ "$OUTAGE" = 1 ]; then
    for variant in adapter bus; do
        for how in killed frozen; do
            outage "$variant" "$how"
        done
    done
fi

python3 "$here/summarize.py" "$out" | tee "$out/summary.md"
