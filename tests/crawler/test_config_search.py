"""Which config.toml `crawl` reads: --config, $NIANBAO_CONFIG, ./config.toml, the user's config
directory (XDG), then a source checkout's own; `crawl init` writes the starter one."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main
from crawler.config import DEFAULT_CONFIG, load_config

SITE = '[sites.{key}]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'


def write(folder: Path, key: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text('[storage]\npath = "db/x.db"\n' + SITE.format(key=key), encoding="utf-8")
    return path


def test_the_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_CONFIG", raising=False)
    monkeypatch.delenv("NIANBAO_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert load_config().path == DEFAULT_CONFIG  # nothing else: the checkout's own
    write(tmp_path / "xdg" / "nianbao", "user")
    assert list(load_config().sites) == ["user"]
    write(tmp_path, "here")
    assert list(load_config().sites) == ["here"]
    env = write(tmp_path / "env", "env")
    monkeypatch.setenv("NIANBAO_CONFIG", str(env))
    config = load_config()
    assert list(config.sites) == ["env"]
    assert config.db_path == tmp_path / "env" / "db" / "x.db"  # relative to the file
    assert list(load_config(write(tmp_path / "flag", "flag")).sites) == ["flag"]


def test_crawl_init_writes_the_starter_config(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["init", str(tmp_path / "etc")]) == 0
    written = tmp_path / "etc" / "config.toml"
    assert written.read_text(encoding="utf-8") == DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert load_config(written).db_path == tmp_path / "etc" / "data" / "nianbao.db"
    assert main(["init", str(written)]) == 2  # never overwrites without --force
    assert capsys.readouterr().err.strip() == f"crawl: {written} exists already (--force replaces it)"
    assert main(["init", str(written), "--force"]) == 0


def test_commands_given_a_database_need_no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("crawler.config.DEFAULT_CONFIG", tmp_path / "no-checkout" / "config.toml")
    assert main(["findings"]) == 2
    assert capsys.readouterr().err.startswith("crawl: no config.toml found (looked in: config.toml, ")
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"
    assert main(["ingest", "--site", "local", "--db", "x.db", str(seed)]) == 0
    assert main(["findings", "--db", "x.db", "--site", "local"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "4 open finding(s)"
