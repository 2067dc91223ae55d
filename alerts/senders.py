"""Deliver: where an e-mail goes. An SMTP server, or with no `smtp_host` configured, .eml
files in the outbox folder; both behind one interface, chosen by config.toml [alerts]."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crawler.config import Config

# What a sender raises when a message could not be delivered: it stays queued for the next run.
SEND_ERRORS = (OSError, ValueError, smtplib.SMTPException)


class Sender(Protocol):
    where: str  # where messages go, for the user: the SMTP host or the outbox folder

    def send(self, msg: EmailMessage, name: str) -> None:
        """Deliver `msg`, or raise one of SEND_ERRORS. `name`: the message's name in the queue."""
        ...


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int = 25,
        security: str = "none",  # "starttls", "ssl" or "none"
        timeout: float = 30,
        user: str | None = None,
        password_env: str = "NIANBAO_SMTP_PASSWORD",
    ) -> None:
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.user, self.password_env = user, password_env
        self.where = host

    @classmethod
    def from_config(cls, config: Config) -> SmtpSender:
        a = config.alerts
        return cls(
            a["smtp_host"], int(a.get("smtp_port", 25)), a.get("smtp_security", "none"),
            float(a.get("smtp_timeout", 30)), a.get("smtp_user"), a.get("smtp_password_env", "NIANBAO_SMTP_PASSWORD"),
        )  # fmt: skip

    def send(self, msg: EmailMessage, name: str) -> None:
        if self.security == "ssl":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if self.user:
                # The password only ever comes from the environment variable the config names.
                client.login(self.user, os.environ.get(self.password_env, ""))
            client.send_message(msg)


class OutboxSender:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = str(folder)

    @classmethod
    def from_config(cls, config: Config) -> OutboxSender:
        return cls(config.resolve(str(config.alerts.get("outbox", "data/outbox"))))

    def send(self, msg: EmailMessage, name: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{name}.eml.tmp"
        tmp.write_bytes(bytes(msg))
        tmp.replace(self.folder / f"{name}.eml")  # atomic: a reader never sees half a message


def sender_for(config: Config) -> Sender:
    """SMTP when [alerts] names an smtp_host, else the outbox folder."""
    if config.alerts.get("smtp_host"):
        return SmtpSender.from_config(config)
    return OutboxSender.from_config(config)
