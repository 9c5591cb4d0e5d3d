"""Answers to harmless instructions, written by the base instruct model, for the response
task's relevance pairs (`guardian data answers`).

A refusal label holds when the answer does not fulfil the request, and PyRIT's human labels
count an answer to another question as one. Teaching that takes many varied answers, each seen
with its own question (answered) and with another (not fulfilled); `../shared/data` holds a few
hundred answering rows. The base model (greedy, CTranslate2 int8, no adapter) answers a seeded
draw of the refusal-direction Alpaca *training* instructions: the answers are on topic if often
weak, which is what a relevance pair needs. Greedy decoding makes the file a function of the
base model, the seed and the count.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from slm_guardian.data.jsonl import write_jsonl
from slm_guardian.errors import InvalidInput

INSTRUCTIONS = "refusal_direction/splits/harmless_train.json"


@dataclass(frozen=True)
class GeneratedAnswer:
    instruction: str
    answer: str


def harmless_instructions(root: Path, count: int, seed: int) -> list[str]:
    """`count` distinct instructions drawn by `seed` from the Alpaca training split."""
    path = Path(root) / INSTRUCTIONS
    if not path.is_file():
        raise InvalidInput(f"{path} not found: --source must be the public data folder (../shared/data)")
    texts = sorted({row["instruction"].strip() for row in json.loads(path.read_text("utf-8")) if row.get("instruction", "").strip()})
    if count > len(texts):
        raise InvalidInput(f"--count {count}: {path} holds {len(texts)} distinct instructions")
    return random.Random(seed).sample(texts, count)


def generate_answers(
    instructions: list[str],
    work_dir: Path,
    base_model: str | None = None,
    max_tokens: int = 160,
    batch_size: int = 32,
    on_batch: Callable[[list[GeneratedAnswer]], None] | None = None,
    done: dict[str, str] | None = None,
) -> list[GeneratedAnswer]:
    """The base model's greedy answer to each instruction, in order. The int8 conversion of the
    base model is kept in `work_dir` (a few seconds to make). `on_batch(answers)` is called
    after each batch is written (progress, and a partial file a stopped run resumes from).
    Batches are fixed by the instructions and `batch_size`, so a batch whose every instruction
    is in `done` (instruction -> answer) is taken from there as it was written, and a resumed
    run gives the file an unbroken one gives."""
    from transformers import AutoTokenizer

    from slm_guardian.model.base import resolve_base

    done = done or {}
    source = resolve_base(base_model)
    tokenizer = AutoTokenizer.from_pretrained(source)
    generator = None  # loaded for the first batch that is not done yet
    prompts = [_prompt(tokenizer, text) for text in instructions]
    # Batches of similar prompt length waste less on padding; answers go back in input order.
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    answers: dict[int, str] = {}
    for start in range(0, len(order), batch_size):
        ids = order[start : start + batch_size]
        if all(instructions[i] in done for i in ids):
            answers.update({i: done[instructions[i]] for i in ids})
            if on_batch:
                on_batch([])
            continue
        if generator is None:
            generator = _base_generator(work_dir, source)
        results = generator.generate_batch(
            [prompts[i] for i in ids],
            max_length=max_tokens,
            sampling_topk=1,
            repetition_penalty=1.1,
            no_repeat_ngram_size=4,
            include_prompt_in_result=False,
            end_token=tokenizer.eos_token,
        )
        for i, result in zip(ids, results):
            answers[i] = tokenizer.decode(result.sequences_ids[0], skip_special_tokens=True).strip()
        if on_batch:
            on_batch([GeneratedAnswer(instructions[i], answers[i]) for i in ids])
    return [GeneratedAnswer(text, answers[i]) for i, text in enumerate(instructions)]


def _base_generator(work_dir: Path, source: Path):
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    converted = Path(work_dir) / "ct2-base"
    if not (converted / "model.bin").is_file():
        TransformersConverter(str(source)).convert(str(converted), quantization="int8", force=True)
    return ctranslate2.Generator(str(converted), device="cpu", inter_threads=1)


def _prompt(tokenizer, text: str) -> list[str]:
    chat = tokenizer.apply_chat_template([{"role": "user", "content": text}], add_generation_prompt=True, tokenize=False)
    return tokenizer.convert_ids_to_tokens(tokenizer(chat, add_special_tokens=False).input_ids)


class PartialAnswers:
    """The batches a running `guardian data answers` has written so far (`OUT.partial`): a
    settings line, then one answer row per line, appended batch by batch, so that a stopped
    run goes on from where it was with the same settings."""

    def __init__(self, out_file: Path, settings: dict) -> None:
        self.path = Path(out_file).with_name(Path(out_file).name + ".partial")
        self.settings = settings

    def done(self) -> dict[str, str]:
        """instruction -> answer for every row kept (none if there is no partial file). A last
        line cut mid-write is dropped, so its batch is written again; another run's settings
        or a file that is not a partial answers file raise `InvalidInput`."""
        if not self.path.is_file():
            return {}
        lines = [line for line in self.path.read_text("utf-8").splitlines() if line.strip()]
        restart = "delete it to start again"
        try:
            kept = json.loads(lines[0])["settings"] if lines else self.settings
            rows = []
            for n, line in enumerate(lines[1:], 2):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    if n < len(lines):
                        raise
                    self.path.write_text("".join(line + "\n" for line in lines[:-1]), encoding="utf-8")
            done = {str(r["instruction"]): str(r["answer"]) for r in rows}
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{self.path} is not a partial answers file; {restart}") from exc
        if kept != self.settings:
            raise InvalidInput(f"{self.path} was made with {kept}, not {self.settings}: run with those settings to resume, or {restart}")
        return done

    def keep(self, batch: list[GeneratedAnswer]) -> None:
        """Append one written batch (the settings line first, into a new file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as kept:
            if kept.tell() == 0:
                kept.write(json.dumps({"settings": self.settings}) + "\n")
            kept.writelines(json.dumps(asdict(a)) + "\n" for a in batch)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def write_answers(path: Path, answers: list[GeneratedAnswer]) -> None:
    write_jsonl(path, (asdict(a) for a in answers))


def read_answers(path: Path) -> list[GeneratedAnswer]:
    """The answers `guardian data answers` wrote; an empty answer is skipped (nothing to pair)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"generated answers {path} not found: make them with `guardian data answers --out {path}`")
    out = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            answer = GeneratedAnswer(str(row["instruction"]), str(row["answer"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}:{n}: not a generated answer row ({exc})") from exc
        if answer.instruction.strip() and answer.answer.strip():
            out.append(answer)
    return out
