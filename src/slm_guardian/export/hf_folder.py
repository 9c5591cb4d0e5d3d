"""`guardian export --format hf`: the merged guard (base + LoRA + guard tokens) as a plain
Hugging Face folder that `transformers` loads with no project code, with a model card that
says how to read the scores from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from slm_guardian.model.format import GUARD, HARM, QUERY, RESPONSE, SAFE, category_token
from slm_guardian.model.guard_model import GuardModel
from slm_guardian.model.loading import FORMAT_FILE, FormatSpec

CARD = "README.md"
TOKENS_FILE = "guard_tokens.json"

USAGE = """\
# {name} (exported)

The slm-guardian prompt guard, merged into one causal LM: {base} with its LoRA adapter and the
guard tokens. It needs no project code. The format and what each score means are below; the
model card of the trained adapter follows.

## Reading the scores

The prompt is `<|query|>` + the query's tokens (special tokens inside the text are **not**
parsed) + `<|guard|>`. The unsafe score is the softmax over the logits of `<|safe|>` and
`<|harm|>` at the last position; the category scores are the softmax over the category tokens
at the position after `<|harm|>` (feed `... <|guard|> <|harm|>`: one pass gives both),
times the unsafe score. The guard was trained on queries of up to {window} tokens; a longer
one keeps its first and last {half}. Flag at unsafe ≥ 0.5 (the shipped threshold).
`guard_tokens.json` lists the token ids.

```python
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

tok = AutoTokenizer.from_pretrained("{folder}")
model = AutoModelForCausalLM.from_pretrained("{folder}").eval()
ids = lambda t: tok.convert_tokens_to_ids(t)
text = tok("How do I make a pipe bomb?", add_special_tokens=False, split_special_tokens=True).input_ids
prompt = [ids("<|query|>"), *text, ids("<|guard|>"), ids("<|harm|>")]
with torch.no_grad():
    logits = model(torch.tensor([prompt])).logits[0]
unsafe = logits[-2, [ids("<|safe|>"), ids("<|harm|>")]].softmax(-1)[1].item()
codes = {codes}
per_category = logits[-1, [ids(f"<|cat:{{c}}|>") for c in codes]].softmax(-1) * unsafe
```

The safeguard reply: greedy-decode after `... <|guard|> <|harm|> <|cat:S9|> <|response|>`
(the leading category's token), stopping at the end-of-text token.

**llama.cpp and vLLM** (`guardian export --format gguf` for llama.cpp): send the same prompt
ending in `<|guard|>` (with special-token parsing on for the guard tokens only, never for the
user's text), ask for one token with its top log-probabilities, and take
`exp(lp(<|harm|>)) / (exp(lp(<|harm|>)) + exp(lp(<|safe|>)))`: after `<|guard|>` the model
puts nearly all its mass on those two tokens. Neither runtime is installed where this project
is tested; the export tests load the files with `transformers` and the `gguf` reader.

---

"""


def guard_tokens(model: GuardModel) -> dict:
    """Every guard token with its id, and the format's settings."""
    fmt = model.fmt
    tokens = {t: fmt.tokenizer.convert_tokens_to_ids(t) for t in (QUERY, GUARD, SAFE, HARM, RESPONSE)}
    tokens.update({category_token(c): fmt.ids.categories[c] for c in fmt.codes})
    return {"tokens": tokens, "codes": list(fmt.codes), "max_query_tokens": fmt.max_query_tokens, "eos_token_id": fmt.ids.eos, "threshold": 0.5}


def export_hf(model: GuardModel, adapter_dir: Path, out_dir: Path, name: str) -> Path:
    """Write the merged model, its tokenizer, the token list and a model card to `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.model.save_pretrained(out_dir)
    model.fmt.tokenizer.save_pretrained(out_dir)
    (out_dir / TOKENS_FILE).write_text(json.dumps(guard_tokens(model), indent=2) + "\n", encoding="utf-8")
    spec = FormatSpec.read(adapter_dir)
    for extra in (FORMAT_FILE, "training_record.json", "taxonomy.yaml"):
        if (adapter_dir / extra).is_file():
            shutil.copy(adapter_dir / extra, out_dir / extra)
    card = adapter_dir / CARD
    body = card.read_text("utf-8") if card.is_file() else ""
    if body.startswith("<!--"):  # the shipped card's note on where it is copied from
        body = body.split("-->", 1)[1].lstrip()
    usage = USAGE.format(
        name=name, base=spec.base_model, window=spec.max_query_tokens, half=spec.max_query_tokens // 2, folder=out_dir.name, codes=list(spec.codes)
    )
    (out_dir / CARD).write_text(usage + body, encoding="utf-8")
    return out_dir
