"""Small helpers every app's views share."""
from django.contrib import messages
from django.core.exceptions import ValidationError


def say_refused(request, exc) -> None:
    """Show a refused action or a validation error as one message."""
    if isinstance(exc, ValidationError):
        text = "；".join(exc.messages)
    else:
        text = getattr(exc, "message", str(exc))
    messages.error(request, text)
