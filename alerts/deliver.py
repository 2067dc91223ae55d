"""The alert step of a crawl: collect each site's news, render one digest e-mail per recipient
list (never one per finding), queue it in the database, then deliver the queue: claim each
digest, send it, mark it sent or failed (a failed one is tried again on a later run, once)."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from alerts.channels import ChannelSender, channel_of, queue_keys
from alerts.collect import collect
from alerts.digest import Digest
from alerts.render import render
from alerts.senders import SEND_ERRORS, Sender, sender_for
from checks.assess import JUDGE
from common.constants import CHINA
from storage import alert_queue as q

if TYPE_CHECKING:
    from crawler.config import Config
    from storage.store import Store

# Errors that leave no connection to send the next message on (a refused recipient does not).
CONNECTION_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)


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
    mail = render(digests, config.alerts["language"], config.web["base_url"])
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
    msg["From"] = config.alerts["from"]
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
    """Send every queued digest; what fails stays queued for the next run. E-mails go over one
    connection: a server that cannot be reached (or drops the connection) ends their round, the
    ones not sent yet wait for the next, and a dead server has cost one time-out. Channels are
    posted one by one, whatever the mail server does. (sent, failed)"""
    queued = q.unsent(store)
    if not queued:
        return 0, 0
    done: list[bool | None] = []  # sent or not (None: another process has it), for each digest handled
    posts = [a for a in queued if channel_of(json.loads(a["recipients"] or "[]"))]
    mails = [a for a in queued if a not in posts]
    channels = channels or ChannelSender()
    for alert in posts:
        _send_one(
            store,
            alert,
            done,
            lambda a: channels.send(channel_of(json.loads(a["recipients"])), a["subject"], a["text"]),
        )
    if not mails:
        return done.count(True), done.count(False)
    sender = sender or sender_for(config)
    session = getattr(sender, "session", None)  # a sender without one connects for each message
    handled = len(done)
    try:
        with session() if session else nullcontext():
            for alert in mails:
                _send_one(
                    store, alert, done, lambda a: sender.send(message(a, config), _name(a)), stop=CONNECTION_ERRORS
                )
    except SEND_ERRORS as exc:  # no connection, or it broke: the rest is tried next round
        error = f"{type(exc).__name__}: {exc}"
        for alert in mails[len(done) - handled :]:
            if q.claim(store, alert["id"]):
                q.mark_failed(store, alert["id"], error)
                done.append(False)
    return done.count(True), done.count(False)


def _send_one(
    store: Store, alert: dict[str, Any], done: list[bool | None], send: Callable[[dict[str, Any]], None],
    stop: tuple[type[BaseException], ...] = (),
) -> None:  # fmt: skip
    """Claim one queued digest, send it, mark it; an error in `stop` ends the round (re-raised)."""
    if not q.claim(store, alert["id"]):
        done.append(None)  # another process is sending it: neither sent nor failed here
        return
    try:
        send(alert)
    except SEND_ERRORS as exc:
        q.mark_failed(store, alert["id"], f"{type(exc).__name__}: {exc}")
        done.append(False)
        if isinstance(exc, stop):
            raise
        return
    q.mark_sent(store, alert["id"])  # the server has the data: sent, whatever comes after
    done.append(True)
