"""`crawl alerts --test`: one test message through every configured channel, and what became of it.

It only uses the Sender interface (alerts.senders), so it goes the way a digest goes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from alerts.senders import SEND_ERRORS, Sender, SmtpSender, sender_for
from common.constants import CHINA

if TYPE_CHECKING:
    from crawler.config import Config

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    channel: str  # "smtp" or "outbox"
    where: str  # the SMTP host or the outbox folder
    recipients: list[str]
    error: str | None = None  # why it was not delivered; None: the channel took it


def channels(config: Config) -> list[tuple[str, Sender]]:
    """Every channel the config sets up: today one, SMTP when smtp_host is set, else the outbox."""
    sender = sender_for(config)
    return [("smtp" if isinstance(sender, SmtpSender) else "outbox", sender)]


def recipients(config: Config) -> list[str]:
    """Everyone a digest may go to: [alerts] recipients and each site's own."""
    every = list(config.alerts["recipients"])
    for site in config.sites.values():
        every += site.recipients
    return list(dict.fromkeys(every)) or ["nianbao@localhost"]


def probe_message(config: Config, to: list[str], now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.alerts["from"]  # as a digest's
    msg["To"] = ", ".join(to)
    msg["Subject"] = "年报监测：测试邮件"
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="nianbao.local")
    msg.set_content(
        f"这是年报监测（nianbao）的测试邮件，发送于 {now:%Y-%m-%d %H:%M}（北京时间）。\n"
        f"收到本邮件，说明告警通道工作正常。配置文件：{config.path}\n"
    )
    return msg


def send_test(config: Config, now: datetime | None = None) -> list[Outcome]:
    """Send one test message through each channel; an Outcome per channel, failures included."""
    now = now or datetime.now(CHINA)
    to = recipients(config)
    outcomes = []
    for channel, sender in channels(config):
        try:
            sender.send(probe_message(config, to, now), f"{now:%Y%m%dT%H%M%S}-test")
        except SEND_ERRORS as exc:
            log.debug("test message through %s failed", channel, exc_info=True)
            outcomes.append(Outcome(channel, sender.where, to, f"{type(exc).__name__}: {exc}"))
            continue
        outcomes.append(Outcome(channel, sender.where, to))
    return outcomes
