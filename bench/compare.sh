#!/bin/bash
# Same-session comparison of two checkouts: each bench once per tree per run, the two trees alternating
# and the order flipped every run (so load drift and order do not favour either tree).
#   bash bench/compare.sh BEFORE_DIR AFTER_DIR [RUNS] [BENCHES]
# e.g. git worktree add /tmp/before <rev> && ln -s "$PWD/node_modules" /tmp/before/node_modules
#      GOVFED_FED_NODES=5 GOVFED_FED_MESSAGES=30 bash bench/compare.sh /tmp/before . 5 "federation witness"
# Each run's full output: $OUT/<bench>-<before|after>-<run>.txt (OUT default /tmp/govfed-compare); a
# one-line-per-result log in $OUT/log. The bench sizes come from the GOVFED_* variables of each bench.
set -u
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); runs=${3:-5}; benches=${4:-"federation witness"}
out=${OUT:-/tmp/govfed-compare}; mkdir -p "$out"; : > "$out/log"
for i in $(seq 1 "$runs"); do
  order="before after"; [ $((i % 2)) = 0 ] && order="after before"
  for b in $benches; do
    for t in $order; do
      dir=$before; [ "$t" = after ] && dir=$after
      echo "== run $i $b $t $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/log"
      (cd "$dir" && timeout 900 npx node "bench/$b.bench.ts" > "$out/$b-$t-$i.txt" 2>&1; echo "rc=$?" >> "$out/$b-$t-$i.txt")
      grep -iE "/s|p50|rc=" "$out/$b-$t-$i.txt" | tail -8 >> "$out/log"
    done
  done
done
echo done >> "$out/log"
