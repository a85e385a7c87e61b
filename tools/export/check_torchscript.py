#!/usr/bin/env python3
"""Checks that a TorchScript detector can run where zoobench runs it: in a libtorch without
torchvision's (or MMDeploy's, Detectron2's, mmcv's) C++ ops.

    /usr/bin/python3 tools/export/check_torchscript.py MODEL.pt --layout torchvision|tensors
        [--size HxW] [--device cpu|cuda]

- loads the file in this process, which imports torch only (never torchvision, so no
  ``torchvision::`` op is registered, as in DJL's libtorch);
- lists the ops of ``forward``'s inlined graph outside the ``aten::``/``prim::`` namespaces;
- runs one forward pass on a random image laid out as zoobench feeds the model's output kind:
  ``torchvision`` (and ``proposals``): ``List[Tensor]`` with one [3, H, W] image in [0, 1];
  ``tensors``: one [1, 3, H, W] batch (random normal values, as after mean/std);
- prints the outputs' structure (dict keys, tuple positions, shapes, dtypes), which must match
  the adapter (docs/models.md).

Exit status 1 when the file does not load or run, or calls ops outside aten/prim. A random
image only proves that the graph runs; compare real detections with the original framework.
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from script_ops import foreign_ops  # noqa: E402  (imports torch only)


def describe(value, indent="  "):
    if isinstance(value, torch.Tensor):
        return f"Tensor{list(value.shape)} {str(value.dtype).replace('torch.', '')}"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + "".join(f"{indent}  {k!r}: {describe(v, indent + '  ')}\n"
                                for k, v in value.items()) + indent + "}"
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return f"{kind}[\n" + "".join(f"{indent}  [{i}] {describe(v, indent + '  ')}\n"
                                      for i, v in enumerate(value)) + indent + "]"
    return repr(value)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--layout", choices=["torchvision", "tensors"], required=True)
    p.add_argument("--size", default="480x640", help="input H x W (default 480x640)")
    p.add_argument("--device", default="cpu")
    args = p.parse_args(argv)
    h, w = (int(v) for v in args.size.lower().split("x"))
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    try:
        m = torch.jit.load(args.model, map_location=args.device)
    except Exception as e:  # noqa: BLE001
        print(f"{args.model}: does not load: {str(e).strip().splitlines()[0]}")
        return 1
    t1 = time.perf_counter()
    assert "torchvision" not in sys.modules, "torchvision got imported"
    foreign = foreign_ops(m.inlined_graph)
    print(f"{args.model}: loaded in {t1 - t0:.2f} s with torch {torch.__version__}, "
          f"no torchvision")
    print(f"ops outside aten/prim: {foreign or 'none'}")
    g = torch.Generator().manual_seed(0)
    if args.layout == "torchvision":
        inputs = ([torch.rand(3, h, w, generator=g).to(args.device)],)
    else:
        inputs = (torch.randn(1, 3, h, w, generator=g).to(args.device),)
    try:
        with torch.no_grad():
            t2 = time.perf_counter()
            out = m(*inputs)
            t3 = time.perf_counter()
    except Exception as e:  # noqa: BLE001
        print(f"forward failed: {str(e).strip().splitlines()[-1]}")
        return 1
    print(f"forward on a random {h}x{w} image: {t3 - t2:.2f} s (first call)")
    print("outputs: " + describe(out))
    return 1 if foreign else 0


if __name__ == "__main__":
    sys.exit(main())
