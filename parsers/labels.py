"""Label matching: cell text -> row and column keys, after NFKC and white-space removal."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from parsers import similar

_WS = re.compile(r"\s+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\(?[一二三四五六七八九十]+\)|\d+[.、)]|\(\d+\))")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」")


@lru_cache(maxsize=4096)  # the same few hundred labels recur on every page
def norm(text: str) -> str:
    """NFKC, no white space, no quotes: the form labels are compared in."""
    return _WS.sub("", unicodedata.normalize("NFKC", text)).translate(_QUOTES)


@lru_cache(maxsize=4096)
def strip_numbering(label: str) -> str:
    """'(三)不予公开' -> '不予公开', '1.属于国家秘密' -> '属于国家秘密' (label already normalised)."""
    return _NUMBERING.sub("", label)


# Table 1. Rows, then the column heads of each template.
ACTIVE_ROWS = (
    ("行政规范性文件", "normative_documents"),
    ("规范性文件", "normative_documents"),
    ("规章", "regulations"),
    ("行政许可", "licensing"),
    ("其他对外管理服务事项", "other_services"),
    ("行政处罚", "punishment"),
    ("行政强制", "enforcement"),
    ("行政事业性收费", "fees"),
    ("政府集中采购", "procurement"),
)
HEADS_2021 = (
    ("本年制发件数", "issued"),
    ("本年废止件数", "repealed"),
    ("现行有效件数", "in_force"),
    ("本年收费金额", "amount"),
)
HEADS_2019 = (
    ("本年新制作数量", "made"),
    ("本年新公开数量", "published"),
    ("对外公开总数量", "total_published"),
    ("上一年项目数量", "previous_year"),
    ("本年增/减", "change"),
    ("本年增减", "change"),
    ("采购项目数量", "projects"),
    ("采购总金额", "amount"),
)
HEADS_BOTH = (("本年处理决定数量", "decisions"), ("处理决定数量", "decisions"))


@lru_cache(maxsize=4096)
def active_row_key(label: str) -> str | None:
    bare = strip_numbering(label)
    for text, key in ACTIVE_ROWS:
        if bare == text or bare.startswith(text):
            return key
    return similar.closest(bare, similar.ACTIVE_LABELS)  # a typo'd or cut label (issue 13)


@lru_cache(maxsize=4096)
def active_head(label: str) -> tuple[str | None, str | None]:
    """(field key, template it is evidence of) for a table 1 column head."""
    for table, template in ((HEADS_2021, "2021"), (HEADS_2019, "2019"), (HEADS_BOTH, None)):
        for text, key in table:
            if label.startswith(text):
                return key, template
    return None, None


# Table 2.
GROUPS = (
    ("不予公开", "withheld"),
    ("无法提供", "unavailable"),
    ("不予处理", "rejected"),
    ("其他处理", "other"),
)
GROUP_LEAVES = {
    "withheld": (
        ("国家秘密", "withheld_state_secret"),
        ("禁止公开", "withheld_prohibited_by_law"),
        ("三安全一稳定", "withheld_security_stability"),
        ("第三方", "withheld_third_party"),
        ("内部事务", "withheld_internal_affairs"),
        ("过程性", "withheld_process_info"),
        ("执法案卷", "withheld_enforcement_file"),
        ("查询事项", "withheld_query_matter"),
    ),
    "unavailable": (
        ("不掌握", "unavailable_not_held"),
        ("另行制作", "unavailable_needs_creation"),
        ("不明确", "unavailable_unclear"),
    ),
    "rejected": (
        ("信访", "rejected_petition"),
        ("重复申请", "rejected_duplicate"),
        ("出版物", "rejected_publication"),
        ("大量反复", "rejected_excessive"),
        ("确认或重新出具", "rejected_confirmation"),
    ),
    "other": (
        ("不补正", "other_no_correction"),
        ("缴纳费用", "other_unpaid_fee"),
        ("其他", "other_other"),
    ),
}
TOP_ROWS = (
    ("本年新收", "new_received"),
    ("上年结转", "carried_over"),
    ("部分公开", "partially_granted"),
    ("予以公开", "granted"),
    ("结转下年度", "carried_forward"),
    ("总计", "total_processed"),
)


@lru_cache(maxsize=4096)
def group_of(label: str) -> str | None:
    bare = strip_numbering(label)
    for text, key in GROUPS:
        if bare.startswith(text):
            return key
    return None


@lru_cache(maxsize=4096)
def leaf_key(group: str, label: str) -> str | None:
    for text, key in GROUP_LEAVES[group]:
        if text in label:
            return key
    return similar.closest(strip_numbering(label), similar.LEAF_LABELS[group])


@lru_cache(maxsize=4096)
def top_row_key(label: str) -> str | None:
    bare = strip_numbering(label)
    for text, key in TOP_ROWS:
        if text in bare if key != "total_processed" else bare == text:
            return key
    return similar.closest(bare, similar.TOP_LABELS)


@lru_cache(maxsize=4096)
def is_numbered_leaf(label: str) -> bool:
    return bool(re.match(r"^\d+[.、)]", label))
