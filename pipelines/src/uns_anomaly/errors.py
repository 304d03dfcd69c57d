"""The one error type the steps raise for bad input; the entry points print it as one line."""

from __future__ import annotations


class InputError(Exception):
    """Input the steps cannot use (missing file or column, no numeric data, too few rows, ...).

    The message is one line that says what is wrong and where; entry points print it on stderr
    and exit with status 2 instead of showing a traceback.
    """
