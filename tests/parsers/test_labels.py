"""parsers.labels: a table's label cells -> row and column keys, whatever the portal did to the
text (full-width forms, spaces and line breaks inside words, quotes, numbering, extra words)."""

from __future__ import annotations

import pytest

from parsers.labels import (
    GROUP_LEAVES,
    active_head,
    active_row_key,
    group_of,
    is_numbered_leaf,
    leaf_key,
    norm,
    strip_numbering,
    top_row_key,
)
from parsers.model import OTHER_2021, REJECTED, UNAVAILABLE, WITHHELD


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("（三）不予公开", "(三)不予公开"),  # full-width brackets -> ASCII (NFKC)
        ("本年 新收\n政府信息公开申请数量", "本年新收政府信息公开申请数量"),  # a label broken over lines
        ("尚\u3000未\xa0审 结", "尚未审结"),  # ideographic space, NBSP (seed 003: 尚 未 审 结)
        ("3.危及“三安全一稳定”", "3.危及三安全一稳定"),  # quotes go
        ("'商业企业'", "商业企业"),
        ("第二十条第（一）项", "第二十条第(一)项"),
        ("ＡＢＣ１２３", "ABC123"),
    ],
)
def test_norm(text: str, normalised: str) -> None:
    assert norm(text) == normalised


@pytest.mark.parametrize(
    ("label", "bare"),
    [
        ("(三)不予公开", "不予公开"),
        ("三、本年度办理结果", "本年度办理结果"),
        ("十二、其他", "其他"),
        ("1.属于国家秘密", "属于国家秘密"),
        ("1、属于国家秘密", "属于国家秘密"),
        ("2)重复申请", "重复申请"),
        ("(2)重复申请", "重复申请"),
        ("规章", "规章"),  # nothing to strip
        ("2021年", "2021年"),  # a year is no numbering
    ],
)
def test_strip_numbering(label: str, bare: str) -> None:
    assert strip_numbering(label) == bare


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("规章", "regulations"),
        ("（一）规章", "regulations"),
        ("行政规范性文件", "normative_documents"),
        ("规范性文件", "normative_documents"),  # the 2019 template's wording
        ("行政许可", "licensing"),
        ("其他对外管理服务事项", "other_services"),
        ("行政处罚", "punishment"),
        ("行政强制", "enforcement"),
        ("行政事业性收费", "fees"),
        ("政府集中采购", "procurement"),
        ("信息内容", None),
        ("其他", None),
    ],
)
def test_active_row_key(label: str, key: str | None) -> None:
    assert active_row_key(norm(label)) == key


@pytest.mark.parametrize(
    ("head", "key", "template"),
    [
        ("本年制发件数", "issued", "2021"),
        ("本年废止件数", "repealed", "2021"),
        ("现行有效件数", "in_force", "2021"),
        ("本年收费金额（单位：万元）", "amount", "2021"),
        ("本年新制作数量", "made", "2019"),
        ("本年新公开数量", "published", "2019"),
        ("对外公开总数量", "total_published", "2019"),
        ("本年增/减", "change", "2019"),
        ("本年增 减", "change", "2019"),
        ("采购总金额", "amount", "2019"),
        ("本年处理决定数量", "decisions", None),  # in both templates: evidence of neither
        ("处理决定数量", "decisions", None),
        ("总计", None, None),
    ],
)
def test_active_head_names_the_field_and_the_template(head: str, key: str | None, template: str | None) -> None:
    assert active_head(norm(head)) == (key, template)


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("（三）不予公开", "withheld"),
        ("(四)无法提供", "unavailable"),
        ("（五）不予处理", "rejected"),
        ("（六）其他处理", "other"),
        ("（一）予以公开", None),
        ("1.属于国家秘密", None),
    ],
)
def test_group_of(label: str, group: str | None) -> None:
    assert group_of(norm(label)) == group


# The leaves as the State Council's template words them, numbered as reports number them.
TEMPLATE_LEAVES = {
    "withheld": [
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "3.危及“三安全一稳定”",
        "4.保护第三方合法权益",
        "5.属于三类内部事务信息",
        "6.属于四类过程性信息",
        "7.属于行政执法案卷",
        "8.属于行政查询事项",
    ],
    "unavailable": ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"],
    "rejected": [
        "1.信访举报投诉类申请",
        "2.重复申请",
        "3.要求提供公开出版物",
        "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
    ],
    "other": [
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "3.其他",
    ],
}


@pytest.mark.parametrize("group", sorted(TEMPLATE_LEAVES))
def test_every_leaf_of_the_template_has_its_key_in_order(group: str) -> None:
    keys = {"withheld": WITHHELD, "unavailable": UNAVAILABLE, "rejected": REJECTED, "other": OTHER_2021}[group]
    assert [leaf_key(group, norm(label)) for label in TEMPLATE_LEAVES[group]] == list(keys)
    assert len(GROUP_LEAVES[group]) == len(keys)


@pytest.mark.parametrize(
    ("group", "label", "key"),
    [
        ("withheld", "（1）属于 国家 秘密的", "withheld_state_secret"),  # spaces, other numbering, more words
        ("withheld", "3．危及\u201c三安全 一稳定\u201d", "withheld_security_stability"),  # a full-width stop
        ("rejected", "2、 重复申请", "rejected_duplicate"),
        ("withheld", "9.其他", None),  # a leaf of another group
    ],
)
def test_leaf_key_reads_what_portals_do_to_the_labels(group: str, label: str, key: str | None) -> None:
    assert leaf_key(group, norm(label)) == key


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("一、本年新收政府信息公开申请数量", "new_received"),
        ("二、上年结转政府信息公开申请数量", "carried_over"),
        ("（一）予以公开", "granted"),
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "partially_granted"),
        ("（七）总计", "total_processed"),
        ("四、结转下年度继续办理", "carried_forward"),
        ("总计", "total_processed"),
        ("小计", None),
        ("总计数", None),  # 总计 only as the whole label: not a row that mentions it
        ("（三）不予公开", None),
    ],
)
def test_top_row_key(label: str, key: str | None) -> None:
    assert top_row_key(norm(label)) == key


def test_numbered_leaf() -> None:
    assert is_numbered_leaf("1.属于国家秘密") and is_numbered_leaf("2、重复申请") and is_numbered_leaf("3)其他")
    assert not is_numbered_leaf("(一)予以公开") and not is_numbered_leaf("总计")
