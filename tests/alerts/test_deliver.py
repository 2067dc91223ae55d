"""alerts.deliver against a real SMTP server (aiosmtpd): a digest the server accepted is sent,
whatever QUIT answers; one connection carries a whole round; a dead server costs one time-out."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

from alerts.deliver import deliver
from crawler.config import load_config
from storage import alert_queue as q
from storage.store import Store
from tests.crawler.smtp import Inbox, SMTPServer


class RudeInbox(Inbox):
    """Accepts every message, then answers QUIT with 421 (as some servers do when busy)."""

    def __init__(self) -> None:
        super().__init__()
        self.peers: set = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.peers.add(session.peer)  # one (address, port) per connection
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return "421 4.3.2 closing, try later"


def setup(tmp_path: Path, port: int, timeout: float = 5) -> tuple:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "nianbao.db"\n[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        f"smtp_timeout = {timeout}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    store = Store(config.db_path)
    for n in range(5):
        row = {"site": "xicheng", "recipients": json.dumps(["office@example.org"]), "subject": f"digest {n}",
               "text": "t\n", "html": "<p>h</p>"}  # fmt: skip
        q.enqueue(store, row, {})
    return config, store


def test_a_message_the_server_accepted_is_sent_once_whatever_quit_answers(tmp_path: Path) -> None:
    server = SMTPServer()
    server.inbox = RudeInbox()
    server.start()
    try:
        config, store = setup(tmp_path, server.port)
        assert deliver(store, config) == (5, 0)
        assert deliver(store, config) == (0, 0)  # nothing goes out twice
        assert sorted(m["Subject"] for m in server.messages) == [f"digest {n}" for n in range(5)]
        assert len(server.inbox.peers) == 1  # one connection for the round
        assert q.unsent(store) == []
    finally:
        server.stop()


def test_a_dead_server_costs_one_time_out_a_round(tmp_path: Path) -> None:
    with socket.socket() as dead:  # accepts connections (the kernel does) and never says a word
        dead.bind(("127.0.0.1", 0))
        dead.listen(16)
        config, store = setup(tmp_path, dead.getsockname()[1], timeout=1)
        started = time.monotonic()
        assert deliver(store, config) == (0, 5)
        assert time.monotonic() - started < 2.5  # one time-out, not five
    rows = q.unsent(store)
    assert len(rows) == 5 and all(r["attempts"] == 1 and "timed out" in r["last_error"] for r in rows)
