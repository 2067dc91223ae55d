"""What storage asks the rules, inside a report's transaction. Storage imports no rule: the
caller hands it a Judge (checks.assess.JUDGE), storage gives the judge the reports and facts it
keeps and stores the findings it returns."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Protocol

from parsers.model import Finding, Report


class Judge(Protocol):
    # The rules `history` evaluates: when year N arrives after N+1, N+1's findings of these rules
    # are evaluated again (and those not found again are resolved); its other findings stay.
    history_rules: Collection[str]
    # The rules about a report that should exist and does not: no version of the report they are
    # on resolves them (only the report they miss), and they do not make it an error report.
    monitor_rules: Collection[str]
    # The rules about the report's copies on other sites: only `copies` evaluates them.
    copy_rules: Collection[str]

    def copies(self, report: Report, home: str, copies: Mapping[str, tuple[str, Report]]) -> list[Finding]:
        """The findings of `report` (stored from site `home`) against its copies on other sites:
        site -> (the copy's URL, the report as read there)."""
        ...

    # The rules that need what the crawl knew of a report (the year its URL files it under): `own`
    # does not evaluate them, and their stored findings stay as they are.
    context_rules: Collection[str]

    def own(self, report: Report) -> list[Finding]:
        """The findings of `report` by itself, assessed again from what is stored (its OCR'd
        numbers just confirmed, or that confirmation taken back)."""
        ...

    def history(self, report: Report, previous: Report) -> list[Finding]:
        """The findings of `report` against the same agency's stored report of year N-1."""
        ...

    def answered_by(self, report: Report) -> list[str]:
        """Fingerprints of the monitor findings that the arrival of `report` resolves."""
        ...

    def missing(
        self, latest: Mapping[str, tuple[str, int]], published: Mapping[str, Collection[int]], today: date
    ) -> dict[str, Finding]:
        """The monitor findings due on `today`: agency key -> the finding its newest stored report
        carries. `latest`: agency key -> (the agency as that report names it, its year);
        `published`: agency key -> every year it published (stored, or as a file only)."""
        ...

    def answered(self, open_findings: Mapping[int, str], published: Mapping[str, Collection[int]]) -> list[int]:
        """Of the open monitor findings (id -> the key of the report they are on), the ids that a
        published report answers."""
        ...
