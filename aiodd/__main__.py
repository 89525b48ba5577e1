"""``python -m aiodd``: the same as the ``aiodd`` command."""

import sys

from .cli import main

sys.exit(main())
