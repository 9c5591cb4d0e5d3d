"""The same guard, served by CTranslate2 (int8 on CPU): the fast path.

The merged model (base + LoRA, guard tokens included) is converted once per adapter and
cached: the full model, which writes replies, and a detector whose output layer keeps only
the 18 rows detection reads (safe, harm, the categories). A forward pass over the full
vocabulary spends ~20% of a short query's compute, and most of a batch's, on 49k logits
nobody reads; the detector's logits for those 18 tokens are identical. Both are stored with
int8 weights, so loading reads int8 from disk instead of reading float32 and quantizing it
in memory (a lower peak RSS); the detector is kept in float32 as well, for the rechecks.
int8 moves unsafe scores by ~0.02 on average, which
flips ~2% of verdicts near the threshold, so scores that land inside `recheck_band` (the
threshold ± `RECHECK_MARGIN`) are recomputed by the float32 detector (identical to the
PyTorch reference to 1e-6) wherever they can decide a verdict (`window_scores`).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import ctranslate2
import numpy as np
from ctranslate2.converters import TransformersConverter

from slm_guardian.model.base import cache_root
from slm_guardian.model.format import GuardFormat
from slm_guardian.model.guard_model import GuardModel
from slm_guardian.model.scores import MAX_BATCH_TOKENS, Scores, score_each_view, worst_of, worst_window

QUANTIZATION = "int8_float32"  # int8 weights, float32 activations: what CPUs run fast
# One thread per model unless told otherwise: measured on the 2-core CPU, one thread judges a
# short query in 30 ms against 48 ms with two (syncing threads 30 times per token costs more
# than it saves at this size) and writes replies at 51 tokens/s against 36. More threads run
# as that many one-thread replicas of the model (weights shared), each scoring its own batch
# (docs/performance.md).
DEFAULT_THREADS = 1
# Scores within this distance of the threshold are recomputed by the float32 detector. int8's
# errors are small on average but up to ~0.5 near the threshold; the margin is the narrowest
# whose disagreement with the reference on held-out ToxicChat prompts is at most half the 0.5%
# the fast path may differ by (benchmarks/recheck_band.py, docs/performance.md).
RECHECK_MARGIN = 0.25


def band_around(threshold: float, margin: float = RECHECK_MARGIN) -> tuple[float, float]:
    """The scores rechecked in float32 for a verdict at `threshold`."""
    return max(0.0, threshold - margin), min(1.0, threshold + margin)


DEFAULT_RECHECK_BAND = band_around(0.5)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def converted_dir(adapter_dir: Path, base_model: str | None) -> Path:
    """Cache folder for one adapter's converted model, keyed by the adapter's bytes."""
    digest = hashlib.sha256()
    for name in ("adapter_model.safetensors", "adapter_config.json", "guard_format.json"):
        path = adapter_dir / name
        if path.is_file():
            digest.update(path.read_bytes())
    digest.update(f"{base_model}|{ctranslate2.__version__}|{QUANTIZATION}-on-disk|detector-head".encode())
    return cache_root() / "ct2" / digest.hexdigest()[:16]


DETECTOR = "detector"  # sub-folder of a conversion holding the float32 detector (rechecks)
DETECTOR_INT8 = "detector-int8"  # the int8 detector that scores every window


class DetectorConverter(TransformersConverter):
    """The transformers conversion with the output layer cut to the detector's rows."""

    def __init__(self, model_dir: str, rows: list[int]) -> None:
        super().__init__(model_dir)
        self.rows = rows

    def _load(self):
        spec = super()._load()
        spec.decoder.projection.weight = spec.decoder.projection.weight[self.rows]
        return spec


def _converted(target: Path) -> bool:
    """Whether `target` holds a whole conversion: the full model and both detectors."""
    return all((target / part / "model.bin").is_file() for part in (".", DETECTOR, DETECTOR_INT8))


def conversion_cached(adapter_dir: Path, base_model: str | None) -> bool:
    """Whether the adapter's conversion (full model and both detectors) is already in the cache."""
    return _converted(converted_dir(adapter_dir, base_model))


def detector_rows(fmt: GuardFormat) -> list[int]:
    """Vocabulary ids the detector's output layer keeps, in the order its logits come out:
    safe, harm, the categories, then (an adapter that judges responses) complied, declined."""
    refusal = [fmt.ids.complied, fmt.ids.declined] if fmt.judges_responses else []
    return [fmt.ids.safe, fmt.ids.harm, *(fmt.ids.categories[c] for c in fmt.codes), *refusal]


def convert(reference: GuardModel, target: Path) -> Path:
    """Write the merged model in CTranslate2 format (int8 weights) to `target` and its
    detector to `target/detector` (float32) and `target/detector-int8`, atomically: each call
    builds in its own staging folder and moves it into place whole, so processes that convert
    the same adapter at once (two `guardian eval` runs, Ray actors) neither break each other's
    work nor load a half-written one; the first to finish wins."""
    if _converted(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".staging-", dir=target.parent))
    try:
        merged = staging / "hf"
        reference.model.save_pretrained(merged)
        reference.fmt.tokenizer.save_pretrained(merged)
        rows = detector_rows(reference.fmt)
        TransformersConverter(str(merged)).convert(str(staging / "ct2"), quantization=QUANTIZATION, force=True)
        DetectorConverter(str(merged), rows=rows).convert(str(staging / "ct2" / DETECTOR), force=True)
        DetectorConverter(str(merged), rows=rows).convert(str(staging / "ct2" / DETECTOR_INT8), quantization=QUANTIZATION, force=True)
        reference.fmt.tokenizer.save_pretrained(staging / "ct2" / "tokenizer")
        if not _converted(target):
            shutil.rmtree(target, ignore_errors=True)  # an interrupted conversion's leftovers
            try:
                (staging / "ct2").rename(target)
            except OSError:
                if not _converted(target):  # lost the race to a whole conversion: keep that one
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


class CT2GuardModel:
    """`GuardModel`'s interface on CTranslate2 generators: `score`, `score_with_cache`, `respond`."""

    def __init__(
        self,
        directory: Path,
        fmt: GuardFormat,
        threads: int = DEFAULT_THREADS,
        max_new_tokens: int = 96,
        recheck_band: tuple[float, float] | None = DEFAULT_RECHECK_BAND,
        replicas: bool = True,
    ) -> None:
        self.directory = directory
        self.threads = threads
        # `threads` one-thread replicas, each scoring its own batch; False: one model whose
        # matrix products use every thread (what the fast path did before; the benchmark's baseline).
        self.replicas = replicas
        # The threads that score a call's batches side by side, one per replica; shared by
        # concurrent callers, so no more batches run at once than there are replicas.
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ct2-replica") if self.workers > 1 else None
        self.detector = self._generator(directory / DETECTOR_INT8, QUANTIZATION)
        self._writer = None  # the full model, loaded with the first reply
        # The float32 detector that rechecks near-threshold scores, loaded now: loading it on
        # the first recheck made one early request ~0.7 s slower than the rest.
        self._exact = self._generator(directory / DETECTOR, "float32") if recheck_band is not None else None
        self.recheck_band = recheck_band
        self.rechecked = 0  # windows re-scored in float32 so far (reported by the benchmark)
        self._count_lock = threading.Lock()
        self.fmt = fmt
        self.max_new_tokens = max_new_tokens
        self.max_batch_tokens: int | None = MAX_BATCH_TOKENS  # padded tokens per forward pass (None: rows only)
        ids = fmt.ids
        guard_ids = fmt.guard_token_ids
        tokens = fmt.tokenizer.convert_ids_to_tokens
        self._banned = [[t] for t in tokens(guard_ids)]
        stop = (set(fmt.tokenizer.all_special_ids) | {ids.eos}) - set(guard_ids)
        self._stop_tokens = tokens(sorted(stop))

    @property
    def workers(self) -> int:
        """How many batches are scored at once: one per replica (one model: one)."""
        return self.threads if self.replicas else 1

    def map_batches(self, function: Callable, batches: Sequence) -> list:
        """`function` over `batches`, as many at once as there are replicas (in order)."""
        return list(self._pool.map(function, batches) if self._pool else map(function, batches))

    def _generator(self, directory: Path, compute_type: str):
        import torch

        # CTranslate2 sets the process's OpenMP thread count when it loads a model, which
        # would silently shrink PyTorch's pool (the reference path, MiniLM) in the same process.
        torch_threads = torch.get_num_threads()
        generator = ctranslate2.Generator(str(directory), device="cpu", compute_type=compute_type, inter_threads=self.workers, intra_threads=1 if self.replicas else self.threads)
        torch.set_num_threads(torch_threads)
        return generator

    @property
    def generator(self):
        """The full int8 model that writes replies."""
        if self._writer is None:
            self._writer = self._generator(self.directory, QUANTIZATION)
        return self._writer

    def score(self, texts: Sequence[str], batch_size: int = 16) -> list[Scores]:
        """Scores for each text (a long one: its worst window); output order follows input order."""
        return worst_of(self.window_scores([self.fmt.detection_windows(text) for text in texts], batch_size))

    def window_scores(self, views: list[list[list[int]]], batch_size: int = 16) -> list[list[Scores]]:
        """The scores of every view (detection ids) of every item, int8, except the views that
        can decide their item's verdict: an int8 score inside the recheck band, in an item no
        view of which is already beyond it, is recomputed by the float32 detector. (An item
        that one view flags beyond the band is flagged whatever its other views score, so their
        rechecks would only cost time: most windows of long texts were such.)"""
        scored = score_each_view(views, batch_size, self._int8_batch, self.max_batch_tokens, pool=self._pool)
        if self.recheck_band is None:
            return scored
        low, high = self.recheck_band
        unsure = [(i, j) for i, group in enumerate(scored) if max(s.unsafe for s in group) <= high for j, s in enumerate(group) if s.unsafe >= low]
        if unsure:
            exact = score_each_view([[views[i][j]] for i, j in unsure], batch_size, self._float32_batch, self.max_batch_tokens, pool=self._pool)
            for (i, j), (scores,) in zip(unsure, exact):
                scored[i][j] = scores
            with self._count_lock:  # items are scored from several threads (the server)
                self.rechecked += len(unsure)
        return scored

    def _int8_batch(self, batch: list[list[int]]) -> list[Scores]:
        return self._forward(self.detector, batch)

    def _float32_batch(self, batch: list[list[int]]) -> list[Scores]:
        return self._forward(self._exact, batch)

    def _forward(self, detector, batch: list[list[int]]) -> list[Scores]:
        logits = np.asarray(detector.forward_batch(batch))  # [batch, max_len, detector_rows]
        n = len(self.fmt.codes)
        refusal_token = self.fmt.ids.refusal
        out = []
        for row, ids in zip(logits, batch):
            verdict = _softmax(row[len(ids) - 2, :2].astype(np.float64))[1]
            category = _softmax(row[len(ids) - 1, 2 : 2 + n].astype(np.float64))
            refusal = None
            if refusal_token is not None and len(ids) >= 3 and ids[-3] == refusal_token:
                refusal = float(_softmax(row[len(ids) - 3, 2 + n : 4 + n].astype(np.float64))[1])
            out.append(Scores(unsafe=float(verdict), categories={c: float(p) for c, p in zip(self.fmt.codes, category)}, refusal=refusal))
        return out

    def score_responses(self, pairs: Sequence[tuple[str, str]], batch_size: int = 16) -> list[Scores]:
        """Scores of each (query, answer) pair: the answer judged in the query's context."""
        return worst_of(self.window_scores([self.fmt.response_windows(query, answer) for query, answer in pairs], batch_size), refusal_from_first=True)

    def score_with_cache(self, text: str) -> tuple[Scores, None]:
        # CTranslate2 keeps no cache between calls; `respond` re-reads the short prompt in one
        # batched prefill step, which costs about one detection pass.
        return self.score([text])[0], None

    def respond(self, text: str, codes: Sequence[str], cache: object | None = None) -> str:
        """Greedy-decode the safeguard response after `<|harm|>` and the given category codes."""
        return self.respond_batch([text], [codes])[0]

    def respond_batch(self, texts: Sequence[str], codes: Sequence[Sequence[str]]) -> list[str]:
        """The replies for many texts in one `generate_batch` call (CTranslate2 pads and stops
        each sequence on its own), each as `respond` would write it alone."""
        tokens = self.fmt.tokenizer.convert_ids_to_tokens
        prompts = [tokens(worst_window(self.fmt, text, lambda windows: self.window_scores([windows])[0]) + self.fmt.response_prefix(c)) for text, c in zip(texts, codes)]
        results = self.generator.generate_batch(
            prompts,
            max_batch_size=-(-len(prompts) // self.workers),  # one part per replica, decoded side by side
            max_length=self.max_new_tokens,
            sampling_topk=1,
            include_prompt_in_result=False,
            suppress_sequences=self._banned,
            end_token=self._stop_tokens,
        )
        return [self.fmt.tokenizer.decode(r.sequences_ids[0], skip_special_tokens=True).strip() for r in results]


def load_ct2_guard_model(
    adapter_dir: str | Path,
    base_model: str | None = None,
    threads: int | None = None,
    recheck_band: tuple[float, float] | None = DEFAULT_RECHECK_BAND,
) -> CT2GuardModel:
    """The fast path for an adapter: converted on first use (from the merged PyTorch model),
    then loaded from the cache without touching PyTorch weights."""
    from transformers import AutoTokenizer

    from slm_guardian.model.loading import FormatSpec, load_guard_model, quiet_transformers

    quiet_transformers()
    adapter_dir = Path(adapter_dir)
    directory = converted_dir(adapter_dir, base_model)
    if not conversion_cached(adapter_dir, base_model):
        reference = load_guard_model(adapter_dir, base_model)
        convert(reference, directory)
        del reference
    spec = FormatSpec.read(adapter_dir)
    fmt = spec.format(AutoTokenizer.from_pretrained(directory / "tokenizer"))
    return CT2GuardModel(directory, fmt, threads=threads or DEFAULT_THREADS, recheck_band=recheck_band)
