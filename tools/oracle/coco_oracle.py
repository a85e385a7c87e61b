#!/usr/bin/env python3
"""pycocotools as an oracle for zoobench's evaluator (differential tests and `bench parity`).

Reads a list of evaluations as JSON lines on stdin or from --jobs FILE, one object each:
  {"id": "...", "gt": "gt.json", "dt": "dt.json", "iou": "bbox|segm|proposal",
   "det_area": "auto|mask", "mode": "pycocotools|mmdet", "curves": false}
and writes one JSON line per evaluation to stdout (or --out FILE):
  {"id", "stats": ["0x1.8p-1", ...] (float.hex, exact), "per_category": [{"id", "ap"}],
   "error": null | "ExceptionType: message"}
With "curves": true the line also holds pycocotools' accumulated arrays, flattened in C order:
  "curves": {"cat_ids": [...] (params.catIds; [-1] without useCats), "max_dets": [...],
             "precision_shape": [T, R, K, A, M], "precision": [hex, ...],
             "recall_shape": [T, K, A, M], "recall": [hex, ...]}

Modes are zoobench's:
  bbox / segm        COCOeval(iouType) on COCO.loadRes(dt)
  det_area=mask      the results' "bbox" removed first (what Detectron2's COCOEvaluator does)
  proposal           iouType bbox, useCats=0, maxDets [100, 300, 1000]
  mode=mmdet         maxDets [100, 300, 1000] (MMDetection's CocoMetric)
An empty results list is evaluated against an empty COCO() (what Detectron2 does, and what
zoobench documents), since pycocotools' loadRes([]) raises IndexError.
Per-category AP is Detectron2's: mean of precision[:, :, k, 0, -1] over entries > -1.
"""
import argparse
import contextlib
import io
import json
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def load_json(path):
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path, "rt") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def evaluate(job, gt_cache):
    gt_path = job["gt"]
    coco_gt = gt_cache.get(gt_path)
    if coco_gt is None:
        coco_gt = COCO()
        coco_gt.dataset = load_json(gt_path)
        coco_gt.createIndex()
        gt_cache.clear()
        gt_cache[gt_path] = coco_gt
    anns = load_json(job["dt"])
    iou = job["iou"]
    if job.get("det_area", "auto") == "mask":
        for a in anns:
            if isinstance(a, dict):
                a.pop("bbox", None)
    if isinstance(anns, list) and len(anns) == 0:
        coco_dt = COCO()
    else:
        coco_dt = coco_gt.loadRes(anns)
    e = COCOeval(coco_gt, coco_dt, "segm" if iou == "segm" else "bbox")
    if iou == "proposal":
        e.params.useCats = 0
        e.params.maxDets = [100, 300, 1000]
    elif job.get("mode", "pycocotools") == "mmdet":
        e.params.maxDets = [100, 300, 1000]
    e.evaluate()
    e.accumulate()
    e.summarize()
    per_cat = []
    if e.params.useCats:
        precision = e.eval["precision"]
        for k, cid in enumerate(e.params.catIds):
            p = precision[:, :, k, 0, -1]
            p = p[p > -1]
            per_cat.append({"id": int(cid), "ap": float(np.mean(p)).hex() if p.size else None})
    curves = None
    if job.get("curves"):
        precision, recall = e.eval["precision"], e.eval["recall"]
        curves = {"cat_ids": [int(c) for c in e.params.catIds] if e.params.useCats else [-1],
                  "max_dets": [int(m) for m in e.params.maxDets],
                  "precision_shape": list(precision.shape),
                  "precision": [float(v).hex() for v in precision.ravel()],
                  "recall_shape": list(recall.shape),
                  "recall": [float(v).hex() for v in recall.ravel()]}
    return [float(s).hex() for s in e.stats], per_cat, curves


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", help="JSON-lines file of evaluations (default: stdin)")
    ap.add_argument("--out", help="output file (default: stdout)")
    ap.add_argument("--versions", action="store_true", help="print the versions that answer")
    args = ap.parse_args()
    if args.versions:
        import platform
        from importlib.metadata import version
        print("pycocotools %s, numpy %s, python %s" % (version("pycocotools"), np.__version__,
                                                      platform.python_version()))
        return
    src = open(args.jobs) if args.jobs else sys.stdin
    dst = open(args.out, "w") if args.out else sys.stdout
    gt_cache = {}
    with src, dst:
        for line in src:
            line = line.strip()
            if not line:
                continue
            job = json.loads(line)
            out = {"id": job["id"], "stats": None, "per_category": None, "error": None}
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    out["stats"], out["per_category"], curves = evaluate(job, gt_cache)
                if curves is not None:
                    out["curves"] = curves
            except Exception as ex:  # pycocotools refuses or crashes: that is the outcome
                out["error"] = type(ex).__name__ + ": " + str(ex)[:300]
            dst.write(json.dumps(out) + "\n")
            dst.flush()


if __name__ == "__main__":
    main()
