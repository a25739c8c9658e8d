"""An e-mail backend whose server cannot be reached."""
from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError("连接被拒绝")

    def send_messages(self, messages):
        raise ConnectionRefusedError("连接被拒绝")
