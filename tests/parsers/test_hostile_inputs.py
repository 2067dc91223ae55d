"""Hostile pages (issue 10): each parses in time linear in its size and in bounded memory, and
every failure is a one-line ParseError.

Each test here failed on the parser before issue 10's fixes. The quadratic shapes are checked by
how their cost grows: the same shape 8 times larger may cost at most 20 times as much CPU time
(linear work grows ~8 times, quadratic ~64; the least of a few runs, in this process's CPU time,
so that a busy machine does not decide), under a generous stall guard. Where the quadratic work
hid in a Python-level look-up, the work itself is counted instead. bench/hostile.py prints the
figures per MB for pages up to 8 MB.
"""

from __future__ import annotations

import encodings
import gc
import pkgutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from parsers import memo
from parsers.document import Document, Grid
from parsers.errors import ParseError
from parsers.html import parse_html
from parsers.load import parse_bytes
from parsers.metadata import _PUBLISHED
from parsers.model import Report
from parsers.tables import _align, read_tables
from tests.parsers.fuzzing import Input, problem, time_limit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "samples" / "shanghai-szfbgt-2019.html"
SEED_000 = next((ROOT / "tests" / "fixtures" / "seeds").glob("000_*.txt"))
TITLE = "某某区人民政府2021年政府信息公开工作年度报告"
HEAD = f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><p>{TITLE}</p>'
TAIL = "</body></html>"
T2_HEAD = (
    "<tr><td>申请人情况</td><td>自然人</td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td>"
    "<td>法律服务机构</td><td>其他</td><td>总计</td></tr>"
)


def parse(data: bytes, kind: str | None = "html", encoding: str | None = None) -> Report | ParseError:
    """The report, or the ParseError; anything else fails the test."""
    try:
        return parse_bytes(data, kind, encoding).report
    except ParseError as exc:
        assert "\n" not in str(exc) and not str(exc).startswith("parser error"), str(exc)
        return exc


def cpu_seconds(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def assert_linear(run: Callable[[object], object], small: object, large: object, stall: float = 30.0) -> None:
    """run(large), 8 times the input of run(small), costs at most 20 times as much CPU time."""
    with time_limit(stall):
        t_small = min(cpu_seconds(lambda: run(small)) for _ in range(3))
        t_large = min(cpu_seconds(lambda: run(large)) for _ in range(2))
    assert t_large <= 20 * max(t_small, 0.01), f"8x the input took {t_large / max(t_small, 1e-9):.0f}x the time"


# --- linear time -------------------------------------------------------------------------------


def h1_in_table(n: int) -> bytes:
    return (HEAD + "<table><tr><td>" + "<h1>一</h1>" * n + "</td><td>1</td></tr></table>" + TAIL).encode()


def test_many_h1_inside_a_data_table() -> None:
    """Each <h1> in a data table once walked the whole table (40,000 of them: 7 s)."""
    assert_linear(parse, h1_in_table(4_000), h1_in_table(32_000))


def test_an_h1_outside_data_tables_is_still_the_title() -> None:
    page = (HEAD + "<table><tr><td><h1>表内标题</h1>1</td></tr></table><table><tr><td><table><tr><td>x</td></tr>"
            "</table><h1>某某局2022年政府信息公开工作年度报告</h1></td></tr></table>" + TAIL).encode()  # fmt: skip
    doc = parse_html(page)
    assert doc.title == "某某局2022年政府信息公开工作年度报告"


def result_rows(n: int) -> Document:
    """Table 2 with n result rows of their own (a label the template lacks), 500 to a grid."""
    grids: list[str | Grid] = [Grid(rows=[["申请人情况", "自然人"], ["（三）不予公开", *["0"] * 7]])]
    for start in range(0, n, 500):
        grids.append(Grid(rows=[[f"{i + 1}.其他情形第{i + 1}种", *["1"] * 7] for i in range(start, start + 500)]))
    return Document(blocks=grids)


class CountingList(list):
    """A list that counts the elements a membership test reads."""

    scanned = 0

    def __contains__(self, item: object) -> bool:
        CountingList.scanned += len(self)
        return super().__contains__(item)


def test_many_result_rows_in_table_2() -> None:
    """Each result row was looked for in the list of those before it (40,000 rows: 8 s): the work
    of those searches is counted, as it hides in one C call per row."""
    n = 4_000
    report = Report(result_rows=CountingList())
    CountingList.scanned = 0
    read_tables(result_rows(n), report)
    assert len(report.result_rows) == n + 1  # and （三）不予公开's own row
    assert CountingList.scanned <= 10 * n
    with time_limit(30):
        assert len(parse(_result_rows_page(40_000)).applications) > 40_000


def _result_rows_page(n: int) -> bytes:
    rows = [f"<tr><td>{i + 1}.其他情形第{i + 1}种</td>" + "<td>1</td>" * 7 + "</tr>" for i in range(n)]
    tables = ["<table>" + "".join(rows[i : i + 500]) + "</table>" for i in range(0, n, 500)]
    return (HEAD + "<table>" + T2_HEAD + "<tr><td>（三）不予公开</td>" + "<td>0</td>" * 7 + "</tr></table>"
            + "".join(tables) + TAIL).encode()  # fmt: skip


def long_cell_text(lines: int) -> bytes:
    return (f"{TITLE}\n\n\t信息内容\n\t本年制发件数\n\n\t规章\n" + "续行文字\n" * lines).encode()


def test_a_text_cell_over_many_lines() -> None:
    """A cell broken over lines was copied each time a line was added (6 MB: 113 s)."""
    assert_linear(lambda data: parse(data, "text"), long_cell_text(20_000), long_cell_text(160_000))


def test_blank_cells_before_the_numbers() -> None:
    """Blank cells were popped one by one from the front of a row (1 MB: 52 s)."""
    assert_linear(lambda values: _align(values, 1), [""] * 100_000 + ["1"], [""] * 800_000 + ["1"])
    assert _align(["", "", "1", "2", "", ""], 2) == ["1", "2"]


def heads_then_rows(heads: int, rows: int = 40_000) -> bytes:
    head = "信息内容\t" + "\t".join(f"本年制发件数{i}" for i in range(heads)) + "\t说明\n"
    body = "".join(("说明\n" if i % 10_000 == 0 else "") + "规章\t1\n" for i in range(rows))
    return (f"{TITLE}\n\n" + head * 5 + body).encode()


def test_table_1_heads_are_read_once_not_once_a_row() -> None:
    """Table 1's fields were made from its heads again for every row: a row's cost grew with the
    number of heads. Now 990 heads cost their rows no more than 1 does."""
    few, many = heads_then_rows(1), heads_then_rows(990)
    with time_limit(60):
        t_few = min(cpu_seconds(lambda: parse(few, "text")) for _ in range(3))
        t_many = min(cpu_seconds(lambda: parse(many, "text")) for _ in range(3))
    assert t_many <= 2.5 * max(t_few, 0.01), f"999 heads: {t_many:.2f} s, 1 head: {t_few:.2f} s"


def long_title(n: int) -> bytes:
    return f"<html><head><title>{'关于' * n}</title></head><body><p>x</p></body></html>".encode()


def test_a_title_of_guanyu_repeated() -> None:
    """关于…的通知 was tried from every 关于 of a title, each time to its end."""
    assert_linear(parse, long_title(10_000), long_title(80_000))
    assert isinstance(parse(long_title(10)), ParseError)


def test_a_date_label_then_much_white_space() -> None:
    """Two white-space runs side by side in the date pattern: a label followed by the joined empty
    cells of a metadata table row took minutes."""
    assert_linear(_PUBLISHED.search, "发布日期" + " " * 20_000, "发布日期" + " " * 160_000)
    assert _PUBLISHED.search("发布日期 ： 2023-01-20").groups() == ("2023", "01", "20")


def test_a_page_holding_nearly_every_private_use_character() -> None:
    def page(n: int) -> bytes:
        return (HEAD + "<p>正文</p>" * n + "<p>" + "".join(map(chr, range(0xE000, 0xF8F0))) + "</p>" + TAIL).encode()

    assert_linear(parse, page(20_000), page(160_000))


# --- caps: a table or page far past any report's size is a clear ParseError ------------------------


@pytest.mark.parametrize(
    ("page", "kind", "says"),
    [
        (HEAD + "<table>" + "<tr><td>1</td></tr>" * 20_001 + "</table>" + TAIL, "html", "20,001 rows"),
        (HEAD + "<table><tr>" + "<td>1</td>" * 1_001 + "</tr></table>" + TAIL, "html", "1,001 columns"),
        (HEAD + "<table>" + ("<tr>" + "<td>1</td>" * 600 + "</tr>") * 200 + "</table>" + TAIL, "html", "cells"),
        (HEAD + "<table><tr><td colspan=64 rowspan=2000>x</td></tr>" + "<tr></tr>" * 1999 + "</table>" + TAIL,
         "html", "cells"),
        (HEAD + ("<table><tr><td colspan=64 rowspan=1500>x</td></tr>" + "<tr></tr>" * 1499 + "</table>") * 6 + TAIL,
         "html", "table cells"),
        (f"{TITLE}\n" + "规章\t1\t2\n" * 20_001, "text", "20,001 rows"),
        (f"{TITLE}\n" + ("规章" + "\t1" * 1_000 + "\n") * 5, "text", "1,001 columns"),
        (f"{TITLE}\n" + "".join("\t1\n" for _ in range(1_001)), "text", "1,001 columns"),
        (f"{TITLE}\n" + ("说明\n" + ("1\t" * 900 + "\n") * 100) * 6, "text", "table cells"),
    ],
    ids=["html-rows", "html-columns", "html-cells", "html-spans", "html-page", "text-rows", "text-columns",
         "text-cell-per-line", "text-page"],
)  # fmt: skip
def test_a_table_past_the_caps_is_a_parse_error(page: str, kind: str, says: str) -> None:
    with time_limit(10), pytest.raises(ParseError) as info:
        parse_bytes(page.encode(), kind)
    assert says in str(info.value) and "more than any report" in str(info.value)


# --- bounded memory ---------------------------------------------------------------------------------


def test_unique_giant_cells_are_not_kept() -> None:
    """The label and number look-ups kept every cell they saw (500 pages with a unique 1.5 MB cell
    each: 1.5 GB); only short texts are kept now, a bounded number of them."""
    page = SAMPLE.read_bytes()
    at = page.index(b"</body>")
    parse(page)  # warm: imports, the memos' short entries
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(20):
            cell = f"第{i}号".encode() + "某".encode() * 150_000  # 300 KB in memory, unique
            parse(page[:at] + b"<table><tr><td>" + cell + b"</td><td>1</td></tr></table>" + page[at:])
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 2_000_000, f"{grown:,} bytes kept after the pages were parsed"


def test_the_memos_hold_short_texts_only() -> None:
    from parsers import labels, numbers

    numbers.parse_number("9" * 10_000)
    labels.norm("x" * 10_000)
    for fn in (numbers.parse_number, numbers.has_note, labels.norm, labels.strip_numbering, labels.top_row_key):
        held = fn.__self__
        assert isinstance(held, memo.Memo) and len(held) <= memo.ENTRIES
        assert all(len(key) <= memo.LONGEST for key in held)


# --- every failure a ParseError of one line: the crashes found -----------------------------------------


def test_a_number_of_more_than_4300_digits() -> None:
    """int() refuses past 4,300 digits (ValueError); the store's JSON holds 64-bit integers only."""
    for digits in ("9" * 5_000, "12345678901234567890", "0" * 5_000 + "7"):
        page = (HEAD + "<table>" + T2_HEAD + "<tr><td>一、本年新收政府信息公开申请数量</td>"
                + f"<td>{digits}</td>" + "<td>1</td>" * 6 + "</tr></table>" + TAIL).encode()  # fmt: skip
        report = parse(page)
        assert isinstance(report, Report)
        cell = report.applications["new_received"]["natural_person"]
        if digits.lstrip("0") == "7":
            assert cell == 7
        else:  # a number cell that cannot be read: no value, its text kept as the cell's note
            assert cell is None
            assert report.notes["applications.new_received.natural_person"] == digits
        orjson.dumps(report.to_json())


NOT_PAGE_CODECS = ["base64", "rot13", "hex", "zlib", "bz2", "uu", "quopri", "idna", "punycode", "utf-7",
                   "undefined", "unicode_escape", "raw_unicode_escape"]  # fmt: skip


@pytest.mark.parametrize("codec", NOT_PAGE_CODECS)
def test_a_charset_that_no_page_is_in_is_ignored(codec: str) -> None:
    """codecs.lookup finds these, but they are no text encoding or decode no page: a page naming one
    is read as if it named none (it was refused, or crashed the text path with LookupError)."""
    text = SEED_000.read_bytes()
    want = parse_bytes(text, "text").report.to_json()
    assert parse_bytes(text, "text", codec).report.to_json() == want
    assert parse_bytes(f'<meta charset="{codec}">\n'.encode() + text, "text").report.to_json() == want
    page = SAMPLE.read_bytes()
    assert parse_bytes(page.replace(b"<head>", f'<head><meta charset="{codec}">'.encode(), 1), "html").report.to_json() \
        == parse_bytes(page, "html").report.to_json()  # fmt: skip


ALL_CODECS = sorted({m.name for m in pkgutil.iter_modules(encodings.__path__)} | set(encodings.aliases.aliases))


def test_every_codec_python_knows() -> None:
    page = SAMPLE.read_bytes()
    text = SEED_000.read_bytes()
    failures = []
    for codec in ALL_CODECS:
        for data, kind in ((page.replace(b"<head>", f'<head><meta charset="{codec}">'.encode(), 1), "html"),
                           (text, "text")):  # fmt: skip
            found = problem(Input(data, kind, codec, codec))
            if found:
                failures.append(f"{codec} ({kind}): {found}")
    assert not failures, "\n".join(failures)


def test_a_utf7_page_holding_a_lone_surrogate() -> None:
    """UTF-7 decodes +2AA- to a lone surrogate, which no UTF-8 text can hold."""
    body = (
        f"{TITLE}\n\n一、总体情况\n\n".encode("utf-7") + b"+2AA-" + "\n\n二、主动公开政府信息情况\n\n".encode("utf-7")
    )
    for case in (Input(body, "text", "utf-7", "declared"), Input(b"<meta charset=utf-7>" + body, None, None, "meta")):
        assert problem(case) is None


def test_a_parser_bug_is_a_one_line_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last resort where parsing is entered: an unexpected exception leaves as ParseError."""

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr("parsers.load.extract", broken)
    with pytest.raises(ParseError) as info:
        parse_bytes(SEED_000.read_bytes(), "text")
    assert str(info.value) == "parser error: RuntimeError: a bug over two lines"
    assert isinstance(info.value.__cause__, RuntimeError)


class Budget(Exception):
    """What a caller's time budget raises into a parse from its signal handler."""


@pytest.mark.parametrize("raised", [Budget("parsing took more than 1 s"), MemoryError(), KeyboardInterrupt()])
def test_a_callers_own_exception_passes_the_guard(monkeypatch: pytest.MonkeyPatch, raised: BaseException) -> None:
    """A time budget's exception, MemoryError under a memory limit: the caller's to handle, as raised."""

    def interrupted(*args, **kwargs):
        raise raised

    monkeypatch.setattr("parsers.load.extract", interrupted)
    with pytest.raises(type(raised)) as info:
        parse_bytes(SEED_000.read_bytes(), "text")
    assert info.value is raised


def test_crawl_parse_prints_no_traceback_for_a_page_that_crashed_it(tmp_path: Path) -> None:
    """A text file naming base64 as its charset printed a LookupError traceback: now it is read."""
    named = tmp_path / "base64.txt"
    named.write_bytes(b'<meta charset="base64">\n' + SEED_000.read_bytes())
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"x\x00" * 10)  # binary: refused with one line, as before
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "parse", str(named), str(junk), str(SEED_000)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.splitlines() == [f"crawl parse: {junk}: binary data, not a report page or text"]
    assert proc.stdout.count("北京市西城区人民政府外事办公室2021年政府信息公开工作年度报告") >= 2
