"""`guardian classify` at scale: errors file, crash-safe resume (real SIGKILL), Ray = local."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from slm_guardian.batch.local_job import ErrorLog, JobSummary, ResumePoint, pending, resume_point
from slm_guardian.batch.records import read_records

GOOD = [
    "How do I kill a Python process?",
    "What is the capital of France?",
    "How can I make a pipe bomb at home?",
    "Write a haiku about the sea.",
    "How do I bake sourdough bread?",
]


def corpus(path, rows: int, bad_every: int = 0) -> tuple[list[str], int]:
    """A JSONL file of `rows` lines, every `bad_every`-th one malformed; returns good texts, bad count."""
    texts, bad, lines = [], 0, []
    for i in range(1, rows + 1):
        if bad_every and i % bad_every == 0:
            lines.append("{broken json" if i % 2 else json.dumps({"id": i, "body": "no text"}))
            bad += 1
            continue
        text = f"{GOOD[i % len(GOOD)]} (row {i})"
        texts.append(text)
        lines.append(json.dumps({"id": i, "text": text}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return texts, bad


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "slm_guardian.cli", *args]


def test_resume_point_cuts_a_partial_last_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a": 3')
    errors = tmp_path / "out.jsonl.errors.jsonl"
    errors.write_text('{"line": 4, "error": "x"}\n{"line": 9, "err')
    point = resume_point(out, errors)
    assert point.written == 2 and point.error_lines == {4}
    assert out.read_bytes() == b'{"a": 1}\n{"a": 2}\n'


def test_pending_skips_finished_rows_and_logs_each_bad_row_once(tmp_path):
    src = tmp_path / "in.jsonl"
    corpus(src, 10, bad_every=4)  # lines 4 and 8 are bad
    summary, log = JobSummary(), ErrorLog(None)
    with src.open() as handle:
        left = list(pending(read_records(handle, "jsonl", "text"), ResumePoint(written=3, error_lines={4}), summary, log))
    assert [r.line for r in left] == [5, 6, 7, 9, 10]
    assert summary.rows_in == 10 and summary.errors == 2 and summary.skipped_done == 3
    assert len(log.messages) == 1 and "line 8" in log.messages[0]


@pytest.mark.model
def test_classify_killed_half_way_resumes_to_every_row_exactly_once(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    errors = tmp_path / "out.jsonl.errors.jsonl"
    texts, bad = corpus(src, 300, bad_every=50)
    args = ("classify", str(src), "-o", str(out), "--no-response", "--batch-size", "8", "--chunk-rows", "8")
    process = subprocess.Popen(cli(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 240
    while time.time() < deadline and (not out.exists() or out.read_text().count("\n") < 40):
        time.sleep(0.2)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = out.read_text().count("\n")
    assert 40 <= partial < len(texts)
    # Without --resume the existing output is protected.
    refused = subprocess.run(cli(*args), capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "--resume" in refused.stderr and "Traceback" not in refused.stderr
    resumed = subprocess.run(cli(*args, "--resume"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 1, resumed.stderr  # 1: the file has bad rows
    assert "Traceback" not in resumed.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["text"] for r in rows] == texts  # every good row once, in input order
    logged = [json.loads(line) for line in errors.read_text().splitlines()]
    assert sorted(e["line"] for e in logged) == list(range(50, 301, 50))
    assert len(rows) + len(logged) == 300
    # Resuming with another input is refused: its rows would continue this output.
    other = tmp_path / "other.jsonl"
    corpus(other, 301)
    changed = subprocess.run(cli("classify", str(other), "-o", str(out), "--resume", "--no-response"), capture_output=True, text=True, timeout=300)
    assert changed.returncode != 0 and "not the input" in changed.stderr and "Traceback" not in changed.stderr


@pytest.mark.model
def test_ray_engine_output_equals_the_local_output(tmp_path):
    pytest.importorskip("ray")
    src = tmp_path / "in.jsonl"
    texts, bad = corpus(src, 120, bad_every=40)
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    first = subprocess.run(cli("classify", str(src), "-o", str(local), "--no-response"), capture_output=True, text=True, timeout=600)
    second = subprocess.run(cli("classify", str(src), "-o", str(distributed), "--no-response", "--engine", "ray", "--actors", "1", "--chunk-rows", "50"), capture_output=True, text=True, timeout=900)
    assert first.returncode == 1 and second.returncode == 1, (first.stderr, second.stderr)
    assert "Traceback" not in second.stderr
    local_rows = [json.loads(line) for line in local.read_text().splitlines()]
    ray_rows = [json.loads(line) for line in distributed.read_text().splitlines()]
    assert len(ray_rows) == len(texts)
    for a, b in zip(local_rows, ray_rows):
        assert a.keys() == b.keys() and a["text"] == b["text"] and a["flagged"] == b["flagged"]
        assert a["unsafe_score"] == pytest.approx(b["unsafe_score"], abs=2e-4)
    assert (tmp_path / "ray.jsonl.errors.jsonl").read_text().count("\n") == bad


def test_ray_engine_rejects_stdin_cleanly():
    result = subprocess.run(cli("classify", "-", "-o", "x.jsonl", "--engine", "ray"), input="", capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_parquet_rows_are_streamed_with_line_numbers_and_bad_rows_flagged(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from slm_guardian.batch.ray_job import ParquetSink, read_parquet_records

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["hello", "", None, "bye"], "id": [1, 2, 3, 4]}), path, row_group_size=2)
    records = list(read_parquet_records(str(path), "text"))
    assert [r.line for r in records] == [1, 2, 3, 4]
    assert [r.text for r in records if not r.error] == ["hello", "bye"]
    assert "empty" in records[1].error and "missing" in records[2].error
    with pytest.raises(ValueError, match="no column 'body'"):
        list(read_parquet_records(str(path), "body"))

    sink = ParquetSink(tmp_path / "out.parquet")
    sink.write({"id": 1, "flagged": True})
    sink.write({"id": 4, "flagged": False})
    sink.close()
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == [{"id": 1, "flagged": True}, {"id": 4, "flagged": False}]


def test_parquet_sink_writes_as_it_goes_with_the_verdict_types(tmp_path):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    from slm_guardian.batch.ray_job import ParquetSink

    sink = ParquetSink(tmp_path / "out.parquet", rows_per_group=2)
    # The first group has no reply and no categories: the column types must not come from it.
    rows = [{"id": i, "note": None, "flagged": i > 2, "categories": ["S9"] if i > 2 else [], "response": "No." if i > 2 else None} for i in range(5)]
    for row in rows[:4]:
        sink.write(row)
    assert sink.written == 4 and not sink.rows  # two row groups already on disk
    sink.write(rows[4])
    sink.close()
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.to_pylist() == rows
    assert pq.ParquetFile(tmp_path / "out.parquet").num_row_groups == 3


def test_parquet_sink_says_which_rows_do_not_fit(tmp_path):
    pytest.importorskip("pyarrow")
    from slm_guardian.batch.ray_job import ParquetSink

    sink = ParquetSink(tmp_path / "out.parquet", rows_per_group=1)
    sink.write({"id": 1})
    with pytest.raises(ValueError, match="rows 2-2 do not fit"):
        sink.write({"id": "two"})
    sink.close()


def test_input_fingerprint_refuses_another_file(tmp_path):
    from slm_guardian.batch.fingerprint import InputChanged, check_same_input, record_input

    first, second, out = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "out.jsonl"
    first.write_text('{"text": "a"}\n')
    second.write_text('{"text": "b"}\n')
    assert check_same_input(out, first) is False  # nothing recorded: cannot check
    record_input(out, first)
    assert check_same_input(out, first) is True
    with pytest.raises(InputChanged, match="not the input"):
        check_same_input(out, second)


def test_ray_resume_refuses_parquet_output(tmp_path):
    pytest.importorskip("ray")
    src = tmp_path / "in.jsonl"
    corpus(src, 3)
    result = subprocess.run(cli("classify", str(src), "-o", str(tmp_path / "o.parquet"), "--engine", "ray", "--resume"), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "JSONL" in result.stderr and "Traceback" not in result.stderr
