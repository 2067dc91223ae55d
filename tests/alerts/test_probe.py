"""`crawl alerts --test`: a test message through every configured channel, and what became of it;
a delivery that fails says why and exits 1, and `crawl status` shows what waits in the queue."""

from __future__ import annotations

import email
import subprocess
import sys
from email import policy
from pathlib import Path

from tests.crawler.smtp import SMTPServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seeds" / "003_42b2e6b1a7d7c7c9.txt"
SITE = '[sites.xicheng]\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n'


def crawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, timeout=60)


def write_config(tmp_path: Path, smtp_port: int | None) -> Path:
    smtp = f'smtp_host = "127.0.0.1"\nsmtp_port = {smtp_port}\nsmtp_timeout = 3\n' if smtp_port else ""
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "nianbao.db"\n[alerts]\noutbox = "outbox"\nrecipients = ["office@example.org"]\n{smtp}'
        + SITE,
        encoding="utf-8",
    )
    return path


def test_a_test_message_goes_through_smtp(tmp_path: Path) -> None:
    smtp = SMTPServer().start()
    try:
        done = crawl("alerts", "--test", "--config", str(write_config(tmp_path, smtp.port)))
    finally:
        smtp.stop()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "smtp 127.0.0.1: test message to office@example.org sent"
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["Subject"] == "年报监测：测试邮件"
    assert smtp.messages[0]["To"] == "office@example.org"


def test_a_test_message_that_fails_says_why(tmp_path: Path) -> None:
    done = crawl("alerts", "--test", "--config", str(write_config(tmp_path, free_port())))  # nobody listens
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("crawl: smtp 127.0.0.1: test message to office@example.org NOT sent: ")
    assert "ConnectionRefusedError" in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_test_message_goes_to_the_outbox(tmp_path: Path) -> None:
    done = crawl("alerts", "--test", "--config", str(write_config(tmp_path, None)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"outbox {tmp_path / 'outbox'}: test message to office@example.org sent")
    (eml,) = (tmp_path / "outbox").glob("*-test.eml")
    assert email.message_from_bytes(eml.read_bytes(), policy=policy.default)["Subject"] == "年报监测：测试邮件"


def test_a_failed_delivery_shows_its_reason_and_waits_in_status(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, port)
    assert crawl("ingest", "--site", "xicheng", "--config", str(config), str(SEED)).returncode == 0
    failed = crawl("alerts", "--config", str(config))
    assert failed.returncode == 1
    assert "1 digest(s) queued, 0 sent to 127.0.0.1, 1 kept for retry" in failed.stdout
    (line,) = failed.stderr.splitlines()
    assert line.startswith("crawl: alert 1 not delivered to 127.0.0.1: ConnectionRefusedError")
    assert line.endswith("(attempt 1; kept for retry)")

    status = crawl("status", "--config", str(config))
    assert status.returncode == 0, status.stderr
    queue = status.stdout.splitlines()[-1]
    assert queue.startswith("alerts: 1 waiting since ") and "CST; last error: ConnectionRefusedError" in queue
    assert queue.endswith("next try: with the next crawl or `crawl alerts`")

    smtp = SMTPServer(port).start()
    try:
        sent = crawl("alerts", "--config", str(config))
    finally:
        smtp.stop()
    assert sent.returncode == 0, sent.stderr
    assert "1 sent to 127.0.0.1, 0 kept for retry" in sent.stdout and len(smtp.messages) == 1
    assert crawl("status", "--config", str(config)).stdout.splitlines()[-1] == "alerts: none waiting"
