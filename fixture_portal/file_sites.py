"""Fixture portals whose reports are published as files only (issue 13), as county portals do.

The files are the real ones of tests/fixtures/attachments (`files`: that folder; this package
imports nothing from tests/):

    pdf_site(files)    a county portal of 淮安 whose reports are PDFs only
        /xxgk/gknb/index.html                      the list (start_path)
        /xxgk/gknb/files/hongze-2024.pdf           linked from the list directly, by the report's title
        /xxgk/gknb/202501/t20250120_88231.html     huaian's report page: its title, 详见附件 and a link to
        /xxgk/gknb/202501/P020250120512345.pdf     huaian-2024.pdf, served as application/octet-stream
                                                   (the bytes say what it is, not the header)
    word_site(files, name)    a portal whose report page links a Word file
        /gknb/index.html                           the list (start_path)
        /gknb/2022/t20220120_1001.html             seed 000's report page: 详见附件, a link to the file
        /gknb/2022/P020220120.{ext of name}        the file (seed000.docx, or seed000.wps …)

    image_site(files)    洪泽区's report page published as images of its pages (图片版)
        /xxgk/gknb/index.html                      the list (start_path)
        /xxgk/gknb/202501/t20250122_90001.html     its title, its date and two <img>: no text, no file
        /xxgk/gknb/202501/W020250122P3.jpg, …P4.jpg  pages 3 and 4 of hongze-2024.pdf rendered at 150 dpi as
                                                   a scanner would (pypdfium2), cut to tables 2 and 3 and
                                                   their headings (OCR's seconds go with the text on a page)

Site.expected holds the URLs of the files a correct crawler stores the reports under; Site.traps
["pages"] the report pages that link them.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from fixture_portal.server import binary, html, robots
from fixture_portal.sites import Site

HONGZE = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
HUAIAN = "淮安市人民政府2024年政府信息公开工作年度报告"
SEED_000 = "北京市西城区人民政府外事办公室2021年政府信息公开工作年度报告"
_MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".wps": "application/kswps",
}


def _list(title: str, links: list[tuple[str, str, str]]) -> str:
    items = "".join(f'<li><a href="{escape(h)}" title="{escape(t)}">{escape(t)}</a><span>{d}</span></li>'
                    for h, t, d in links)  # fmt: skip
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><div class="list"><h2>{escape(title)}</h2><ul>{items}</ul></div></body></html>
"""


def attachment_page(title: str, stamp: str, href: str, link_text: str) -> str:
    """A report page that holds only the title and a link to the report's file (详见附件)."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><div class="article"><h1>{escape(title)}</h1><div class="info">发布日期：{stamp}</div>
<div class="content"><p>{escape(title)}详见附件。</p>
<p>附件：<a href="{escape(href)}">{escape(link_text)}</a></p></div></div></body></html>
"""


def pdf_site(files: Path) -> Site:
    site = Site("淮安市 (PDF-only fixture portal)", "/xxgk/gknb/index.html")
    site["/robots.txt"] = robots()
    hongze, huaian = "/xxgk/gknb/files/hongze-2024.pdf", "/xxgk/gknb/202501/P020250120512345.pdf"
    page = "/xxgk/gknb/202501/t20250120_88231.html"
    site[hongze] = binary((files / "hongze-2024.pdf").read_bytes(), "application/pdf")
    site[huaian] = binary((files / "huaian-2024.pdf").read_bytes())  # no type given: the bytes decide
    site[page] = html(attachment_page(HUAIAN, "2025-01-20 10:00", "./P020250120512345.pdf", f"{HUAIAN}.pdf"),
                      last_modified=datetime(2025, 1, 20, 10))  # fmt: skip
    site[site.start_path] = html(
        _list("政府信息公开年度报告", [(hongze, HONGZE, "2025-01-22"), (page, HUAIAN, "2025-01-20")])
    )
    site.expected += [hongze, huaian]
    site.traps["pages"] = page
    site.list_pages = [site.start_path]
    return site


def word_site(files: Path, name: str = "seed000.docx") -> Site:
    """Seed 000's report page with its report in a Word file `name` of `files` (.docx, .doc, .wps)."""
    site = Site("西城区外办 (Word fixture portal)", "/gknb/index.html")
    site["/robots.txt"] = robots()
    suffix = Path(name).suffix.lower()
    path, page = f"/gknb/2022/P020220120{suffix}", "/gknb/2022/t20220120_1001.html"
    site[path] = binary((files / name).read_bytes(), _MIME.get(suffix, "application/octet-stream"))
    site[page] = html(attachment_page(SEED_000, "2022-01-20 09:30", f"./P020220120{suffix}", f"{SEED_000}{suffix}"))
    site[site.start_path] = html(_list("政府信息公开年度报告", [(page, SEED_000, "2022-01-20")]))
    site.expected.append(path)
    site.traps["pages"] = page
    site.list_pages = [site.start_path]
    return site


# Pages of hongze-2024.pdf and the rows of pixels (at 150 dpi) shown of each: tables 2 and 3 with their
# headings, not the end of table 1 above them nor the text below (OCR costs seconds a page: keep it small).
IMAGE_PAGES = {3: (740, 1640), 4: (0, 990)}


def rendered_page(pdf: Path, number: int, rows: tuple[int, int] | None = None, dpi: int = 150) -> bytes:
    """Page `number` of a PDF as a JPEG, as a portal shows a scanned page (pypdfium2); `rows`: only
    those rows of pixels (top, bottom)."""
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        buf = io.BytesIO()
        image = doc[number - 1].render(scale=dpi / 72).to_pil().convert("RGB")
        if rows is not None:
            image = image.crop((0, rows[0], image.width, rows[1]))
        image.save(buf, "JPEG", quality=90)
        return buf.getvalue()
    finally:
        doc.close()


def image_page(title: str, stamp: str, images: list[str]) -> str:
    """A report page that shows the report as images of its pages (图片版): title, date, images."""
    shown = "".join(f'<p style="text-align:center"><img src="{escape(src)}" width="800"></p>' for src in images)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body><div class="header"><img src="/images/logo.png"></div>
<div class="article"><h1>{escape(title)}</h1><div class="info">发布日期：{stamp}</div>
<div class="content">{shown}</div></div></body></html>
"""


def image_site(files: Path) -> Site:
    """洪泽区's report published as images of its pages (图片版), linked from the list by its title."""
    site = Site("淮安市洪泽区 (图片版 fixture portal)", "/xxgk/gknb/index.html")
    site["/robots.txt"] = robots()
    page = "/xxgk/gknb/202501/t20250122_90001.html"
    images = [f"/xxgk/gknb/202501/W020250122P{n}.jpg" for n in IMAGE_PAGES]
    for (n, rows), path in zip(IMAGE_PAGES.items(), images):
        site[path] = binary(rendered_page(files / "hongze-2024.pdf", n, rows), "image/jpeg")
    site[page] = html(image_page(HONGZE, "2025-01-22 09:00", [p.rsplit("/", 1)[1] for p in images]),
                      last_modified=datetime(2025, 1, 22, 9))  # fmt: skip
    site[site.start_path] = html(_list("政府信息公开年度报告", [(page, HONGZE, "2025-01-22")]))
    site.expected.append(page)  # the report is stored under its page's URL
    site.traps["images"] = images
    site.list_pages = [site.start_path]
    return site
