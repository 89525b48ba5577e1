"""aiodd's benchmarks against the official datadog-api-client and the raw-aiohttp ceiling.

``python -m benchmarks`` runs them all (``--quick`` for a smoke run; results in README.md):

- :mod:`.throughput`   requests/s and client CPU per request, four clients side by side
- :mod:`.structuring`  JSON -> models and models -> JSON, aiodd vs the official models
- :mod:`.pagination`   walking 100,000 keys: wall time and memory
- :mod:`.rate_limit`   wall time against the theoretical minimum under a rate limit, and 429s
- :mod:`.import_time`  ``import aiodd`` in a fresh interpreter

Shared pieces: :mod:`._harness` (timing, medians, tables, child processes), :mod:`.fixtures`
(the JSON documents), :mod:`.clients` (the clients compared), :mod:`.fixed_server` (the
fixed-response server), :mod:`.chart` (the PNG).
"""
