"""Label similarity: a row label with a typo or cut short still finds its row.

Real reports misspell and truncate the template's labels (其他法律行政止公开 for
其他法律行政法规禁止公开; a label cut by a page break). The substring rules of parsers.labels
come first; where none fits, a label is compared with the template's full labels by the
longest common subsequence of their characters: similarity = 2·LCS / (len(a) + len(b)),
after NFKC, white space, quotes and numbering are taken off (parsers.labels.norm,
strip_numbering). A label matches a row when its similarity to that row's label is at
least THRESHOLD and clearly better (MARGIN) than to any other candidate.

THRESHOLD sits between the two: the closest pair of the template's own labels under
different keys (本年新收… / 上年结转…政府信息公开申请数量, 0.786) stays below it, and a real
typo like 其他法律行政止公开 (three characters lost of twelve, 0.857) is above it.
tests/attachments/test_label_similarity.py checks both: no template label matches another
row's label.
"""

from __future__ import annotations

from functools import lru_cache

THRESHOLD = 0.82
MARGIN = 0.05
MAX_LABEL = 80  # longer text is prose, not a row label: not compared (keeps the cost bounded)

# Table 2: the template's labels without their numbering, as parsers.labels.norm writes them.
TOP_LABELS = (
    ("new_received", "本年新收政府信息公开申请数量"),
    ("carried_over", "上年结转政府信息公开申请数量"),
    ("granted", "予以公开"),
    ("partially_granted", "部分公开(区分处理的,只计这一情形,不计其他情形)"),
    ("total_processed", "总计"),
    ("carried_forward", "结转下年度继续办理"),
)
GROUP_LABELS = (("withheld", "不予公开"), ("unavailable", "无法提供"), ("rejected", "不予处理"), ("other", "其他处理"))
LEAF_LABELS = {
    "withheld": (
        ("withheld_state_secret", "属于国家秘密"),
        ("withheld_prohibited_by_law", "其他法律行政法规禁止公开"),
        ("withheld_security_stability", "危及三安全一稳定"),
        ("withheld_third_party", "保护第三方合法权益"),
        ("withheld_internal_affairs", "属于三类内部事务信息"),
        ("withheld_process_info", "属于四类过程性信息"),
        ("withheld_enforcement_file", "属于行政执法案卷"),
        ("withheld_query_matter", "属于行政查询事项"),
    ),
    "unavailable": (
        ("unavailable_not_held", "本机关不掌握相关政府信息"),
        ("unavailable_needs_creation", "没有现成信息需要另行制作"),
        ("unavailable_unclear", "补正后申请内容仍不明确"),
    ),
    "rejected": (
        ("rejected_petition", "信访举报投诉类申请"),
        ("rejected_duplicate", "重复申请"),
        ("rejected_publication", "要求提供公开出版物"),
        ("rejected_excessive", "无正当理由大量反复申请"),
        ("rejected_confirmation", "要求行政机关确认或重新出具已获取信息"),
    ),
    "other": (
        ("other_no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_unpaid_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other_other", "其他"),
    ),
}
# Table 1 (both templates).
ACTIVE_LABELS = (
    ("regulations", "规章"),
    ("normative_documents", "行政规范性文件"),
    ("normative_documents", "规范性文件"),
    ("licensing", "行政许可"),
    ("other_services", "其他对外管理服务事项"),
    ("punishment", "行政处罚"),
    ("enforcement", "行政强制"),
    ("fees", "行政事业性收费"),
    ("procurement", "政府集中采购"),
)
ALL_LABELS = (
    *TOP_LABELS,
    *GROUP_LABELS,
    *(pair for leaves in LEAF_LABELS.values() for pair in leaves),
    *ACTIVE_LABELS,
)


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison-Dix / Hyyrö): one pass over
    b with integer operations on a bit set of a's positions, O(len(a)·len(b)/word)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def similarity(a: str, b: str) -> float:
    """2·LCS / (len(a) + len(b)): 1.0 for equal labels, 0.0 for nothing in common."""
    if not a or not b:
        return 0.0
    return 2 * lcs_length(a, b) / (len(a) + len(b))


@lru_cache(maxsize=4096)
def closest(label: str, candidates: tuple[tuple[str, str], ...]) -> str | None:
    """The key of the candidate label `label` is a typo or truncation of, or None.

    label: normalised and without numbering (parsers.labels.norm + strip_numbering);
    candidates: (key, label) pairs in the same form. A key may have several labels.
    """
    if not label or len(label) > MAX_LABEL:
        return None
    best: dict[str, float] = {}
    for key, text in candidates:
        score = similarity(label, text)
        if score > best.get(key, -1.0):
            best[key] = score
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < THRESHOLD:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
        return None  # as like one row as another: no match rather than a guess
    return ranked[0][0]


@lru_cache(maxsize=4096)
def label_score(label: str) -> float:
    """How much `label` (normalised, numbering stripped) looks like some template label: the best
    similarity over them all. Tells a label fragment cut by a page break from a whole label."""
    if not label or len(label) > MAX_LABEL:
        return 0.0
    return max(similarity(label, text) for _key, text in ALL_LABELS)
