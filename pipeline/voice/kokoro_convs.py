"""Kokoro's int8 convolutions rewritten as the matrix products onnxruntime runs fastest, with
the very same integer arithmetic (the audio is bit for bit the same: measured, and tested).

Where the time goes: the int8 export is dynamically quantised, so each convolution is a
ConvInteger of uint8 activations by uint8 weights. onnxruntime has no fast kernel for it: it
unfolds the input (im2col) and multiplies uint8 by uint8, a path that cannot use the CPU's
u8 x s8 dot-product instructions (AVX512-VNNI / AVX-VNNI). Those convolutions were 69% of
Kokoro's time (onnxruntime's profile of a Spanish ad), nearly all in the vocoder's residual
blocks, which run at 4,800 frames a second of speech.

The rewrite, per stride-1 ConvInteger (84 of 87): the activations are laid out time-major, padded
with their own zero point, unfolded tap by tap (Slice, Concat), and multiplied by the weights as
a MatMulInteger with *signed* weights: w - 128 with zero point zp - 128, so every product
(x - x_zp) * (w - w_zp) is unchanged. onnxruntime runs that as its u8 x s8 GEMM, ~2.1x faster
than the ConvInteger (one 128x128x11 layer over 5 s of speech: 0.071 -> 0.033 CPU-s).
Dequantising to float instead was measured slower (float Conv 0.71-0.80 CPU-s per second of
speech against 0.6 for the int8 model, in 1-D or as a 2-D NCHWc convolution).

Only where the CPU has VNNI (`exact_here`): without it onnxruntime's u8 x s8 kernel (AVX2's
vpmaddubsw) adds pairs of products in 16 bits, which can saturate with full-range weights, and
the audio would no longer be the int8 model's; such a machine runs the export as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

INT64_MAX = int(np.iinfo(np.int64).max)
VNNI = frozenset({"avx512_vnni", "avx_vnni"})


def exact_here(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU multiplies u8 by s8 exactly in 32 bits (VNNI), so the rewrite is safe."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return not VNNI.isdisjoint(flags.split(":", 1)[-1].split())


class _Constants:
    """Small int64 initializers (pads, slice bounds), one per distinct value."""

    def __init__(self) -> None:
        self.made: dict[str, onnx.TensorProto] = {}

    def __call__(self, name: str, values: list[int]) -> str:
        if name not in self.made:
            array = np.array(values, dtype=np.int64)
            self.made[name] = numpy_helper.from_array(array, f"kokoro_convs/{name}")
        return self.made[name].name


def as_matmuls(model: onnx.ModelProto) -> int:
    """Rewrite `model`'s stride-1, ungrouped 1-D ConvInteger nodes with uint8 weights in place;
    returns how many were rewritten."""
    graph = model.graph
    weights = {tensor.name: tensor for tensor in graph.initializer}
    constants = _Constants()
    nodes: list[onnx.NodeProto] = []
    added: list[onnx.TensorProto] = []
    count = 0
    for node in graph.node:
        rewritten = _rewrite(node, weights, constants) if node.op_type == "ConvInteger" else None
        if rewritten is None:
            nodes.append(node)
            continue
        new_nodes, new_weights = rewritten
        nodes += new_nodes
        added += new_weights
        count += 1
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in nodes for name in node.input}
    kept = [t for t in [*graph.initializer, *added, *constants.made.values()] if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return count


def _rewrite(
    node: onnx.NodeProto, weights: dict[str, onnx.TensorProto], constants: _Constants
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]] | None:
    """The nodes and weights computing `node`'s int32 output [1, O, T] as a MatMulInteger, or
    None when it is not a convolution this rewrite covers."""
    attributes: dict[str, Any] = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if len(node.input) != 4 or node.input[1] not in weights or node.input[3] not in weights:
        return None
    if list(attributes.get("strides", [1])) != [1] or attributes.get("group", 1) != 1:
        return None
    if attributes.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        return None
    x, weight_name, x_zero_point, weight_zero_point_name = node.input
    weight = numpy_helper.to_array(weights[weight_name])
    weight_zero_point = numpy_helper.to_array(weights[weight_zero_point_name])
    if weight.dtype != np.uint8 or weight_zero_point.dtype != np.uint8 or weight.ndim != 3:
        return None
    outputs, inputs, taps = weight.shape
    (dilation,) = (int(d) for d in attributes.get("dilations", [1]))
    pad_start, pad_end = (int(p) for p in attributes.get("pads", [0, 0]))
    base = node.name
    # Row j*C + c of the product is tap j of input channel c: Concat's order below.
    signed = weight.transpose(2, 1, 0).reshape(taps * inputs, outputs).astype(np.int16) - 128
    matrix = numpy_helper.from_array(signed.astype(np.int8), f"{base}/matmul_weight")
    zero = (weight_zero_point.astype(np.int16) - 128).astype(np.int8)
    matrix_zero_point = numpy_helper.from_array(zero, f"{base}/matmul_weight_zero_point")

    made = [
        helper.make_node("Transpose", [x], [f"{base}/time_major"], perm=[0, 2, 1],
                         name=f"{base}/time_major"),
    ]  # fmt: skip
    padded = f"{base}/time_major"
    if pad_start or pad_end:
        pads = constants(f"pads_{pad_start}_{pad_end}", [0, pad_start, 0, 0, pad_end, 0])
        made.append(
            helper.make_node("Pad", [padded, pads, x_zero_point], [f"{base}/padded"],
                             mode="constant", name=f"{base}/padded")
        )  # fmt: skip
        padded = f"{base}/padded"
    columns = padded
    if taps > 1:
        span = dilation * (taps - 1)
        axis = constants("axis_1", [1])
        sliced = []
        for tap in range(taps):
            start, end = tap * dilation, tap * dilation - span
            bounds = [
                constants(f"start_{start}", [start]),
                constants(f"end_{end}", [end]) if end else constants("end", [INT64_MAX]),
            ]
            made.append(
                helper.make_node("Slice", [padded, *bounds, axis], [f"{base}/tap_{tap}"],
                                 name=f"{base}/tap_{tap}")
            )  # fmt: skip
            sliced.append(f"{base}/tap_{tap}")
        columns = f"{base}/columns"
        made.append(helper.make_node("Concat", sliced, [columns], axis=2, name=columns))
    product = f"{base}/product"
    made += [
        helper.make_node("MatMulInteger", [columns, matrix.name, x_zero_point,
                         matrix_zero_point.name], [product], name=product),
        helper.make_node("Transpose", [product], [node.output[0]], perm=[0, 2, 1],
                         name=f"{base}/channels_first"),
    ]  # fmt: skip
    return made, [matrix, matrix_zero_point]
