"""`guardian export`: the merged guard for other runtimes (a Hugging Face folder or a GGUF file)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from slm_guardian.cli.app import app
from slm_guardian.cli.common import AdapterOpt, BaseOpt, ModelOpt, err, fail, model_adapter

FORMATS = ("hf", "gguf")


@app.command()
def export(
    out_path: Path = typer.Argument(..., metavar="OUT", help="A folder (--format hf) or a .gguf file (--format gguf)."),
    fmt: str = typer.Option("hf", "--format", help="hf: merged Hugging Face folder with tokenizer and model card; gguf: one GGUF file (llama.cpp)."),
    tensor_type: str = typer.Option("f16", "--gguf-type", help="With --format gguf: f16 (half the size) or f32."),
    adapter: Optional[Path] = AdapterOpt,
    model: Optional[str] = ModelOpt,
    base_model: Optional[str] = BaseOpt,
    force: bool = typer.Option(False, "--force", help="Replace OUT if it exists."),
) -> None:
    """Write the guard (base + LoRA merged, guard tokens included) for runtimes without this
    project. The model card in the folder, and README's "Exporting the model", show how to
    read the unsafe score: the <|harm|> probability after <|guard|>."""
    adapter = model_adapter(model, adapter)
    from slm_guardian.export.gguf_file import TYPES, export_gguf
    from slm_guardian.export.hf_folder import export_hf
    from slm_guardian.guardian import default_adapter_dir
    from slm_guardian.model.loading import load_guard_model

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "gguf" and tensor_type not in TYPES:
        fail(f"--gguf-type must be one of {', '.join(TYPES)}, not {tensor_type!r}")
    if fmt == "gguf" and out_path.suffix != ".gguf":
        fail(f"--format gguf writes one file; name it *.gguf (got {out_path})")
    if out_path.exists() and not force and (out_path.is_file() or any(out_path.iterdir())):
        fail(f"{out_path} already exists; pass --force to replace it")
    adapter_dir = Path(adapter) if adapter else default_adapter_dir()
    try:
        with err.status(f"loading and merging {adapter_dir.name}"):
            model = load_guard_model(adapter_dir, base_model)
        name = f"{adapter_dir.name}-merged"
        with err.status(f"writing {out_path}"):
            if fmt == "hf":
                export_hf(model, adapter_dir, out_path, name)
            else:
                export_gguf(model, out_path, name, tensor_type)
    except (FileNotFoundError, ValueError, OSError) as exc:
        fail(str(exc))
    err.print(f"wrote {out_path} ({fmt})", highlight=False)
