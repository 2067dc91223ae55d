"""The parse worker's side of the pipeline: a page or file parsed and assessed in a worker process,
within its time and memory budget (crawler.pipelines.ParseStage hands pages to a pool of these)."""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from checks.assess import assess_report
from crawler.page_images import page_images
from crawler.parse_pool import serve_tasks
from parsers.errors import NoReportText, NotAReport, OverBudget
from parsers.filetype import sniff_file
from parsers.load import parse_bytes, parse_page_images
from parsers.model import Report
from parsers.ocr import OcrOptions
from spiders.urls import attachment_urls


@dataclass
class ParsedPage:
    """What the store needs of a parsed page: the Document (its grids) stays in the worker, as
    pickling it back would cost the crawl process more than parsing saved it."""

    report: Report  # with its findings (checks.assess)
    records: list[str]
    content_found: bool | None
    attachments: list[str]


def parse_page(
    body: bytes,
    encoding: str | None,
    content: str | None,
    url: str,
    url_year: int | None = None,
    link_title: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    ocr: OcrOptions | None = None,
    images: list[tuple[str, bytes]] | None = None,
) -> ParsedPage:
    """A report page or file parsed and assessed (with the year its URL files it under and the title its
    list link gave) and its attachment links read: the CPU work of a page, done together in the
    worker so the crawl process only fetches and writes (reading the links in the spider parsed
    a page with attachments twice). A file (PDF, Word, …: its bytes say, not its URL) is read as
    its type; agency and year, of the report page that linked it, are the report's if it names none;
    a scan or an image is read by OCR where `ocr` says so, and so are the `images` a report page
    shows as its pages (图片版: (URL, bytes), fetched after the page)."""
    kind = sniff_file(body, url) or "html"  # what the bytes are, not what the URL says
    try:
        if images:
            parsed = parse_page_images(body, images, url, encoding, content, title_hint=link_title, ocr=ocr)
        else:
            parsed = parse_bytes(
                body, kind, encoding, content, title_hint=link_title, name=None if kind == "html" else url, ocr=ocr
            )
    except NoReportText as exc:  # say where the report is: its attachments (the crawl asks for them next)
        found = attachment_urls(url, exc.links)
        if not found and len(page_images(body)) < 2:  # nothing of the report here: a page about it
            raise NotAReport(
                "not an annual report: its title names one, but it has no text, file or images of it"
            ) from None
        message = str(exc) + (f" Attachments: {' '.join(found)}" if found else "")
        raise NoReportText(message, found, exc.agency, exc.year) from None
    report = parsed.report
    report.agency, report.year = report.agency or agency, report.year or year
    parsed.report.findings = assess_report(parsed.report, url_year)
    doc = parsed.document
    return ParsedPage(parsed.report, parsed.records, doc.content_found, attachment_urls(url, doc.links))


def budgeted_parse(seconds: float, *page: Any) -> ParsedPage:
    """parse_page in a worker, stopped after `seconds` (SIGALRM: the worker's main thread parses)
    or when it needs more memory than the worker may have (RLIMIT_AS, set by start_worker).
    A scan read by OCR has a budget for each of its pages instead (ocr_page_seconds), then
    `seconds` again for the rest of the parse."""
    base = f"parsing took more than {seconds:g} s (parse_seconds): skipped"
    over = base
    fired = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal fired
        fired = True
        raise OverBudget(over)

    def on_ocr_page(number: int | None) -> None:  # each page OCR reads gets its own budget
        nonlocal over
        budget = seconds if number is None else options.page_seconds
        over = (
            base if number is None else f"OCR of page {number} took more than {budget:g} s (ocr_page_seconds): skipped"
        )
        signal.setitimer(signal.ITIMER_REAL, budget)

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    options = next((p for p in page if isinstance(p, OcrOptions)), None)
    if options is not None:
        page = tuple(replace(p, on_page=on_ocr_page) if p is options else p for p in page)
    try:
        return parse_page(*page)
    except MemoryError:
        raise OverBudget("parsing needed more memory than a parse worker may use (parse_memory_mb)") from None
    except Exception:
        # A library can turn the OverBudget raised inside it into an error of its own (openpyxl's
        # generators: "not a readable .xlsx (TypeError)"): once the budget fired, it is the cause.
        if fired:
            raise OverBudget(over) from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def serve(conn: Connection, parent: int, memory_mb: int) -> None:
    """A parse worker's life (crawler.parse_pool starts it): pages parsed within their budgets
    until the crawl process stops it or is gone. Ctrl-C reaches the whole process group: stopping
    is the crawl's to decide, which it does by closing the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    start_worker(parent, memory_mb)
    serve_tasks(conn, budgeted_parse)


def start_worker(parent: int, memory_mb: int) -> None:
    """A parse worker: its address space capped (a runaway page raises MemoryError, not the
    machine's OOM killer), and gone with the crawl process."""
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """In a parse worker: leave when the crawl process is gone (even if it was SIGKILLed)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
