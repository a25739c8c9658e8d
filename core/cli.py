"""What every management command of interfaces.md §2 shares: --json output and exit status 2."""
import json
import sys

from django.core.management.base import BaseCommand


class PortalCommand(BaseCommand):
    """A command that prints one JSON object with --json and never shows a traceback for input."""

    def emit(self, payload: dict, as_json: bool, text: str) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False) if as_json else text)

    def refuse(self, message: str, as_json: bool, **payload) -> None:
        """Could not run (bad arguments, unreadable file, unknown organization): exit 2."""
        if as_json:
            self.stdout.write(json.dumps({**payload, "error": message}, ensure_ascii=False))
        else:
            self.stderr.write(message)
        sys.exit(2)
