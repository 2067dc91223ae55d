"""Channels beside e-mail (issue 11, item 4): a recipient URL is a channel (Apprise): a JSON
webhook here, received by a real HTTP server on 127.0.0.1; 钉钉/企业微信/飞书 robots are the same
path with another URL. Each channel is queued apart: never lost, never sent twice."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alerts.channels import queue_keys
from alerts.deliver import deliver, queue_digests
from crawler.config import load_config
from storage.store import Store
from tests.alerts.test_digests import SEED_003, ingest
from tests.crawler.smtp import free_port


class Receiver:
    """An HTTP server on loopback that keeps every JSON body POSTed to it."""

    def __init__(self, port: int) -> None:
        self.bodies: list[dict] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_config(tmp_path: Path, hook: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\npath = "n.db"\n[alerts]\noutbox = "outbox"\n'
        f'recipients = ["office@example.org", "{hook}"]\n'
        '[sites.xicheng]\nname = "西城区"\nstart_urls = ["http://127.0.0.1:1/"]\nallowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return path


def test_a_channel_is_queued_apart_from_the_mail() -> None:
    assert queue_keys(["a@x", "b@x", "json://h/p", "dingtalk://t/"]) == [
        ("a@x", "b@x"),
        ("json://h/p",),
        ("dingtalk://t/",),
    ]
    assert queue_keys([]) == [()]  # no recipient: the default address, as before
    assert queue_keys(["feishu://t/"]) == [("feishu://t/",)]


def test_the_webhook_gets_the_digest_once_and_a_failed_one_later(tmp_path: Path) -> None:
    port = free_port()
    config = load_config(write_config(tmp_path, f"json://127.0.0.1:{port}/hook"))
    store = Store(config.db_path)
    ingest(store, SEED_003)
    assert len(queue_digests(store, config, ["xicheng"])) == 2  # the e-mail, the webhook
    assert deliver(store, config) == (1, 1)  # nobody listening on the webhook yet: kept queued
    receiver = Receiver(port)
    try:
        assert deliver(store, config) == (1, 0)  # only the webhook: the e-mail is not sent twice
        assert deliver(store, config) == (0, 0)
        (body,) = receiver.bodies
        assert body["title"] == "西城区：1 份报告数据不一致；新发布 1 份"
        assert "（七）总计 + 四、结转下年度继续办理·自然人 = 4207" in body["message"]
    finally:
        receiver.stop()
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    store.close()


@pytest.mark.parametrize(
    "url", ["dingtalk://0123456789abcdef/", "wecombot://0123456789abcdef", "feishu://0123456789abcdef/"]
)
def test_the_messengers_robots_are_channel_urls_apprise_knows(url: str) -> None:
    import apprise

    assert apprise.Apprise().add(url)  # 钉钉, 企业微信, 飞书: sent the same way (not sent here: no internet)
