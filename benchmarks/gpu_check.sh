#!/usr/bin/env bash
# The GPU check of probe training, for a machine with an NVIDIA GPU, in under 8 minutes: the GPU training
# tests, then probe-steps per second on the GPU against 2 CPU threads at 256 tokens, and the verdicts of a
# 4-hop task at 256 tokens (depths 3 to 6, 3 seeds), written to one JSON file, gpu_check.json.
#
#   bash benchmarks/gpu_check.sh [OUTPUT-FOLDER]     # default: $OUT if set, else gpu-check
#
# Needs torch, pyyaml, typer and rich (the GPU image's Python has them); run from anywhere: PYTHONPATH is set
# to this checkout.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-${OUT:-gpu-check}}
mkdir -p "$out"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || echo "nvidia-smi: not found"
(cd "$here" && timeout 60 python3 -m pytest -q -p no:cacheprovider tests/test_gpu_train.py) 2>&1 | tail -5
timeout 400 python3 "$here/benchmarks/gpu_check.py" "$out/gpu_check.json" --deadline-s 380 2>&1 | tee "$out/gpu_check.log"
