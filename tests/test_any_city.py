"""Any city: no Calgary name is written into the code outside Calgary's own files.

Calgary's communities, sectors and category spellings live in its profile
(``core/profiles/calgary.yaml``) and in files named for Calgary (its portal source); everywhere else
they may appear only in docstrings and doctest examples.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "stream", "online_model", "workers", "bot")
CALGARY = (
    "BELTLINE",
    "NORTHEAST",
    "FOREST LAWN",
    "Theft OF Vehicle",
    "Break & Enter",
    "Violence  'Other'",
)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_calgary_names_in_code_outside_calgary_files():
    """String constants (not docstrings) of the packages name no Calgary place or category."""
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if "calgary" in str(path.relative_to(ROOT)).lower():
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = _docstrings(tree)
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docs
                ):
                    found += [
                        f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                        for name in CALGARY
                        if name in node.value
                    ]
    assert found == []
