"""Training configuration, read from YAML (configs/smollm2-135m.yaml). The defaults here are the
shipped config's values, so a file that leaves a key out trains what was shipped."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from slm_guardian.config_file import YamlConfig

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]


class TrainConfig(YamlConfig):
    """Everything that determines a fine-tune; the same file and data reproduce the adapter."""

    name: str = "smollm2-135m-guardian"
    base_model: str = "smollm2-135m"
    taxonomy: str | None = None  # None: the packaged taxonomy
    # multitask (shipped) | detection (verdict + categories) | response (replies only): the
    # single-task models of the paper's ablation, which `guardian eval --compare` sets beside it.
    task: Literal["multitask", "detection", "response"] = "multitask"
    seed: int = 13
    epochs: Positive = 2.0
    batch_size: Annotated[int, Field(gt=0)] = 16
    learning_rate: Positive = 3e-4
    warmup_ratio: Share = 0.05
    weight_decay: Annotated[float, Field(ge=0.0)] = 0.0
    max_query_tokens: Annotated[int, Field(gt=0)] = 128
    verdict_weight: Positive = 10.0
    # Loss weight of each category token. One category token sits among ~50 reply tokens, so
    # at weight 1 the category head gets ~2% of an unsafe row's loss and drifts to the
    # majority category.
    category_weight: Positive = 5.0
    lora_r: Annotated[int, Field(gt=0)] = 16
    lora_alpha: Annotated[int, Field(gt=0)] = 32
    lora_dropout: Share = 0.05
    lora_target_modules: list[str] | str = "all-linear"
    # Share of unsafe examples whose reply is written for another, random category whose token
    # is fed before it, while the category head's target stays the true category: the reply
    # then reads its category token (docs/experiments/2026-11-29-candidate8-replies-read-category.md).
    swapped_replies: Share = 0.5
    # Initial embedding rows of the guard tokens: the mean embedding of the words each token
    # stands for ("words": a category's name and topic), or random rows (std 0.02).
    token_init: Literal["words", "random"] = "words"
    # The response-judging task (the LLM's answer in its query's context: harm, categories,
    # refusal), trained jointly from the data folder's response_train.jsonl.
    judge_responses: bool = False
    refusal_weight: Positive = 5.0  # loss weight of the refusal token of a judged response
    # Multiplies every loss weight of a judged response (verdict, categories, refusal), so the
    # answer task can pull less on the prompt task's decision boundary than a prompt row does.
    response_weight: Positive = 1.0
    # A trained adapter folder to start from (its LoRA weights and guard-token rows) instead of
    # zero LoRA weights: the response task trained on top of the shipped prompt adapter.
    init_adapter: str | None = None
    # Texts of the response rows (queries and answers), read as prompts and labelled with the
    # init adapter's own verdicts at step 0, trained beside the rest: the prompt task keeps its
    # decision on the words the response task labels (training/anchors.py). 0: none.
    anchor_prompts: Annotated[int, Field(ge=0)] = 0
    # Where the anchors' texts come from: the response rows' queries and answers, and with
    # "prompts" the prompt training rows' texts too (an unsafe anchor whose verdict and top
    # category agree with its row's labels keeps the row's composed reply).
    anchor_sources: list[Literal["responses", "prompts"]] = Field(default_factory=lambda: ["responses"], min_length=1)
    # What an anchor's verdict is trained towards: the init adapter's verdict token ("verdict"),
    # or its P(harm) spread over <|harm|> and <|safe|> ("probability": the margin is kept too,
    # as learning without forgetting distils it).
    anchor_targets: Literal["verdict", "probability"] = "verdict"
    # Sources of prompt training rows (their `source`, e.g. the hate-speech sets' rows about
    # groups) whose texts are all anchors, counted in `anchor_prompts`; the rest are drawn.
    # Needs "prompts" in `anchor_sources`.
    anchor_every_row_of: list[str] = Field(default_factory=list)
    # Share of the data's prompt rows trained with their own labels, drawn by seed. Below 1 a
    # warm-started run replays less of the data its init adapter was trained on; 0 trains the
    # response task (and the anchors) alone.
    prompt_rows: Share = 1.0
    # Matrix products in bfloat16 under autocast (weights, optimizer state and the loss stay
    # float32): about twice the steps per second on a CPU with AVX-512 BF16 or AMX, and on
    # GPUs (the shipped adapter was trained so). "float32" runs everything in float32.
    precision: Literal["float32", "bfloat16"] = "bfloat16"
    data: dict = Field(default_factory=dict)  # passed to DataConfig when the data is built

    @model_validator(mode="after")
    def _every_row_of_needs_prompt_anchors(self) -> TrainConfig:
        if self.anchor_every_row_of and "prompts" not in self.anchor_sources:
            raise ValueError('anchor_every_row_of names prompt-row sources: add "prompts" to anchor_sources')
        return self
