"""Would ONNX Runtime int8 beat CTranslate2 int8 at single-query detection on this CPU?

    python benchmarks/onnx_detection.py [--adapter DIR] [--threads 1] [--repeats 200] [--dev build/data/dev.jsonl]

Exports the shipped guard's detection pass (base + merged LoRA, the output head cut to the
guard-token rows, as the CTranslate2 detector is) to ONNX, quantizes its weights to int8
(onnxruntime dynamic quantization), and times one forward pass of a short query at batch 1
on each runtime in this process, taking turns: PyTorch fp32 (the reference), CTranslate2 int8
(the fast path) and ONNX Runtime fp32 and int8. With --dev, also how far each runtime's unsafe
score is from the reference on dev queries, and how many verdicts at 0.5 differ.
Prints a table; writes nothing outside a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from slm_guardian import Guardian
from slm_guardian.evaluation.runner import LATENCY_QUERY, timed_ms


class DetectionHead(torch.nn.Module):
    """The guard's body and final norm, projecting the last three positions onto `rows` only."""

    def __init__(self, causal_lm, rows: list[int]) -> None:
        super().__init__()
        self.body = causal_lm.model
        self.head = torch.nn.Parameter(causal_lm.lm_head.weight[rows].detach().clone(), requires_grad=False)

    def forward(self, input_ids, attention_mask, position_ids):
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids, use_cache=False).last_hidden_state
        return hidden[:, -3:] @ self.head.T


def _inputs(batch: list[list[int]], pad: int) -> dict[str, np.ndarray]:
    width = max(len(ids) for ids in batch)
    ids = np.array([[pad] * (width - len(r)) + r for r in batch], dtype=np.int64)
    mask = np.array([[0] * (width - len(r)) + [1] * len(r) for r in batch], dtype=np.int64)
    return {"input_ids": ids, "attention_mask": mask, "position_ids": np.clip(mask.cumsum(-1) - 1, 0, None)}


def _unsafe(logits: np.ndarray) -> np.ndarray:
    """P(harm) from the verdict logits (rows 0 = safe, 1 = harm) at the second-last position."""
    verdict = logits[:, -2, :2].astype(np.float64)
    verdict = np.exp(verdict - verdict.max(-1, keepdims=True))
    return verdict[:, 1] / verdict.sum(-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="turns taken between the runtimes; the median round is reported")
    parser.add_argument("--dev", type=Path, default=None, help="dev JSONL: score agreement with the reference")
    parser.add_argument("--dev-rows", type=int, default=300)
    args = parser.parse_args()

    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    reference = Guardian.load(adapter=args.adapter, threads=args.threads)
    fast = Guardian.load(adapter=args.adapter, backend="ctranslate2", threads=args.threads)
    gm = reference.model
    fmt = gm.fmt
    ids = fmt.ids
    rows = [ids.safe, ids.harm, *(ids.categories[c] for c in fmt.codes)]
    head = DetectionHead(gm.model, rows).eval()
    query = fmt.detection_ids(LATENCY_QUERY)

    work = Path(tempfile.mkdtemp(prefix="guard-onnx-"))
    fp32_path, int8_path = work / "detector.onnx", work / "detector.int8.onnx"
    sample = {k: torch.from_numpy(v) for k, v in _inputs([query, query[:-4]], ids.eos).items()}
    start = time.perf_counter()
    torch.onnx.export(
        head, (sample["input_ids"], sample["attention_mask"], sample["position_ids"]), str(fp32_path),
        input_names=["input_ids", "attention_mask", "position_ids"], output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "length"} for name in ("input_ids", "attention_mask", "position_ids")} | {"logits": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    export_s = time.perf_counter() - start
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    sessions = {name: ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"]) for name, path in (("onnxruntime fp32", fp32_path), ("onnxruntime int8", int8_path))}

    one = _inputs([query], ids.eos)
    torch_inputs = {k: torch.from_numpy(v) for k, v in one.items()}

    def run_torch(inputs=torch_inputs):
        with torch.inference_mode():
            return head(**inputs).float().numpy()

    runners = {
        "torch fp32 (reference)": run_torch,
        "ctranslate2 int8 (fast path)": lambda: fast.model.detector.forward_batch([query]),
        **{name: (lambda s=s: s.run(None, one)[0]) for name, s in sessions.items()},
    }
    rounds: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.rounds):
        for name, fn in runners.items():
            rounds[name].append(statistics.median(timed_ms(fn, args.repeats)))

    agreement = {}
    if args.dev:
        texts = [json.loads(line)["text"] for line in args.dev.read_text("utf-8").splitlines()[: args.dev_rows]]
        batches = [fmt.detection_windows(t)[0] for t in texts]  # the first window of each: the same ids everywhere
        exact = np.concatenate([_unsafe(run_torch({k: torch.from_numpy(v) for k, v in _inputs([b], ids.eos).items()})) for b in batches])
        for name, session in sessions.items():
            got = np.concatenate([_unsafe(session.run(None, _inputs([b], ids.eos))[0]) for b in batches])
            agreement[name] = (float(np.mean(np.abs(got - exact))), int(np.sum((got >= 0.5) != (exact >= 0.5))))
        ct2 = np.array([fast.model._forward(fast.model.detector, [b])[0].unsafe for b in batches])
        agreement["ctranslate2 int8 (fast path)"] = (float(np.mean(np.abs(ct2 - exact))), int(np.sum((ct2 >= 0.5) != (exact >= 0.5))))

    size = {name: path.stat().st_size / 1e6 for name, path in (("onnxruntime fp32", fp32_path), ("onnxruntime int8", int8_path))}
    print(f"one query ({len(query)} tokens), batch 1, {args.threads} thread(s), median of {args.rounds} rounds of p50 over {args.repeats} calls; export {export_s:.0f} s")
    print("| runtime | forward p50 ms | model MB | mean abs Δ unsafe vs reference | verdicts differing |")
    print("|---|---|---|---|---|")
    for name, times in rounds.items():
        delta, flips = agreement.get(name, (None, None))
        mb = f"{size[name]:.0f}" if name in size else "–"
        print(f"| {name} | {statistics.median(times):.1f} | {mb} | {'–' if delta is None else f'{delta:.4f}'} | {'–' if flips is None else flips} |")


if __name__ == "__main__":
    main()
