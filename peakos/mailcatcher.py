"""The local mail catcher: reads the e-mails Django's file backend wrote under var/mail/.

Under ``make run`` (no EMAIL_URL) every e-mail is a message in a file there; ``/dev/mail/``
lists them with their links clickable, so a newcomer can open a survey as an employee
would. Development only: the view answers 404 unless DEBUG is on.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

# Django's filebased.EmailBackend ends every message with a line of 79 dashes.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
LINK = re.compile(r"https?://[^\s<>\"')]+")


@dataclass(frozen=True)
class CaughtMail:
    """One caught message: who it went to, what it says and the links in it."""

    id: str
    subject: str
    to: str
    sender: str
    date: datetime | None
    text: str
    links: list[str] = field(default_factory=list)


def _parse(mail_id: str, raw: bytes) -> CaughtMail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    try:
        date = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    return CaughtMail(
        id=mail_id,
        subject=str(message["Subject"] or ""),
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        date=date,
        text=text,
        links=list(dict.fromkeys(LINK.findall(text))),
    )


def _messages_of(path: Path) -> list[bytes]:
    return [chunk.strip(b"\n") for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]


def caught_mails(directory: Path, *, limit: int = 200) -> list[CaughtMail]:
    """The newest ``limit`` messages, newest first (file names start with their time)."""
    if not directory.is_dir():
        return []
    mails: list[CaughtMail] = []
    for path in sorted(directory.glob("*.log"), reverse=True):
        for index, raw in reversed(list(enumerate(_messages_of(path)))):
            mails.append(_parse(f"{path.stem}-{index}", raw))
            if len(mails) >= limit:
                return mails
    return mails


def find_mail(directory: Path, mail_id: str) -> CaughtMail | None:
    """One message by the id ``caught_mails`` gave it (``<file stem>-<index>``); None if absent."""
    stem, _, index = mail_id.rpartition("-")
    if not index.isdigit() or not re.fullmatch(r"[\w-]+", stem):
        return None
    path = directory / f"{stem}.log"
    if not path.is_file():
        return None
    messages = _messages_of(path)
    return _parse(mail_id, messages[int(index)]) if int(index) < len(messages) else None
