"""The hash of a password an administrator issues (a new account, a reset)."""
from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    """Issued passwords are random (about 70 bits, useradmin.actions.new_password) and replaced
    at the first sign-in, so fewer rounds protect them as well as the default does a chosen one;
    200 secretaries from one spreadsheet then take seconds, not minutes. Django re-hashes with
    the default hasher at the first successful sign-in."""

    algorithm = "pbkdf2_sha256_initial"
    iterations = 20_000
