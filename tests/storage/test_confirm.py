"""A person confirms a report's OCR'd numbers (issue 13, item 4): the store records it on the
current version's source and asks the rules again (Store.confirm with checks.assess.JUDGE), so
the findings that were warnings while the numbers were unconfirmed are errors, alerted as news;
undo makes them warnings again, and a new version is unconfirmed. Seed 003 (four balance errors)
stands in for an OCR'd report: its source says "method": "ocr", as a scan's does."""

from __future__ import annotations

from pathlib import Path

from checks.assess import JUDGE, OCR_NOTE, assessed
from parsers.load import parse_path
from storage.store import Store
from tests.storage.series import SEEDS

SEED = SEEDS / "003_42b2e6b1a7d7c7c9.txt"
URL = "http://127.0.0.1/gknb/2020.png"


def store_ocr(store: Store, extra: str = ""):
    parsed = parse_path(SEED)
    report = parsed.report
    report.source = {"file": URL, "type": "image", "pages": 1, "method": "ocr", "engine": "rapidocr_onnxruntime"}
    records = [*parsed.records, extra] if extra else parsed.records
    return store.save_report("xicheng", URL, assessed(report), records, judge=JUDGE)


def balance(store: Store) -> list[tuple[str, str, bool]]:
    rows = store.db.execute(
        "select severity, message, alerted_at is null from findings where rule = 'balance' and resolved_at is null"
    ).fetchall()
    return sorted({(sev, OCR_NOTE in msg, pending) for sev, msg, pending in rows})


def status(store: Store, report_id: int) -> str:
    return store.db.execute("select status from reports where id = ?", [report_id]).fetchone()[0]


def test_confirming_makes_the_ocr_warnings_errors_alerted_anew_and_undo_makes_them_warnings(tmp_path: Path) -> None:
    store = Store(tmp_path / "nianbao.db")
    saved = store_ocr(store)
    assert balance(store) == [("warning", True, True)] and status(store, saved.report_id) == "ok"
    store.db.execute("update findings set alerted_at = '2026-01-01T00:00:00'")  # the digest told of them
    store.db.conn.commit()

    done = store.confirm(saved.report_id, JUDGE, by="张三")
    assert done is not None and done.source["confirmed"] is True and done.source["confirmed_by"] == "张三"
    assert done.source["confirmed_at"] and done.source["method"] == "ocr"
    assert balance(store) == [("error", False, True)]  # errors now, and not alerted as such yet
    assert status(store, saved.report_id) == "error"
    assert store.reports.current_json(saved.report_id)["source"]["confirmed"] is True
    assert len(store.findings.pending("xicheng")) >= 4

    store.db.execute("update findings set alerted_at = '2026-01-02T00:00:00'")
    store.db.conn.commit()
    undone = store.confirm(saved.report_id, JUDGE, undo=True)
    assert undone is not None and "confirmed" not in undone.source and "confirmed_by" not in undone.source
    assert balance(store) == [("warning", True, False)]  # warnings again, not news
    assert status(store, saved.report_id) == "ok"
    store.close()


def test_a_new_version_of_a_confirmed_report_is_unconfirmed(tmp_path: Path) -> None:
    store = Store(tmp_path / "nianbao.db")
    saved = store_ocr(store)
    store.confirm(saved.report_id, JUDGE)
    assert balance(store)[0][0] == "error"
    again = store_ocr(store, extra="本报告于2025年2月修订。")  # re-read: other text, a new version
    assert again.report_id == saved.report_id and again.version_id != saved.version_id
    assert "confirmed" not in store.reports.current_json(saved.report_id)["source"]
    assert balance(store)[0][:2] == ("warning", True)
    assert store.confirm(999, JUDGE) is None
    store.close()
