"""Row labels matched by similarity (parsers.similar): real typos and truncations find their row,
and no label of the template is taken for another row's."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers import labels as L
from parsers import similar
from parsers.similar import (
    ACTIVE_LABELS,
    ALL_LABELS,
    GROUP_LABELS,
    LEAF_LABELS,
    THRESHOLD,
    TOP_LABELS,
    closest,
    lcs_length,
    similarity,
)

CANDIDATE_SETS = {"top": TOP_LABELS, "groups": GROUP_LABELS, "table 1": ACTIVE_LABELS, "all": ALL_LABELS,
                  **{f"leaves of {g}": leaves for g, leaves in LEAF_LABELS.items()}}  # fmt: skip


def test_no_template_label_is_like_another_rows_label() -> None:
    """The rule makes no false match among the template's own labels: any two labels of different
    rows are further apart than THRESHOLD, so none is taken for the other, even where its own row
    is missing from the table."""
    too_close = [
        (ka, a, kb, b, round(similarity(a, b), 3))
        for (ka, a), (kb, b) in itertools.combinations(ALL_LABELS, 2)
        if ka != kb and similarity(a, b) >= THRESHOLD
    ]
    assert too_close == []


@pytest.mark.parametrize("name", sorted(CANDIDATE_SETS))
def test_each_template_label_matches_its_own_row_and_no_other(name: str) -> None:
    candidates = CANDIDATE_SETS[name]
    for key, label in candidates:
        assert closest(label, candidates) == key, label
        others = tuple((k, t) for k, t in candidates if k != key)
        assert closest(label, others) is None, label  # with its own row gone, it matches nothing


@pytest.mark.parametrize(
    ("group", "label", "key"),
    [
        ("withheld", "其他法律行政止公开", "withheld_prohibited_by_law"),  # hongze-2024.pdf
        ("withheld", "其他法律法规禁止公开", "withheld_prohibited_by_law"),
        ("withheld", "危及三安全一稳", "withheld_security_stability"),  # cut short
        ("rejected", "要求行政机关确认或重新出具", "rejected_confirmation"),  # cut short
        ("unavailable", "本机关不掌握相关信息", "unavailable_not_held"),
        ("other", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其申请", "other_unpaid_fee"),
        ("other", "申请人无正当理由逾期不补正,行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ],
)
def test_real_typos_and_truncations_find_their_row(group: str, label: str, key: str) -> None:
    assert closest(label, LEAF_LABELS[group]) == key


@pytest.mark.parametrize(
    ("label", "candidates"),
    [
        ("其他", LEAF_LABELS["withheld"]),  # 9.其他 under 不予公开: a row the template lacks
        ("其他", LEAF_LABELS["unavailable"]),
        ("合计", TOP_LABELS),
        ("本年度办理结果", TOP_LABELS),
        ("行政检查", ACTIVE_LABELS),  # sub-rows real reports add under 其他对外管理服务事项
        ("行政确认", ACTIVE_LABELS),
        ("行政征收", ACTIVE_LABELS),
        ("属于国家秘密的其他情形和需要说明的事项", LEAF_LABELS["withheld"]),
        ("", ALL_LABELS),
        ("一" * 200, ALL_LABELS),
    ],
)
def test_labels_the_template_lacks_match_nothing(label: str, candidates) -> None:
    assert closest(label, candidates) is None


def test_the_parsers_use_it() -> None:
    assert L.leaf_key("withheld", "2.其他法律行政止公开") == "withheld_prohibited_by_law"
    assert L.top_row_key("二、上年结转政府信息公开申请数") == "carried_over"
    assert L.active_row_key("行政规范性文") == "normative_documents"
    assert L.leaf_key("withheld", "9.其他") is None


def test_label_score_tells_a_fragment_from_a_label() -> None:
    assert similar.label_score("无法提供") == 1.0
    assert similar.label_score("无") < THRESHOLD


def _lcs_table(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b):
            cur.append(prev[j] + 1 if ca == cb else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@settings(max_examples=200, deadline=None)
@given(st.text("不予公开其他处理法律一二", max_size=40), st.text("不予公开其他处理法律一二", max_size=40))
def test_bit_parallel_lcs_is_the_lcs(a: str, b: str) -> None:
    assert lcs_length(a, b) == _lcs_table(a, b) == lcs_length(b, a)
