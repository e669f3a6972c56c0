"""The renewal reminder job, at explicit instants: once per contract, in its week, outside quiet hours.

The org has no renewal history, so the lead time is the default 12 weeks. The job runs on Wednesday 4 March 2026;
in Shanghai (the users' zone) 02:00 UTC is 10:00 and 15:00 UTC is 23:00, inside the default quiet hours (22–08).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from api.db.models import Account, Contract, Notification
from api.retention.renewal_jobs import renewal_reminders
from tests.integration.contracts.records import add_contract
from worker.relay import EmbeddedRunner

MORNING = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NIGHT = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai
START = date(2025, 6, 1)


@pytest.fixture
async def ctx(settings, db):
    runner = EmbeddedRunner(settings, db)
    yield runner.context("cron:renewals")
    await runner.close()


async def test_each_contract_is_reminded_once_in_its_week_outside_quiet_hours(ctx, db, world):
    async with db.sessionmaker() as session:
        # 27 May − 12 weeks = 4 March: this week has come.
        due = await add_contract(session, world.acme, world.account_a, START, date(2026, 5, 27))
        # 31 May − 12 weeks = 8 March, a Sunday: its week (from Monday 2 March) has come too.
        sunday = await add_contract(session, world.acme, world.account_b, START, date(2026, 5, 31))
        # 10 June − 12 weeks = 18 March: not yet.
        await add_contract(session, world.acme, world.account_a, START, date(2026, 6, 10))
        # Talks already begun, a renewed contract, and a churned customer's contract: no reminder.
        await add_contract(session, world.acme, world.account_a, START, date(2026, 5, 20), renewal_started_on=START)
        await add_contract(session, world.acme, world.account_a, START, date(2026, 5, 20), status="renewed")
        await add_contract(session, world.acme, world.account_c, START, date(2026, 5, 20))
        await session.execute(update(Account).where(Account.id == world.account_c).values(churned_at=MORNING))
        # rep_b's customer is looked after by the manager once bought: the manager is told.
        await session.execute(
            update(Account).where(Account.id == world.account_b).values(cs_owner_id=world.manager.user_id)
        )
        await session.commit()
    assert await renewal_reminders(ctx, now=NIGHT) == 0  # 23:00 in Shanghai: quiet
    assert await renewal_reminders(ctx, now=MORNING) == 2
    assert await renewal_reminders(ctx, now=MORNING) == 0  # once
    async with db.sessionmaker() as session:
        sent = (await session.execute(select(Notification).order_by(Notification.tag))).scalars().all()
        reminded = dict((await session.execute(select(Contract.id, Contract.renewal_reminded_at))).all())
    got = sorted((n.tag, n.user_id, n.type) for n in sent)
    assert got == sorted(
        [
            (f"renewal:{due}", world.rep_a.user_id, "reminder.renewal"),
            (f"renewal:{sunday}", world.manager.user_id, "reminder.renewal"),
        ]
    )
    first = next(n for n in sent if n.tag == f"renewal:{due}")
    assert first.title == "Time to talk renewal: 上海明珠制造"
    assert "12 weeks before the end" in first.body and "2026-05-27" in first.body
    assert first.data["contract_id"] == str(due)
    assert {c for c, at in reminded.items() if at is not None} == {due, sunday}
