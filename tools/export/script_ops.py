"""TorchScript-able, pure-PyTorch replacements for torchvision's C++ ``nms`` and ``roi_align``.

DJL's libtorch (the ``pytorch-native-*`` natives zoobench runs) has no ``torchvision::`` ops: a
TorchScript file that calls ``torchvision::nms`` or ``torchvision::roi_align`` fails to load
there with ``Unknown builtin op: torchvision::nms``. Export code swaps these functions in before
``torch.jit.script`` (or ``torch.jit.trace``) with :func:`patched_torchvision`, so the saved
model only holds ``aten::`` / ``prim::`` ops.

- :func:`nms`: exact greedy NMS, the same kept indices in the same order as
  ``torchvision.ops.nms`` on CPU (IoU computed as the CPU kernel does, in float, compared with
  the threshold in double; ties in score keep the input order). Blocked, so a GPU does a few
  synchronisations per 256 boxes rather than one per box.
- :func:`roi_align`: ``torchvision.ops.roi_align`` for boxes given as a ``[K, 5]`` Tensor
  (batch index, x1, y1, x2, y2), every ``sampling_ratio`` (``<= 0`` is the adaptive grid
  ``ceil(roi_size / output_size)`` that MMDetection and Detectron2 configs use) and both
  ``aligned`` modes. Sample points, validity and edge clamping follow the CPU kernel; the
  bilinear interpolation runs in ``grid_sample`` (one call per image and sampling-grid size;
  adaptive grids are rounded up to 1, 2, 3, 4, 6, 8, 12, ... with the extra samples masked
  out), so values match the kernel to float rounding (~1e-5 relative), not bit for bit.

Run ``/usr/bin/python3 tools/export/script_ops.py`` to compare both with torchvision's own ops
(needs torchvision with its C++ extension, as any export environment has).

For ``torch.jit.trace`` based exporters (MMDeploy's ``torch2torchscript``), use
:func:`patched_torchvision` with ``for_tracing=True``: the replacements are then already
scripted functions, which a trace records with their loops intact instead of unrolling them
for the example image.
"""
import contextlib
import sys
from typing import List

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.jit.annotations import BroadcastingList2


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Indices of the boxes greedy NMS keeps, by decreasing score (``torchvision.ops.nms``)."""
    n = boxes.size(0)
    if n == 0:
        return torch.empty((0,), dtype=torch.int64, device=boxes.device)
    order = torch.sort(scores, stable=True, descending=True)[1]
    b = boxes[order]
    x1 = b[:, 0]
    y1 = b[:, 1]
    x2 = b[:, 2]
    y2 = b[:, 3]
    areas = (x2 - x1) * (y2 - y1)
    keep = torch.ones(n, dtype=torch.bool, device=boxes.device)
    block = 256
    start = 0
    while start < n:
        end = min(start + block, n)
        m = end - start
        # IoU of this block's boxes with every box from the block on, as the CPU kernel:
        # inter / (area_i + area_j - inter), w and h clamped at 0
        xx1 = torch.maximum(x1[start:end, None], x1[None, start:])
        yy1 = torch.maximum(y1[start:end, None], y1[None, start:])
        xx2 = torch.minimum(x2[start:end, None], x2[None, start:])
        yy2 = torch.minimum(y2[start:end, None], y2[None, start:])
        w = torch.clamp(xx2 - xx1, min=0.0)
        h = torch.clamp(yy2 - yy1, min=0.0)
        inter = w * h
        iou = inter / (areas[start:end, None] + areas[None, start:] - inter)
        rows = torch.arange(start, end, device=boxes.device)
        cols = torch.arange(start, n, device=boxes.device)
        # a box only suppresses boxes after it; float IoU > double threshold, as the kernel
        sup = (iou.to(torch.float64) > iou_threshold) & (cols[None, :] > rows[:, None])
        inner = sup[:, :m]
        alive = keep[start:end]
        # greedy inside the block: the unique fixed point of
        # kept[j] = alive[j] and no kept i < j suppresses j (at most m + 1 rounds)
        cur = alive
        for _ in range(m + 1):
            nxt = alive & ~((inner & cur[:, None]).any(0))
            if bool(torch.equal(nxt, cur)):
                break
            cur = nxt
        keep[start:end] = cur
        if end < n:
            keep[end:] = keep[end:] & ~((sup[:, m:] & cur[:, None]).any(0))
        start = end
    return order[keep]


def _grid_coords(start: Tensor, bin_size: Tensor, grid: Tensor, pooled: int,
                 slots: int) -> Tensor:
    """Sample positions [K, pooled * slots] as the kernel computes them,
    start + p * bin + (i + .5) * bin / grid (grid per box), for i < slots."""
    p = torch.arange(pooled, device=start.device).to(start.dtype)
    i = torch.arange(slots, device=start.device).to(start.dtype) + 0.5
    pos = (start[:, None, None] + p[None, :, None] * bin_size[:, None, None]) \
        + i[None, None, :] * bin_size[:, None, None] / grid.to(start.dtype)[:, None, None]
    return pos.reshape(start.size(0), pooled * slots)


def _normalised(pos: Tensor, size: int) -> Tensor:
    """Kernel positions (clamped to [0, size - 1]) as grid_sample coordinates (align_corners)."""
    pos = torch.clamp(pos, min=0.0, max=float(size - 1))
    if size == 1:
        return torch.zeros_like(pos)
    return pos / float(size - 1) * 2.0 - 1.0


def _bucket(grid: Tensor) -> Tensor:
    """Grid sizes rounded up to 1, 2, 3, 4, 6, 8, 12, 16, 24, ... (0 stays 0): boxes whose
    adaptive grids round to the same size share one grid_sample, with at most 1.5x the samples
    per axis (the extra ones are masked out)."""
    g = torch.clamp(grid, min=1)
    p = torch.pow(2.0, torch.floor(torch.log2(g.to(torch.float64)))).to(torch.int64)
    b = torch.where(g <= p, p, torch.where(g * 2 <= p * 3, torch.div(p * 3, 2,
                                                                     rounding_mode="floor"),
                                           p * 2))
    return torch.where(grid <= 0, torch.zeros_like(grid), b)


def roi_align(
    input: Tensor,
    boxes: Tensor,
    output_size: BroadcastingList2[int],
    spatial_scale: float = 1.0,
    sampling_ratio: int = -1,
    aligned: bool = False,
) -> Tensor:
    """``torchvision.ops.roi_align`` for ``boxes`` as a [K, 5] Tensor; returns [K, C, ph, pw]."""
    ph = output_size[0]
    pw = output_size[1]
    k = boxes.size(0)
    c = input.size(1)
    height = input.size(2)
    width = input.size(3)
    out = torch.zeros((k, c, ph, pw), dtype=input.dtype, device=input.device)
    if k == 0:
        return out
    offset = 0.5 if aligned else 0.0
    bx = boxes.to(input.dtype)
    x1 = bx[:, 1] * spatial_scale - offset
    y1 = bx[:, 2] * spatial_scale - offset
    x2 = bx[:, 3] * spatial_scale - offset
    y2 = bx[:, 4] * spatial_scale - offset
    roi_w = x2 - x1
    roi_h = y2 - y1
    if not aligned:
        roi_w = torch.clamp(roi_w, min=1.0)
        roi_h = torch.clamp(roi_h, min=1.0)
    bin_w = roi_w / float(pw)
    bin_h = roi_h / float(ph)
    if sampling_ratio > 0:
        gh = torch.full((k,), sampling_ratio, dtype=torch.int64, device=input.device)
        gw = gh
        slots_h = gh
        slots_w = gw
    else:
        # the adaptive grid: ceil(roi size / output size) samples per bin and axis
        gh = torch.ceil(roi_h / float(ph)).to(torch.int64)
        gw = torch.ceil(roi_w / float(pw)).to(torch.int64)
        slots_h = _bucket(gh)
        slots_w = _bucket(gw)
    batch = boxes[:, 0].to(torch.int64)
    # one grid_sample per (image, slots high, slots wide)
    r = int(torch.max(torch.cat([slots_h, slots_w])).item()) + 1
    key = (batch * r + torch.clamp(slots_h, min=0)) * r + torch.clamp(slots_w, min=0)
    # sampled values per grid_sample call: 64 MB of float on the CPU, 512 MB on a GPU (fewer,
    # larger calls: each call costs synchronisations and kernel launches)
    budget = (1 << 27) if input.is_cuda else (1 << 24)
    keys: List[int] = torch.unique(key).tolist()
    for kv in keys:
        sy = (kv // r) % r
        sx = kv % r
        b = kv // (r * r)
        if sy == 0 or sx == 0:
            continue  # an empty sampling grid pools to 0, as the kernel
        sel = torch.nonzero(key == kv).squeeze(1)
        chunk = max(1, budget // (c * ph * sy * pw * sx))
        s = 0
        while s < sel.size(0):
            idx = sel[s:s + chunk]
            n = idx.size(0)
            ghk = gh[idx]
            gwk = gw[idx]
            ys = _grid_coords(y1[idx], bin_h[idx], ghk, ph, sy)
            xs = _grid_coords(x1[idx], bin_w[idx], gwk, pw, sx)
            gyn = _normalised(ys, height)
            gxn = _normalised(xs, width)
            grid = torch.stack([gxn[:, None, :].expand(n, ph * sy, pw * sx),
                                gyn[:, :, None].expand(n, ph * sy, pw * sx)], dim=3)
            v = F.grid_sample(input[b:b + 1], grid.reshape(1, n * ph * sy, pw * sx, 2),
                              mode="bilinear", padding_mode="border", align_corners=True)
            # a sample outside [-1, size] contributes 0 (inside, it is clamped to the edge);
            # so do the slots beyond a box's own grid
            iy = torch.arange(sy, device=input.device).repeat(ph)
            ix = torch.arange(sx, device=input.device).repeat(pw)
            vy = (ys >= -1.0) & (ys <= float(height)) & (iy[None, :] < ghk[:, None])
            vx = (xs >= -1.0) & (xs <= float(width)) & (ix[None, :] < gwk[:, None])
            if not (bool(vy.all()) and bool(vx.all())):
                valid = (vy[:, :, None] & vx[:, None, :]).to(input.dtype)
                v = v * valid.reshape(1, 1, n * ph * sy, pw * sx)
            # each bin's samples summed ([1, C, n * ph, pw]), divided by the box's grid size
            total = F.avg_pool2d(v, kernel_size=[sy, sx], stride=[sy, sx], divisor_override=1)
            count = (ghk * gwk).to(input.dtype)
            pooled = total.reshape(c, n, ph, pw) / count[None, :, None, None]
            out[idx] = pooled.permute(1, 0, 2, 3)
            s += chunk
    return out


_scripted: List[torch.jit.ScriptFunction] = []


def scripted_ops():
    """(nms, roi_align) compiled once with torch.jit.script."""
    if not _scripted:
        _scripted.append(torch.jit.script(nms))
        _scripted.append(torch.jit.script(roi_align))
    return _scripted[0], _scripted[1]


def _roi_align_for_tracing():
    """A plain Python function (it has ``__code__``, which mmcv's RoIAlign inspects for an
    ``aligned`` argument) calling the scripted roi_align, so a trace records the scripted
    graph rather than the ops it ran for the example input."""
    _, roi_align_ts = scripted_ops()

    def roi_align_traced(input, boxes, output_size, spatial_scale=1.0, sampling_ratio=-1,
                         aligned=False):
        if isinstance(output_size, int):
            output_size = (output_size, output_size)
        return roi_align_ts(input, boxes, [int(output_size[0]), int(output_size[1])],
                            float(spatial_scale), int(sampling_ratio), bool(aligned))

    return roi_align_traced


@contextlib.contextmanager
def replaced(*targets):
    """``with replaced((module, "name", value), ...)``: sets module attributes (e.g. a
    ``roi_align`` that some library imported from torchvision into its own namespace) for the
    duration of the block, then restores them."""
    saved = [(m, name, getattr(m, name)) for m, name, _ in targets]
    for m, name, value in targets:
        setattr(m, name, value)
    try:
        yield
    finally:
        for m, name, value in saved:
            setattr(m, name, value)


@contextlib.contextmanager
def patched_torchvision(for_tracing: bool = False):
    """Replaces ``nms`` and ``roi_align`` wherever torchvision's own code (and code calling
    ``torchvision.ops.nms`` / ``torchvision.ops.roi_align``) looks them up, for the duration of
    a ``with`` block.

    TorchScript resolves a function's globals when it compiles it, so scripting (or tracing)
    must happen inside the block, in a process that has not compiled torchvision's detection
    code before: a function compiled earlier keeps what it resolved then. Libraries that copied
    the functions into their own namespace (``from torchvision.ops import roi_align`` at module
    level, as Detectron2's ``detectron2.layers.roi_align``) need :func:`replaced` as well.

    ``for_tracing``: install scripted functions (nms) and a wrapper around one (roi_align), so
    ``torch.jit.trace`` keeps their loops instead of unrolling them for the example input.
    """
    import torchvision  # noqa: F401
    import torchvision.ops
    import torchvision.ops.boxes
    import torchvision.ops.poolers
    import torchvision.models.detection.roi_heads

    if for_tracing:
        nms_fn = scripted_ops()[0]
        roi_align_fn = _roi_align_for_tracing()
    else:
        nms_fn, roi_align_fn = nms, roi_align
    roi_align_module = sys.modules["torchvision.ops.roi_align"]
    with replaced(
        (torchvision.ops.boxes, "nms", nms_fn),
        (torchvision.ops, "nms", nms_fn),
        (torchvision.ops.poolers, "roi_align", roi_align_fn),
        (torchvision.models.detection.roi_heads, "roi_align", roi_align_fn),
        (roi_align_module, "roi_align", roi_align_fn),
        (torchvision.ops, "roi_align", roi_align_fn),
    ):
        yield


def foreign_ops(graph) -> List[str]:
    """Kinds of the graph's nodes (blocks included) outside the aten/prim namespaces, e.g.
    ``torchvision::nms``: ops DJL's libtorch may not have."""
    kinds = set()

    def walk(block):
        for node in block.nodes():
            kinds.add(node.kind())
            for inner in node.blocks():
                walk(inner)

    walk(graph)
    return sorted(k for k in kinds if k.split("::")[0] not in ("aten", "prim"))


def _self_test() -> int:
    import time
    import torchvision.ops as tvo

    torch.manual_seed(0)
    nms_ts, roi_align_ts = scripted_ops()
    problems = 0
    for n, thr in [(0, 0.5), (1, 0.5), (50, 0.5), (700, 0.7), (3000, 0.5)]:
        xy = torch.rand(n, 2) * 400
        wh = torch.rand(n, 2) * 120 + 1
        boxes = torch.cat([xy, xy + wh], 1)
        scores = torch.rand(n)
        if n > 10:
            scores[5:10] = scores[0]  # ties
        t0 = time.perf_counter()
        mine = nms_ts(boxes, scores, thr)
        t1 = time.perf_counter()
        ref = tvo.nms(boxes, scores, thr)
        same = torch.equal(mine, ref)
        problems += 0 if same else 1
        print(f"nms n={n:5d} thr={thr}: kept {mine.numel():4d}, equal to torchvision: {same}"
              f" ({(t1 - t0) * 1e3:.1f} ms)")
    feats = torch.randn(2, 8, 37, 53)
    k = 300
    xy = torch.rand(k, 2) * torch.tensor([53.0 * 8, 37.0 * 8]) - 16
    wh = torch.rand(k, 2) * 200
    wh[:5] = 0  # degenerate boxes
    rois = torch.cat([torch.randint(0, 2, (k, 1)).float(), xy, xy + wh], 1)
    for sr in (2, 0, -1):
        for aligned in (False, True):
            for size in ((7, 7), (14, 14)):
                t0 = time.perf_counter()
                mine = roi_align_ts(feats, rois, list(size), 0.125, sr, aligned)
                t1 = time.perf_counter()
                ref = tvo.roi_align(feats, rois, size, 0.125, sr, aligned)
                err = (mine - ref).abs().max().item()
                ok = err < 1e-4
                problems += 0 if ok else 1
                print(f"roi_align sr={sr:2d} aligned={aligned!s:5} out={size}: max |diff|"
                      f" {err:.2e} ({(t1 - t0) * 1e3:.1f} ms)")
    print("OK" if problems == 0 else f"{problems} mismatches")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(_self_test())
