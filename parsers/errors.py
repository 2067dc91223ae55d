"""The exceptions parsers raise for bad input; each message is a single readable line."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from lxml import etree

_P = ParamSpec("_P")
_R = TypeVar("_R")
MAX_MESSAGE = 300  # characters: a reason to show in a summary line, not the page
# What a bug of the parser's raises (or a library's it calls, on input it did not expect). Not
# here, so that they pass the guard untouched: MemoryError, and what a caller raises into a parse
# itself (OverBudget from a signal handler, KeyboardInterrupt): the caller's to handle.
BUG_TYPES: tuple[type[Exception], ...] = (
    ArithmeticError, AssertionError, AttributeError, EOFError, LookupError, NameError, RuntimeError,
    TypeError, ValueError, re.error, etree.LxmlError,
)  # fmt: skip


class ParseError(ValueError):
    """Input that is not a readable annual report (not HTML/text, empty, too large, ...)."""


class NotAReport(ParseError):
    """A readable page that is not an annual report (a 解读, a notice, a list page, a soft 404)."""


class NoReportText(NotAReport):
    """A page whose title names a report but that holds none of its text or tables: the report is
    published as images or as an attachment only. `links` are the page's links (its attachments
    among them); `agency` and `year` those its title names."""

    def __init__(
        self, message: str, links: list[str] | None = None, agency: str | None = None, year: int | None = None
    ) -> None:
        super().__init__(message)
        self.links, self.agency, self.year = links or [], agency, year

    def __reduce__(self) -> tuple:  # all of it across processes (the parse worker), not only the message
        return (type(self), (str(self), self.links, self.agency, self.year))


class OverBudget(BaseException):
    """A parse stopped by its caller's budget (a time limit's signal handler raises it, or a
    MemoryError past the memory limit becomes it). A BaseException, as KeyboardInterrupt is: it
    can surface inside any library call, and the `except Exception` of a file reader, of
    pdfplumber or pdfminer must not take it for a bad file, or read on past it."""


def reraise_budget(exc: BaseException) -> None:
    """Raise the MemoryError that `exc` is or wraps (pdfplumber wraps what pdfminer raises), for a
    reader that turns a library's many exceptions into ParseError: memory running out is the
    parse's budget spent (the caller's OverBudget), not a bad file."""
    seen: BaseException | None = exc
    for _ in range(8):  # a wrapper's chain is short; a cycle must not loop
        if seen is None:
            return
        if isinstance(seen, MemoryError):
            raise seen
        seen = seen.__cause__ or seen.__context__


class MissingTool(ParseError):
    """A file the report is in, that needs a tool this machine lacks or that is not enabled: LibreOffice
    for .doc/.wps, OCR for a scan. The message names the tool ("needs LibreOffice to read .wps")."""


class NeedsOcr(MissingTool):
    """A PDF with no text layer (a scan): its text is in page images, for OCR (parsers.ocr)."""


def one_line(text: object, limit: int = MAX_MESSAGE) -> str:
    """text as one line of at most `limit` characters: every run of white space (line breaks
    included, as str.splitlines knows them) becomes one space."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def parser_guard(parse: Callable[_P, _R]) -> Callable[_P, _R]:
    """The last resort where parsing is entered: an exception a bug raises (BUG_TYPES; the page is
    never at fault alone) leaves as ParseError("parser error: …") of one line, so that a crawl
    records the page as failed and goes on, and a command prints one line, never a traceback. The
    original stays as __cause__ for a log that wants it."""

    @functools.wraps(parse)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return parse(*args, **kwargs)
        except ParseError:
            raise
        except BUG_TYPES as exc:
            raise ParseError(one_line(f"parser error: {type(exc).__name__}: {exc}")) from exc

    return guarded
