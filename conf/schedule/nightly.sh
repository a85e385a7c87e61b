#!/usr/bin/env bash
# Nightly zoo evaluation, cron-ready: zoo run -> gate -> report, one run id per model and night
# (nightly-YYYY-MM-DD-<model>), a lock so two nights never overlap, a log file per night.
#
#   # crontab: every night at 02:00, the settings in an env file
#   0 2 * * *  . /etc/zoobench/nightly.env; /opt/zoobench/conf/schedule/nightly.sh
#
# Settings (environment variables; docs/scheduling.md):
#   ZOOBENCH_HOME   the zoobench checkout/build                  (default: this script's ../..)
#   ZOOBENCH        the launcher                                 ($ZOOBENCH_HOME/bin/zoobench)
#   WAREHOUSE       the warehouse                                ($ZOOBENCH_HOME/warehouse)
#   MANIFEST        the zoo manifest                             ($ZOOBENCH_HOME/conf/zoo/mmdet-v1.yaml)
#   ANNOTATIONS     COCO instances file                          (required)
#   IMAGES          images root                                  (required)
#   MODELS          --models glob of zoo run and gate            (*)
#   ZOO_ROOT        ${ZOO_ROOT} of the manifest's artifacts      (zoo run's default)
#   SPARK_MASTER    --master of zoo run (local[N], spark://...)  (embedded local[*])
#   GATE_AGAINST    reference | previous | RUN_ID                (reference)
#   GATE_TOLERANCE  absolute AP/AR drop that holds               (0.002)
#   GATE_FPS_TOLERANCE  relative fps drop that holds             (0.10)
#   REPORT_DIR      where the report goes                        ($ZOOBENCH_HOME/reports/<date>)
#   LOG_DIR         one log file per night                       ($ZOOBENCH_HOME/logs/nightly)
#   LOCK_FILE       the lock                                     ($LOG_DIR/nightly.lock)
#   NIGHTLY_DATE    the night's date, YYYY-MM-DD                 (today, UTC)
#
# Exit status: the gate's when it is not 0 (1: a metric dropped, 2: nothing to gate or a gate
# error); else 3 when zoo run failed (a model failed: its run is recorded as failed), 4 when
# the report failed; 0 when all passed. 5: this script's settings are wrong (before anything
# runs); 75: another nightly run holds the lock (nothing was done).
set -uo pipefail

ZOOBENCH_HOME="${ZOOBENCH_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
ZOOBENCH="${ZOOBENCH:-$ZOOBENCH_HOME/bin/zoobench}"
WAREHOUSE="${WAREHOUSE:-$ZOOBENCH_HOME/warehouse}"
MANIFEST="${MANIFEST:-$ZOOBENCH_HOME/conf/zoo/mmdet-v1.yaml}"
ANNOTATIONS="${ANNOTATIONS:-}"
IMAGES="${IMAGES:-}"
MODELS="${MODELS:-*}"
SPARK_MASTER="${SPARK_MASTER:-}"
GATE_AGAINST="${GATE_AGAINST:-reference}"
GATE_TOLERANCE="${GATE_TOLERANCE:-0.002}"
GATE_FPS_TOLERANCE="${GATE_FPS_TOLERANCE:-0.10}"
NIGHTLY_DATE="${NIGHTLY_DATE:-$(date -u +%F)}"
REPORT_DIR="${REPORT_DIR:-$ZOOBENCH_HOME/reports/$NIGHTLY_DATE}"
LOG_DIR="${LOG_DIR:-$ZOOBENCH_HOME/logs/nightly}"
LOCK_FILE="${LOCK_FILE:-$LOG_DIR/nightly.lock}"

EXIT_ZOO_RUN_FAILED=3
EXIT_REPORT_FAILED=4
EXIT_SETTINGS=5
EXIT_LOCKED=75   # EX_TEMPFAIL: try again later

die() { echo "nightly.sh: $*" >&2; exit "$EXIT_SETTINGS"; }

[[ "$NIGHTLY_DATE" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "NIGHTLY_DATE=$NIGHTLY_DATE: expected YYYY-MM-DD"
[[ -n "$ANNOTATIONS" ]] || die "ANNOTATIONS is not set (the COCO instances file)"
[[ -n "$IMAGES" ]] || die "IMAGES is not set (the images root)"
[[ -x "$ZOOBENCH" ]] || die "$ZOOBENCH: no zoobench launcher there (set ZOOBENCH_HOME or ZOOBENCH)"
command -v flock >/dev/null || die "flock not found (util-linux)"
mkdir -p "$LOG_DIR" || die "LOG_DIR=$LOG_DIR: cannot create it"

# One night at a time: the lock is held by file descriptor 9 until this script exits, so a
# killed night releases it too.
exec 9>>"$LOCK_FILE" || die "LOCK_FILE=$LOCK_FILE: cannot open it"
if ! flock -n 9; then
  echo "nightly.sh: another nightly run holds $LOCK_FILE ($(cat "$LOCK_FILE" 2>/dev/null | tail -n1)); not starting a second one" >&2
  exit "$EXIT_LOCKED"
fi
echo "pid $$ since $(date -u +%FT%TZ) for $NIGHTLY_DATE" >"$LOCK_FILE"

LOG="$LOG_DIR/nightly-$NIGHTLY_DATE.log"
# everything from here on goes to the night's log, and to the terminal (cron's mail)
# (tee without the lock's descriptor: the lock is released when this script ends, not later)
exec > >(exec 9>&-; tee -a "$LOG") 2>&1
step() { echo "nightly.sh: $(date -u +%FT%TZ) $*"; }

MASTER_ARGS=()
[[ -n "$SPARK_MASTER" ]] && MASTER_ARGS=(--master "$SPARK_MASTER")

step "zoo run of $MANIFEST (models $MODELS) into $WAREHOUSE, run ids nightly-$NIGHTLY_DATE-<model>"
"$ZOOBENCH" zoo run --manifest "$MANIFEST" --annotations "$ANNOTATIONS" --images "$IMAGES" \
  --models "$MODELS" --warehouse "$WAREHOUSE" --run-prefix "nightly-$NIGHTLY_DATE" \
  "${MASTER_ARGS[@]}"
ZOO_RC=$?
[[ $ZOO_RC == 0 ]] || step "zoo run failed (exit $ZOO_RC); gating and reporting what the warehouse holds"

step "gate against $GATE_AGAINST (tolerance $GATE_TOLERANCE, fps $GATE_FPS_TOLERANCE)"
"$ZOOBENCH" gate --warehouse "$WAREHOUSE" --against "$GATE_AGAINST" --models "$MODELS" \
  --tolerance "$GATE_TOLERANCE" --fps-tolerance "$GATE_FPS_TOLERANCE"
GATE_RC=$?

REPORT_RC=0
# the report verb may be missing from an older build: the night still gates
# (its usage, not the top-level one picocli prints for an unknown verb followed by --help)
if ZOOBENCH_CDS=0 "$ZOOBENCH" report --help 2>/dev/null | grep -q '^Usage: zoobench report'; then
  step "report into $REPORT_DIR"
  "$ZOOBENCH" report --warehouse "$WAREHOUSE" --out "$REPORT_DIR"
  REPORT_RC=$?
else
  step "warning: this zoobench has no 'report' verb ($ZOOBENCH report --help failed); skipping the report"
fi

if [[ $GATE_RC != 0 ]]; then RC=$GATE_RC
elif [[ $ZOO_RC != 0 ]]; then RC=$EXIT_ZOO_RUN_FAILED
elif [[ $REPORT_RC != 0 ]]; then RC=$EXIT_REPORT_FAILED
else RC=0
fi
step "done: zoo run $ZOO_RC, gate $GATE_RC, report $REPORT_RC; exit $RC (log $LOG)"
exit "$RC"
