"""Who publishes on a site: its reporting units (a district's government, bureaus and streets),
learned from what the site published over the years — its reports and copies, and the reports
it published as images or a file only (pages attachment_only, with agency and year). A unit
that published there for one of the EXPECTED_YEARS years before Y is expected to publish for Y,
whether or not any list names it this year: "expected N, published M"."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from common.constants import EXPECTED_YEARS, PageStatus
from parsers.model import key_of, split_key
from storage.copies import ON_SITE


@dataclass
class Season:
    """One site's units for one year: who should publish, who did, who has not."""

    site: str
    year: int
    expected: list[str] = field(default_factory=list)  # agency names, as their newest report gives them
    published: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # every spelling of a unit seen -> its name above

    @property
    def missing(self) -> list[str]:
        done = set(self.published)
        return [name for name in self.expected if name not in done]


class Publishers:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def units(self, site: str) -> dict[str, tuple[str, set[int], set[str]]]:
        """The site's units: agency key -> (the name its newest publication gives, the years it
        published for on the site, every spelling of its name seen)."""
        rows = self.db.conn.execute(
            f"select r.agency, r.year from reports r where {ON_SITE} and r.agency is not null "
            "and r.year is not null union select agency, year from pages where site = ? and status = ? "
            "and agency is not null and year is not null order by 2",
            [site, site, PageStatus.ATTACHMENT_ONLY],
        ).fetchall()
        units: dict[str, tuple[str, set[int], set[str]]] = {}
        for agency, year in rows:  # oldest first: the newest name wins
            _, years, spellings = units.get(split_key(key_of(agency, year))[0], ("", set(), set()))
            units[split_key(key_of(agency, year))[0]] = (agency, years | {year}, spellings | {agency})
        return units

    def season(self, site: str, year: int) -> Season:
        """Who should have published on `site` for `year` (published for it, or for one of the
        EXPECTED_YEARS years before), and who did."""
        season = Season(site, year)
        for name, years, spellings in sorted(self.units(site).values()):
            season.names.update(dict.fromkeys(spellings, name))
            if year in years:
                season.published.append(name)
            if any(year - EXPECTED_YEARS <= y <= year for y in years):
                season.expected.append(name)
        return season

    def latest_year(self, site: str) -> int | None:
        """The newest year the site published for (the season a digest speaks of)."""
        years = [y for _, ys, _ in self.units(site).values() for y in ys]
        return max(years) if years else None
