"""parsers.encoding: which encoding a page is in (BOM, HTTP header, <meta charset>, the bytes)."""

from __future__ import annotations

import codecs

import pytest

from parsers.encoding import normalise_encoding, sniff, sniff_encoding

TEXT = "北京市西城区人民政府2020年政府信息公开工作年度报告。" * 20
PAGE = "<html><head><meta charset='{}'></head><body>" + TEXT + "</body></html>"


@pytest.mark.parametrize(
    ("name", "codec"),
    [
        ("GBK", "gb18030"),  # the GB family is read as its superset
        ("gb2312", "gb18030"),
        ("cp936", "gb18030"),
        (" gbk ", "gb18030"),
        ("GB18030", "gb18030"),
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ('"utf-8"', "utf-8"),  # quoted, as some headers have it
        ("big5", "big5"),
        ("nonsense", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_encoding(name: str | None, codec: str | None) -> None:
    assert normalise_encoding(name) == codec


def test_a_bom_decides_first() -> None:
    assert sniff(codecs.BOM_UTF8 + TEXT.encode("utf-8"), "gbk") == ("utf-8", False)
    assert sniff_encoding(TEXT.encode("utf-16")) == "utf-16"


def test_the_header_then_the_meta_charset() -> None:
    gbk = PAGE.format("gbk").encode("gbk")
    assert sniff_encoding(gbk) == "gb18030"  # <meta charset>
    assert sniff_encoding(PAGE.format("utf-8").encode("utf-8"), "gb2312") == "gb18030"  # the header wins
    meta = b"<meta http-equiv='Content-Type' content='text/html; charset=GB2312'>" + TEXT.encode("gbk")
    assert sniff_encoding(meta) == "gb18030"


@pytest.mark.parametrize("claimed", ["iso-8859-1", "latin-1", "cp1252", "ascii"])
def test_a_declared_latin1_is_not_believed(claimed: str) -> None:
    """Portals' error pages claim latin-1 for GBK bodies: the bytes decide."""
    assert sniff_encoding(TEXT.encode("gbk"), claimed) == "gb18030"
    assert sniff_encoding(TEXT.encode("utf-8"), claimed) == "utf-8"


def test_undeclared_pages_are_told_by_their_bytes() -> None:
    assert sniff(TEXT.encode("utf-8")) == ("utf-8", True)  # decoded whole already: no need to again
    assert sniff(TEXT.encode("gbk")) == ("gb18030", False)


def test_utf8_with_a_stray_byte_is_still_utf8() -> None:
    data = TEXT.encode("utf-8")
    assert sniff_encoding(data[:-1] + b"\xff" + data) == "utf-8"
