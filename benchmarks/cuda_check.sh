#!/usr/bin/env bash
# The CUDA check, for a machine with an NVIDIA GPU: the GPU tests, latency repeatability in eager and
# CUDA-graph mode (and on that machine's idle CPU), and the bundled example assessed with its costs on the GPU.
#
#   bash benchmarks/cuda_check.sh [OUTPUT-FOLDER]
#
# Needs feasibility importable (`pip install -e '.[test]'`, or PYTHONPATH set to the checkout).
set -uo pipefail
out=${1:-cuda-check}
mkdir -p "$out"
export FEASIBILITY_CACHE=${FEASIBILITY_CACHE:-$out/cache} MPLBACKEND=Agg
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
python3 -c "import torch, fvcore; print('torch', torch.__version__, 'CUDA', torch.version.cuda, torch.cuda.get_device_name(), 'fvcore ok')"
python3 -m pytest -q -p no:cacheprovider tests/test_cuda.py tests/test_measure.py
repeat="benchmarks/latency_repeatability.py --pairs 3"
for mode in eager cuda-graph; do
  python3 $repeat --device cuda --mode $mode --depth 3 --width 256 --heads 8 --length 256 --vocab 4096
  python3 $repeat --device cuda --mode $mode --depth 1 --width 64 --heads 4 --length 18 --vocab 64  # a probe-sized model
done
python3 $repeat --device cpu --threads 4 --depth 3 --width 256 --heads 8 --length 256 --vocab 4096
python3 $repeat --device cpu --threads 4 --depth 2 --width 128 --heads 4 --length 128 --vocab 2048
time python3 -m feasibility assess examples/task.yaml --device cuda --out "$out/example-eager"
time python3 -m feasibility assess examples/task.yaml --device cuda --mode cuda-graph --out "$out/example-graph"
