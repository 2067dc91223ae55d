"""Alerts as the user gets them: `crawl --site xicheng` against the fixture portal, with a
real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from dataclasses import replace

from fixture_portal import PortalServer, html, xicheng_site
from fixture_portal.pages import xicheng_detail
from tests.crawler.smtp import SMTPServer, free_port
from tests.spiders.crawling import crawl, site_config


def smtp_config(tmp_path, server, port: int):
    extra = 'recipients = ["office@example.org"]'
    config = site_config(tmp_path, server, "xicheng", extra)
    text = config.read_text(encoding="utf-8").replace(
        '[alerts]\noutbox = "outbox"',
        f'[alerts]\noutbox = "outbox"\nlanguage = "en"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_timeout = 3',
    )
    config.write_text(text, encoding="utf-8")
    return config


def test_crawls_send_one_digest_then_nothing_then_the_diff(tmp_path):
    site = xicheng_site(traps=False)
    smtp = SMTPServer().start()
    try:
        with PortalServer(site) as server:
            config = smtp_config(tmp_path, server, smtp.port)
            first = crawl(config, "--site", "xicheng")
            assert first.returncode == 0, first.stderr
            assert "alerts: 1 digest(s) queued, 1 sent" in first.stdout
            assert len(smtp.messages) == 1
            msg = smtp.messages[0]
            assert msg["To"] == "office@example.org"
            text = msg.get_body(("plain",)).get_content()
            for column in ("natural_person", "commercial_enterprise", "legal_service_org", "total"):
                assert f"北京市西城区人民政府 2020 · balance @ applications.{column}" in text
            assert "山西省人民政府外事办公室 2021 · missing_cells @ applications" in text
            assert "山西省人民政府外事办公室 2021 · balance" not in text

            second = crawl(config, "--site", "xicheng")
            assert second.returncode == 0, second.stderr
            assert len(smtp.messages) == 1  # nothing new: nothing sent

            path = next(p for p, c in site.reports.items() if c.seed == "002")
            content = site.reports[path]
            server.set_page(
                path, html(xicheng_detail(replace(content, problems=[*content.problems, "本报告于2025年2月修订。"])))
            )
            third = crawl(config, "--site", "xicheng", "--full")
            assert third.returncode == 0, third.stderr
            assert len(smtp.messages) == 2
            revised = smtp.messages[1]
            assert revised["Subject"].endswith("1 revised report")
            assert "+本报告于2025年2月修订。" in revised.get_body(("plain",)).get_content()
    finally:
        smtp.stop()


def test_smtp_down_during_crawls_then_each_alert_arrives_once(tmp_path):
    site = xicheng_site(traps=False)
    port = free_port()
    with PortalServer(site) as server:
        config = smtp_config(tmp_path, server, port)
        first = crawl(config, "--site", "xicheng")
        # issue 12: an undelivered digest is a failure the user sees: its reason, and exit 1
        assert first.returncode == 1, first.stderr
        assert "not delivered to 127.0.0.1: ConnectionRefusedError" in first.stderr
        assert "0 sent" in first.stdout and "1 kept for retry" in first.stdout
        path = next(p for p, c in site.reports.items() if c.seed == "000")
        content = site.reports[path]
        server.set_page(path, html(xicheng_detail(replace(content, problems=[*content.problems, "修订。"]))))
        second = crawl(config, "--site", "xicheng", "--full")
        assert "2 kept for retry" in second.stdout
        smtp = SMTPServer(port).start()
        try:
            third = crawl(config, "--site", "xicheng")
            assert "2 sent" in third.stdout
            fourth = crawl(config, "--site", "xicheng")
            assert "0 digest(s) queued, 0 sent" in fourth.stdout
            subjects = [m["Subject"] for m in smtp.messages]
            assert len(subjects) == 2
            assert "new report" in subjects[0] and subjects[1].endswith("1 revised report")
        finally:
            smtp.stop()
