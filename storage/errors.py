"""Errors of the store (no imports: the command line catches them without loading sqlite-utils)."""


class StoreError(Exception):
    """A database this nianbao cannot use (a newer schema): one line for the user, no traceback."""
