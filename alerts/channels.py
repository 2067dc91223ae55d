"""More channels than e-mail (issue 11, item 4): a recipient that is a URL is a channel, sent
through Apprise (a maintained library that speaks to 钉钉 `dingtalk://`, 企业微信 `wecombot://`,
飞书 `feishu://` robots, a JSON webhook `json://host/path`, and many more).

Channels are configured where e-mail recipients are (`recipients` in [alerts] or a site's
block) and ride the same queue: each channel gets its own queued digest, so one that fails is
tried again later (never lost) without sending again to those that got it (never repeated)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def is_channel(recipient: str) -> bool:
    return bool(_CHANNEL.match(recipient))


def queue_keys(recipients: Iterable[str]) -> list[tuple[str, ...]]:
    """The queued digests a recipient list makes: one for its e-mail addresses (also when it has
    none and no channel: the default address), one per channel."""
    recipients = list(recipients)
    emails = tuple(r for r in recipients if not is_channel(r))
    channels = [(r,) for r in recipients if is_channel(r)]
    return ([emails] if emails or not channels else []) + channels


def channel_of(recipients: list[str]) -> str | None:
    """The channel a queued digest goes to (None: it is an e-mail)."""
    return recipients[0] if len(recipients) == 1 and is_channel(recipients[0]) else None


class ChannelSender:
    """Posts a digest's subject and plain text to one channel URL through Apprise."""

    def send(self, url: str, title: str, body: str) -> None:
        """Deliver, or raise OSError/ValueError (one of alerts.senders.SEND_ERRORS): it stays queued."""
        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(url):
            raise ValueError(f"not a channel URL Apprise knows: {url.split('://', 1)[0]}://…")
        if not notifier.notify(title=title, body=body):
            raise OSError(f"{url.split('://', 1)[0]}:// channel did not accept the digest")
