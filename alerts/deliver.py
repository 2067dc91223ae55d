"""The alert step of a crawl: collect each site's news, render one digest e-mail per recipient
list (never one per finding), queue it in the database, then deliver the queue: claim each
digest, send it, mark it sent or failed (a failed one is tried again on a later run, once)."""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alerts.channels import ChannelSender, channel_of, queue_keys
from alerts.collect import collect
from alerts.digest import Digest
from alerts.render import render
from alerts.senders import SEND_ERRORS, Sender, sender_for
from checks.assess import JUDGE
from storage import alert_queue as q

if TYPE_CHECKING:
    from crawler.config import Config
    from storage.store import Store

CHINA = ZoneInfo("Asia/Shanghai")


def after_crawl(store: Store, config: Config, sites: list[str]) -> tuple[list[int], int, int]:
    """Flag reports now overdue, queue the digests, deliver the queue: (queued ids, sent, failed)."""
    store.check_missing_reports(datetime.now(CHINA).date(), JUDGE)  # deadlines are Beijing dates
    queued = queue_digests(store, config, sites)
    sent, failed = deliver(store, config)
    return queued, sent, failed


def queue_digests(store: Store, config: Config, sites: list[str], now: datetime | None = None) -> list[int]:
    """Collect each site's news and queue one e-mail per recipient list; the ids queued."""
    with q.locked(store):  # a crawl and the watchdog may both be here: one queues, the other sees nothing new
        groups: dict[tuple[str, ...], list[Digest]] = {}
        for site in sites:
            d = collect(store, config, site, now)
            if not d.empty():
                for key in queue_keys(d.recipients):  # e-mail and each channel queued apart
                    groups.setdefault(key, []).append(d)
        return [_enqueue(store, config, recipients, digests) for recipients, digests in groups.items()]


def _enqueue(store: Store, config: Config, recipients: tuple[str, ...], digests: list[Digest]) -> int:
    mail = render(digests, config.alerts.get("language", "zh"), config.web.get("base_url", ""))
    covers: dict[str, list[Any]] = {}
    for d in digests:
        for k, v in d.covers.items():
            covers.setdefault(k, []).extend(v)
    row = {"site": ",".join(d.site for d in digests), "recipients": json.dumps(list(recipients)),
           "subject": mail.subject, "text": mail.text, "html": mail.html}  # fmt: skip
    return q.enqueue(store, row, covers)


def message(alert: dict[str, Any], config: Config) -> EmailMessage:
    """A queued digest as the e-mail that is sent."""
    msg = EmailMessage()
    recipients = json.loads(alert["recipients"] or "[]") or ["nianbao@localhost"]
    msg["From"] = config.alerts.get("from", "nianbao <nianbao@localhost>")
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = alert["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = alert["message_id"]
    msg.set_content(alert["text"])
    msg.add_alternative(alert["html"], subtype="html")
    return msg


def _name(alert: dict[str, Any]) -> str:
    """A queued digest's name (the outbox's file name): when it was queued, and its id."""
    return f"{alert['created'][:19].replace(':', '').replace('-', '')}-alert-{alert['id']}"


def deliver(
    store: Store, config: Config, sender: Sender | None = None, channels: ChannelSender | None = None
) -> tuple[int, int]:
    """Send every queued digest; what fails stays queued for the next run. (sent, failed)"""
    sender = sender or sender_for(config)
    channels = channels or ChannelSender()
    sent = failed = 0
    for alert in q.unsent(store):
        if not q.claim(store, alert["id"]):
            continue  # another process is sending it
        try:
            channel = channel_of(json.loads(alert["recipients"] or "[]"))
            if channel:
                channels.send(channel, alert["subject"], alert["text"])
            else:
                sender.send(message(alert, config), _name(alert))
        except SEND_ERRORS as exc:
            q.mark_failed(store, alert["id"], f"{type(exc).__name__}: {exc}")
            failed += 1
            continue
        q.mark_sent(store, alert["id"])
        sent += 1
    return sent, failed
