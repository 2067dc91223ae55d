"""Fuzz test (issue 10): mutated real pages in, a report (that every check runs on) or a one-line
ParseError out, promptly.

The corpus is tests/parsers/fuzzing.py's: the real pages of tests/fixtures (seeds, html, samples)
with bytes flipped, cut short, spliced, table rows duplicated, tag soup inserted, charsets swapped
or declared wrongly, number cells and other cells made enormous. The same seed gives the same
inputs on every run (NIANBAO_FUZZ_INPUTS and NIANBAO_FUZZ_SEED change them, for a longer hunt).
Every input the parser once failed on is kept under tests/fixtures/fuzz/ and replayed here.
"""

from __future__ import annotations

import os
import random
import resource

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.encoding import normalise_encoding
from parsers.numbers import MAX_DIGITS, parse_number
from tests.parsers.fuzzing import CODECS, MUTATIONS, Input, inputs, problem, saved, seed_pages

INPUTS = int(os.environ.get("NIANBAO_FUZZ_INPUTS", "2000"))
SEED = int(os.environ.get("NIANBAO_FUZZ_SEED", "10"))
SECONDS = 5.0  # per input, a stall guard: inputs are at most 300 KB and take milliseconds
MEMORY_MB = 200  # how far the run may raise this process's peak RSS


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_mutated_real_pages() -> None:
    peak = _peak_rss_mb()
    failures = []
    for case in inputs(INPUTS, SEED):
        found = problem(case, SECONDS)
        if found:
            failures.append(f"{case.how} ({case.kind}, declared {case.encoding}, sha {case.name()}): {found}")
    assert not failures, f"{len(failures)} of {INPUTS} inputs failed (save them with fuzzing.save):\n" + "\n".join(
        failures[:20]
    )
    assert _peak_rss_mb() - peak < MEMORY_MB


@pytest.mark.parametrize("case", saved(), ids=lambda case: case.how)
def test_regression_case(case: Input) -> None:
    assert problem(case, SECONDS) is None


def test_there_are_regression_cases() -> None:
    assert len(saved()) >= 10


# --- hypothesis: the same mutations, drawn and shrunk by hypothesis ----------------------------

PAGES = seed_pages()
STEPS = st.lists(st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 2**32 - 1)), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PAGES), STEPS, st.sampled_from([None, "html", "text"]), st.sampled_from([None, *CODECS]))
def test_mutation_sequences(page, steps, kind, declared) -> None:
    name, data, _ = page
    bodies = [body for _, body, _ in PAGES]
    for mutate, seed in steps:
        data = mutate(random.Random(seed), data, bodies)[:400_000]
    case = Input(data, kind, declared, f"{name}: {' + '.join(m.__name__ for m, _ in steps)}")
    assert problem(case, SECONDS) is None


@given(st.text(max_size=200) | st.from_regex(r"[+-]?[0-9０-９,]{0,40}(\.[0-9]{0,40})?[元件]?", fullmatch=True))
def test_any_cell_text_is_a_number_or_not(text: str) -> None:
    """parse_number never raises, and a value it reads fits the store (64-bit integers, finite floats)."""
    value, is_number = parse_number(text)
    assert isinstance(is_number, bool)
    assert value is None or (is_number and abs(value) < 10**MAX_DIGITS)


@given(st.sampled_from(CODECS) | st.text(max_size=30))
def test_a_charset_name_is_a_text_encoding_or_none(name: str) -> None:
    """Whatever a page or a header names, the encoding chosen decodes any bytes to UTF-8-ready text."""
    enc = normalise_encoding(name)
    if enc is not None:
        text = bytes(range(256)).decode(enc, errors="replace") + b"+2AA-\\ud800".decode(enc, errors="replace")
        text.encode("utf-8")
