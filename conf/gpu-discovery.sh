#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs this executor (or standalone worker) may use, as
#   {"name": "gpu", "addresses": ["0","1",...]}
# Use it as spark.executor.resource.gpu.discoveryScript (and, for standalone workers,
# spark.worker.resource.gpu.discoveryScript); it must be executable on every node.
#
# zoobench passes a task's address to DJL as Device.gpu(address), so the addresses must be
# CUDA device ordinals as the executor process sees them:
# - CUDA_VISIBLE_DEVICES set (by YARN's GPU isolation, a container runtime or an admin): CUDA
#   renumbers the visible GPUs 0..n-1, so this prints 0..n-1 (n = the number of entries before
#   the first empty or "-1" one), not nvidia-smi's physical indices;
# - otherwise: nvidia-smi's indices. They equal CUDA's ordinals on machines with one GPU model;
#   on mixed machines export CUDA_DEVICE_ORDER=PCI_BUS_ID to executors (spark.executorEnv.*).
# Fails (exit 1, message on stderr) when nvidia-smi is missing or fails, so an executor that
# asked for GPUs does not start without them.
set -euo pipefail

print() {
  local out="" sep=""
  for a in "$@"; do
    out+="${sep}\"${a}\""
    sep=","
  done
  printf '{"name": "gpu", "addresses": [%s]}\n' "$out"
}

if [[ -n "${CUDA_VISIBLE_DEVICES+set}" ]]; then
  addresses=()
  IFS=',' read -r -a entries <<< "${CUDA_VISIBLE_DEVICES}"
  for e in "${entries[@]}"; do
    e="${e//[[:space:]]/}"
    [[ -z "$e" || "$e" == -* ]] && break
    addresses+=("${#addresses[@]}")
  done
  print ${addresses[@]+"${addresses[@]}"}
  exit 0
fi

if ! command -v nvidia-smi > /dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi not found on $(hostname)" >&2
  exit 1
fi
if ! indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "gpu-discovery.sh: nvidia-smi failed on $(hostname): ${indices}" >&2
  exit 1
fi
addresses=()
while read -r i; do
  i="${i//[[:space:]]/}"
  [[ "$i" =~ ^[0-9]+$ ]] && addresses+=("$i")
done <<< "$indices"
print ${addresses[@]+"${addresses[@]}"}
