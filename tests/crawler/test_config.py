"""config.toml is checked when it is loaded: a bad value is one line naming its key, exit 2,
never a traceback later in a crawl, the scheduler or an e-mail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import load_config

SITE = '[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'

# (the section and line that is wrong, the key the one line must name)
BAD = [
    ('[schedule]\ncron = "0 6 * 13 *"', "schedule.cron"),
    ('[schedule]\ncron = "0 6 * *"', "schedule.cron"),
    ("[schedule]\ncron = 6", "schedule.cron"),
    ('[schedule]\nbusy_cron = "every hour"', "schedule.busy_cron"),
    ('[schedule]\ninterval_hours = "6"', "schedule.interval_hours"),
    ("[schedule]\ninterval_seconds = -1", "schedule.interval_seconds"),
    ('[schedule]\ncrawl_timeout = "3h"', "schedule.crawl_timeout"),
    ("[schedule]\nmisfire_grace_seconds = true", "schedule.misfire_grace_seconds"),
    ("[schedule]\nwatchdog_seconds = 0", "schedule.watchdog_seconds"),
    ('[crawl]\nretries = "3"', "crawl.retries"),
    ("[crawl]\nretries = 1.5", "crawl.retries"),
    ('[crawl]\ndownload_timeout = "30"', "crawl.download_timeout"),
    ("[crawl]\ndownload_timeout = nan", "crawl.download_timeout"),
    ('[crawl]\ndownload_maxsize = "20 MB"', "crawl.download_maxsize"),
    ("[crawl]\nconcurrent_per_site = 0", "crawl.concurrent_per_site"),
    ("[crawl]\nrecheck_hours = [20]", "crawl.recheck_hours"),
    ('[crawl]\nretry_backoff = "2s"', "crawl.retry_backoff"),
    ("[crawl]\nstart_delay = -1", "crawl.start_delay"),
    ('[crawl]\nparse_workers = "auto"', "crawl.parse_workers"),
    ('[alerts]\nsmtp_port = "587"', "alerts.smtp_port"),
    ("[alerts]\nsmtp_port = 70000", "alerts.smtp_port"),
    ('[alerts]\nsmtp_security = "tls"', "alerts.smtp_security"),
    ('[alerts]\nrecipients = ["a@example.org", 1]', "alerts.recipients"),
    ("[alerts]\nrecipients = 5", "alerts.recipients"),
    ("crawl = 5", "[crawl]"),
    (f'{SITE}cron = "61 * * * *"', "sites.xicheng.cron"),
    (f'{SITE}interval_hours = "6"', "sites.xicheng.interval_hours"),
    (f'{SITE}probe_first_year = "2019"', "sites.xicheng.probe_first_year"),
    (f'{SITE}content = "div..TRS_Editor"', "sites.xicheng.content"),
    (f'{SITE}content = "p::text"', "sites.xicheng.content"),
    (f"{SITE}content = 5", "sites.xicheng.content"),
    (f"{SITE}url_year = 'pnnfpv\\d{{4}}'", "sites.xicheng.url_year"),  # no group for the year
    (f"{SITE}url_year = '/((\\d{{4}})nb/'", "sites.xicheng.url_year"),
    (f"{SITE}url_year = 2024", "sites.xicheng.url_year"),
]


def _run(config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "--all", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("text", "key"), BAD, ids=[f"{key}-{i}" for i, (_, key) in enumerate(BAD)])
def test_a_bad_value_is_one_line_naming_its_key(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "bad.toml"
    storage = '[storage]\npath = "nianbao.db"\n'
    body = f"{storage}{text}" if text.startswith("[sites.") else f"{text}\n{storage}{SITE}"
    config.write_text(body + "\n", encoding="utf-8")
    result = _run(config)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("crawl: ") and key in lines[0]
    assert not (tmp_path / "nianbao.db").exists()  # refused before anything ran


def test_good_values_load(tmp_path: Path) -> None:
    config = tmp_path / "good.toml"
    config.write_text(
        """[crawl]
retries = 0
download_timeout = 2.5
start_delay = 0
[schedule]
cron = "0 6 * 4-12 *"
busy_cron = "0 */6 * 1-3 *"
interval_seconds = 0.5
command = "true"
[alerts]
smtp_port = 587
smtp_security = "starttls"
recipients = "office@example.org"
"""
        + SITE
        + 'cron = "30 7 * * 1-5"\ninterval_hours = 6\nprobe_first_year = 2020\ncontent = "div.TRS_Editor"\n',
        encoding="utf-8",
    )
    loaded = load_config(config)
    assert loaded.alerts["recipients"] == ["office@example.org"]  # one address: a list of one
    assert loaded.schedule["command"] == ["true"]
    assert loaded.sites["xicheng"].cron == "30 7 * * 1-5" and loaded.sites["xicheng"].interval_hours == 6
    site = loaded.sites["xicheng"]
    assert site.content == "div.TRS_Editor" and site.content_xpath and "TRS_Editor" in site.content_xpath
    assert load_config().sites  # the shipped config.toml passes


def test_crawl_limits_load_and_a_site_sets_its_own(tmp_path: Path) -> None:
    from crawler.config import ConfigError
    from crawler.settings import settings_for
    from spiders.sites import spider_for

    config = tmp_path / "limits.toml"
    config.write_text(f"[crawl]\nmax_list_pages = 50\nmax_seconds = 90.5\n{SITE}max_list_pages = 7\n", encoding="utf-8")
    loaded = load_config(config)
    assert loaded.sites["xicheng"].limits == {"max_list_pages": 7}
    settings = settings_for(loaded, str(tmp_path / "db"))
    from scrapy.settings import Settings

    limits = spider_for(loaded.sites["xicheng"]).limits(Settings(settings))
    assert (limits.max_list_pages, limits.max_seconds, limits.max_report_pages) == (7, 90.5, 5_000)
    from crawler.cli.setup import effective

    site_lines = "\n".join(effective(loaded)).split("[sites.xicheng]")[1]
    assert "max_list_pages = 7  # file" in site_lines  # `crawl config` shows a site's own limit
    shipped = load_config()
    assert {k: v for k, v in shipped.crawl.items() if k.startswith("max_")}  # config.toml shows them
    for bad in ("[crawl]\nmax_depth = 0\n", '[crawl]\nmax_bytes = "2 GB"\n', f"{SITE}max_report_pages = 1.5\n"):
        config.write_text(bad + ("" if bad.startswith("[sites") else SITE), encoding="utf-8")
        with pytest.raises(ConfigError, match=r"max_(depth|bytes|report_pages)"):
            load_config(config)
