"""Integrations with web frameworks; each needs its extra (``pip install 'aiodd[fastapi]'``)."""
