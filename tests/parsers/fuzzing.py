"""Mutated real pages for the parser's fuzz test (tests/parsers/test_fuzz.py).

Each input is a real report page or text rendering (tests/fixtures/seeds, html, samples) put
through a few of the mutations a broken or hostile portal makes: bytes flipped, the page cut
short or spliced with another, table rows duplicated, tag soup and entities inserted, its
charset swapped or declared wrongly, a number cell made enormous, a cell made huge. The same
seed gives the same inputs on every run.

Each parsed report is also put through every check (checks.assess), so a check's crash is
found too. Run it as a script to hunt for crashes at a larger scale (it prints every input that raises
something other than ParseError, or that takes longer than --slow seconds, and can save them
as regression cases under tests/fixtures/fuzz/):

    .venv/bin/python -m tests.parsers.fuzzing --inputs 50000 --seed 1 [--save]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import random
import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsers.model import Report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REGRESSIONS = FIXTURES / "fuzz"


@dataclass(frozen=True)
class Input:
    data: bytes
    kind: str | None  # "html", "text" or None (sniffed), as parse_bytes takes it
    encoding: str | None  # the charset an HTTP header declares, or None
    how: str  # the seed and the mutations, for the failure message

    def name(self) -> str:
        return hashlib.sha1(self.data + repr((self.kind, self.encoding)).encode()).hexdigest()[:16]


def seed_pages() -> list[tuple[str, bytes, str]]:
    """(name, bytes, kind) of every real page the corpus starts from."""
    pages = []
    for pattern, kind in (("seeds/*.txt", "text"), ("html/*.html", "html"), ("samples/*.html", "html")):
        for path in sorted(FIXTURES.glob(pattern)):
            pages.append((path.name, path.read_bytes(), kind))
    return pages


# --- the mutations: (rnd, page bytes, others) -> page bytes ----------------------------------

CODECS = [
    "utf-8", "gbk", "gb2312", "gb18030", "big5", "utf-16", "utf-16-le", "utf-32", "latin-1", "ascii",
    "shift_jis", "euc-kr", "koi8-r", "cp037", "hz", "iso2022_jp", "utf-8-sig",
    # not text encodings, or ones no browser reads a page in
    "base64", "rot13", "hex", "zlib", "bz2", "uu", "quopri", "idna", "punycode", "utf-7",
    "unicode_escape", "raw_unicode_escape", "undefined", "charmap", "no-such-codec", "",
]  # fmt: skip
SOUP = [
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "<td rowspan=2000>", "<td colspan=64>",
    '<td rowspan="1e999" colspan="-3">', "<h1>", "</h1>", "<h1>关于印发年度报告的通知</h1>", "<br>", "<p>", "</p>",
    "<div>", "</div>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<?xml?>",
    "&#xE000;", "&#57344", "&#xD800;", "&#0;", "&#x110000;", "&nbsp;", "&", "<", ">", "\x00", "\ufeff", "\ue001",
    "<meta charset=base64>", '<meta http-equiv="refresh" content="0;url=x">', "<a href='javascript:x'>", "</a>",
    "<title>", "</title>", "<head>", "</body>", "</html>", "<html>", "<frameset>", "<template>", "<noscript>",
    "<svg><desc><table>", "<math>", "\r", "\r\n\r\n", "\t", "|", "\u3000", "\u2028", "\x1c", "\x85",
    "发布日期：", "日期", "2021年", "1.", "（三）不予公开", "申请人情况", "信息内容", "行政复议", "四、结转下年度继续办理",
    "共收到申请,件", "共收到政府信息公开申请5件", "未收到", "解读", "年度报告",
]  # fmt: skip
BIG_CELLS = [
    lambda rnd: "9" * rnd.choice((16, 20, 400, 4301, 6000)),
    lambda rnd: "１" * rnd.choice((20, 5000)),
    lambda rnd: "-" + "9" * 5000 + ".5",
    lambda rnd: "1" * 400 + "." + "1" * 400,
    lambda rnd: "1," * 3000 + "1",
    lambda rnd: "1(" + ")" * 3000,
    lambda rnd: "日期" + " " * rnd.randint(1000, 20000),
    lambda rnd: "关于" * rnd.randint(500, 5000),
    lambda rnd: "(" * 3000 + "2019年",
    lambda rnd: "一" * 5000 + "、",
    lambda rnd: "\ue000\ue001\ue002\ue003" * rnd.randint(1, 2000),
    lambda rnd: "x" * rnd.randint(10_000, 100_000),
    lambda rnd: " \u3000\t" * rnd.randint(1000, 10000),
]


def _at(rnd: random.Random, data: bytes) -> int:
    return rnd.randrange(len(data) + 1)


def flip_bytes(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 32)):
        if out:
            out[rnd.randrange(len(out))] = rnd.randrange(256)
    return bytes(out)


def truncate(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    cut = _at(rnd, data)
    return data[:cut] if rnd.random() < 0.7 else data[cut:]


def drop_slice(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    a = _at(rnd, data)
    return data[:a] + data[a + rnd.randint(1, 4000) :]


def splice(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    other = rnd.choice(others)
    a, b = sorted((_at(rnd, other), _at(rnd, other)))
    at = _at(rnd, data)
    return data[:at] + other[a:b] + data[at:]


_ROW = re.compile(rb"<tr[\s>].*?(?=<tr[\s>]|</table)", re.S | re.I)


def duplicate_rows(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """A table row (an HTML <tr>, or a line of a text rendering) repeated many times."""
    rows = list(_ROW.finditer(data)) or list(re.finditer(rb"[^\n]*\t[^\n]*\n", data))
    if not rows:
        return data
    row = rnd.choice(rows)
    times = rnd.choice((2, 3, 10, 100, 1000))
    return data[: row.end()] + row.group() * times + data[row.end() :]


def tag_soup(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    for _ in range(rnd.randint(1, 12)):
        at = _at(rnd, data)
        token = rnd.choice(SOUP) * rnd.choice((1, 1, 1, 5, 200))
        data = data[:at] + token.encode("utf-8") + data[at:]
    return data


_CHARSET = re.compile(rb"charset\s*=\s*[\"']?[A-Za-z0-9_.:-]*", re.I)


def swap_charset(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """Declare another charset (a text encoding or not), or re-encode the page in another one."""
    name = rnd.choice(CODECS).encode()
    roll = rnd.random()
    if roll < 0.4 and _CHARSET.search(data):
        return _CHARSET.sub(b"charset=" + name, data, count=1)
    if roll < 0.7:
        return b'<meta charset="' + name + b'">' + data
    target = rnd.choice(["gb18030", "big5", "utf-16", "utf-16-le", "utf-7", "shift_jis", "latin-1", "cp037"])
    text = data.decode("gb18030" if b"charset=gb" in data[:2048].lower() else "utf-8", errors="replace")
    return text.encode(target, errors="replace")


_DIGITS = re.compile(rb"(?<=>|\t|\|)\s*\d+\s*(?=<|\t|\||\n)")


def number_bomb(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """A number cell replaced with an enormous or absurd one."""
    cells = list(_DIGITS.finditer(data))
    if not cells:
        return data
    cell = rnd.choice(cells)
    return data[: cell.start()] + rnd.choice(BIG_CELLS[:6])(rnd).encode() + data[cell.end() :]


def cell_bomb(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """A huge or pathological cell or line somewhere in the page."""
    at = _at(rnd, data)
    return data[:at] + rnd.choice(BIG_CELLS)(rnd).encode() + data[at:]


def text_form(rnd: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """A text rendering's separators swapped, its lines joined or broken."""
    choice = rnd.randrange(5)
    if choice == 0:
        return data.replace(b"\t", b"|")
    if choice == 1:
        return data.replace(b"\n\n", b"\n")
    if choice == 2:
        return data.replace(b"\n", b"\r")
    if choice == 3:
        return data.replace(b"\t", b"\n\t")
    return data.replace(b"\n", b"\n\t" * rnd.randint(1, 3))


MUTATIONS: list[Callable[[random.Random, bytes, list[bytes]], bytes]] = [
    flip_bytes, truncate, drop_slice, splice, duplicate_rows, tag_soup, swap_charset, number_bomb, cell_bomb,
    text_form,
]  # fmt: skip
MAX_INPUT = 300_000  # keeps a run of thousands of inputs within seconds: the hostile sizes are bench/hostile.py's


def inputs(n: int, seed: int = 0) -> Iterator[Input]:
    """n mutated pages, the same for the same seed."""
    rnd = random.Random(seed)
    pages = seed_pages()
    bodies = [data for _, data, _ in pages]
    for _ in range(n):
        name, data, kind = rnd.choice(pages)
        steps = []
        for _ in range(rnd.choice((1, 1, 2, 3))):
            mutate = rnd.choice(MUTATIONS)
            mutated = mutate(rnd, data, bodies)
            if len(mutated) <= MAX_INPUT:
                data = mutated
                steps.append(mutate.__name__)
        kind = rnd.choice((kind, kind, None))
        declared = rnd.choice(CODECS) if rnd.random() < 0.1 else None
        yield Input(data, kind, declared, f"{name}: {' + '.join(steps) or 'as is'}")


# --- checking one input ---------------------------------------------------------------------


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the run) when the body takes longer than `seconds`: a stall guard."""

    def on_alarm(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def assess(report: Report) -> None:
    """Every check of checks.assess on the parsed report, as the crawl runs them, its findings set.
    The report stands as its own year N-1 too, so the continuity rules see the mutated numbers on
    both sides, and a URL of another year brings in url_year_mismatch."""
    from checks.assess import assess_report

    url_year = report.year + 1 if isinstance(report.year, int) else 2021
    report.findings = assess_report(report, url_year, previous=report)


def problem(case: Input, seconds: float = 5.0) -> str | None:
    """What is wrong with parsing and checking this input, or None: parse_bytes must return a
    report whose text is valid UTF-8, or raise ParseError (NotAReport and NoReportText are
    ParseErrors) with one line, and do it within `seconds`; the checks (assess) must then run
    on that report without raising. A parser error the last-resort guard caught is a problem too:
    it hides a bug (its cause is named)."""
    from parsers.errors import ParseError
    from parsers.load import parse_bytes

    try:
        with time_limit(seconds):
            parsed = parse_bytes(case.data, case.kind, case.encoding)
    except ParseError as exc:
        message = str(exc)
        if not message or "\n" in message or len(message.splitlines()) != 1:
            return f"ParseError not of one line: {message!r:.200}"
        if message.startswith("parser error:"):
            return f"the guard caught {message:.200}"
        return None
    except Exception as exc:  # noqa: BLE001 - what the test is for
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    try:
        with time_limit(seconds):
            assess(parsed.report)
    except Exception as exc:  # noqa: BLE001 - a check's crash is what this catches
        return f"in the checks: {type(exc).__name__}: {str(exc)[:200]}"
    try:  # what the store and the terminal will do with it (the findings included)
        "\n".join(parsed.records).encode("utf-8")
        str(parsed.report.to_json()).encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text that is not UTF-8: {exc}"
    return None


# --- regression cases: tests/fixtures/fuzz/NAME.{html,txt,bin} (+ NAME.encoding) -------------------

_SUFFIX = {"html": ".html", "text": ".txt", None: ".bin"}


def save(case: Input, folder: Path = REGRESSIONS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (case.name() + _SUFFIX[case.kind])
    path.write_bytes(case.data)
    if case.encoding is not None:
        path.with_suffix(".encoding").write_text(case.encoding + "\n")
    return path


def saved(folder: Path = REGRESSIONS) -> list[Input]:
    kinds = {suffix: kind for kind, suffix in _SUFFIX.items()}
    cases = []
    for path in sorted(folder.glob("*")):
        if path.suffix not in kinds:
            continue
        declared = path.with_suffix(".encoding")
        encoding = declared.read_text().strip() if declared.exists() else None
        cases.append(Input(path.read_bytes(), kinds[path.suffix], encoding, path.name))
    return cases


def main() -> int:
    from parsers.errors import ParseError
    from parsers.load import parse_bytes

    ap = argparse.ArgumentParser(description="hunt for parser and check crashes and stalls in mutated real pages")
    ap.add_argument("--inputs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--slow", type=float, default=1.0, help="report inputs slower than this (s)")
    ap.add_argument("--save", action="store_true", help="save each crash under tests/fixtures/fuzz/")
    args = ap.parse_args()
    crashes, slowest, t0 = 0, 0.0, time.perf_counter()
    for case in inputs(args.inputs, args.seed):
        start = time.perf_counter()
        try:
            assess(parse_bytes(case.data, case.kind, case.encoding).report)
            error = None
        except ParseError as exc:
            error = None if "\n" not in str(exc) else f"ParseError of several lines: {exc!r}"
        except Exception as exc:  # noqa: BLE001 - what the hunt is for
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        took = time.perf_counter() - start
        slowest = max(slowest, took)
        if error or took > args.slow:
            crashes += bool(error)
            where = save(case) if args.save and error else ""
            print(f"{'CRASH' if error else 'SLOW'} {took:.2f}s {case.how} ({len(case.data)} B) {error or ''} {where}")
    print(f"{args.inputs} inputs in {time.perf_counter() - t0:.1f} s, {crashes} crashes, slowest {slowest:.2f} s")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
