#!/usr/bin/env bash
# Makes (or checks) the project's Python environment NAME in .venv/NAME from
# tools/python/NAME.txt, offline-first: packages come from the machine's local package indexes
# (the file:// index URLs of `pip config list`); pip never waits on network retries.
#
#   tools/python/setup.sh oracle      # pycocotools + numpy: the differential tests' oracle
#   tools/python/setup.sh notebooks   # jupyter, duckdb, pandas, matplotlib: notebooks/ (NightlyScheduleIT)
#   tools/python/setup.sh export      # torch (CPU), numpy, Pillow: tools/export/ (RealYoloIT)
#
# Idempotent and fast when nothing changed (a stamp holds the requirements' hash). Prints the
# interpreter's path on stdout; fails loudly (exit 1, the reason on stderr) when it cannot.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NAME="${1:?usage: tools/python/setup.sh NAME   (tools/python/NAME.txt lists the packages)}"
REQ="$ROOT/tools/python/$NAME.txt"
VENV="$ROOT/.venv/$NAME"
PY="$VENV/bin/python"
[[ -f "$REQ" ]] || { echo "setup.sh: no $REQ" >&2; exit 1; }

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ -x "$PY" && -f "$VENV/.requirements.sha256" && "$(cat "$VENV/.requirements.sha256")" == "$want" ]]; then
  echo "$PY"
  exit 0
fi

PYTHON="${ZOOBENCH_PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || { echo "setup.sh: $PYTHON not found (set ZOOBENCH_PYTHON)" >&2; exit 1; }
echo "setup.sh: making $VENV from $REQ ..." >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" >&2 || { echo "setup.sh: '$PYTHON -m venv' failed" >&2; exit 1; }

# Local indexes first and only, when the machine has them: no request ever leaves the machine.
args=(--disable-pip-version-check --no-input --retries 0 --timeout 20)
mapfile -t local_indexes < <("$PY" -m pip config list 2>/dev/null \
  | grep -E "index-url" | grep -oE "file://[^ '\"]+" || true)
if ((${#local_indexes[@]})); then
  mapfile -t local_indexes < <(printf "%s\n" "${local_indexes[@]}" | awk '!seen[$0]++')
  args+=(--index-url "${local_indexes[0]}")
  for idx in "${local_indexes[@]:1}"; do args+=(--extra-index-url "$idx"); done
fi
if ! "$PY" -m pip install "${args[@]}" -r "$REQ" >"$VENV/pip.log" 2>&1; then
  echo "setup.sh: pip could not install $REQ into $VENV (log: $VENV/pip.log):" >&2
  tail -n 5 "$VENV/pip.log" >&2
  exit 1
fi
echo "$want" > "$VENV/.requirements.sha256"
echo "setup.sh: $VENV ready" >&2
echo "$PY"
