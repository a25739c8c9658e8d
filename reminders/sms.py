"""The SMS channel: a pluggable backend named by `REMINDERS_SMS_BACKEND` (a dotted path of a class
with `send(phone, text)`), like Django's e-mail backends. The portal ships a file backend only,
one file per message under `REMINDERS_SMS_FILE_PATH` (default var/sms/): an installation with a
gateway plugs in its own class; nothing here talks to a network."""
from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class FileBackend:
    def __init__(self, path: str | None = None):
        self.path = Path(path or settings.REMINDERS_SMS_FILE_PATH)

    def send(self, phone: str, text: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        (self.path / f"{stamp}-{phone}.txt").write_text(f"To: {phone}\n\n{text}\n",
                                                          encoding="utf-8")


def backend():
    return import_string(settings.REMINDERS_SMS_BACKEND)()
