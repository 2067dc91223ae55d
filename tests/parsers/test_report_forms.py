"""Forms real reports take that the seeds do not show: other title wordings, a publication date
among other dates or in a metadata table, rows the template does not name, and prose that
looks like a statement about requests. Each input is a real seed with one thing changed."""

from __future__ import annotations

import html

import pytest

from checks.assess import assessed
from parsers.load import parse_bytes
from parsers.model import Report
from tests.parsers.test_seeds import seed_path


def seed_text(n: str) -> str:
    return seed_path(n).read_text(encoding="utf-8")


def report_of(text: str, kind: str = "text") -> Report:
    return assessed(parse_bytes(text.encode("utf-8"), kind).report)


def retitled(n: str, title: str) -> str:
    """The seed with its first line (the title) replaced."""
    return title + "\n" + seed_text(n).split("\n", 1)[1]


def as_html(text: str, head: str = "") -> str:
    """A tab-separated seed as a portal page: runs of tab rows become <table>s, other lines <p>s."""
    out, rows = [], []
    for line in [*text.splitlines(), ""]:
        if "\t" in line:
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if rows:
            out.append("<table>" + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    return f"<html><head><meta charset='utf-8'></head><body>{head}{''.join(out)}</body></html>"


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("国家发展和改革委员会2019年度政府信息公开工作报告", "国家发展和改革委员会", 2019),
        ("北京市东城区人民政府政府信息公开工作年度报告（2019年度）", "北京市东城区人民政府", 2019),
        ("北京市东城区人民政府2019年信息公开工作年度报告", "北京市东城区人民政府", 2019),
        ("北京市东城区人民政府2019年度政府信息公开工作年度报告", "北京市东城区人民政府", 2019),
        ("2019年度北京市朝阳区人民政府信息公开工作年度报告", "北京市朝阳区人民政府", 2019),
        ("北京市人民政府办公厅2019年政府信息公开年报", "北京市人民政府办公厅", 2019),
    ],
)
def test_title_wordings(title: str, agency: str, year: int) -> None:
    report = report_of(retitled("000", title))
    assert (report.title, report.agency, report.year) == (title, agency, year)


def test_a_title_over_four_lines_and_a_date_line_above_a_title() -> None:
    lines = ["北京市东城区对外联络服务办公室", "（北京市东城区支援合作办公室）", "2021年政府信息公开工作", "年度报告"]
    report = report_of(retitled("001", "附件1\n\n" + "\n\n".join(lines)))
    assert (report.agency, report.year) == ("北京市东城区对外联络服务办公室", 2021)
    dated = report_of(
        retitled("000", "发布日期：2022-02-15\n北京市西城区人民政府外事办公室2021年政府信息公开工作年度报告")
    )
    assert (dated.agency, dated.published) == ("北京市西城区人民政府外事办公室", "2022-02-15")


def test_the_publication_date_is_not_the_date_written() -> None:
    text = retitled("003", seed_text("003").split("\n", 1)[0] + "\n成文日期：2021-01-10  发布日期：2021-02-20")
    assert report_of(text).published == "2021-02-20"
    # Only a 成文日期: better than nothing (late_publication can still run).
    only = retitled("003", seed_text("003").split("\n", 1)[0] + "\n成文日期：2021-01-10")
    assert report_of(only).published == "2021-01-10"


def test_a_publication_date_in_a_metadata_table() -> None:
    meta = "<table><tr><td>索引号</td><td>11010100/2021-00012</td></tr><tr><td>发布机构</td><td>北京市西城区</td></tr>" \
           "<tr><td>公开日期</td><td>2021-03-22</td></tr></table>"  # fmt: skip
    report = report_of(as_html(seed_text("003"), head=meta), "html")
    assert report.published == "2021-03-22"
    assert report.applications["new_received"]["total"] == 1576  # the tables are read as before


def test_two_other_rows_under_two_groups_are_two_rows() -> None:
    text = seed_text("003")
    text = text.replace("\t\t8. 属于行政查询事项\t7\t1\t0\t0\t0\t0\t8\n",
                        "\t\t8. 属于行政查询事项\t7\t1\t0\t0\t0\t0\t8\n\t\t9. 其他\t1\t0\t0\t0\t0\t0\t1\n")  # fmt: skip
    assert "9. 其他" in text
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if "3. 补正后申请内容仍不明确" in line)
    lines.insert(at + 1, "\t\t4. 其他\t2\t0\t0\t0\t0\t0\t2")
    report = report_of("\n".join(lines))
    assert report.applications["withheld/其他"]["total"] == 1
    assert report.applications["unavailable/其他"]["total"] == 2
    assert {"withheld/其他", "unavailable/其他"} <= set(report.result_rows)


def test_a_missing_result_row_leaves_results_sum_not_evaluated() -> None:
    lines = seed_text("000").split("\n")
    at = lines.index("\t1.本机关不掌握相关政府信息")
    del lines[at : at + 9]  # the label and its seven cells, and the blank line after them
    findings = report_of("\n".join(lines)).findings
    results = [f for f in findings if f.rule == "results_sum"]
    assert [f.severity for f in results] == ["info"]
    assert "applications.unavailable_not_held.total" in results[0].cells
    blank = next(f for f in findings if f.rule == "missing_cells")
    assert "applications.unavailable_not_held.total" in blank.cells


def test_no_appeals_is_not_no_requests() -> None:
    text = seed_text("000")
    assert "共收到" in text
    said = text.replace("2021年共收到信息公开申请1件", "2021年未收到针对本机关的行政复议申请。本年收到信息公开申请1件")
    assert said != text
    assert not [f for f in report_of(said).findings if f.rule == "narrative_mismatch"]


def test_an_overview_sub_heading_does_not_end_the_overview() -> None:
    text = seed_text("000").replace("2021年共收到信息公开申请1件", "2021年共收到信息公开申请5件")
    sub = text.replace("2.主动公开情况", "（二）主动公开政府信息情况")
    assert sub != text
    for variant in (text, sub):
        report = report_of(variant)
        assert "共收到信息公开申请5件" in report.sections["overview"]
        assert [f.rule for f in report.findings if f.rule == "narrative_mismatch"] == ["narrative_mismatch"]


def test_a_report_filed_under_another_years_url_is_a_warning() -> None:
    from checks.dates import url_year_mismatch

    report = report_of(seed_text("003"))  # 2020
    assert url_year_mismatch(report, None) == [] and url_year_mismatch(report, 2020) == []
    (finding,) = url_year_mismatch(report, 2021)
    assert (finding.rule, finding.severity, finding.where) == ("url_year_mismatch", "warning", "year")
    assert (finding.lhs.value, finding.rhs.value) == (2020, 2021)
    assert finding.fingerprint == url_year_mismatch(report_of(seed_text("003")), 2021)[0].fingerprint


def test_in_force_continuity_shows_the_repealed_count_as_the_table_has_it() -> None:
    from checks.assess import assess_history as run_history_checks

    def year(n: int, issued: int, repealed: int, in_force: int) -> Report:
        rows = {"regulations": {"issued": issued, "repealed": repealed, "in_force": in_force},
                "normative_documents": {"issued": 0, "repealed": 0, "in_force": 5}}  # fmt: skip
        return Report(agency="北京市西城区人民政府", year=n, template="2021", active_disclosure=rows)

    previous = year(2021, 0, 0, 10)
    assert run_history_checks(year(2022, 2, 3, 9), previous) == []  # 10 + 2 − 3 = 9
    (finding,) = run_history_checks(year(2022, 2, 3, 10), previous)
    assert finding.rhs.value == 9 and finding.lhs.value == 10
    assert finding.rhs.cells["active_disclosure.regulations.repealed"] == 3


def _page_with_header(n_menu: int, title_in_page: bool = True) -> bytes:
    """A report page behind a portal header of n_menu lines, its <title> only the column's name."""
    menu = "".join(f"<div>栏目{i}</div>" for i in range(n_menu))
    title = "<h2>北京市西城区人民政府2020年政府信息公开工作年度报告</h2>" if title_in_page else ""
    lines = seed_text("003").split("\n")
    title_line = next(i for i, line in enumerate(lines) if "年度报告" in line)
    body = as_html("\n".join(lines[title_line + 1 :]))  # the seed without its title lines
    head = (
        f"<title>政府信息公开年报_北京市西城区人民政府</title></head><body>{menu}{title}<p>日期：2021-03-22 10:00</p>"
    )
    return body.replace("</head><body>", head, 1).encode("utf-8")


def test_a_title_and_date_below_a_long_portal_header() -> None:
    report = parse_bytes(_page_with_header(12), "html").report
    assert (report.agency, report.year, report.published) == ("北京市西城区人民政府", 2020, "2021-03-22")


def test_the_list_pages_title_when_the_page_names_no_report() -> None:
    page = _page_with_header(3, title_in_page=False)
    assert parse_bytes(page, "html").report.agency is None
    hint = "北京市西城区人民政府2020年政府信息公开工作年度报告"
    report = parse_bytes(page, "html", title_hint=hint).report
    assert (report.title, report.agency, report.year) == (hint, "北京市西城区人民政府", 2020)
    # A list title cut short (…) names no report: not used.
    cut = parse_bytes(page, "html", title_hint="北京市西城区人民政府2020年政府信息公开工…").report
    assert cut.agency is None


def test_a_report_published_as_images_is_told_from_a_page_that_is_none() -> None:
    from parsers.errors import NoReportText, NotAReport

    scanned = "<html><head><title>西城区档案馆2021年政府信息公开工作年度报告</title></head><body>" \
              "<p><img src='P1.jpg'></p><a href='./P0202.pdf'>附件</a></body></html>"  # fmt: skip
    with pytest.raises(NoReportText) as info:
        parse_bytes(scanned.encode(), "html")
    assert info.value.links == ["./P0202.pdf"]
    column = (
        "<html><head><title>政府信息公开年报_北京市西城区人民政府</title></head><body><p>暂无数据</p></body></html>"
    )
    with pytest.raises(NotAReport) as info:
        parse_bytes(column.encode(), "html")
    assert not isinstance(info.value, NoReportText)  # a soft 404 on a probe stays "not published"
