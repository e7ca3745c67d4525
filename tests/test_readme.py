"""The README stays true: its two first-line commands, the CI hook, its table of documents, and
the generated CLI and settings reference."""

import re
from pathlib import Path

from workers.settings import settings_table

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_first_lines_give_the_demo_and_test_commands():
    """Line 1 runs the demo, line 2 runs the tests, both as scripts that exist."""
    first, second = README.splitlines()[:2]
    assert "scripts/demo.sh" in first and (ROOT / "scripts/demo.sh").exists()
    assert "scripts/test.sh" in second and (ROOT / "scripts/test.sh").exists()


def test_ci_runs_the_readme_test_command():
    """CI calls the same test command the README gives."""
    assert re.search(r"^\./scripts/test\.sh", (ROOT / ".ci/run").read_text(), re.M)


def test_settings_table_matches_the_code():
    """The settings table (docs/reference.md, linked from the README) is the one generated from
    Settings."""
    assert settings_table().strip() in (ROOT / "docs" / "reference.md").read_text()
    assert "(docs/reference.md)" in README


def test_which_document_table_links_pages_that_exist():
    """The README is about a page, and every document its table names exists (accuracy and
    benchmarks on their own pages)."""
    assert len(README.splitlines()) <= 100
    table = README.split("## Which document do I need")[1].split("\n## ")[0]
    links = re.findall(r"\]\(([^)#]+)\)", table)
    assert {
        "docs/accuracy.md",
        "docs/benchmarks.md",
        "docs/discord.md",
        "docs/cities.md",
        "docs/data.md",
        "docs/operations.md",
        "docs/reference.md",
    } <= set(links)
    for link in links:
        assert (ROOT / link).exists(), link
    assert "<!-- accuracy-table -->" in (ROOT / "docs" / "accuracy.md").read_text()


def test_cli_and_settings_reference_is_generated_from_the_code():
    """docs/reference.md is what scripts/reference.py generates from the commands and Settings."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "crimecast_reference", ROOT / "scripts/reference.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "docs" / "reference.md").read_text()
    assert text == module.reference(), "run: .venv/bin/python scripts/reference.py"
    assert "### `crimecast ingest jsonl FILE`" in text and "| `CRIMECAST_AUDIT_SALT` |" in text
