"""A fake Datadog seeded like a real organisation, for the audit's tests (library and CLI)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from aiodd.testing import FakeDatadog

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@attrs.define
class Org:
    """A fake seeded like a real org: accounts (one disabled), people, keys of many ages, used, leaked."""

    fake: FakeDatadog
    accounts: list[str]
    disabled: str
    keys: dict[str, str]  # label -> key id
    leak_ids: dict[str, str]


def seed_org(fake: FakeDatadog) -> Org:
    accounts = fake.seed(2, 3)
    [disabled] = fake.seed(1, 1, status="Disabled")
    fake.seed_users(3)
    state = fake.state
    (a1, a2, a3), (b1, b2, b3) = (state.application_keys(sa) for sa in accounts)
    [d1] = state.application_keys(disabled)
    ages = {a1: 400, a2: 100, a3: 5, b1: 200, b2: 30, b3: 1, d1: 50}
    for key, days in ages.items():
        state.set_key_dates(key.id, created_at=NOW - days * DAY)
    state.set_key_dates(a2.id, last_used_at=NOW - 2 * DAY)
    state.set_key_dates(b1.id, last_used_at=NOW - 60 * DAY)
    leak_ids = {
        "b2": state.mark_leaked(b2.id, date=NOW - 3 * DAY, source="github").id,
        "a3": state.mark_leaked(a3.id, date=NOW - 1 * DAY, source=None).id,
    }
    state.register_app_key(a1.id)
    labels = {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2, "b3": b3, "d1": d1}
    return Org(fake, accounts, disabled, {label: key.id for label, key in labels.items()}, leak_ids)
