"""Who should publish on a site (storage.publishers): the units learned from what the site
published over the years — reports, copies of other sites' reports, reports published as files."""

from __future__ import annotations

from pathlib import Path

from common.constants import EXPECTED_YEARS, PageStatus
from storage.store import Store
from tests.storage.conftest import ingest
from tests.storage.series import AGENCY

SEED_003 = (
    Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"
)  # 西城区人民政府 2020
FILES_ONLY = "北京市西城区档案馆"


def test_a_unit_that_published_before_is_expected_until_it_has_been_gone_for_years(
    store: Store, series: dict[str, Path]
) -> None:
    for name in ("2021", "2022"):
        ingest(store, series[name], site="demo")
    ingest(store, SEED_003, site="demo")
    store.pages.record(
        "https://demo/files/2022.pdf", "demo", status=PageStatus.ATTACHMENT_ONLY, agency=FILES_ONLY, year=2022
    )
    season = store.publishers.season("demo", 2023)  # nobody has published for 2023 yet
    assert season.expected == sorted([AGENCY, FILES_ONLY, "北京市西城区人民政府"]) and season.published == []
    assert season.missing == season.expected
    season = store.publishers.season("demo", 2022)
    assert sorted(season.published) == sorted([AGENCY, FILES_ONLY])  # a report as a file counts as published
    later = store.publishers.season("demo", 2020 + EXPECTED_YEARS + 1)
    assert "北京市西城区人民政府" not in later.expected  # gone for EXPECTED_YEARS years: merged away, say
    assert store.publishers.latest_year("demo") == 2022 and store.publishers.latest_year("nowhere") is None


def test_a_copy_counts_as_published_on_the_site_that_carries_it(store: Store, series: dict[str, Path]) -> None:
    ingest(store, series["2021"], site="demo")
    ingest(store, series["2021"], site="beijing", url="https://www.beijing.gov.cn/2021.html")
    assert store.publishers.season("beijing", 2021).published == [AGENCY]
    assert store.publishers.season("demo", 2021).published == [AGENCY]
