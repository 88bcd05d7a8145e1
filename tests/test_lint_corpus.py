"""Precision and recall of the core lint rules on labelled corpora of prompts (tests/lint_corpus/).

Every prompt lists the core rules that should fire; the others should not. On the prompts written while the
rules were written (prompts.yaml), a rule keeps a precision of at least 0.85 and a recall of at least 0.80.
On the real prompts (real.yaml), a core rule that is on by default has a precision of at least 0.9 on the
frozen `test` split; one that has not stays in preview (bench/lint.py prints every figure), unless it is
listed, with its reason, in AWAITING_PREVIEW.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

import cinebrief

CORPUS = Path(__file__).parent / "lint_corpus" / "prompts.yaml"
REAL = Path(__file__).parent / "lint_corpus" / "real.yaml"
MIN_PRECISION = 0.85
MIN_RECALL = 0.80


def _scores() -> tuple[dict[str, dict[str, int]], list[str]]:
    corpus = YAML(typ="safe").load(CORPUS.read_text(encoding="utf-8"))
    core = corpus["core_rules"]
    counts = {name: {"tp": 0, "fp": 0, "fn": 0} for name in core}
    misses: list[str] = []
    for prompt in corpus["prompts"]:
        found = cinebrief.lint(prompt["text"], seconds=prompt.get("seconds"), select=core, preview=True)
        fired = {d.name for d in found}
        expected = set(prompt["expect"])
        assert expected <= set(core), f"{prompt['id']}: unknown rule in expect"
        for name in core:
            if name in fired and name in expected:
                counts[name]["tp"] += 1
            elif name in fired:
                counts[name]["fp"] += 1
                misses.append(f"{prompt['id']}: {name} fired but should not")
            elif name in expected:
                counts[name]["fn"] += 1
                misses.append(f"{prompt['id']}: {name} should fire")
    return counts, misses


def test_corpus_is_large_and_covers_every_core_rule() -> None:
    corpus = YAML(typ="safe").load(CORPUS.read_text(encoding="utf-8"))
    assert len(corpus["prompts"]) >= 60
    assert len({p["id"] for p in corpus["prompts"]}) == len(corpus["prompts"])
    for name in corpus["core_rules"]:
        positives = sum(name in p["expect"] for p in corpus["prompts"])
        assert positives >= 3, f"{name} has only {positives} positive prompts"


def test_precision_and_recall_per_core_rule() -> None:
    counts, misses = _scores()
    failing = []
    for name, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        if precision < MIN_PRECISION or recall < MIN_RECALL:
            failing.append(f"{name}: precision {precision:.2f}, recall {recall:.2f}")
    assert not failing, "\n".join([*failing, "", *misses])


def test_real_corpus_is_large_sourced_and_split_once() -> None:
    corpus = YAML(typ="safe").load(REAL.read_text(encoding="utf-8"))
    prompts = corpus["prompts"]
    assert len(prompts) >= 300
    assert len({p["id"] for p in prompts}) == len(prompts)
    assert {p["split"] for p in prompts} == {"dev", "test"}
    for prompt in prompts:
        assert prompt["source"].startswith("github.com/"), prompt["id"]
        assert set(prompt["expect"]) <= set(corpus["core_rules"]), prompt["id"]
        assert prompt["text"].strip(), prompt["id"]


def test_core_rules_on_by_default_are_precise_on_the_frozen_test_split() -> None:
    """The preview group's promise: a core rule leaves preview only once its test precision is 0.9."""
    from cinebrief.lint.registry import find_rule

    corpus = YAML(typ="safe").load(REAL.read_text(encoding="utf-8"))
    core = corpus["core_rules"]
    fired_right = dict.fromkeys(core, 0)
    fired = dict.fromkeys(core, 0)
    for prompt in corpus["prompts"]:
        if prompt["split"] != "test":
            continue
        for name in {d.name for d in cinebrief.lint(prompt["text"], select=core, preview=True)}:
            fired[name] += 1
            fired_right[name] += name in prompt["expect"]
    imprecise = [name for name in core if fired[name] and fired_right[name] / fired[name] < 0.9]
    on_by_default = [name for name in imprecise if not find_rule(name).preview]
    assert sorted(on_by_default) == sorted(AWAITING_PREVIEW), f"under 0.9 on test, not in preview: {on_by_default}"


# Imprecise on `test` but still on by default, and why (the closing notes of the change say so too). The test
# above fails as soon as a rule here becomes precise (remove it) or another rule falls under 0.9.
AWAITING_PREVIEW: dict[str, str] = {}
