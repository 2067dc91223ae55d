"""config.toml against its schema (crawler/config_schema.py): a misspelt table or key is refused
with the name it resembles, addresses, URLs, patterns and selectors are checked, every problem
is one line of one run; `crawl config` shows each value and where it came from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config

SITE = '[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'
BASE = '[storage]\npath = "nianbao.db"\n[alerts]\noutbox = "outbox"\nrecipients = ["office@example.org"]\n'

# (the text that is wrong, what the one line must name, what it must suggest)
TYPOS = [
    ('[alerts.email]\nsmtp_host = "x"', "[alerts.email]", None),
    ('[alerts]\nsmtp_hots = "smtp.example.org"', "alerts.smtp_hots", "smtp_host"),
    ('[alerts]\nrecipient = ["a@example.org"]', "alerts.recipient", "recipients"),
    ('[site.xicheng]\nname = "x"', "[site]", "sites"),
    ("[sites.xicheng]\nreports_patterns = ['/x']", "sites.xicheng.reports_patterns", "report_patterns"),
    ('[sites.xicheng]\ncontnet = "div.x"', "sites.xicheng.contnet", "content"),
    ("[crawl]\nretires = 3", "crawl.retires", "retries"),
    ("[monitors]\nfailure_streek = 3", "monitors.failure_streek", "failure_streak"),
    ('[schedule]\ncorn = "0 6 * * *"', "schedule.corn", "cron"),
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    if text.startswith("[sites.xicheng]"):
        body = BASE + SITE + text.removeprefix("[sites.xicheng]\n")
    elif text.startswith("[alerts]"):
        body = '[storage]\npath = "nianbao.db"\n' + text + "\n" + SITE
    else:
        body = BASE + text + "\n" + SITE
    path.write_text(body + "\n", encoding="utf-8")
    return path


def _lines(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.lines


@pytest.mark.parametrize(("text", "name", "suggestion"), TYPOS, ids=[t[1] for t in TYPOS])
def test_a_misspelt_name_is_refused_with_the_right_one(tmp_path: Path, text: str, name: str, suggestion) -> None:
    lines = _lines(_write(tmp_path, text))
    assert len(lines) == 1, lines
    assert name.split(".")[-1].strip("[]") in lines[0]
    if suggestion:
        assert f"did you mean {suggestion}?" in lines[0]


BAD_VALUES = [
    ('[alerts]\nrecipients = "x"', "alerts.recipients"),
    ('[alerts]\nrecipients = ["not an email"]', "alerts.recipients"),
    ('[alerts]\nfrom = "nianbao"', "alerts.from"),
    ('[alerts]\nsmtp_host = "smtp://mail.example.org:25"', "alerts.smtp_host"),
    ('[sites.xicheng]\nrecipients = ["a@@example.org"]', "sites.xicheng.recipients"),
    ('[sites.xicheng]\nprobe_url = "ftp://x/{unit}/{year}"', "sites.xicheng.probe_url"),
    ("[sites.xicheng]\nreport_patterns = ['(unclosed']", "sites.xicheng.report_patterns"),
    ('[sites.xicheng]\ncontent = "div[["', "sites.xicheng.content"),
    ("[crawl]\nobey_robots = 'no'", "crawl.obey_robots"),
]


@pytest.mark.parametrize(("text", "key"), BAD_VALUES, ids=[k for _, k in BAD_VALUES])
def test_a_bad_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    lines = _lines(_write(tmp_path, text))
    assert len(lines) == 1 and lines[0].startswith(key), lines


def test_a_bad_start_url_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BASE + '[sites.a]\nstart_urls = ["www.example.org"]\nallowed_domains = ["example.org"]\n')
    assert _lines(path) == ['sites.a.start_urls: must be an http(s) URL, not "www.example.org"']


def test_a_site_given_by_its_home_page_needs_no_start_url(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(BASE + '[sites.a]\nhome = "https://www.example.org/"\nallowed_domains = ["example.org"]\n')
    site = load_config(path).site("a")
    assert site.home == "https://www.example.org/" and site.start_urls == []
    path.write_text(BASE + '[sites.a]\nhome = "www.example.org"\nallowed_domains = ["example.org"]\n')
    assert _lines(path) == ['sites.a.home: must be an http(s) URL, not "www.example.org"']
    path.write_text(BASE + '[sites.a]\nallowed_domains = ["example.org"]\n')
    assert _lines(path) == ["sites.a.start_urls is required (or home)"]


def test_every_problem_is_found_in_one_run(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[alerts]\nsmtp_hots = "x"\nrecipients = ["nope"]\n[crawl]\nretries = "3"\n'
        '[sites.a]\ncontnet = "div"\n[sitse.b]\nname = "b"\n',
        encoding="utf-8",
    )
    lines = _lines(path)
    assert len(lines) == 7, lines  # the typo, the address, the type, the key, the table, two required keys
    joined = "\n".join(lines)
    for part in ("smtp_hots", "alerts.recipients", "crawl.retries", "contnet", "[sitse]", "sites.a.start_urls"):
        assert part in joined


def test_the_cli_prints_every_problem_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[alerts]\nsmtp_hots = "x"\nrecipient = "a@example.org"\n' + SITE, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "--all", "--config", str(path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "crawl: alerts.smtp_hots is not a key; did you mean smtp_host?",
        "crawl: alerts.recipient is not a key; did you mean recipients?",
    ]


def test_valid_configs_still_load(tmp_path: Path) -> None:
    assert load_config(Path(__file__).resolve().parents[2] / "config.toml").sites
    path = _write(
        tmp_path, '[alerts]\nfrom = "年报 <nianbao@localhost>"\nsmtp_host = "127.0.0.1"\nrecipients = "a@b.org"'
    )
    assert load_config(path).alerts["recipients"] == ["a@b.org"]


def test_crawl_config_shows_values_defaults_and_sources(tmp_path: Path) -> None:
    path = _write(tmp_path, "[crawl]\nretries = 5")
    env = {"PATH": "/usr/bin:/bin", "NIANBAO_DB": str(tmp_path / "env.db")}
    done = subprocess.run([sys.executable, "-m", "crawler.cli", "config", "--config", str(path)],
                          capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert f"# {path} (found by: --config)" in lines
    assert "retries = 5  # file" in lines
    assert "download_timeout = 30  # default" in lines
    assert f'path = "{tmp_path / "env.db"}"  # environment (NIANBAO_DB)' in lines
    assert "# smtp_host: not set" in lines


def test_each_default_is_said_once_in_the_schema_and_reaches_the_code(tmp_path: Path) -> None:
    from crawler.config_schema import TABLES
    from crawler.settings import settings_for

    config = load_config(_write(tmp_path, "[crawl]\nretries = 5"))
    for table in ("crawl", "schedule", "alerts", "web"):
        for name, key in TABLES[table].items():
            if key.default is not None and config.sources[f"{table}.{name}"] != "file":
                assert getattr(config, table)[name] == key.default, f"{table}.{name}"
                assert config.sources[f"{table}.{name}"] == "default"
    assert config.sources["crawl.retries"] == "file"
    settings = settings_for(config, "x.db")
    assert settings["RETRY_TIMES"] == 5  # the file's value
    assert settings["DOWNLOAD_MAXSIZE"] == TABLES["crawl"]["download_maxsize"].default  # the schema's
    assert settings["USER_AGENT"] == TABLES["crawl"]["user_agent"].default
    shown = subprocess.run([sys.executable, "-m", "crawler.cli", "config", "--config", str(tmp_path / "config.toml")],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "retries = 5  # file" in shown and "retry_backoff = 2.0  # default" in shown
    assert 'base_url = "http://127.0.0.1:8001"  # default' in shown  # [web] shown too
