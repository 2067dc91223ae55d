"""Which images of a report page are its report's pages (图片版: a report published as scans of its
pages), and, for a page saved to disk, the files those images are beside it. The crawl fetches them
by URL (crawler.page_images); `crawl parse PAGE.html` reads them from the page's folder."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from parsers.errors import ParseError

_IMG = re.compile(rb"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)
# Pictures every page of a portal shows: its logo, icons, buttons, QR codes (二维码: ewm).
_CHROME = re.compile(rb"logo|icon|banner|button|btn|nav|search|qr|ewm|header|footer|top|bottom|bg", re.I)
MAX_IMAGES = 60  # pages of a report shown as images; more is no report page


def page_images(body: bytes) -> list[bytes]:
    """The images of a page other than the portal's own chrome: a report published as scanned
    pages shows several (only pages whose title names a report get here, so this is rare)."""
    return [src for src in _IMG.findall(body) if not _CHROME.search(src)]


def image_sources(body: bytes) -> list[str]:
    """The page images' src attributes as written, in the page's order, once each."""
    found = [src.decode("utf-8", "replace").strip() for src in page_images(body)]
    return list(dict.fromkeys(found))[:MAX_IMAGES]


def images_beside(page: Path, sources: list[str]) -> list[tuple[str, bytes]]:
    """The page images of a page saved at `page`, read from its folder: each src as a path relative
    to it (a browser's "save page" folder), else its file name beside the page (a page saved at
    its URL's path, `crawl check --save`, with its images, whatever the src's host or path).
    (name, bytes) in the page's order; a ParseError of one line naming those not there."""
    folder = page.resolve().parent
    found: list[tuple[str, bytes]] = []
    missing: list[str] = []
    for src in sources:
        path = _beside(folder, src)
        if path is None:
            missing.append(src)
            continue
        try:
            found.append((path.relative_to(folder).as_posix(), path.read_bytes()))
        except OSError as exc:
            raise ParseError(f"cannot read page image {path}: {exc.strerror or exc}") from None
    if missing:
        raise ParseError(
            f"{len(missing)} of the page's {len(sources)} page images (图片版) are not beside it in {page.parent}: "
            + ", ".join(missing)
        )
    return found


def _beside(folder: Path, src: str) -> Path | None:
    parts = urlsplit(src)
    if parts.scheme not in ("", "http", "https"):  # data:, javascript: … name no file
        return None
    path = unquote(parts.path)
    candidates = [] if parts.netloc or path.startswith("/") else [folder / path]
    candidates.append(folder / Path(path).name)
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_relative_to(folder) and resolved.is_file():  # nothing outside the page's folder
            return resolved
    return None
