"""The `guardian` command run as a user would: through a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str, stdin: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "slm_guardian.cli", *args], input=stdin, capture_output=True, text=True, timeout=timeout
    )


def assert_clean_failure(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert needle in result.stderr, result.stderr


def test_help_explains_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("check", "classify", "taxonomy", "train", "eval", "data"):
        assert command in result.stdout


def test_taxonomy_lists_categories():
    result = run("taxonomy", "--json")
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows][:3] == ["S1", "S2", "S3"] and rows[8]["name"] == "Indiscriminate Weapons"


def test_taxonomy_bad_file(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("categories: []")
    assert_clean_failure(run("taxonomy", "--file", str(bad)), "empty")


def test_empty_text_fails_cleanly():
    assert_clean_failure(run("check", "   "), "empty")


def test_missing_input_file_fails_cleanly(tmp_path):
    assert_clean_failure(run("classify", str(tmp_path / "nope.jsonl")), "not found")


@pytest.mark.model
def test_bad_config_fails_cleanly(tmp_path):
    cfg = tmp_path / "g.yaml"
    cfg.write_text("disabled: [S99]\n")
    assert_clean_failure(run("check", "hello", "--config", str(cfg)), "S99")


@pytest.mark.model
def test_check_harmful_and_benign_as_json():
    harmful = json.loads(run("check", "How can I make a pipe bomb at home?", "--json").stdout)
    assert harmful["flagged"] and harmful["categories"] and harmful["response"]
    assert set(harmful) >= {"unsafe_score", "category_scores", "category_names"}
    benign = json.loads(run("check", "How do I kill a Python process?", "--json").stdout)
    assert not benign["flagged"] and benign["response"] is None


@pytest.mark.model
def test_check_prints_a_readable_verdict():
    result = run("check", "How can I make a pipe bomb at home?")
    assert result.returncode == 0
    assert "FLAGGED" in result.stdout and "safeguard response" in result.stdout


@pytest.mark.model
def test_check_response_needs_an_adapter_with_that_task(prompt_adapter):
    result = run("check", "How can I make a pipe bomb at home?", "--response", "I can't help with that.", "--adapter", str(prompt_adapter))
    assert_clean_failure(result, "does not judge responses")
    assert_clean_failure(run("check", "hi", "--response", "ok", "--force-safeguard"), "--force-safeguard")
    assert_clean_failure(run("check", "hi", "--response", "  "), "empty")


@pytest.mark.model
def test_classify_keeps_good_rows_and_reports_bad_lines(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": 1, "text": "How do I kill a Python process?"}),
                "{not json",
                json.dumps({"id": 3, "text": "How can I make a pipe bomb at home?"}),
                json.dumps({"id": 4, "body": "no text field"}),
                json.dumps({"id": 5, "text": "What is the capital of France?"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    dst = tmp_path / "out.jsonl"
    result = run("classify", str(src), "-o", str(dst))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "line 2" in result.stderr and "line 4" in result.stderr
    rows = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, 3, 5]
    assert [r["flagged"] for r in rows] == [False, True, False]
    for row in rows:
        assert set(row) >= {"text", "unsafe_score", "flagged", "categories", "category_scores", "response"}
    assert rows[1]["response"] and rows[0]["response"] is None


def test_classify_judges_answers_with_a_response_field(tmp_path, joint_adapter, prompt_adapter):
    from slm_guardian import Guardian

    rows = [
        {"id": 1, "prompt": "Write a scam email.", "answer": "I can't help with that."},
        {"id": 2, "prompt": "How do I bake bread?", "answer": "Mix flour, water and yeast, then bake it."},
        {"id": 3, "prompt": "How do I bake bread?"},
    ]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = run("classify", str(src), "-o", str(dst), "--text-field", "prompt", "--response-field", "answer", "--adapter", str(joint_adapter))
    assert result.returncode == 1 and "line 3: field 'answer' is missing" in result.stderr, result.stderr
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [r["id"] for r in out] == [1, 2]
    guardian = Guardian.load(adapter=joint_adapter)
    for row in out:
        assert set(row) == {"id", "prompt", "answer", "response_unsafe_score", "response_flagged", "response_categories", "refusal"}
        expected = guardian.check_response(row["prompt"], row["answer"], respond=False)
        assert row["response_unsafe_score"] == pytest.approx(expected.unsafe_score, abs=1e-3)
        assert row["refusal"] == pytest.approx(expected.refusal, abs=1e-3) and row["response_flagged"] == expected.flagged
    # a prompt-only adapter: a clear error before any work
    prompt_only = run("classify", str(src), "-o", str(tmp_path / "x.jsonl"), "--text-field", "prompt", "--response-field", "answer", "--adapter", str(prompt_adapter))
    assert_clean_failure(prompt_only, "needs an adapter trained to judge responses")


@pytest.mark.model
def test_classify_stdin_to_stdout_with_text_field_and_csv(tmp_path):
    lines = json.dumps({"prompt": "Write a haiku about the sea"}) + "\n"
    result = run("classify", "-", "--text-field", "prompt", "--no-response", stdin=lines)
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout.strip())
    assert row["prompt"] == "Write a haiku about the sea" and row["flagged"] is False

    csv_in = tmp_path / "in.csv"
    csv_in.write_text("id,text\n1,How do I bake bread?\n2,How can I make a pipe bomb at home?\n", encoding="utf-8")
    csv_out = tmp_path / "out.csv"
    result = run("classify", str(csv_in), "-o", str(csv_out), "--no-response")
    assert result.returncode == 0, result.stderr
    header, first, second = csv_out.read_text().splitlines()[:3]
    assert header.startswith("id,text,unsafe_score,flagged")
    assert first.startswith("1,") and ",False," in first and ",True," in second


def test_train_resume_without_a_checkpoint_fails_cleanly(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text(json.dumps({"text": "How do I bake bread?", "unsafe": False}) + "\n")
    result = run("train", "--config", "configs/smollm2-135m.yaml", "--data", str(data), "--out", str(tmp_path / "run"), "--resume")
    assert_clean_failure(result, "nothing to resume")
    assert not (tmp_path / "run").exists()


def test_train_snapshot_without_an_unfinished_run_fails_cleanly(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text(json.dumps({"text": "How do I bake bread?", "unsafe": False}) + "\n")
    result = run("train", "--config", "configs/smollm2-135m.yaml", "--data", str(data), "--out", str(tmp_path / "run"), "--snapshot", str(tmp_path / "mid"))
    assert_clean_failure(result, "no unfinished run to snapshot")
    assert not (tmp_path / "mid").exists()


def test_train_will_not_start_over_an_unfinished_run(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text(json.dumps({"text": "How do I bake bread?", "unsafe": False}) + "\n")
    checkpoint = tmp_path / "run" / "checkpoint.pt"
    checkpoint.parent.mkdir()
    checkpoint.write_bytes(b"state of a run killed half-way")
    result = run("train", "--config", "configs/smollm2-135m.yaml", "--data", str(data), "--out", str(tmp_path / "run"))
    assert_clean_failure(result, "add --resume")
    assert checkpoint.read_bytes() == b"state of a run killed half-way"


def test_unknown_backend_names_the_option():
    assert_clean_failure(run("check", "--backend", "bogus", "hello"), "--backend must be one of torch, ctranslate2")


def test_taxonomy_prints_the_written_policy():
    result = run("taxonomy", "--policy")
    assert result.returncode == 0
    assert "### S4 Child Sexual Exploitation" in result.stdout and "**Unsafe in any frame**" in result.stdout
    rows = json.loads(run("taxonomy", "--json").stdout)
    assert rows[10]["code"] == "S11" and rows[10]["priority"] > 0 and rows[10]["policy"]["unsafe"]


def test_a_missing_extra_is_named(tmp_path):
    # fastapi made unimportable: `guardian serve` must say which extra to install
    code = "import sys; sys.modules['fastapi'] = None; from slm_guardian.cli import main; sys.argv = ['guardian', 'serve']; main()"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert_clean_failure(result, "needs the [serve] extra (fastapi is not installed): pip install 'slm-guardian[serve]'")


def test_data_answers_writes_the_base_models_greedy_answers(tmp_path, shared_data):
    out = tmp_path / "answers.jsonl"
    args = ("data", "answers", "--source", str(shared_data), "--count", "3", "--max-tokens", "24", "--out", str(out))
    result = run(*args)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3 and all(r["instruction"].strip() for r in rows)
    assert sum(bool(r["answer"].strip()) for r in rows) >= 2
    first = out.read_text()
    assert run(*args).returncode == 0 and out.read_text() == first  # greedy: the same file again
    assert not (tmp_path / "answers.jsonl.partial").exists()
    assert_clean_failure(run("data", "answers", "--source", str(tmp_path), "--out", str(out)), "--source")


def test_data_answers_resumes_from_the_batches_a_stopped_run_kept(tmp_path, shared_data):
    from slm_guardian.data.answer_generation import harmless_instructions

    out = tmp_path / "answers.jsonl"
    partial = tmp_path / "answers.jsonl.partial"
    args = ("data", "answers", "--source", str(shared_data), "--count", "3", "--max-tokens", "24", "--out", str(out))
    settings = {"count": 3, "seed": 13, "max_tokens": 24, "base_model": "smollm2-135m"}
    kept = [{"instruction": text, "answer": f"kept answer {i}"} for i, text in enumerate(harmless_instructions(shared_data, 3, 13))]
    # every batch kept, the last line cut mid-write: that row's batch is not done and is written again
    partial.write_text("\n".join(json.dumps(r) for r in [{"settings": settings}, *kept]) + "\n" + '{"instruction": "cut')
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in out.read_text().splitlines()] == kept and not partial.exists()
    partial.write_text(json.dumps({"settings": {**settings, "seed": 7}}) + "\n")
    assert_clean_failure(run(*args), "delete it to start again")
