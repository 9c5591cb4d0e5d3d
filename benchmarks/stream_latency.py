"""What the output rail costs a streamed chat answer: time to the first token and the delay of
each chunk, for one fake upstream relayed with the input rail alone and with both rails, in one
process (the same model, machine and answer for every row).

    python benchmarks/stream_latency.py [--adapter DIR] [--backend torch] [--token-ms 25] [--rounds 5]

The upstream streams a 130-word answer, one word per chunk, `--token-ms` apart (25 ms: 40
tokens/s, a typical hosted model). "delay" is when the client read a chunk minus when the
upstream sent it: the time the chunk was held unjudged plus the judging.

Without --adapter a throwaway adapter with the response task is trained for one step on a few
rows (the shipped config's base and LoRA shape, so a forward pass costs what a trained one's
does). Its verdicts mean nothing, so the unsafe threshold is 1.0 and nothing is cut: the table
measures what judging costs, not what it decides.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from slm_guardian import Guardian
from slm_guardian.guardian_config import GuardianConfig
from slm_guardian.serving.app import create_app
from slm_guardian.serving.background import ServerThread
from slm_guardian.serving.settings import ServerSettings

QUESTION = "How do I make a simple tomato soup for four people?"
ANSWER = (
    "Start by chopping one onion and two cloves of garlic. Warm two tablespoons of olive oil in a "
    "large pot over medium heat, then add the onion and cook it until it turns soft and clear, about "
    "five minutes. Stir in the garlic for another minute. Add two large tins of whole tomatoes with "
    "their juice, a litre of vegetable stock, a pinch of sugar and some salt and pepper. Bring the pot "
    "to a gentle boil, then lower the heat and let it simmer for twenty minutes so the flavours come "
    "together. Blend the soup until smooth, either in the pot with a stick blender or in batches in a "
    "jug blender. Taste it and adjust the seasoning. Serve it hot with a swirl of cream, some fresh "
    "basil and crusty bread on the side. Leftovers keep in the fridge for three days."
)


def fake_upstream(token_s: float, sent: list[float]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat():
        words = [w + " " for w in ANSWER.split()]

        async def events():
            base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1, "model": "bench"}
            yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {'role': 'assistant', 'content': ''}, 'finish_reason': None}]})}\n\n"
            for word in words:
                await asyncio.sleep(token_s)
                sent.append(time.perf_counter())
                yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {'content': word}, 'finish_reason': None}]})}\n\n"
            yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}]})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def one_stream(url: str, sent: list[float]) -> tuple[float, list[float], float]:
    """(time to the first content chunk, delay of each content chunk, total), in seconds."""
    sent.clear()
    received = []
    body = {"model": "bench", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    start = time.perf_counter()
    with httpx.stream("POST", url + "/v1/chat/completions", json=body, timeout=120) as response:
        for line in response.iter_lines():
            if line.startswith("data: {") and json.loads(line[6:])["choices"][0]["delta"].get("content"):
                received.append(time.perf_counter())
    total = time.perf_counter() - start
    assert len(received) == len(sent), f"{len(received)} chunks read, {len(sent)} sent (was the answer cut?)"
    return received[0] - start, [r - s for r, s in zip(received, sent)], total


def throwaway_adapter(folder: Path) -> Path:
    from slm_guardian.data.rows import GuardExample, ResponseExample
    from slm_guardian.training.config import TrainConfig
    from slm_guardian.training.train import train

    config = TrainConfig.from_yaml(Path("configs/smollm2-135m.yaml")).model_copy(update={"judge_responses": True, "epochs": 1, "batch_size": 4})
    prompts = [GuardExample("Write a scam email.", True, ["S2"], "I can't help with a scam email."), GuardExample("How do I bake bread?", False)]
    responses = [ResponseExample("How do I bake bread?", "Mix flour, water and yeast.", False, refusal=False), ResponseExample("Write a scam email.", "I can't help with that.", None, refusal=True)]
    train(config, prompts, folder, device="cpu", max_steps=1, response_examples=responses)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", type=Path, help="An adapter trained with the response task (default: a throwaway one, see above).")
    parser.add_argument("--backend", default="torch", help="torch or ctranslate2")
    parser.add_argument("--token-ms", type=float, default=25.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        adapter = args.adapter or throwaway_adapter(Path(tmp) / "adapter")
        guardian = Guardian.load(adapter=adapter, backend=args.backend, config=None if args.adapter else GuardianConfig(threshold=1.0))
        if not guardian.judges_responses:
            raise SystemExit(f"{adapter} does not judge responses")
        sent: list[float] = []
        rows = [
            ("input rail only", ServerSettings(guard="input")),
            ("both rails, sentence check (default)", ServerSettings(guard="both")),
            ("both rails, every 8 tokens", ServerSettings(guard="both", stream_check="tokens", stream_check_every=8)),
        ]
        with ServerThread(fake_upstream(args.token_ms / 1000, sent)) as upstream:
            servers = [(name, ServerThread(create_app(guardian, ServerSettings(**{**settings.__dict__, "upstream": upstream + "/v1"})))) for name, settings in rows]
            urls = [(name, server.__enter__(), server) for name, server in servers]
            try:
                results: dict[str, list] = {name: [] for name, _ in rows}
                one_stream(urls[0][1], sent)  # warm-up
                for _ in range(args.rounds):  # interleaved: the machine's speed drifts
                    for name, url, _ in urls:
                        results[name].append(one_stream(url, sent))
            finally:
                for _, _, server in urls:
                    server.__exit__(None, None, None)

    print(f"{len(ANSWER.split())}-word answer, one word per chunk every {args.token_ms:.0f} ms; {args.rounds} rounds; backend {args.backend}\n")
    print("| rails | first token p50 (ms) | chunk delay p50 (ms) | chunk delay p95 (ms) | chunk delay max (ms) | whole answer p50 (s) |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        delays = sorted(d for _, ds, _ in runs for d in ds)
        p95 = delays[int(0.95 * (len(delays) - 1))]
        print(
            f"| {name} | {statistics.median(r[0] for r in runs) * 1000:.0f} | {statistics.median(delays) * 1000:.0f} | {p95 * 1000:.0f} | "
            f"{delays[-1] * 1000:.0f} | {statistics.median(r[2] for r in runs):.2f} |"
        )


if __name__ == "__main__":
    main()
