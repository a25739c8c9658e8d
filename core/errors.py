"""The one exception every app's actions raise when the rules refuse a change."""


class ActionRefused(Exception):
    """A change the rules do not allow now; the message is one Chinese sentence for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
