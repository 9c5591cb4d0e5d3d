"""What every command shares: the consoles, clean failures, the model options, loading the guardian."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

out = Console()
err = Console(stderr=True, soft_wrap=True)  # one error, one line, whatever the terminal width


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error to stderr and exit non-zero (no traceback)."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)  # messages name [extras] and [keys]
    raise typer.Exit(code)


AdapterOpt = typer.Option(None, "--adapter", help="Adapter folder (default: $SLM_GUARDIAN_ADAPTER, else the shipped model).")
ModelOpt = typer.Option(None, "--model", help="A shipped guard by name instead of --adapter: english (the default) or multilingual.")
BaseOpt = typer.Option(None, "--base-model", help="Base model: smollm2-135m, qwen2.5-coder-0.5b, gemma3-270m (packaged) or a Hugging Face causal-LM folder.")
ConfigOpt = typer.Option(None, "--config", help="Guardian config YAML: thresholds, per-category thresholds, disabled categories.")
ThresholdOpt = typer.Option(None, "--threshold", min=0.0, max=1.0, help="Unsafe-score threshold (overrides the config).")
BackendOpt = typer.Option("torch", "--backend", help="Inference backend: torch (reference, fp32) or ctranslate2 (int8 fast path, converted once and cached).")


def load_guardian(adapter: Optional[Path], base_model: Optional[str], config: Optional[Path], threshold: Optional[float], backend: str = "torch", threads: Optional[int] = None):
    """The guardian, or a clean exit with the reason it could not load."""
    from slm_guardian.errors import GuardianError
    from slm_guardian.guardian import BACKENDS, Guardian
    from slm_guardian.guardian_config import GuardianConfig

    if backend not in BACKENDS:
        fail(f"--backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    try:
        cfg = GuardianConfig.from_yaml(config) if config else GuardianConfig()
        if threshold is not None:
            cfg = cfg.with_changes(threshold=threshold)
        with err.status("loading the guardian"):
            return Guardian.load(adapter=adapter, base_model=base_model, config=cfg, backend=backend, threads=threads)
    except (GuardianError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))


def model_adapter(model: Optional[str], adapter: Optional[Path]) -> Optional[Path]:
    """The adapter folder `--model` names (or `--adapter` as given), or a clean exit."""
    if model is None:
        return adapter
    from slm_guardian.errors import GuardianError
    from slm_guardian.guardian import model_adapter_dir

    if adapter is not None:
        fail("give --adapter or --model, not both")
    try:
        return model_adapter_dir(model)
    except GuardianError as exc:
        fail(str(exc))


def require(extra: str, *modules: str) -> None:
    """Exit cleanly, naming the extra to install, when a command's optional dependencies are missing."""
    from importlib import import_module

    for module in modules:
        try:
            import_module(module)
        except ImportError:
            fail(f"this command needs the [{extra}] extra ({module} is not installed): pip install 'slm-guardian[{extra}]'")
