"""Benchmark: parse + check of Word-exported report pages, against bare lxml on the same bytes.

    .venv/bin/python bench/parse.py [--pages N] [--seed S] [--profile]

Builds a few hundred report pages from the real seeds (tests/fixtures/seeds) and the
Shanghai sample, marked up the way portals publish Word exports: a <head> with Word's
style sheet and latent-style XML, mso styles on every paragraph and cell, a <span> per
run and per cell, numbers split over runs, the State Council template's rowspan/colspan
layout, portal chrome around the article; 100-350 KB a page, UTF-8 or GBK. Every page is
checked to parse to its seed's tables before timing, so the figures are for real work.

Then, in one run, single process, best of 3 passes (time.perf_counter; passes alternate
between the two and the best is kept per chunk of 25 pages, against a busy machine):
  - parsers.load.parse_bytes(page, "html") + checks.assess.assess_report: decode, lxml, grids,
    extraction, checks
  - parsers.html.parse_html(page) alone: bytes -> Document (where the HTML work is)
  - lxml.html.fromstring(page): the floor any lxml-based parser pays
and prints reports/s for each and their ratio. Goal (issue): >= 500 reports/s on one
core, and at most 2x the bare lxml time.

`--instructions N` also counts the instructions ours and bare lxml execute on the first N
pages, under valgrind's callgrind (about 1.5 s a page): a ratio that does not move with the
machine's load, which the seconds above do (by 10-15 % between runs on a shared machine).
"""

from __future__ import annotations

import argparse
import html
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import lxml.html  # noqa: E402

from checks.assess import assess_report  # noqa: E402
from parsers.document import Grid  # noqa: E402
from parsers.html import parse_html  # noqa: E402
from parsers.load import parse_bytes, parse_path  # noqa: E402
from parsers.numbers import parse_number  # noqa: E402

SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
SAMPLE = ROOT / "tests" / "fixtures" / "samples" / "shanghai-szfbgt-2019.html"
GOAL_RATE = 500.0
GOAL_RATIO = 2.0

# --- Word's markup ------------------------------------------------------------------

LATENT = "".join(
    f'<w:LsdException Locked="false" Priority="{i % 99}" SemiHidden="true" UnhideWhenUsed="true" Name="{name} {i}"/>\n'
    for i, name in enumerate(["Normal", "heading", "toc", "Table Grid", "List Paragraph", "Light Shading"] * 62)
)
STYLE_SHEET = (
    "<style>\n<!--\n /* Font Definitions */\n"
    + "".join(
        f"@font-face\n\t{{font-family:{f};\n\tpanose-1:2 1 6 0 3 1 1 1 1 1;\n\tmso-font-alt:SimSun;\n\t"
        f"mso-font-charset:134;\n\tmso-generic-font-family:auto;\n\tmso-font-pitch:variable;\n\t"
        f"mso-font-signature:3 680460288 22 0 262145 0;}}\n"
        for f in ("宋体", "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "Cambria Math", "Calibri")
    )
    + " /* Style Definitions */\n p.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{mso-style-unhide:no;"
    'mso-style-qformat:yes;mso-style-parent:"";margin:0cm;margin-bottom:.0001pt;text-align:justify;'
    "text-justify:inter-ideograph;mso-pagination:none;font-size:10.5pt;mso-bidi-font-size:12.0pt;"
    'font-family:"Calibri",sans-serif;mso-fareast-font-family:宋体;mso-font-kerning:1.0pt;}\n'
    "@page WordSection1\n\t{size:595.3pt 841.9pt;margin:72.0pt 90.0pt 72.0pt 90.0pt;mso-header-margin:42.55pt;"
    "mso-footer-margin:49.6pt;mso-paper-source:0;layout-grid:15.6pt;}\ndiv.WordSection1\n\t{page:WordSection1;}\n"
    "-->\n</style>\n"
)
HEAD_XML = (
    "<!--[if gte mso 9]><xml>\n <o:DocumentProperties>\n  <o:Author>user</o:Author>\n  <o:Pages>6</o:Pages>\n"
    ' </o:DocumentProperties>\n</xml><![endif]--><!--[if gte mso 9]><xml>\n <w:LatentStyles DefLockedState="false" '
    'DefUnhideWhenUsed="false" DefSemiHidden="false" DefQFormat="false" LatentStyleCount="371">\n'
    + LATENT
    + " </w:LatentStyles>\n</xml><![endif]-->\n"
)
RUN = ("<span style='font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;mso-bidi-font-family:"
       "宋体;color:black;mso-font-kerning:0pt'>")  # fmt: skip
RUN_EN = "<span lang=EN-US style='font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体;color:black'>"
TD = ("<td width={w}{span} valign=center style='width:{pt}pt;border-top:none;border-left:none;"
      "border-bottom:solid windowtext 1.0pt;border-right:solid windowtext 1.0pt;mso-border-top-alt:solid "
      "windowtext .5pt;mso-border-left-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;"
      "padding:0cm 5.4pt 0cm 5.4pt;height:15.75pt'>")  # fmt: skip
CELL_P = "<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>"
CELL_RUN = ("<span lang=EN-US style='font-size:10.0pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;"
            "mso-font-kerning:0pt'>")  # fmt: skip


def _runs(text: str, rnd: random.Random, longest: int) -> str:
    """Word cuts a paragraph into runs at every edit, font or language change."""
    out, i = [], 0
    while i < len(text):
        n = rnd.randint(1, longest)
        chunk = html.escape(text[i : i + n], quote=False)
        out.append(f"{RUN_EN if chunk[:1].isdigit() else RUN}{chunk}</span>")
        i += n
    return "".join(out)


def paragraph(text: str, rnd: random.Random, longest: int, bold: bool = False) -> str:
    body = _runs(text, rnd, longest)
    if bold:
        body = f"<b style='mso-bidi-font-weight:normal'>{body}</b>"
    return (f"<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;"
            f"mso-line-height-rule:exactly'>{body}<span lang=EN-US style='font-size:16.0pt'><o:p></o:p></span></p>\n")  # fmt: skip


def _is_value(text: str) -> bool:
    return bool(text.strip()) and parse_number(text)[1]


def cell(text: str, rnd: random.Random, rowspan: int, colspan: int, compact: bool) -> str:
    """A table cell, with Word's full border styles or (`compact`) the short form some exports use."""
    span = (f" rowspan={rowspan}" if rowspan > 1 else "") + (f" colspan={colspan}" if colspan > 1 else "")
    w = rnd.choice((38, 47, 57, 66, 137, 194))
    t = html.escape(text, quote=False)
    run = "<span lang=EN-US>" if compact else CELL_RUN
    if _is_value(text) and len(t) > 1 and rnd.random() < 0.3:
        cut = rnd.randrange(1, len(t))  # a number split over two runs
        body = f"{run}{t[:cut]}</span>{run}{t[cut:]}<o:p></o:p></span>"
    elif not text:
        body = f"{run}<o:p>&nbsp;</o:p></span>"
    else:
        body = f"{run}{t}<o:p></o:p></span>"
    if compact:
        td = f"<td width={w}{span} valign=top style='width:{w * 0.75:.2f}pt;border:solid windowtext 1.0pt'>"
        return f"{td}<p class=MsoNormal align=center>{body}</p></td>"
    return f"{TD.format(w=w, pt=round(w * 0.75, 2), span=span)}{CELL_P}{body}</p></td>"


def grid_markup(grid: Grid, rnd: random.Random, compact: bool) -> str:
    """A text grid back to a Word table: label cells a text rendering left blank under a
    rowspan are filled from above and folded into rowspan, short rows widen their last
    label (colspan), runs of one label fold into colspan."""
    rows = [list(r) for r in grid.rows]
    width = max(len(r) for r in rows)
    for r, row in enumerate(rows):
        last_label = max((i for i, t in enumerate(row) if t and not _is_value(t)), default=-1)
        if r and last_label > 0:
            for i in range(last_label):
                if not row[i] and i < len(rows[r - 1]) and rows[r - 1][i] and not _is_value(rows[r - 1][i]):
                    row[i] = rows[r - 1][i]
        if len(row) < width:
            fill = row[last_label] if last_label >= 0 and any(_is_value(t) for t in row) else ""
            at = last_label + 1 if fill else len(row)
            row[at:at] = [fill] * (width - len(row))
    covered: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        tds = []
        for c, text in enumerate(row):
            if (r, c) in covered:
                continue
            cs = rs = 1
            if text and not _is_value(text):
                while c + cs < width and row[c + cs] == text and (r, c + cs) not in covered:
                    cs += 1
                while (
                    r + rs < len(rows)
                    and all(rows[r + rs][k] == text for k in range(c, c + cs))
                    and (c + cs == width or rows[r + rs][c + cs] != text)
                ):
                    rs += 1
            for dr in range(rs):
                for dc in range(cs):
                    covered.add((r + dr, c + dc))
            tds.append(cell(text, rnd, rs, cs, compact))
        out.append(f"<tr style='mso-yfti-irow:{r};height:15.75pt'>{''.join(tds)}</tr>\n")
    return ("<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=614 "
            "style='width:460.5pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
            "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>\n<tbody>" + "".join(out)
            + "</tbody></table></div>\n")  # fmt: skip


def chrome(rnd: random.Random, n_links: int) -> tuple[str, str]:
    """A portal's header/navigation and footer around the article."""
    links = "".join(
        f"<li class='nav-item'><a href='/col/col{rnd.randrange(10**5)}/index.html' target='_blank' "
        f"title='栏目{i}'>栏目{i}</a></li>\n"
        for i in range(n_links)
    )
    top = (f"<div class='header'><div class='logo'><img src='/images/logo.png' alt='门户网站'></div>"
           f"<ul class='nav'>{links[: len(links) // 2]}</ul></div>\n<div class='position'>当前位置："
           "<a href='/'>首页</a> &gt; <a href='/zwgk/'>政务公开</a> &gt; 政府信息公开年报</div>\n")  # fmt: skip
    bottom = (f"<div class='footer'><ul class='links'>{links[len(links) // 2 :]}</ul>"
              "<p>主办单位：某某人民政府办公室　网站标识码：1100000000　京ICP备00000000号</p></div>\n")  # fmt: skip
    return top, bottom


def word_page(doc, title: str, rnd: random.Random, target: int) -> bytes:
    """A seed as a Word export pasted into a portal page of about `target` bytes: the finer
    Word cut the text into runs (each a styled <span>), the bigger the page."""
    gbk = rnd.random() < 0.3
    head = (f'<meta http-equiv=Content-Type content="text/html; charset={"gb2312" if gbk else "utf-8"}">'
            f'<meta name="ArticleTitle" content="{html.escape(title)}"><title>{html.escape(title)}</title>'
            + STYLE_SHEET + HEAD_XML)  # fmt: skip
    around = chrome(rnd, rnd.randint(30, 200))
    compact = target < 240_000  # Word's full cell styles alone make ~250 KB
    state = rnd.getstate()
    for longest in (80, 50, 30, 20, 14, 10, 7, 5, 4, 3, 2):
        rnd.setstate(state)  # the same page each time, only cut finer
        blocks = []
        for b in doc.blocks:
            if isinstance(b, Grid):
                blocks.append(grid_markup(b, rnd, compact))
            else:
                heading = len(b) < 30 and re.match(r"^[一二三四五六七八九十]+、", b) is not None
                blocks.append(paragraph(b, rnd, longest, bold=heading))
                if not heading and len(b) > 60 and rnd.random() < 0.3:  # vary the narrative
                    blocks.append(paragraph(b[::-1], rnd, longest))
        page = _page(head, "".join(blocks), title, around, rnd).encode("gb18030" if gbk else "utf-8")
        if len(page) >= target:
            break
    return page


def _page(head: str, article: str, title: str, chrome: tuple[str, str], rnd: random.Random) -> str:
    top, bottom = chrome
    return (
        "<html xmlns:v='urn:schemas-microsoft-com:vml' xmlns:o='urn:schemas-microsoft-com:office:office' "
        f"xmlns:w='urn:schemas-microsoft-com:office:word'>\n<head>{head}</head>\n<body lang=ZH-CN "
        f"style='tab-interval:21.0pt;text-justify-trim:punctuation'>\n{top}<div class='article'>"
        f"<div class=WordSection1 style='layout-grid:15.6pt'>\n<p class=MsoNormal align=center><b>"
        f"<span style='font-size:22.0pt;font-family:方正小标宋简体'>{html.escape(title)}</span></b></p>\n"
        f"{article}</div></div>\n{bottom}<script>var pageId={rnd.randrange(10**6)};</script></body></html>\n"
    )


# --- the corpus -------------------------------------------------------------------------


def signature(data: bytes) -> tuple:
    """What a page must parse to: its tables, year and the three tables' values."""
    r = parse_bytes(data, "html").report
    return (r.year, r.template, r.tables, r.applications, r.review_litigation)


def build(n_pages: int, seed: int) -> list[bytes]:
    rnd = random.Random(seed)
    sources = []
    for path in SEEDS:
        parsed = parse_path(path)
        r = parsed.report
        want = (r.year, r.template, r.tables, r.applications, r.review_litigation)
        sources.append((path.name, parsed.document, r.title, want))
    sample = SAMPLE.read_bytes()
    pages = [sample]
    while len(pages) < n_pages:
        name, doc, title, want = rnd.choice(sources)
        page = word_page(doc, title, rnd, rnd.randint(100_000, 350_000))
        got = signature(page)
        if got != want:
            raise SystemExit(f"bench: the Word page made from {name} does not parse to the seed's tables")
        pages.append(page)
    return pages


def one_pass(fn, pages: list[bytes]) -> float:
    t0 = time.perf_counter()
    for page in pages:
        fn(page)
    return time.perf_counter() - t0


def best_of(runs: int, fns: list, pages: list[bytes], chunk: int = 25) -> list[float]:
    """Time for each function to do every page, best of `runs` passes.

    The passes alternate between the functions and the best is taken per chunk of pages
    (then summed), so a machine that is busier in one moment than the next favours
    neither side and a burst of other work spoils one chunk's pass, not a whole run.
    """
    totals = [0.0] * len(fns)
    for at in range(0, len(pages), chunk):
        part = pages[at : at + chunk]
        best = [float("inf")] * len(fns)
        for _ in range(runs):
            for i, fn in enumerate(fns):
                best[i] = min(best[i], one_pass(fn, part))
        totals = [t + b for t, b in zip(totals, best)]
    return totals


def ours(page: bytes) -> None:
    assess_report(parse_bytes(page, "html").report)


def html_only(page: bytes) -> None:
    parse_html(page)


def bare_lxml(page: bytes) -> None:
    lxml.html.fromstring(page)


def count_instructions(pages: list[bytes]) -> None:
    """The ratio again, in instructions executed (valgrind's callgrind): unlike seconds on a
    shared machine, the same for the same code and pages in every run."""
    import pickle
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("valgrind"):
        print("instructions: valgrind not found (apt install valgrind)")
        return
    counts = {}
    with tempfile.NamedTemporaryFile(suffix=".pickle") as fh:
        pickle.dump(pages, fh)
        fh.flush()
        for mode in ("none", "lxml", "ours"):
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
                 "--count", mode, fh.name],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            found = re.search(r"Collected : (\d+)", done.stderr)
            if not found:
                print(f"instructions: callgrind failed ({done.stderr.strip().splitlines()[-1:]})")
                return
            counts[mode] = int(found.group(1))
    lxml_n, ours_n = counts["lxml"] - counts["none"], counts["ours"] - counts["none"]
    n = len(pages)
    print(f"instructions per page ({n} pages, callgrind): ours {ours_n / n / 1e6:.1f} M, "
          f"lxml {lxml_n / n / 1e6:.1f} M; ratio ours/lxml {ours_n / lxml_n:.2f}x")  # fmt: skip


def _count(mode: str, path: str) -> int:
    """Under callgrind: one mode over the pickled pages (after the same warm-up in every mode)."""
    import pickle

    with open(path, "rb") as fh:
        pages = pickle.load(fh)
    ours(pages[0]), bare_lxml(pages[0])  # imports, caches: the same in every mode
    for page in pages if mode != "none" else ():
        (ours if mode == "ours" else bare_lxml)(page)
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--count"]:
        return _count(sys.argv[2], sys.argv[3])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of one pass of ours")
    ap.add_argument("--instructions", type=int, metavar="N", default=0,
                    help="also count instructions for the first N pages under valgrind (~2 s a page)")  # fmt: skip
    args = ap.parse_args()

    t0 = time.perf_counter()
    pages = build(args.pages, args.seed)
    sizes = sorted(len(p) for p in pages)
    total = sum(sizes)
    print(f"corpus: {len(pages)} pages ({len(SEEDS)} seeds as Word exports + the Shanghai sample), "
          f"{total / 1e6:.1f} MB, {sizes[0] // 1024}-{sizes[-1] // 1024} KB, median {sizes[len(sizes) // 2] // 1024} KB "
          f"(built and verified in {time.perf_counter() - t0:.1f} s)")  # fmt: skip

    best_of(1, [ours, html_only, bare_lxml], pages[:20])  # warm up caches and imports
    t_ours, t_html, t_lxml = best_of(args.runs, [ours, html_only, bare_lxml], pages)
    n = len(pages)
    for name, t in (
        ("parse + assess (ours)", t_ours),
        ("  of which parse_html", t_html),
        ("lxml.html.fromstring", t_lxml),
    ):
        print(
            f"{name + ':':24}{t:7.3f} s  {n / t:7.1f} reports/s  {total / t / 1e6:6.1f} MB/s  {t / n * 1e3:5.2f} ms/page"
        )
    print(
        f"  parse_html alone is {t_html / t_lxml:.2f}x lxml; extraction + checks add {(t_ours - t_html) / n * 1e3:.2f} ms/page"
    )
    ratio = t_ours / t_lxml
    rate = n / t_ours
    print(
        f"ratio ours/lxml:        {ratio:7.2f}x  (goal <= {GOAL_RATIO:.0f}x: {'met' if ratio <= GOAL_RATIO else 'MISSED'})"
    )
    print(
        f"reports/s on one core:  {rate:7.1f}   (goal >= {GOAL_RATE:.0f}: {'met' if rate >= GOAL_RATE else 'MISSED'})"
    )
    if n / t_lxml < GOAL_RATE:
        print(f"  note: bare lxml itself manages {n / t_lxml:.0f} pages/s of this size here, so {GOAL_RATE:.0f}/s "
              f"cannot be met by any lxml-based parser on this machine")  # fmt: skip
    if args.instructions:
        count_instructions(pages[: args.instructions])
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for page in pages:
            ours(page)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
