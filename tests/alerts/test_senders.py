"""alerts.senders: the outbox and SMTP senders behind one interface, chosen by config; and
alerts.deliver's queue with any sender (claim, send, mark sent or failed)."""

from __future__ import annotations

import email
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from alerts import senders
from alerts.deliver import deliver
from alerts.senders import SEND_ERRORS, OutboxSender, SmtpSender, sender_for
from crawler.config import load_config
from storage import alert_queue as q
from storage.store import Store
from tests.crawler.smtp import SMTPServer, free_port


def msg(subject: str = "西城区: 1 new report") -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "nianbao <nianbao@localhost>", "office@example.org", subject
    m.set_content("新报告\n")
    m.add_alternative("<p>新报告</p>", subtype="html")
    return m


def config_file(tmp_path: Path, alerts: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "nianbao.db"\n[alerts]\noutbox = "out"\n{alerts}\n', encoding="utf-8")
    return path


def test_the_outbox_sender_writes_one_eml_file(tmp_path: Path) -> None:
    sender = OutboxSender(tmp_path / "out")
    sender.send(msg(), "20250301T120000-alert-7")
    files = list((tmp_path / "out").iterdir())
    assert [f.name for f in files] == ["20250301T120000-alert-7.eml"]  # and no .tmp left behind
    sent = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert sent["Subject"] == "西城区: 1 new report"
    assert sent.get_body(("plain",)).get_content() == "新报告\n"


def test_the_smtp_sender_delivers_to_a_server(tmp_path: Path) -> None:
    server = SMTPServer().start()
    try:
        SmtpSender("127.0.0.1", server.port, timeout=3).send(msg(), "unused")
    finally:
        server.stop()
    assert [m["Subject"] for m in server.messages] == ["西城区: 1 new report"]


def test_the_smtp_sender_raises_a_send_error_when_nobody_listens() -> None:
    with pytest.raises(SEND_ERRORS):
        SmtpSender("127.0.0.1", free_port(), timeout=3).send(msg(), "unused")


class FakeSMTP:
    """smtplib.SMTP as the sender drives it: what it was asked to do."""

    calls: list[tuple] = []

    def __init__(self, host, port, timeout):
        self.calls.append(("connect", host, port, timeout))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, m):
        self.calls.append(("send", m["Subject"]))


def test_smtp_settings_come_from_config_and_the_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ('smtp_host = "smtp.example.org"\nsmtp_port = 587\nsmtp_security = "starttls"\n'
                'smtp_user = "nianbao"\nsmtp_password_env = "TEST_SMTP_PASSWORD"')  # fmt: skip
    sender = sender_for(load_config(config_file(tmp_path, settings)))
    assert isinstance(sender, SmtpSender) and sender.where == "smtp.example.org"
    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
    FakeSMTP.calls = []
    sender.send(msg(), "unused")
    assert FakeSMTP.calls == [
        ("connect", "smtp.example.org", 587, 30.0),
        ("starttls",),
        ("login", "nianbao", "s3cret"),
        ("send", "西城区: 1 new report"),
    ]


def test_without_an_smtp_host_the_outbox_is_chosen(tmp_path: Path) -> None:
    sender = sender_for(load_config(config_file(tmp_path)))
    assert isinstance(sender, OutboxSender) and sender.folder == tmp_path / "out"
    assert sender.where == str(tmp_path / "out")


class Flaky:
    """A sender that fails `failures` times, then delivers."""

    where = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    def send(self, m: EmailMessage, name: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("down")
        self.sent.append((m["Subject"], name))


def queue_one(store: Store, subject: str) -> int:
    row = {"site": "xicheng", "recipients": json.dumps(["office@example.org"]), "subject": subject,
           "text": "t\n", "html": "<p>h</p>"}  # fmt: skip
    return q.enqueue(store, row, {})


def test_the_queue_keeps_what_a_sender_could_not_send_and_sends_it_once(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path))
    store = Store(config.db_path)
    first = queue_one(store, "one")
    sender = Flaky(failures=1)
    assert deliver(store, config, sender) == (0, 1)
    (row,) = q.unsent(store)
    assert row["attempts"] == 1 and row["last_error"] == "ConnectionRefusedError: down" and row["claimed_at"] is None
    queue_one(store, "two")
    assert deliver(store, config, sender) == (2, 0)
    assert deliver(store, config, sender) == (0, 0)
    assert [s for s, _ in sender.sent] == ["one", "two"]
    assert sender.sent[0][1].endswith(f"-alert-{first}")
    assert q.unsent(store) == []


def test_a_claimed_digest_is_left_to_its_claimant(tmp_path: Path) -> None:
    config = load_config(config_file(tmp_path))
    store = Store(config.db_path)
    alert_id = queue_one(store, "one")
    assert q.claim(Store(config.db_path), alert_id)  # another process is sending it
    sender = Flaky(failures=0)
    assert deliver(store, config, sender) == (0, 0) and sender.sent == []
