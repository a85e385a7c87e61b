#!/usr/bin/env bash
# YOLOv5n end to end on the 80 real val2017 JPEGs of ../shared, side by side in one run:
# zoobench evaluate (embedded Spark, local[N]) against the plain PyTorch loop of
# tools/export/yolov5.py --reference (PIL decode, letterbox, the same TorchScript file, NMS,
# COCO results; torch with N intra-op threads), in alternating rounds; prints each round and the
# medians. docs/benchmarks.md records the figures.
#
#   tools/bench/yolo_side_by_side.sh [ROUNDS=3] [CORES=2]
#
# Needs a build (mvn -q -DskipTests install) and tools/python/setup.sh export; exports the model
# into bench-data/yolo/ once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-3}"
CORES="${2:-2}"
SHARED="$ROOT/../shared"
WEIGHTS="$SHARED/real-models/yolov5n/yolov5n_coco_state_dict.pt"
ANN="$SHARED/real-coco/val2017-tiny/instances_val2017.json"
IMAGES="$SHARED/real-coco/val2017-tiny/images"
WORK="$ROOT/bench-data/yolo"
mkdir -p "$WORK"
PY="$("$ROOT/tools/python/setup.sh" export)"
if [[ ! -f "$WORK/yolov5n-coco.pt" ]]; then
  "$PY" "$ROOT/tools/export/yolov5.py" --weights "$WEIGHTS" --out "$WORK/yolov5n-coco.pt" >&2
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-10s %12s %12s\n' round side "wall s" "images/s"
py_walls=(); py_fps=(); zb_walls=(); zb_fps=()
for ((r = 1; r <= ROUNDS; r++)); do
  t0=$(date +%s.%N)
  line=$("$PY" "$ROOT/tools/export/yolov5.py" --out "$WORK/yolov5n-coco.pt" --threads "$CORES" \
    --reference "$ANN" "$IMAGES" "$WORK/reference.json" 2>&1 | grep '^reference:')
  t1=$(date +%s.%N)
  wall=$(echo "$t1 - $t0" | bc -l)
  fps=$(echo "$line" | sed -E 's/.*\(([0-9.]+) images\/s.*/\1/')
  printf '%-6s %-10s %12.1f %12.2f   %s\n' "$r" python "$wall" "$fps" "${line#reference: }"
  py_walls+=("$wall"); py_fps+=("$fps")

  rm -rf "$WORK/warehouse"
  t0=$(date +%s.%N)
  out=$(ZOO_ROOT="$WORK" "$ROOT/bin/zoobench" evaluate --annotations "$ANN" --images "$IMAGES" \
    --model "$ROOT/conf/zoo/yolo.yaml" --warehouse "$WORK/warehouse" --master "local[$CORES]" 2>&1)
  t1=$(date +%s.%N)
  wall=$(echo "$t1 - $t0" | bc -l)
  inference=$(echo "$out" | grep '^inference:')
  # images / inference-stage seconds: the stage's throughput over all tasks
  fps=$(echo "$inference" | sed -E 's/^inference: ([0-9]+) images.* in ([0-9.]+)s.*/\1 \2/' \
    | awk '{printf "%.2f", $1 / $2}')
  printf '%-6s %-10s %12.1f %12.2f   %s\n' "$r" zoobench "$wall" "$fps" "${inference#inference: }"
  zb_walls+=("$wall"); zb_fps+=("$fps")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pw=$(median "${py_walls[@]}"); pf=$(median "${py_fps[@]}")
zw=$(median "${zb_walls[@]}"); zf=$(median "${zb_fps[@]}")
echo "medians of $ROUNDS rounds, $CORES cores:"
printf '  python   %6.1f s whole process, %6.2f images/s (decode to COCO results)\n' "$pw" "$pf"
printf '  zoobench %6.1f s whole process, %6.2f images/s (inference stage)\n' "$zw" "$zf"
printf '  ratios: throughput %.2fx, whole process %.2fx as long\n' \
  "$(echo "$zf / $pf" | bc -l)" "$(echo "$zw / $pw" | bc -l)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
