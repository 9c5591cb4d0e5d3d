"""`guardian data build`: build the training data and the named dev sets from the public sources."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from slm_guardian.cli.app import data_app
from slm_guardian.cli.common import err, fail, out, require


@data_app.command("build")
def data_build(
    source: Path = typer.Option(Path("../shared/data"), "--source", help="Folder of the public datasets (../shared/data)."),
    out_dir: Path = typer.Option(Path("build/data"), "--out", help="Where train.jsonl, dev.jsonl, jbb.jsonl, the named dev sets, the response task's files and stats.json go."),
    config: Optional[Path] = typer.Option(Path("configs/data.yaml"), "--config", help="Data config (caps, seed, dev share)."),
    taxonomy: Optional[Path] = typer.Option(None, "--taxonomy", help="Taxonomy YAML (default: the packaged one)."),
) -> None:
    """Turn the raw public sets into labelled multi-task examples with a fixed dev split."""
    require("train", "sklearn")
    from slm_guardian.data.build import build, write
    from slm_guardian.data.config import DataConfig
    from slm_guardian.errors import GuardianError
    from slm_guardian.taxonomy import Taxonomy

    if not source.is_dir():
        fail(f"--source {source} is not a folder")
    try:
        tax = Taxonomy.from_yaml(taxonomy) if taxonomy else Taxonomy.default()
        cfg = DataConfig.from_yaml(config) if config and config.exists() else DataConfig()
        with err.status("building the data set"):
            result = build(source, tax, cfg)
    except (GuardianError, ValueError) as exc:
        fail(str(exc))
    write(result, out_dir)
    counts = result.counts()
    table = Table(title=f"data written to {out_dir}")
    table.add_column("split / source")
    table.add_column("rows", justify="right")
    for split in ("train", "dev", "jbb"):
        table.add_row(f"[bold]{split}[/]", f"{counts[split]['rows']} ({counts[split]['unsafe']} unsafe)")
        for key, n in counts[split]["by_source"].items():
            table.add_row(f"  {key}", str(n))
    for name, rows in result.suites.items():
        table.add_row(f"[bold]{name}[/] (named dev set)", f"{len(rows)} ({sum(r.unsafe for r in rows)} unsafe)")
    if result.responses is not None:
        responses = result.responses
        parts = [("response_train", responses.train), *((f"{name} (named dev set)", rows) for name, rows in responses.suites.items())]
        for name, rows in parts:
            table.add_row(f"[bold]{name}[/]", f"{len(rows)} ({sum(r.unsafe is True for r in rows)} unsafe, {sum(r.refusal is not None for r in rows)} refusal-labelled)")
    out.print(table)
    cats = Table(title="categories of unsafe rows")
    cats.add_column("code")
    for split in ("train", "dev", "jbb"):
        cats.add_column(split, justify="right")
    for code in tax.codes:
        cats.add_row(code, *(str(counts[s]["by_category"].get(code, 0)) for s in ("train", "dev", "jbb")))
    out.print(cats)
    out.print(f"dropped: {counts['dropped']}")
    out.print(f"categories of unsafe rows given by: {counts['labelled_by']}")


@data_app.command("answers")
def data_answers(
    source: Path = typer.Option(Path("../shared/data"), "--source", help="Folder of the public datasets (../shared/data)."),
    out_file: Path = typer.Option(Path("build/answers/answers.jsonl"), "--out", help="JSONL of {instruction, answer} rows; the data build reads it when the data config names it (generated_answers)."),
    count: int = typer.Option(4000, "--count", min=1, help="How many Alpaca training instructions to answer (13 to 24 min for 2,000 on 2 CPU cores, by machine)."),
    seed: int = typer.Option(13, "--seed", help="Which instructions are drawn (decoding is greedy)."),
    max_tokens: int = typer.Option(160, "--max-tokens", min=8, help="Longest answer, in tokens."),
    base_model: Optional[str] = typer.Option(None, "--base-model", help="Base model that answers (default: smollm2-135m, the guard's base)."),
) -> None:
    """Have the base instruct model answer harmless training instructions, for the response
    task's relevance pairs: each answer with its own question (answered) and with another
    (not fulfilled, a refusal). Each batch is kept in OUT.partial as it is written; run the
    same command again after a stop and it goes on from there (the same file as one run)."""
    from tqdm import tqdm

    from slm_guardian.data.answer_generation import PartialAnswers, generate_answers, harmless_instructions, write_answers
    from slm_guardian.errors import GuardianError

    if out_file.is_dir():
        fail(f"--out {out_file} is a folder; give a .jsonl file")
    partial = PartialAnswers(out_file, {"count": count, "seed": seed, "max_tokens": max_tokens, "base_model": base_model or "smollm2-135m"})
    try:
        instructions = harmless_instructions(source, count, seed)
        done = partial.done()
        out_file.parent.mkdir(parents=True, exist_ok=True)
        with tqdm(total=len(instructions), desc="answers", unit="answer", file=sys.stderr, disable=None) as bar:

            def keep(batch) -> None:
                partial.keep(batch)
                bar.update(len(batch))

            if done:
                bar.update(len(done))
                err.print(f"resuming: {len(done)} answers already in {partial.path}")
            answers = generate_answers(instructions, out_file.parent, base_model, max_tokens, on_batch=keep, done=done)
    except (GuardianError, ValueError) as exc:
        fail(str(exc))
    write_answers(out_file, answers)
    partial.discard()
    empty = sum(not a.answer for a in answers)
    out.print(f"{len(answers)} answers written to {out_file} ({empty} empty, skipped by the data build)")
