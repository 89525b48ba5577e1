"""The ``aiodd`` command line: list and rotate application keys, and run the demo."""

from ._main import main

__all__ = ["main"]
