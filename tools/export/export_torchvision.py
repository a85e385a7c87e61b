#!/usr/bin/env python3
"""Exports a torchvision detector to a TorchScript file that DJL's libtorch (zoobench) can load,
and prints the matching zoo-manifest entry.

    /usr/bin/python3 tools/export/export_torchvision.py --arch maskrcnn_resnet50_fpn \\
        --weights maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth --out models/maskrcnn_r50.pt \\
        [--check-image some.jpg] [--min-size 800 --max-size 1333] [--name NAME]

Steps:
1. builds the model with ``weights=None, weights_backbone=None`` (nothing is downloaded) and
   loads ``--weights`` (a state dict, or a training checkpoint holding one under ``model``);
   without ``--weights`` the weights stay random (for trying the tool out);
2. scripts it with torchvision's ``nms`` and ``roi_align`` replaced by pure-PyTorch versions
   (``script_ops.py``): DJL's libtorch has no ``torchvision::`` ops, and a model calling them
   fails to load there with ``Unknown builtin op: torchvision::nms``;
3. refuses to save when the scripted graph still holds an op outside ``aten::``/``prim::``;
4. saves it, then loads the file in a fresh Python process that never imports torchvision (so
   no ``torchvision::`` op is registered, as in DJL) and runs it on ``--check-image`` (or a
   random image), comparing its detections with the eager model's (which uses torchvision's
   C++ ops);
5. prints a zoo-manifest entry (docs/models.md describes the fields).

The scripted model takes ``List[Tensor]`` (CHW, RGB, values in [0, 1], original size), resizes
and normalises inside (GeneralizedRCNNTransform), and returns ``(losses, List[Dict[str,
Tensor]])`` with ``boxes`` (x1 y1 x2 y2, original pixels), ``labels``, ``scores`` and, for Mask
R-CNN, ``masks`` [N, 1, H, W] probabilities: zoobench's ``output: torchvision``.

Needs torch and torchvision with its C++ extension (for the eager comparison); Debian's
``/usr/bin/python3`` (torch 1.13, torchvision 0.14) does. The saved file loads in libtorch 2.x.
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402
import torchvision  # noqa: E402
import torchvision.models.detection as detection  # noqa: E402

import script_ops  # noqa: E402

# arch -> (zoo 'arch', zoo 'backbone', has masks)
ARCHS = {
    "fasterrcnn_resnet50_fpn": ("Faster R-CNN", "R-50-FPN", False),
    "fasterrcnn_resnet50_fpn_v2": ("Faster R-CNN", "R-50-FPN-v2", False),
    "fasterrcnn_mobilenet_v3_large_fpn": ("Faster R-CNN", "MobileNetV3-L-FPN", False),
    "fasterrcnn_mobilenet_v3_large_320_fpn": ("Faster R-CNN", "MobileNetV3-L-320-FPN", False),
    "maskrcnn_resnet50_fpn": ("Mask R-CNN", "R-50-FPN", True),
    "maskrcnn_resnet50_fpn_v2": ("Mask R-CNN", "R-50-FPN-v2", True),
    "retinanet_resnet50_fpn": ("RetinaNet", "R-50-FPN", False),
    "retinanet_resnet50_fpn_v2": ("RetinaNet", "R-50-FPN-v2", False),
    "fcos_resnet50_fpn": ("FCOS", "R-50-FPN", False),
    "ssd300_vgg16": ("SSD", "VGG16", False),
    "ssdlite320_mobilenet_v3_large": ("SSDlite", "MobileNetV3-L", False),
}

# The 80 COCO 2017 category ids. torchvision's 91 COCO labels (0 background, 'N/A' for the
# ten ids COCO 2017 dropped) ARE these ids, so the label map is the identity on them; the
# 'N/A' labels stay unmapped and zoobench drops their detections.
COCO_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
            25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49,
            50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74,
            75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]

CHECK_PROGRAM = r"""
import sys, torch
assert "torchvision" not in sys.modules
model_path, image_path, out_path, threshold = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
torch.set_num_threads(1)
m = torch.jit.load(model_path, map_location="cpu")
if threshold != "keep":
    t = float(threshold)
    if hasattr(m, "roi_heads"):
        m.roi_heads.score_thresh = t
    else:
        m.score_thresh = t
image = torch.load(image_path)
with torch.no_grad():
    out = m([image])
dets = out[1] if isinstance(out, tuple) else out
torch.save({k: v for k, v in dets[0].items()}, out_path)
print("torchvision imported:", "torchvision" in sys.modules)
"""


def parse_kwargs(items):
    out = {}
    for item in items or []:
        key, _, value = item.partition("=")
        if not key or not _:
            raise SystemExit(f"--kw {item!r}: expected KEY=VALUE")
        try:
            out[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            out[key] = value
    return out


def build(args):
    kwargs = parse_kwargs(args.kw)
    if args.min_size is not None:
        kwargs["min_size"] = args.min_size
    if args.max_size is not None:
        kwargs["max_size"] = args.max_size
    builder = getattr(detection, args.arch)
    model = builder(weights=None, weights_backbone=None, num_classes=args.num_classes, **kwargs)
    if args.weights:
        state = torch.load(args.weights, map_location="cpu")
        if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
            state = state["model"]  # a torchvision reference-scripts training checkpoint
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise SystemExit(f"{args.weights}: does not fit {args.arch} (num_classes "
                             f"{args.num_classes}): missing {missing[:5]}, unexpected "
                             f"{unexpected[:5]}")
    return model.eval()


def known_weights(path):
    """torchvision's published weights whose file name is ``path``'s: (enum name, meta)."""
    if not path:
        return None
    name = os.path.basename(path)
    for attr in dir(detection):
        if attr.endswith("_Weights"):
            for w in getattr(detection, attr):
                if w.url.rsplit("/", 1)[-1] == name:
                    return f"{attr}.{w.name}", w.meta
    return None


def score_thresh(model):
    return model.roi_heads.score_thresh if hasattr(model, "roi_heads") else model.score_thresh


def detections_per_img(model):
    if hasattr(model, "roi_heads"):
        return model.roi_heads.detections_per_img
    return model.detections_per_img


def compare(eager, scripted, has_masks):
    n_e = eager["scores"].numel()
    n_s = scripted["scores"].numel()
    report = {"detections_eager": n_e, "detections_scripted": n_s}
    n = min(n_e, n_s)
    if n:
        report["max_box_diff"] = (eager["boxes"][:n] - scripted["boxes"][:n]).abs().max().item()
        report["max_score_diff"] = (eager["scores"][:n] - scripted["scores"][:n]).abs().max().item()
        report["labels_equal"] = bool(torch.equal(eager["labels"][:n], scripted["labels"][:n]))
        if has_masks:
            report["max_mask_diff"] = (eager["masks"][:n] - scripted["masks"][:n]).abs().max().item()
    report["ok"] = n_e == n_s and (n == 0 or (report["max_box_diff"] < 0.05
                                              and report["max_score_diff"] < 1e-3
                                              and report["labels_equal"]))
    return report


def check(model, path, args, has_masks):
    if args.check_image:
        from PIL import Image
        import numpy as np
        img = Image.open(args.check_image).convert("RGB")
        image = torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float() / 255
    else:
        g = torch.Generator().manual_seed(0)
        image = torch.rand(3, 480, 640, generator=g)
    # random weights score everything near 1/num_classes: look at all boxes then
    threshold = args.check_score_thresh
    if threshold is None:
        threshold = None if args.weights else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        image_file = os.path.join(tmp, "image.pt")
        out_file = os.path.join(tmp, "out.pt")
        torch.save(image, image_file)
        env = dict(os.environ, PYTHONPATH="")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHECK_PROGRAM, path, image_file, out_file,
                               "keep" if threshold is None else str(threshold)],
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit("the saved model does not load or run without torchvision:\n"
                             + proc.stderr[-3000:])
        scripted = torch.load(out_file)
    saved = score_thresh(model)
    if threshold is not None:
        if hasattr(model, "roi_heads"):
            model.roi_heads.score_thresh = threshold
        else:
            model.score_thresh = threshold
    try:
        torch.set_num_threads(1)
        with torch.no_grad():
            eager = model([image])[0]
    finally:
        if hasattr(model, "roi_heads"):
            model.roi_heads.score_thresh = saved
        else:
            model.score_thresh = saved
    report = compare(eager, scripted, has_masks)
    if report["detections_eager"] == 0:
        report["note"] = ("no detections: the comparison proves little; use a real photo "
                          "(--check-image) or --check-score-thresh 0")
    report["image"] = args.check_image or "random 640x480"
    report["score_thresh_in_check"] = saved if threshold is None else threshold
    report["load_and_run_without_torchvision_s"] = round(wall, 2)
    return report


def serialized_foreign_ops(path):
    """Custom-namespace op calls (``ops.NS.op``) in the saved file's code."""
    import re
    found = set()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if "/code/" in name and name.endswith(".py"):
                for m in re.finditer(r"(?<![\w.])ops\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)\(",
                                     z.read(name).decode("utf-8", "replace")):
                    if m.group(1) not in ("aten", "prim"):
                        found.add(f"{m.group(1)}::{m.group(2)}")
    return sorted(found)


def resize_note(model):
    t = model.transform
    fixed = getattr(t, "fixed_size", None)
    if fixed:
        return f"(to {fixed[1]}x{fixed[0]})"
    return f"(min_size {t.min_size[0]}, max_size {t.max_size})"


def manifest_entry(args, model, has_masks, known):
    arch, backbone, _ = ARCHS[args.arch]
    name = args.name or args.arch.replace("_", "-")
    if args.num_classes == 91:
        labels = "{" + ", ".join(f"{i}: {i}" for i in COCO_IDS) + "}"
        labels_note = "torchvision's COCO labels are the COCO category ids"
    else:
        labels = "{" + ", ".join(f"{i}: {i}" for i in range(1, args.num_classes)) + "}"
        labels_note = "EDIT: model label -> COCO category id"
    max_dets = min(100, detections_per_img(model))
    lines = [
        f"  - name: {name}",
        f"    arch: {arch}",
        f"    backbone: {backbone}",
        "    style: torchvision",
    ]
    if args.lr_schedule:
        lines.append(f"    lr_schedule: {args.lr_schedule}")
    artifact = args.artifact or args.out
    lines += [
        f"    artifact: {artifact}   # relative to the manifest's folder, or any Hadoop path",
        "    input:",
        "      resize: none                 # the model resizes " + resize_note(model),
        "      channels: RGB",
        "      pixel_scale: 1               # [0, 1] floats, as torchvision's to_tensor",
        "      normalized_by_model: true    # GeneralizedRCNNTransform applies mean/std",
        "    output: torchvision",
        f"    labels: {labels}   # {labels_note}",
        f"    score_threshold: {score_thresh(model)}",
        f"    max_detections: {max_dets}",
    ]
    if has_masks:
        lines.append("    mask_threshold: 0.5")
    lines.append("    batch_size: 1")
    if known:
        metrics = known[1].get("_metrics", {}).get("COCO-val2017", {})
        ref = {}
        if "box_map" in metrics:
            ref["box_ap"] = round(metrics["box_map"] / 100, 4)
        if "mask_map" in metrics:
            ref["mask_ap"] = round(metrics["mask_map"] / 100, 4)
        if ref:
            lines.append("    reference: {" + ", ".join(f"{k}: {v}" for k, v in ref.items())
                         + f"}}   # torchvision's {known[0]}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=sorted(ARCHS))
    p.add_argument("--weights", help="state dict (.pth); without it the weights are random")
    p.add_argument("--num-classes", type=int, default=91,
                   help="classes including background (default 91: torchvision's COCO)")
    p.add_argument("--out", required=True, help="TorchScript file to write")
    p.add_argument("--min-size", type=int, help="GeneralizedRCNNTransform min_size")
    p.add_argument("--max-size", type=int, help="GeneralizedRCNNTransform max_size")
    p.add_argument("--kw", action="append", metavar="KEY=VALUE",
                   help="more keyword arguments for the model builder, e.g. "
                        "box_detections_per_img=100 (repeatable)")
    p.add_argument("--check-image", help="image to compare scripted and eager detections on "
                                         "(default: a random 640x480 image)")
    p.add_argument("--check-score-thresh", type=float,
                   help="score threshold while checking (default: the model's with --weights,"
                        " 0 without)")
    p.add_argument("--no-check", action="store_true", help="skip the load-and-compare check")
    p.add_argument("--name", help="zoo model name (default: the arch with '-')")
    p.add_argument("--artifact", help="artifact path to print in the manifest entry "
                                      "(default: --out)")
    p.add_argument("--lr-schedule", help="lr_schedule to print in the manifest entry")
    args = p.parse_args(argv)

    _, _, has_masks = ARCHS[args.arch]
    t0 = time.perf_counter()
    model = build(args)
    t1 = time.perf_counter()
    if hasattr(model, "_has_warned"):
        # the once-per-process "always returns a (Losses, Detections) tuple" warning: libtorch
        # would print it on zoobench's stderr
        model._has_warned = True
    with script_ops.patched_torchvision():
        scripted = torch.jit.script(model)
    t2 = time.perf_counter()
    foreign = script_ops.foreign_ops(scripted.inlined_graph)
    if foreign:
        raise SystemExit(f"the scripted model still calls {foreign}: DJL's libtorch cannot "
                         "load it (was something scripted before the patch?)")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    scripted.save(args.out)
    t3 = time.perf_counter()
    in_file = serialized_foreign_ops(args.out)
    if in_file:
        os.remove(args.out)
        raise SystemExit(f"the saved file calls {in_file}; removed {args.out}")
    report = {
        "arch": args.arch,
        "weights": args.weights or "random (weights=None, weights_backbone=None)",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "out": args.out,
        "size_bytes": os.path.getsize(args.out),
        "build_s": round(t1 - t0, 2),
        "script_s": round(t2 - t1, 2),
        "save_s": round(t3 - t2, 2),
        "graph_ops_outside_aten_prim": foreign,
    }
    if not args.no_check:
        report["check"] = check(model, args.out, args, has_masks)
    known = known_weights(args.weights)
    print(json.dumps(report, indent=2), file=sys.stderr)
    print("# zoo manifest entry (conf/zoo/*.yaml, under 'models:')")
    print(manifest_entry(args, model, has_masks, known))
    if not args.no_check and not report["check"]["ok"]:
        print("export_torchvision: scripted and eager detections differ (see check)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
