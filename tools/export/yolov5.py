#!/usr/bin/env python3
"""Exports a YOLOv5 (v6.x layout) detector to a TorchScript file that DJL's libtorch (zoobench)
can load, and runs the plain-PyTorch reference pipeline that zoobench's YOLO path must match.

    .venv/export/bin/python tools/export/yolov5.py \\
        --weights ../shared/real-models/yolov5n/yolov5n_coco_state_dict.pt --out models/yolov5n.pt

    .venv/export/bin/python tools/export/yolov5.py --out models/yolov5n.pt \\
        --reference instances_val2017.json images/ reference.json \\
        [--size 640] [--conf 0.001] [--iou 0.65] [--max-det 300] \\
        [--dump-letterbox DIR --dump-count K] [--threads 2]

(``tools/python/setup.sh export`` makes ``.venv/export``: torch on CPU, numpy, Pillow.)

Export (``--weights W --out F.pt``):
1. builds the module from its blocks (Conv = Conv2d + BatchNorm2d(eps 1e-3) + SiLU, C3,
   Bottleneck, SPPF, the PAN head and Detect; ../shared/real-models/yolov5n/SOURCE.md describes
   them). The layer graph is fixed; widths, C3 depths, the number of classes and the anchors are
   read from the weights, so the n/s/m/l/x state dicts of that layout all fit;
2. loads ``W`` (a plain state dict, ``model.<i>.…`` keys) strictly: a missing, unexpected or
   misshapen tensor ends the tool with one line on stderr naming the first such key;
3. scripts it (``torch.jit.script``; aten/prim ops only, no torchvision), saves it, loads the
   file back and compares its output with the eager module's at 640x640 and 640x480.

The scripted model takes float32 [B, 3, H, W] (RGB, values in [0, 1], H and W multiples of 32)
and returns the decoded predictions [B, N, 5 + nc]: box centre x, y and width, height in input
pixels, objectness, then the nc class scores (all after the sigmoid); N = 3 anchors x the cells
of the stride 8, 16 and 32 grids, level by level, each in (anchor, row, column) order: 25200 at
640x640. There is no NMS inside: zoobench's ``output: yolo`` post-processing does it.

Reference (``--reference ANN.json IMAGES_DIR OUT.json --out F.pt``): runs the TorchScript file
``F.pt`` (exported first when ``--weights`` is given too) over the images of the COCO annotation
file ANN.json, with a letterbox (bilinear resize as io.zoobench.detect.Bilinear, grey 114
padding, centred), objectness and score thresholds, class-wise greedy NMS and boxes mapped back
to the original image, every step in the precision and order the Java pipeline uses (float32
up to the NMS, float64 for the mapping back), and writes the detections as a COCO results
list. It is the Python side of an exact-equality test against zoobench, so the steps below are
spelt out rather than left to library calls whose rounding could differ.
``--dump-letterbox DIR --dump-count K`` also writes the letterboxed input of the first K images
as raw little-endian float32 [3, S, S] to DIR/<file_name>.f32.
"""
import os

# OpenMP threads spin-wait by default, which wrecks throughput when the cores are shared
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import math
import sys
import time
import warnings
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

PROG = "yolov5.py"
STRIDES = (8.0, 16.0, 32.0)  # of the head inputs P3, P4, P5 (layers 17, 20, 23)
BN_EPS = 1e-3
BN_MOMENTUM = 0.03
DETECT = 24  # index of the Detect layer


class ToolError(Exception):
    """A failure reported as one line on stderr (no traceback), exit status 1."""


# ----------------------------------------------------------------------------------------------
# blocks


class ConvBnAct(nn.Module):
    """Conv2d (no bias) + BatchNorm2d + SiLU; keys ``conv.weight`` and ``bn.*``."""

    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1,
                 padding: Optional[int] = None) -> None:
        super().__init__()
        pad = kernel // 2 if padding is None else padding
        self.conv = nn.Conv2d(cin, cout, kernel, stride=stride, padding=pad, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)
        self.act = nn.SiLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    """1x1 then 3x3 conv at constant width, with the input added back when ``residual``."""

    residual: bool

    def __init__(self, width: int, residual: bool) -> None:
        super().__init__()
        self.cv1 = ConvBnAct(width, width, 1)
        self.cv2 = ConvBnAct(width, width, 3)
        self.residual = residual

    def forward(self, x: Tensor) -> Tensor:
        y = self.cv2(self.cv1(x))
        if self.residual:
            return x + y
        return y


class C3(nn.Module):
    """Two 1x1 branches of ``hidden`` channels, the first through ``depth`` bottlenecks, joined
    (bottleneck branch first) and projected to ``cout`` by a third 1x1 conv."""

    def __init__(self, cin: int, hidden: int, cout: int, depth: int, residual: bool) -> None:
        super().__init__()
        self.cv1 = ConvBnAct(cin, hidden, 1)
        self.cv2 = ConvBnAct(cin, hidden, 1)
        self.cv3 = ConvBnAct(2 * hidden, cout, 1)
        self.m = nn.Sequential(*[Bottleneck(hidden, residual) for _ in range(depth)])

    def forward(self, x: Tensor) -> Tensor:
        return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))


class SPPF(nn.Module):
    """Spatial pyramid pooling, the fast form: three chained 5x5 stride-1 max pools on a 1x1
    reduction, the reduction and the three pooled maps joined in that order, then a 1x1 conv."""

    def __init__(self, cin: int, hidden: int, cout: int) -> None:
        super().__init__()
        self.cv1 = ConvBnAct(cin, hidden, 1)
        self.cv2 = ConvBnAct(4 * hidden, cout, 1)
        self.pool = nn.MaxPool2d(kernel_size=5, stride=1, padding=2)

    def forward(self, x: Tensor) -> Tensor:
        a = self.cv1(x)
        b = self.pool(a)
        c = self.pool(b)
        d = self.pool(c)
        return self.cv2(torch.cat([a, b, c, d], 1))


class Upsample2x(nn.Module):
    """Nearest-neighbour upsampling by 2 (no parameters), as a broadcast copy: scripting
    ``F.interpolate`` would compile its every branch into the file, including aten ops newer
    than the libtorch that runs it (``aten::_upsample_lanczos2d_aa`` with torch 2.13), which
    then refuses to load it."""

    def forward(self, x: Tensor) -> Tensor:
        b, c, h, w = x.shape
        return x.reshape(b, c, h, 1, w, 1).expand(b, c, h, 2, w, 2).reshape(b, c, 2 * h, 2 * w)


class Concat(nn.Module):
    """Channel concatenation of its inputs in the order given (no parameters)."""

    def forward(self, xs: List[Tensor]) -> Tensor:
        return torch.cat(xs, 1)


class Detect(nn.Module):
    """One 1x1 conv (with bias) per level to anchors x (5 + nc) channels, decoded to boxes in
    input pixels. ``anchors`` [levels, anchors, 2] is in units of each level's stride (a buffer,
    so it loads from and saves with the state dict)."""

    num_outputs: int
    strides: List[float]

    def __init__(self, in_channels: Sequence[int], num_classes: int, anchors: Tensor) -> None:
        super().__init__()
        levels, per_level, _ = anchors.shape
        self.num_outputs = 5 + num_classes
        self.strides = list(STRIDES)
        self.register_buffer("anchors", torch.zeros(levels, per_level, 2))
        self.m = nn.ModuleList(nn.Conv2d(c, per_level * self.num_outputs, 1) for c in in_channels)

    def forward(self, features: List[Tensor]) -> Tensor:
        outs: List[Tensor] = []
        for level, head in enumerate(self.m):
            p = head(features[level])
            batch, _, ny, nx = p.shape
            stride = self.strides[level]
            per_level = self.anchors.shape[1]
            # [B, A*(5+nc), ny, nx] -> [B, A, ny, nx, 5+nc], then the sigmoid of everything
            t = p.reshape(batch, per_level, self.num_outputs, ny, nx).permute(0, 1, 3, 4, 2)
            t = t.sigmoid()
            gx = torch.arange(nx, dtype=t.dtype, device=t.device).view(1, nx).expand(ny, nx)
            gy = torch.arange(ny, dtype=t.dtype, device=t.device).view(ny, 1).expand(ny, nx)
            grid = torch.stack([gx, gy], 2).view(1, 1, ny, nx, 2)
            anchor_px = (self.anchors[level] * stride).view(1, per_level, 1, 1, 2)
            xy = (t[..., 0:2] * 2.0 - 0.5 + grid) * stride
            wh = (t[..., 2:4] * 2.0) ** 2 * anchor_px
            decoded = torch.cat([xy, wh, t[..., 4:]], -1)
            outs.append(decoded.reshape(batch, -1, self.num_outputs))
        return torch.cat(outs, 1)


class YoloV5(nn.Module):
    """The 25-layer YOLOv5 v6 graph; ``model.<i>`` hold the layers (their state-dict keys)."""

    def __init__(self, layers: List[nn.Module]) -> None:
        super().__init__()
        self.model = nn.ModuleList(layers)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4 or x.shape[1] != 3 or x.shape[2] % 32 != 0 or x.shape[3] % 32 != 0:
            raise ValueError("YOLOv5 expects float [B, 3, H, W] with H and W multiples of 32")
        m = self.model
        x = m[1](m[0](x))
        x = m[3](m[2](x))
        c4 = m[4](x)                      # stride 8
        c6 = m[6](m[5](c4))               # stride 16
        x = m[9](m[8](m[7](c6)))          # stride 32
        h10 = m[10](x)
        x = m[13](m[12]([m[11](h10), c6]))
        h14 = m[14](x)
        p3 = m[17](m[16]([m[15](h14), c4]))
        p4 = m[20](m[19]([m[18](p3), h14]))
        p5 = m[23](m[22]([m[21](p4), h10]))
        return m[24]([p3, p4, p5])


# ----------------------------------------------------------------------------------------------
# building from a state dict


def fmt_shape(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


class Shapes:
    """Reads the layout from the weights' shapes; a missing or malformed tensor is a ToolError."""

    def __init__(self, state: Mapping[str, Tensor]) -> None:
        self.state = state

    def tensor(self, key: str) -> Tensor:
        if key not in self.state:
            raise ToolError(f"{key}: missing from the weights")
        return self.state[key]

    def conv_out(self, layer: str) -> int:
        key = f"{layer}.conv.weight"
        w = self.tensor(key)
        if w.dim() != 4 or w.shape[0] < 1:
            raise ToolError(f"{key}: weights have {fmt_shape(w.shape)}, expected a conv weight "
                            "[out, in, k, k]")
        return int(w.shape[0])

    def depth(self, layer: str) -> int:
        n = 0
        while f"{layer}.m.{n}.cv1.conv.weight" in self.state:
            n += 1
        if n == 0:
            raise ToolError(f"{layer}.m.0.cv1.conv.weight: missing from the weights "
                            "(a C3 has at least one bottleneck)")
        return n


def build(state: Mapping[str, Tensor]) -> Tuple[YoloV5, Dict[str, Any]]:
    """The module whose widths, depths, classes and anchors the weights describe (each read from
    one tensor; the strict load then checks every other tensor against it)."""
    s = Shapes(state)
    ch: List[int] = []  # output channels of each layer
    layers: List[nn.Module] = []
    depths: Dict[int, int] = {}

    def conv(i: int, src: int, kernel: int, stride: int, padding: Optional[int] = None) -> None:
        cout = s.conv_out(f"model.{i}")
        layers.append(ConvBnAct(3 if src < 0 else ch[src], cout, kernel, stride, padding))
        ch.append(cout)

    def c3(i: int, src: int, residual: bool) -> None:
        depths[i] = s.depth(f"model.{i}")
        hidden = s.conv_out(f"model.{i}.cv1")
        cout = s.conv_out(f"model.{i}.cv3")
        layers.append(C3(ch[src], hidden, cout, depths[i], residual))
        ch.append(cout)

    def sppf(i: int, src: int) -> None:
        hidden = s.conv_out(f"model.{i}.cv1")
        cout = s.conv_out(f"model.{i}.cv2")
        layers.append(SPPF(ch[src], hidden, cout))
        ch.append(cout)

    def upsample(src: int) -> None:
        layers.append(Upsample2x())
        ch.append(ch[src])

    def concat(a: int, b: int) -> None:
        layers.append(Concat())
        ch.append(ch[a] + ch[b])

    # backbone
    conv(0, -1, 6, 2, padding=2)
    conv(1, 0, 3, 2)
    c3(2, 1, True)
    conv(3, 2, 3, 2)
    c3(4, 3, True)
    conv(5, 4, 3, 2)
    c3(6, 5, True)
    conv(7, 6, 3, 2)
    c3(8, 7, True)
    sppf(9, 8)
    # PAN head
    conv(10, 9, 1, 1)
    upsample(10)
    concat(11, 6)
    c3(13, 12, False)
    conv(14, 13, 1, 1)
    upsample(14)
    concat(15, 4)
    c3(17, 16, False)        # P3
    conv(18, 17, 3, 2)
    concat(18, 14)
    c3(20, 19, False)        # P4
    conv(21, 20, 3, 2)
    concat(21, 10)
    c3(23, 22, False)        # P5

    key = f"model.{DETECT}.anchors"
    anchors = s.tensor(key)
    if anchors.dim() != 3 or anchors.shape[0] != len(STRIDES) or anchors.shape[2] != 2 \
            or anchors.shape[1] < 1:
        raise ToolError(f"{key}: weights have {fmt_shape(anchors.shape)}, expected "
                        f"[{len(STRIDES)}, anchors, 2]")
    per_level = int(anchors.shape[1])
    key = f"model.{DETECT}.m.0.weight"
    w = s.tensor(key)
    out = int(w.shape[0]) if w.dim() >= 1 else 0
    if out % per_level != 0 or out // per_level < 6:
        raise ToolError(f"{key}: weights have {fmt_shape(w.shape)}: its out channels are not "
                        f"{per_level} x (5 + classes)")
    num_classes = out // per_level - 5
    layers.append(Detect([ch[17], ch[20], ch[23]], num_classes, anchors))
    info = {"num_classes": num_classes, "anchors_per_level": per_level, "depths": depths,
            "widths": {i: ch[i] for i in (0, 4, 6, 9, 17, 20, 23)}}
    return YoloV5(layers), info


def check_keys(module: nn.Module, state: Mapping[str, Tensor]) -> None:
    """Strict load's checks, reported as one line: the first key missing from the weights or of
    another shape (in the module's order), else the first key the module lacks."""
    expected = module.state_dict()
    for key, t in expected.items():
        if key not in state:
            raise ToolError(f"{key}: missing from the weights (the module expects "
                            f"{fmt_shape(t.shape)})")
        if tuple(state[key].shape) != tuple(t.shape):
            raise ToolError(f"{key}: weights have {fmt_shape(state[key].shape)}, the module "
                            f"expects {fmt_shape(t.shape)}")
    for key, t in state.items():
        if key not in expected:
            raise ToolError(f"{key}: not in the module (weights have {fmt_shape(t.shape)})")


def read_state_dict(path: str) -> Dict[str, Tensor]:
    try:
        with warnings.catch_warnings():  # e.g. the unpickler's pickle-protocol warning
            warnings.simplefilter("ignore")
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any reason, one line
        text = str(e)
        if "WeightsUnpickler error:" in text:
            # torch's advice to retry with weights_only=False buries the reason: keep the reason
            reason = text.split("WeightsUnpickler error:", 1)[1].split("Check the documentation")[0]
            raise ToolError("cannot read the weights: not a tensors-only PyTorch file "
                            f"({' '.join(reason.split())})") from None
        first = (text.strip().splitlines() or [type(e).__name__])[0]
        raise ToolError(f"cannot read the weights: {type(e).__name__}: {first}") from None
    if not isinstance(state, Mapping):
        raise ToolError(f"not a state_dict: the file holds a {type(state).__name__}")
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, Tensor):
            raise ToolError(f"not a state_dict: key {key!r} holds a {type(value).__name__}, "
                            "not a tensor")
    if not state:
        raise ToolError("not a state_dict: it is empty")
    return dict(state)


def load_model(path: str) -> Tuple[YoloV5, Dict[str, Any]]:
    state = read_state_dict(path)
    try:
        model, info = build(state)
    except ToolError:
        raise
    except Exception as e:  # noqa: BLE001 - e.g. a zero width read from a tensor
        raise ToolError(f"the weights do not describe a YOLOv5 module: {type(e).__name__}: "
                        f"{str(e).strip().splitlines()[0] if str(e).strip() else ''}") from None
    check_keys(model, state)
    model.load_state_dict(state, strict=True)
    return model.eval(), info


def foreign_ops(graph: torch.Graph) -> List[str]:
    """Ops of the (inlined) graph outside aten::/prim:: (DJL's libtorch knows no others)."""
    kinds = set()

    def walk(nodes: Any) -> None:
        for node in nodes:
            if not node.kind().startswith(("aten::", "prim::")):
                kinds.add(node.kind())
            for block in node.blocks():
                walk(block.nodes())

    walk(graph.nodes())
    return sorted(kinds)


def export(weights: str, out: str, size: int) -> None:
    t0 = time.perf_counter()
    try:
        model, info = load_model(weights)
    except ToolError as e:
        raise ToolError(f"{weights}: {e}") from None
    t1 = time.perf_counter()
    scripted = torch.jit.script(model)
    foreign = foreign_ops(scripted.inlined_graph)
    if foreign:
        raise ToolError(f"the scripted module calls {foreign}: DJL's libtorch cannot run it")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    torch.jit.save(scripted, out)
    t2 = time.perf_counter()

    loaded = torch.jit.load(out, map_location="cpu")
    g = torch.Generator().manual_seed(0)
    shape_out: List[int] = []
    worst = 0.0
    for h, w in ((size, size), (size * 3 // 4 // 32 * 32, size)):
        x = torch.rand(1, 3, h, w, generator=g)
        with torch.no_grad():
            ref = model(x)
            # the profiling executor optimises the graph after its first runs: compare the
            # first run and a later one (the one a long benchmark sees)
            runs = [loaded(x) for _ in range(3)]
        diffs = [(r - ref).abs().max().item() for r in runs]
        worst = max(worst, *diffs)
        cells = sum((h // s_) * (w // s_) for s_ in (8, 16, 32)) * info["anchors_per_level"]
        ok = list(ref.shape) == [1, cells, 5 + info["num_classes"]]
        print(f"check [1, 3, {h}, {w}]: output {fmt_shape(ref.shape)}, max |scripted - eager| "
              f"= {max(diffs):.3g} (runs 1..3: {', '.join(f'{d:.3g}' for d in diffs)})"
              + ("" if ok else f"; expected {cells} rows"))
        if not ok:
            raise ToolError(f"{out}: unexpected output shape {fmt_shape(ref.shape)}")
        if (h, w) == (size, size):
            shape_out = list(ref.shape)
    params = sum(p.numel() for p in model.parameters())
    depths = ", ".join(f"{i}:{n}" for i, n in info["depths"].items())
    widths = ", ".join(f"{i}:{c}" for i, c in info["widths"].items())
    print(f"YOLOv5 from {weights}: {params:,} parameters, {info['num_classes']} classes, "
          f"{info['anchors_per_level']} anchors per level")
    print(f"  C3 depths (layer:bottlenecks) {depths}; widths (layer:channels) {widths}")
    print(f"  output at {size}x{size}: {fmt_shape(shape_out)}")
    print(f"wrote {out} ({os.path.getsize(out):,} bytes; build {t1 - t0:.2f} s, script+save "
          f"{t2 - t1:.2f} s)")
    if worst > 1e-4:
        raise ToolError(f"{out}: the scripted module differs from the eager one by {worst:.3g}")


# ----------------------------------------------------------------------------------------------
# reference pipeline (mirrors zoobench's Java code step by step; float32 unless said otherwise)

F32 = np.float32


def bilinear_axis(n: int, dn: int) -> Tuple[np.ndarray, np.ndarray]:
    """Source index and float32 fraction per destination position (half-pixel centres, edges
    clamped), as io.zoobench.detect.Bilinear.axis."""
    scale = n / dn
    index = np.empty(dn, dtype=np.int64)
    frac = np.empty(dn, dtype=np.float32)
    for d in range(dn):
        fpos = (d + 0.5) * scale - 0.5
        s = math.floor(fpos)
        a = fpos - s
        if s < 0:
            s, a = 0, 0.0
        if s >= n - 1:
            s, a = n - 1, 0.0
        index[d] = s
        frac[d] = F32(a)
    return index, frac


def bilinear_resize(src: np.ndarray, dh: int, dw: int) -> np.ndarray:
    """float32 [C, H, W] -> [C, dh, dw], every operation in float32 in Bilinear.resize's order."""
    _, h, w = src.shape
    x0, fx = bilinear_axis(w, dw)
    y0, fy = bilinear_axis(h, dh)
    x1 = np.minimum(x0 + 1, w - 1)
    y1 = np.minimum(y0 + 1, h - 1)
    r0 = src[:, y0, :]
    r1 = src[:, y1, :]
    fx = fx[None, None, :]
    a00, a01 = r0[:, :, x0], r0[:, :, x1]
    a10, a11 = r1[:, :, x0], r1[:, :, x1]
    top = a00 + (a01 - a00) * fx
    bottom = a10 + (a11 - a10) * fx
    out = top + (bottom - top) * fy[None, :, None]
    assert out.dtype == np.float32
    return out


def letterbox(planes: np.ndarray, size: int) -> Tuple[np.ndarray, int, int, int, int]:
    """Keep-ratio resize to fit size x size and centred grey (114/255) padding: (canvas, nw, nh,
    left, top)."""
    _, h, w = planes.shape
    f = min(size / w, size / h)
    nw = min(math.floor(w * f + 0.5), size)
    nh = min(math.floor(h * f + 0.5), size)
    resized = planes if (nw, nh) == (w, h) else bilinear_resize(planes, nh, nw)
    canvas = np.full((3, size, size), F32(114) / F32(255), dtype=np.float32)
    left = (size - nw) // 2
    top = (size - nh) // 2
    canvas[:, top:top + nh, left:left + nw] = resized
    return canvas, nw, nh, left, top


def classwise_nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray,
                  iou_thr: np.float32) -> np.ndarray:
    """Kept flags of the candidates: per class, greedy in stable descending-score order; a kept
    box suppresses each later one of its class with IoU > iou_thr (float32 IoU)."""
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = (x2 - x1) * (y2 - y1)
    kept = np.zeros(len(scores), dtype=bool)
    zero = F32(0)
    for cls in np.unique(classes):
        members = np.nonzero(classes == cls)[0]
        order = members[np.argsort(-scores[members], kind="stable")]
        suppressed = np.zeros(len(order), dtype=bool)
        for k in range(len(order)):
            if suppressed[k]:
                continue
            i = order[k]
            kept[i] = True
            rest = order[k + 1:]
            if len(rest) == 0:
                break
            iw = np.maximum(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), zero)
            ih = np.maximum(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), zero)
            inter = iw * ih
            iou = inter / (area[i] + area[rest] - inter)
            suppressed[k + 1:] |= iou > iou_thr
    return kept


def postprocess(out: np.ndarray, conf: np.float32, iou_thr: np.float32,
                max_det: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decoded predictions [N, 5 + nc] -> (boxes x1 y1 x2 y2 [K, 4], scores [K], classes [K]),
    best first (stable), at most max_det."""
    obj = out[:, 4]
    rows = np.nonzero(obj > conf)[0]
    scores = out[rows, 5:] * obj[rows, None]
    r, cls = np.nonzero(scores > conf)
    cand_rows = rows[r]
    cand_scores = scores[r, cls]
    cx, cy, bw, bh = (out[cand_rows, j] for j in range(4))
    half_w = bw * F32(0.5)
    half_h = bh * F32(0.5)
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
    assert boxes.dtype == np.float32 and cand_scores.dtype == np.float32
    kept = np.nonzero(classwise_nms(boxes, cand_scores, cls, iou_thr))[0]
    kept = kept[np.argsort(-cand_scores[kept], kind="stable")][:max_det]
    return boxes[kept], cand_scores[kept], cls[kept]


def reference(args: argparse.Namespace) -> None:
    from PIL import Image

    ann_path, images_dir, out_path = args.reference
    try:
        with open(ann_path) as f:
            ann = json.load(f)
        images = ann["images"]
        category_ids = sorted(int(c["id"]) for c in ann["categories"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ToolError(f"{ann_path}: not a readable COCO annotation file: "
                        f"{type(e).__name__}: {e}") from None
    try:
        model = torch.jit.load(args.out, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any reason, one line
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ToolError(f"{args.out}: cannot load the TorchScript file: {first}") from None
    model.eval()
    size = args.size
    conf = F32(args.conf)
    iou_thr = F32(args.iou)
    if args.dump_letterbox:
        os.makedirs(args.dump_letterbox, exist_ok=True)

    results: List[Dict[str, Any]] = []
    stage = {"decode": 0.0, "letterbox": 0.0, "forward": 0.0, "post": 0.0}
    start = time.perf_counter()
    for n, image in enumerate(images):
        path = os.path.join(images_dir, image["file_name"])
        t0 = time.perf_counter()
        try:
            with Image.open(path) as im:
                rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
        except OSError as e:
            raise ToolError(f"{path}: cannot decode: {e}") from None
        h, w, _ = rgb.shape
        if (w, h) != (image["width"], image["height"]):
            raise ToolError(f"{path}: decoded {w}x{h}, the annotation file says "
                            f"{image['width']}x{image['height']}")
        t1 = time.perf_counter()
        planes = rgb.transpose(2, 0, 1).astype(np.float32) / F32(255)
        canvas, nw, nh, left, top = letterbox(planes, size)
        if args.dump_letterbox and n < args.dump_count:
            canvas.astype("<f4").tofile(os.path.join(args.dump_letterbox,
                                                     image["file_name"] + ".f32"))
        t2 = time.perf_counter()
        with torch.no_grad():
            out = model(torch.from_numpy(canvas)[None])[0].numpy()
        t3 = time.perf_counter()
        if out.dtype != np.float32 or out.ndim != 2 or out.shape[1] != 5 + len(category_ids):
            raise ToolError(f"{args.out}: output {out.dtype} {fmt_shape(out.shape)} does not fit "
                            f"{len(category_ids)} categories")
        boxes, scores, classes = postprocess(out, conf, iou_thr, args.max_det)
        sx = nw / w
        sy = nh / h
        b = boxes.astype(np.float64)
        x1 = np.clip(b[:, 0] - left, 0, nw) / sx
        y1 = np.clip(b[:, 1] - top, 0, nh) / sy
        x2 = np.clip(b[:, 2] - left, 0, nw) / sx
        y2 = np.clip(b[:, 3] - top, 0, nh) / sy
        for k in range(len(scores)):
            results.append({
                "image_id": image["id"],
                "category_id": category_ids[int(classes[k])],
                "bbox": [float(x1[k]), float(y1[k]), float(x2[k] - x1[k]), float(y2[k] - y1[k])],
                "score": float(scores[k]),
            })
        t4 = time.perf_counter()
        stage["decode"] += t1 - t0
        stage["letterbox"] += t2 - t1
        stage["forward"] += t3 - t2
        stage["post"] += t4 - t3
    wall = time.perf_counter() - start
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(results, f)
    count = len(images)
    print(f"reference: {count} images in {wall:.2f} s ({count / wall if wall else 0:.2f} "
          f"images/s; decode {stage['decode']:.2f} s, letterbox {stage['letterbox']:.2f} s, "
          f"forward {stage['forward']:.2f} s, post-processing {stage['post']:.2f} s; "
          f"threads {torch.get_num_threads()})")
    print(f"wrote {out_path}: {len(results)} detections")


# ----------------------------------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", help="YOLOv5 state dict (model.<i>.… keys) to export")
    p.add_argument("--out", required=True,
                   help="TorchScript file: written by the export, read by --reference")
    p.add_argument("--size", type=int, default=640,
                   help="square input size of the checks and the reference's letterbox "
                        "(default 640; a multiple of 32)")
    p.add_argument("--reference", nargs=3, metavar=("ANN.json", "IMAGES_DIR", "OUT.json"),
                   help="run the reference pipeline with --out over a COCO annotation file's "
                        "images and write COCO results")
    p.add_argument("--conf", type=float, default=0.001,
                   help="objectness and score threshold (strict >; default 0.001)")
    p.add_argument("--iou", type=float, default=0.65,
                   help="class-wise NMS IoU threshold (suppress when >; default 0.65)")
    p.add_argument("--max-det", type=int, default=300, help="detections per image (default 300)")
    p.add_argument("--dump-letterbox", metavar="DIR",
                   help="write the letterboxed inputs as raw little-endian float32 [3, S, S] to "
                        "DIR/<file_name>.f32")
    p.add_argument("--dump-count", type=int, default=0, metavar="K",
                   help="how many images --dump-letterbox writes (the first K)")
    p.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    args = p.parse_args(argv)
    if not args.weights and not args.reference:
        p.error("give --weights (export) and/or --reference")
    if args.size <= 0 or args.size % 32:
        p.error("--size must be a positive multiple of 32")
    if args.dump_letterbox and args.dump_count <= 0:
        p.error("--dump-letterbox needs --dump-count K > 0")
    torch.set_num_threads(args.threads)
    try:
        if args.weights:
            export(args.weights, args.out, args.size)
        if args.reference:
            reference(args)
    except ToolError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
