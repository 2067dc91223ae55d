"""The further pages of a TRS list that its pagination script names (createPageHTML, countPage)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# TRS list pages write their page links from script: createPageHTML(count, current, "index", "html")
# (some with a leading element id: createPageHTML('page_div', 5, 0, 'index', 'html', 93)) links
# index.html, index_1.html … index_{count-1}.html; count and current (0-based) are numbers or
# variables (var countPage = 5). Older TRS templates only set countPage and write the links with
# document.write("<a href=\"index_" + nextPage + ...): the pages are then named as this one is.
_ARG = r"([A-Za-z_$][\w$]*|[0-9]{1,6})"
CREATE_PAGE_HTML = re.compile(
    rf"""createPageHTML\(\s*(?:["'][^"']*["']\s*,\s*)?{_ARG}\s*,\s*{_ARG}\s*,\s*["']([\w.-]+)["']\s*,\s*["'](\w+)["']""",
    re.ASCII,
)
SCRIPT_NUMBER = re.compile(r"""(?<![\w$.])([A-Za-z_$][\w$]*)\s*=\s*["']?([0-9]{1,6})(?![0-9])""", re.ASCII)
LIST_PAGE_NAME = re.compile(r"(?:(.+?)(?:_[0-9]+)?\.(s?html?))?", re.ASCII)  # index_3.html -> index, html
MAX_SCRIPT_PAGES = 500  # a list of 10,000 reports at 20 a page; a larger count is a broken script


def script_pages(script: str, page_url: str = "") -> list[str]:
    """The further pages of a list that a TRS pagination script writes links to, as relative URLs:
    pages 1 … count-1 but the current one. Page 0 (index.html) is the list's own address, which
    the crawl came in by (often as the folder, ./dcqzf2021/): asking for it again would fetch it twice."""
    variables = [(m.start(), m.group(1), int(m.group(2))) for m in SCRIPT_NUMBER.finditer(script)]

    def value(token: str, before: int) -> int:
        """A number, or the variable's value set last before `before` (0 if none)."""
        if token.isdigit():
            return int(token)
        return next((v for at, name, v in reversed(variables) if name == token and at < before), 0)

    def numbered(name: str, ext: str, count: int, here: int) -> list[str]:
        return [f"{name}_{i}.{ext}" for i in range(1, min(count, MAX_SCRIPT_PAGES)) if i != here]

    pages: list[str] = []
    for call in CREATE_PAGE_HTML.finditer(script):
        count, current, name, ext = call.groups()
        pages += numbered(name, ext, value(count, call.start()), value(current, call.start()))
    if not pages and value("countPage", len(script)) > 1:  # the older template: no call to read
        page = LIST_PAGE_NAME.fullmatch(urlsplit(page_url).path.rsplit("/", 1)[-1])
        if page:
            name, ext = page.groups() if page.group(1) else ("index", "html")
            pages = numbered(name, ext, value("countPage", len(script)), value("currentPage", len(script)))
    return list(dict.fromkeys(pages))
