#!/usr/bin/env bash
# Reproduce the shipped CycleGAN models pretrained/summer2winter and pretrained/winter2summer.
#
#   GANLAB_DATA=/path/holding/summer2winter_yosemite  scripts/train_cyclegan.sh
#
# Recipe (docs/style.md): Zhu et al.'s CycleGAN losses and optimiser (LSGAN, cycle 10,
# identity 0.5, pool 50, Adam 2e-4 (0.5, 0.999), constant rate then linear decay to 0)
# with a generator sized for CPUs (ngf 32, 9 residual blocks: ~0.1 s per 256 px photo on
# 2 cores), 128 px random crops of the photos resized to 192 px, batch 16, bf16 autocast on
# CUDA. The shipped models were trained exactly so, seed 0, on one H100 shared with three
# other runs: 1,347 steps in 244 s (MINUTES=5). MINUTES is a wall-clock budget for the whole command (loading and
# export included): the run length is re-planned from the measured speed so the rate decay
# ends in time; checkpoints are written as it goes and both directions are exported at the
# end even when the budget cuts the run short. Rerunning continues the same run (--resume).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GANLAB_DATA:?set GANLAB_DATA to the folder that holds summer2winter_yosemite/}"
PYTHON=${PYTHON:-python}
RUN=${RUN:-runs/summer2winter-train}
MINUTES=${MINUTES:-5}
DEVICE=${DEVICE:-cuda}
EXPORT_DIR=${EXPORT_DIR:-pretrained}
EXTRA=()
if [[ -f "$RUN/model.json" ]]; then EXTRA+=(--resume); fi   # a rerun continues the same run

PYTHONPATH=. "$PYTHON" -m ganlab train \
  --dataset summer2winter --out "$RUN" --device "$DEVICE" --seed 0 \
  --cyclegan-preset gpu --ngf 32 --ndf 64 --n-blocks 9 --image-size 128 --load-size 192 \
  --batch-size 16 --steps 30000 --lr 2e-4 --lambda-cycle 10 --lambda-identity 0.5 --pool-size 50 \
  --max-minutes "$MINUTES" --checkpoint-every 1000 --eval-images 64 \
  --export-dir "$EXPORT_DIR" --export-names summer2winter,winter2summer --quiet "${EXTRA[@]}"

ls -la "$EXPORT_DIR/summer2winter" "$EXPORT_DIR/winter2summer"
