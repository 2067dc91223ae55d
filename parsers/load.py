"""The entry points: a file or a fetched page -> (Document, Report with findings)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from parsers.checks import run_checks
from parsers.document import Document
from parsers.errors import NotAReport, ParseError
from parsers.extract import extract
from parsers.html import MAX_BYTES, parse_html, sniff_encoding
from parsers.model import Report
from parsers.text import parse_text

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".md", ".text"}


@dataclass
class Parsed:
    document: Document
    report: Report

    @property
    def records(self) -> list[str]:
        return self.document.records()


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<meta", b"<div", b"<p", b"<table"))


def to_document(data: bytes, kind: str | None = None, encoding: str | None = None) -> Document:
    """Bytes -> Document; kind is 'html' or 'text' (sniffed from the bytes when None)."""
    if kind is None:
        kind = "html" if looks_like_html(data) else "text"
    if kind == "html":
        return parse_html(data, encoding)
    if len(data) > MAX_BYTES:
        raise ParseError(f"file is {len(data) // 1_048_576} MB, larger than any report")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("binary data, not a report page or text")
    text = data.decode(sniff_encoding(data, encoding), errors="replace")
    return parse_text(text)


def parse_bytes(data: bytes, kind: str | None = None, encoding: str | None = None) -> Parsed:
    """Parse, extract and check one report. Raises NotAReport for a readable page that is not a
    report, ParseError for anything unreadable."""
    doc = to_document(data, kind, encoding)
    report = extract(doc)
    _require_report(report, doc)
    report.findings = run_checks(report)
    return Parsed(doc, report)


_REPORT_TITLE = re.compile(r"信息公开.{0,6}(年度报告|年报)|(年度报告|年报)$")
_NOT_REPORT_TITLE = re.compile(r"解读|图解|答记者问|问答|关于.*的通知|工作要点")


def _require_report(report: Report, doc: Document) -> None:
    """A page that only mentions 年度报告 (a 解读, a notice) is not a report."""
    title = report.title or ""
    if report.tables:
        return
    if not _REPORT_TITLE.search(title) or _NOT_REPORT_TITLE.search(doc.title or title):
        raise NotAReport(f"not an annual report: “{title[:40]}” has none of the report's tables")
    if len(report.parts) < 2:
        raise NotAReport("not an annual report: no tables and no report parts (image- or attachment-only?)")


def parse_path(path: str | Path) -> Parsed:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    kind = "html" if suffix in HTML_SUFFIXES else "text" if suffix in TEXT_SUFFIXES else None
    return parse_bytes(data, kind)
