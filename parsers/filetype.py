"""What a file is, from its bytes (magic numbers), not from its name.

Portals serve a report's attachment under any name (download.jsp?id=…, a .pdf that is an HTML
error page, a .doc that is really .docx), so the content decides. The one thing bytes cannot
tell is a Kingsoft WPS Writer file from a Word 97 one: WPS writes the same compound file with
the same WordDocument stream; only there does the name (.wps) choose the label.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

# The kinds a file can be; "html" and "text" are decided by parsers.load as before.
PDF, DOCX, DOC, WPS, XLSX, XLS, ODT, RTF, IMAGE = "pdf", "docx", "doc", "wps", "xlsx", "xls", "odt", "rtf", "image"
OTHER_OFFICE = "office"  # a compound or OOXML file that is none of the above (a .ppt, a .pptx)
FILE_KINDS = frozenset({PDF, DOCX, DOC, WPS, XLSX, XLS, ODT, RTF, IMAGE, OTHER_OFFICE})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff_file(data: bytes, name: str | None = None) -> str | None:
    """One of FILE_KINDS, or None for anything else (an HTML page, text, unknown bytes).

    name: the file name or URL it came from, used only to call a Word 97 compound file a .wps.
    """
    at = data.find(b"%PDF-", 0, 1024)
    if at == 0 or (at > 0 and b"<" not in data[:at]):  # a few bytes may come first (readers accept that)
        return PDF
    if data.startswith(_OLE):
        return _compound_kind(data, name)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith(b"{\\rtf"):
        return RTF
    if data.startswith(_IMAGES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP") or _bmp(data):
        return IMAGE
    return None


def _bmp(data: bytes) -> bool:
    """BM, the file's size, four reserved zero bytes: not a text that opens with "BM"."""
    return data[:2] == b"BM" and data[6:10] == b"\x00\x00\x00\x00" and len(data) >= 26


def _compound_kind(data: bytes, name: str | None) -> str:
    """A compound (OLE2) file: its directory names its streams in UTF-16."""
    if _utf16("WordDocument") in data:
        suffix = PurePosixPath((name or "").split("?")[0].split("#")[0]).suffix.lower()
        return WPS if suffix == ".wps" else DOC
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return XLS
    return OTHER_OFFICE


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names and z.read("mimetype").startswith(b"application/vnd.oasis.opendocument.text"):
                return ODT
            if "[Content_Types].xml" in names:
                return OTHER_OFFICE
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError):
        return None  # a broken or foreign zip: not a document we read
    return None


# What a reader is called in messages ("needs LibreOffice to read .wps").
LABELS = {
    PDF: ".pdf",
    DOCX: ".docx",
    DOC: ".doc",
    WPS: ".wps",
    XLSX: ".xlsx",
    XLS: ".xls",
    ODT: ".odt",
    RTF: ".rtf",
    IMAGE: "an image",
    OTHER_OFFICE: "an office file",
}
