"""The rule table (harness/rules.py) is the one place to audit the oracle: every rule cites AWS, every expectation
cites a rule, and the README's copy of the table is current."""

from __future__ import annotations

import ast
import pathlib

import pytest

from harness import rules
from harness.model import Expected

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_has_the_current_table():
    assert rules.main(["--check", str(ROOT / "README.md")]) == 0, "run `python -m harness.rules` and paste it"


def test_every_rule_cites_a_source_and_its_implementations():
    for r in rules.RULES:
        assert r.sources and all(s.startswith(("https://", "../shared/")) for s in r.sources), r.id
        assert r.model and r.emulator, r.id
    assert len(rules.BY_ID) == len(rules.RULES), "duplicate rule ids"


def test_an_expectation_must_cite_an_existing_rule():
    with pytest.raises(KeyError):
        Expected(200, rule="no.such-rule")


def _cited_rule_ids() -> set[str]:
    """Every rule="..." literal in the harness and the scenarios."""
    found = set()
    for path in [*ROOT.joinpath("harness").rglob("*.py"), *ROOT.joinpath("scenarios").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "rule" and isinstance(node.value, ast.Constant):
                found.add(node.value.value)
    return found


def test_every_cited_rule_exists():
    assert _cited_rule_ids() - set(rules.BY_ID) == set()


def test_cli_bad_usage_is_exit_2(capsys):
    assert rules.main(["--bogus"]) == 2
    assert "usage" in capsys.readouterr().err
