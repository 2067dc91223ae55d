"""Which encoding a page is in: its BOM, the HTTP header, <meta charset>, then the bytes.

Portals serve UTF-8 and the GB family (read as their superset GB18030), often without saying
which, and sometimes saying wrongly (latin-1 on a GBK error page)."""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


# Codecs Python knows that no page is written in, whatever its <meta charset> says: they decode
# only strictly (idna, punycode: errors="replace" raises), always fail (undefined), or turn bytes
# into lone surrogates (utf-7, the escape codecs), which no UTF-8 text can hold. No browser reads a
# page in any of them either (the WHATWG encoding standard has none of them).
_NOT_PAGE_ENCODINGS = frozenset({"idna", "punycode", "undefined", "utf-7", "unicode-escape", "raw-unicode-escape"})


def normalise_encoding(name: str | None) -> str | None:
    """Canonical codec name; the GB family is read as its superset gb18030. None for a name that
    is no codec, or no text encoding a page can be in (base64, rot13, zlib, utf-7 …): a page that
    names one is read as if it named none."""
    if not name:
        return None
    try:
        info = codecs.lookup(name.strip().strip("\"'"))
    except (LookupError, ValueError):  # ValueError: a name with a NUL in it
        return None
    canon = info.name
    # _is_text_encoding is False for the bytes-to-bytes and str-to-str codecs (base64, hex, zlib,
    # bz2, uu, quopri, rot13): codecs.lookup finds them, but bytes.decode refuses them.
    if not getattr(info, "_is_text_encoding", True) or canon in _NOT_PAGE_ENCODINGS:
        return None
    if canon in ("gb2312", "gbk", "gb18030", "hz"):
        return "gb18030"
    return canon


def sniff_encoding(data: bytes, declared: str | None = None) -> str:
    """Pick the encoding: BOM, then the HTTP header, then <meta charset>, then detection.

    A declared latin-1 is distrusted: portals' error pages claim it for GBK bodies.
    """
    return sniff(data, declared)[0]


def sniff(data: bytes, declared: str | None = None) -> tuple[str, bool]:
    """sniff_encoding, and whether the whole page was decoded with it already (a 236 KB page
    takes ~0.25 ms to decode: the caller need not check it again)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", False
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", False
    for candidate in (declared, _meta_charset(data)):
        enc = normalise_encoding(candidate)
        if enc and enc not in ("latin-1", "iso8859-1", "cp1252", "ascii"):
            return enc, False
    try:
        data.decode("utf-8")
        return "utf-8", True
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return "utf-8", False
    try:
        data.decode("gb18030")
        return "gb18030", False  # decoded again by _parse_utf8, to re-encode it
    except UnicodeDecodeError:
        pass
    if data.decode("gb18030", errors="replace").count("\ufffd") <= max(3, len(data) // 1000):
        return "gb18030", False  # GBK with a few stray bytes
    from charset_normalizer import from_bytes  # only for pages that are neither

    best = from_bytes(data[:65536]).best()
    return normalise_encoding(best.encoding if best else None) or "utf-8", False


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few stray bad bytes (a pasted fragment, a cut character), not GBK: read as
    GB18030 (which often decodes UTF-8 bytes without error) it would be garbage throughout,
    while a GBK page read as UTF-8 is mostly U+FFFD."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    # GBK read as UTF-8: most of its characters are bad. The second test is for short pages, where
    # a few bad characters are within the allowance but are most of what there is.
    return bad <= max(3, non_ascii // 50) and non_ascii - bad >= 4 * bad


def _meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None
