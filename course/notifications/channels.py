"""How an outbox message leaves: e-mail through Django's mail backend, Slack through a webhook.

A channel raises ChannelError when the message did not leave; `permanent` means retrying
cannot help (e.g. a malformed webhook address), so the message is marked failed at once.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage


class ChannelError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def message_id(msg: Any) -> str:
    """The message's Message-ID, derived from its row: the same on every attempt, so that a
    copy sent again after a crash (the mail server took it, the worker died before recording
    it) is recognised as the same message by mail clients and archives."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "coursekit.invalid"
    return f"<coursekit.outbox.{msg.pk}.{msg.created_at:%Y%m%d%H%M%S}@{domain}>"


def send_email(msg: Any) -> None:
    address = getattr(msg.recipient, "email", "")
    if not address:
        raise ChannelError("The recipient has no e-mail address.", permanent=True)
    email = EmailMessage(
        subject=msg.subject,
        body=msg.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": message_id(msg),
            "X-Coursekit-Item": msg.item_key,
            "X-Coursekit-Kind": msg.kind,
            "X-Coursekit-Outbox": str(msg.pk),
            "Content-Language": msg.language,
        },
    )
    try:
        email.send(fail_silently=False)
    except Exception as exc:  # SMTP errors, refused connections, timeouts: all transient
        raise ChannelError(f"{type(exc).__name__}: {exc}") from exc


def slack_webhook_url() -> str:
    return str(getattr(settings, "COURSEKIT_SLACK_WEBHOOK_URL", "") or "")


def send_slack(msg: Any) -> None:
    url = slack_webhook_url()
    if not url:
        raise ChannelError("COURSEKIT_SLACK_WEBHOOK_URL is not set.", permanent=True)
    if not url.startswith(("http://", "https://")):
        raise ChannelError(f"Not an http(s) webhook address: {url!r}", permanent=True)
    text = f"*{msg.subject}*\n{msg.body}"
    if msg.url:
        text += f"\n{absolute_url(msg.url)}"
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"Slack answered HTTP {exc.code}: {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ChannelError(f"Slack webhook unreachable: {exc}") from exc
    if not 200 <= status < 300:
        raise ChannelError(f"Slack answered HTTP {status}")


SENDERS = {"email": send_email, "slack": send_slack}


def send(msg: Any) -> None:
    sender = SENDERS.get(msg.channel)
    if sender is None:
        raise ChannelError(f"Unknown channel {msg.channel!r}", permanent=True)
    sender(msg)
