"""The package's imports run one way (DESIGN.md's layers), and no module grows past 350 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "slm_guardian"
# A unit may import only units of a lower rank (and itself).
RANK = {
    "errors": 0,
    "config_file": 1,
    "taxonomy": 2, "normalize": 2, "verdict": 2, "guardian_config": 2,
    "model": 3, "policy_doc": 3,
    "guardian": 4,
    "data": 5, "batch": 5,
    "training": 6, "evaluation": 6, "export": 6,
    "serving": 7,
    "cli": 8,
}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("slm_guardian."):
            found.add(_unit(node.module))
        elif isinstance(node, ast.Import):
            found.update(_unit(a.name) for a in node.names if a.name.startswith("slm_guardian."))
    return found


def test_imports_follow_the_layer_order():
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        unit = rel.parts[0].removesuffix(".py")
        if unit in ("__init__", "__main__"):
            continue
        assert unit in RANK, f"{rel}: new top-level unit {unit!r} has no layer in this test"
        for target in _imports(path) - {unit}:
            if RANK[target] >= RANK[unit]:
                wrong.append(f"{rel} imports slm_guardian.{target}")
    assert not wrong, wrong


def test_no_module_over_350_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text("utf-8").splitlines())) > 350}
    assert not long, long
