from __future__ import annotations

from pathlib import Path

import pytest

from checks.assess import JUDGE, assessed
from parsers.load import parse_path
from storage.store import Saved, Store
from tests.storage.series import SEEDS, YEARS, write_series

SAMPLES = SEEDS.parent / "samples"
REAL_FILES = sorted(SEEDS.glob("*.txt")) + sorted(SAMPLES.glob("*.html"))


def ingest(store: Store, path: Path, site: str = "xicheng", url: str | None = None, **kw) -> Saved:
    """What `crawl ingest` and the crawl pipeline do with one file."""
    parsed = parse_path(path)
    url = url or path.resolve().as_uri()
    return store.save_report(
        site, url, assessed(parsed.report), parsed.records, judge=JUDGE, raw=path.read_bytes(), **kw
    )


def open_findings(store: Store, **where) -> set[tuple]:
    """(year, rule, where, severity) of the open error and warning findings."""
    return {
        (f["year"], f["rule"], f["where_"], f["severity"])
        for f in store.findings.open(**where)
        if f["rule"] != "missing_report"
    }


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "nianbao.db")
    yield s
    s.close()


@pytest.fixture
def series(tmp_path: Path) -> dict[str, Path]:
    """Every year and corrected version of the three-year series, as text files."""
    return write_series(tmp_path / "series", tuple(YEARS))


@pytest.fixture
def seeded(store: Store) -> Store:
    """The store with the five seeds and the samples, filed under the site xicheng."""
    for path in REAL_FILES:
        assert ingest(store, path).status == "new"
    return store
