"""Deliver: where an e-mail goes. An SMTP server, or with no `smtp_host` configured, .eml
files in the outbox folder; both behind one interface, chosen by config.toml [alerts].

A message is sent once the server has accepted its data: what QUIT answers after that (a 421,
a dropped connection) does not make it unsent, or it would go out twice. `session()` keeps one
connection open for every message of a delivery round, so a dead server costs one time-out."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
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
        self._client: smtplib.SMTP | None = None  # the open session's connection

    @classmethod
    def from_config(cls, config: Config) -> SmtpSender:
        a = config.alerts
        return cls(
            a["smtp_host"], int(a["smtp_port"]), a["smtp_security"], float(a["smtp_timeout"]), a.get("smtp_user"),
            a["smtp_password_env"],
        )  # fmt: skip

    @contextmanager
    def session(self) -> Iterator[None]:
        """One connection for every send() inside (SEND_ERRORS if the server cannot be reached)."""
        self._client = self._connect()
        try:
            yield
        finally:
            client, self._client = self._client, None
            _quit(client)

    def send(self, msg: EmailMessage, name: str) -> None:
        if self._client is not None:
            self._client.send_message(msg)
            return
        client = self._connect()
        try:
            client.send_message(msg)
        finally:
            _quit(client)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if self.user:
                # The password only ever comes from the environment variable the config names.
                client.login(self.user, os.environ.get(self.password_env, ""))
        except BaseException:
            client.close()
            raise
        return client


def _quit(client: smtplib.SMTP) -> None:
    """Say QUIT and close. Whatever the server answers, what it accepted before stays sent."""
    try:
        client.__exit__(None, None, None)  # QUIT, then close; raises on an answer other than 221
    except SEND_ERRORS:
        client.close()


class OutboxSender:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = str(folder)

    @classmethod
    def from_config(cls, config: Config) -> OutboxSender:
        return cls(config.resolve(str(config.alerts["outbox"])))

    @contextmanager
    def session(self) -> Iterator[None]:
        yield  # files: nothing to open

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
