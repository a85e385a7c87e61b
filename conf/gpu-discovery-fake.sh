#!/usr/bin/env bash
# Fake Spark GPU discovery for testing the resource plumbing on machines without GPUs: every
# executor (or worker) reports two GPUs, "0" and "1". Tasks then carry a gpu address
# (timings.task_gpu), but DJL finds no CUDA device, so zoobench runs them on the CPU
# (timings.device = cpu). Never use it on a real GPU cluster.
echo '{"name":"gpu","addresses":["0","1"]}'
