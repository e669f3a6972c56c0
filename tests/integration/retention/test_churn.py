"""Churn early warning: each sign, the score, the lost-customer profile, visibility, and the warning pushed once.

Records are written through the ORM at known distances from "now", in the middle of the periods they belong to
(half a day or half a week from any edge), so that the API's own "now" a moment later sees the same windows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from api.db.models import (
    Account,
    Activity,
    ChurnWarning,
    Contact,
    Contract,
    ContractAmendment,
    Notification,
    SupportCase,
    User,
)
from api.db.types import utcnow
from api.retention.churn_jobs import warn_churn_risks
from worker.jobs import CRON, JOBS
from worker.relay import EmbeddedRunner

DAY = timedelta(days=1)


def _customer(session, world, owner_id, name, churned_at=None, cs_owner_id=None) -> tuple[uuid.UUID, uuid.UUID]:
    """An account with a contract (so: a customer); returns (account id, contract id)."""
    account = Account(
        id=uuid.uuid4(), org_id=world.acme, owner_id=owner_id, name=name, churned_at=churned_at, cs_owner_id=cs_owner_id
    )
    contract = Contract(
        id=uuid.uuid4(), org_id=world.acme, account_id=account.id, name=f"{name} 2026",
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    session.add(account)
    session.add(contract)
    return account.id, contract.id


def _amend(session, world, contract_id, term, at) -> uuid.UUID:
    row = ContractAmendment(id=uuid.uuid4(), org_id=world.acme, contract_id=contract_id, term=term, changed_at=at)
    session.add(row)
    return row.id


def _case(session, world, account_id, opened_at, due=None, responded=None, resolved=None) -> uuid.UUID:
    row = SupportCase(
        id=uuid.uuid4(), org_id=world.acme, account_id=account_id, kind="support", subject="x", opened_at=opened_at,
        sla_due_at=due, first_response_at=responded, resolved_at=resolved,
        status="resolved" if resolved else "open",
    )  # fmt: skip
    session.add(row)
    return row.id


def _touch(session, world, account_id, contact_id, at, direction="inbound", kind="call", outcome=None) -> uuid.UUID:
    row = Activity(
        id=uuid.uuid4(), org_id=world.acme, account_id=account_id, owner_id=world.rep_a.user_id, contact_id=contact_id,
        kind=kind, direction=direction, outcome=outcome, occurred_at=at, summary="联系 contact",
    )  # fmt: skip
    session.add(row)
    return row.id


async def _risk(client, caller, account_id, lang="en") -> dict:
    response = await client.get(
        f"/api/v1/accounts/{account_id}/churn-risk", headers={**caller.headers, "Accept-Language": lang}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _factor(risk: dict, name: str) -> dict:
    return {f["factor"]: f for f in risk["factors"]}[name]


async def test_engagement_below_its_own_benchmark_three_weeks_running(client, db, world):
    now = utcnow()

    def week(k: int, n: int = 0) -> object:  # the middle of week k (week 1: the 7 days before now)
        return now - timedelta(days=7 * (k - 1) + 3.5) + timedelta(minutes=n)

    async with db.sessionmaker() as session:
        account_id, _ = _customer(session, world, world.rep_a.user_id, "明珠 Pearl")
        decider = Contact(
            id=uuid.uuid4(), org_id=world.acme, account_id=account_id, name="王总", is_decision_maker=True
        )
        clerk = Contact(id=uuid.uuid4(), org_id=world.acme, account_id=account_id, name="小李")
        session.add_all([decider, clerk])
        await session.flush()
        # Weeks 4-15 with the decision maker: 3,3,3,3,2,2,2,2,4,4,4,4 → sorted 2,2,2,2,3,3,3,3,4,4,4,4 → median 3.
        for k, count in zip(range(4, 16), [3, 3, 3, 3, 2, 2, 2, 2, 4, 4, 4, 4], strict=True):
            for n in range(count):
                _touch(session, world, account_id, decider.id, week(k, n))
        # Weeks 1-3: 1, 0, 2 (an email opened counts as engagement).
        recent = [
            _touch(session, world, account_id, decider.id, week(1)),
            _touch(
                session, world, account_id, decider.id, week(3), direction="outbound", kind="email", outcome="opened"
            ),
            _touch(session, world, account_id, decider.id, week(3, 1)),
        ]
        # Not engagement of a key contact: a contact who is not a decision maker, an unanswered email, a no-show.
        for k in (1, 2, 3):
            for n in range(5):
                _touch(session, world, account_id, clerk.id, week(k, n))
            _touch(session, world, account_id, decider.id, week(k, 10), direction="outbound", kind="email")
            _touch(session, world, account_id, decider.id, week(k, 11), kind="meeting", outcome="no_show")
        await session.commit()

    risk = await _risk(client, world.rep_a, account_id)
    # Weeks 1-3 (1, 0, 2) are each below the median 3: strength 1 − mean(1, 0, 2)/3 = 1 − 1/3 = 2/3;
    # default weight 35 → 35 × 2/3 = 23.33 → 23 points; nothing else fires → score 23, level low.
    assert (risk["score"], risk["level"], risk["is_customer"]) == (23, "low", True)
    [reason] = risk["reasons"]
    assert (reason["factor"], reason["points"], reason["weight"], reason["strength"]) == (
        "engagement",
        23,
        35.0,
        0.6667,
    )
    assert reason["figures"] == {"week_1": 1.0, "week_2": 0.0, "week_3": 2.0, "benchmark": 3.0}
    assert reason["text"].startswith(
        "Key contacts' engagement below this customer's benchmark three weeks running: 1, 0 and 2"
    )
    records = {(r["type"], r["id"]) for r in reason["records"]}
    assert records == {("contact", str(decider.id))} | {("activity", str(i)) for i in recent}
    # One customer, none lost: too few to learn weights; the defaults apply and the answer says so.
    assert risk["weights"]["basis"] == "default"
    assert (risk["weights"]["lost_customers"], risk["weights"]["retained_customers"]) == (0, 1)
    assert [(f["factor"], f["fired"], f["weight"]) for f in risk["factors"]] == [
        ("engagement", True, 35.0), ("amendments", False, 25.0),
        ("case_surge", False, 20.0), ("sla_breach", False, 20.0),
    ]  # fmt: skip
    chinese = await _risk(client, world.rep_a, account_id, lang="zh-CN")
    assert chinese["reasons"][0]["text"].startswith(
        "关键联系人互动连续三周低于该客户的基准：最近三周（由近及远）分别为 1、0、2 次"
    )


async def _troubled(db, world, cs_owner_id=None) -> dict:
    """rep_b's customer with amended terms, a surge of cases and SLA breaches (figures worked out below)."""
    now = utcnow()
    ids: dict = {}
    async with db.sessionmaker() as session:
        account_id, contract_id = _customer(
            session, world, world.rep_b.user_id, "浦东物流 Pudong", cs_owner_id=cs_owner_id
        )
        ids["account"] = account_id
        # Scope / payment terms amended 3 times in 180 days (the amount change and the 200-day-old one don't count).
        ids["amendments"] = [
            _amend(session, world, contract_id, "payment_terms", now - 100 * DAY),
            _amend(session, world, contract_id, "payment_terms", now - 40 * DAY),
            _amend(session, world, contract_id, "scope", now - 10 * DAY),
        ]
        _amend(session, world, contract_id, "amount", now - 5 * DAY)
        _amend(session, world, contract_id, "scope", now - 200 * DAY)
        h = timedelta(hours=12)
        # Last 30 days: 3 cases. The 180 days before: 3 cases → 0.5 per 30 days.
        ids["c2"] = _case(session, world, account_id, now - 2 * DAY, due=now - 1 * DAY)  # open past due: breached
        ids["c5"] = _case(session, world, account_id, now - 5 * DAY, due=now - 4 * DAY,
                          responded=now - 4 * DAY - h, resolved=now - 4 * DAY - h)  # in time  # fmt: skip
        ids["c20"] = _case(session, world, account_id, now - 20 * DAY, due=now - 19 * DAY,
                           responded=now - 18 * DAY, resolved=now - 17 * DAY)  # answered late: breached  # fmt: skip
        ids["c60"] = _case(session, world, account_id, now - 60 * DAY, due=now - 59 * DAY, resolved=now - 59 * DAY - h)
        ids["c100"] = _case(session, world, account_id, now - 100 * DAY, due=now - 99 * DAY, resolved=now - 98 * DAY)
        ids["c150"] = _case(session, world, account_id, now - 150 * DAY, due=now - 149 * DAY)  # still open: breached
        await session.commit()
    return ids


async def test_amendments_case_surge_and_sla_breaches_add_up_to_the_score(client, db, world):
    ids = await _troubled(db, world)
    risk = await _risk(client, world.manager, ids["account"])
    # amendments: 3 in 180 days → strength 3/4 → 25 × 0.75 = 18.75 → 19 points.
    # case surge: 3 in 30 days vs 3/6 = 0.5 per 30 days (3 ≥ 2 and 3 ≥ 2 × 0.5) → (3 − 0.5)/4 = 0.625 → 20 × 0.625
    #   = 12.5 → 13 points (half up).
    # SLA: breached c2 (open past due), c20 (answered late), c150 (still open, older than 90 days but open) = 3;
    #   c5 and c60 were answered in time, c100 is resolved and older than 90 days → min(1, 3/2) = 1 → 20 points.
    # Score 20 + 19 + 13 = 52 → medium.
    assert (risk["score"], risk["level"]) == (52, "medium")
    assert [(r["factor"], r["points"]) for r in risk["reasons"]] == [
        ("sla_breach", 20),
        ("amendments", 19),
        ("case_surge", 13),
    ]
    reasons = {r["factor"]: r for r in risk["reasons"]}
    assert [r["id"] for r in reasons["amendments"]["records"]] == [str(i) for i in ids["amendments"]]
    assert (
        reasons["amendments"]["text"] == "Contract terms (scope, payment terms) amended 3 times in the last 180 days."
    )
    assert [r["id"] for r in reasons["case_surge"]["records"]] == [str(ids[k]) for k in ("c20", "c5", "c2")]
    assert reasons["case_surge"]["figures"] == {"cases_30d": 3.0, "average_30d": 0.5}
    assert reasons["case_surge"]["text"].startswith("3 support cases in the last 30 days, against an average of 0.5")
    assert [r["id"] for r in reasons["sla_breach"]["records"]] == [str(ids[k]) for k in ("c150", "c20", "c2")]
    assert _factor(risk, "engagement")["fired"] is False  # no contacts: no benchmark to fall below

    # The list of the caller's customers at risk: the manager reaches rep_b's account; rep_a does not.
    listed = (await client.get("/api/v1/insights/churn?min_score=52", headers=world.manager.headers)).json()
    assert [(i["account_id"], i["score"], i["level"]) for i in listed["items"]] == [(str(ids["account"]), 52, "medium")]
    above = (await client.get("/api/v1/insights/churn?min_score=53", headers=world.manager.headers)).json()
    assert above["items"] == []
    assert (await client.get("/api/v1/insights/churn?min_score=0", headers=world.rep_a.headers)).json()["items"] == []


async def test_the_lost_customer_profile_weighs_the_signs(client, db, world):
    now = utcnow()
    async with db.sessionmaker() as session:
        # Five lost customers, L0-L4, lost 30, 70, 110, 150 and 190 days ago. In the 90 days before they left:
        #   L0-L3 had their terms amended twice (4/5 = 0.8); L0-L2 had a surge of 2 cases (3/5 = 0.6);
        #   L0-L1 had a case open past its due time (2/5 = 0.4).
        for n in range(5):
            churned = now - (30 + 40 * n) * DAY
            account_id, contract_id = _customer(session, world, world.rep_a.user_id, f"Lost {n}", churned_at=churned)
            if n < 4:
                _amend(session, world, contract_id, "scope", churned - 20 * DAY)
                _amend(session, world, contract_id, "payment_terms", churned - 50 * DAY)
            if n < 3:
                _case(session, world, account_id, churned - 5 * DAY)
                _case(session, world, account_id, churned - 10 * DAY)
            if n < 2:
                _case(session, world, account_id, churned - 40 * DAY, due=churned - 39 * DAY)
            if n == 4:
                _amend(session, world, contract_id, "scope", churned + 10 * DAY)
                _amend(session, world, contract_id, "scope", churned + 12 * DAY)
                _amend(session, world, contract_id, "payment_terms", churned - 300 * DAY)
                _amend(session, world, contract_id, "payment_terms", churned - 290 * DAY)
        # Five retained customers lately: R0 amended twice (1/5 = 0.2); R0-R2 with a case open past due (3/5 = 0.6).
        # (Events after a customer left, or long before the 90 days, are not counted: L4 amended 10 days after.)
        retained = []
        for n in range(5):
            account_id, contract_id = _customer(session, world, world.rep_a.user_id, f"Kept {n}")
            retained.append(account_id)
            if n == 0:
                _amend(session, world, contract_id, "scope", now - 10 * DAY)
                _amend(session, world, contract_id, "payment_terms", now - 20 * DAY)
            if n < 3:
                _case(session, world, account_id, now - 10 * DAY, due=now - 9 * DAY)
        await session.commit()

    risk = await _risk(client, world.rep_a, retained[0])
    # Excess among the lost: engagement 0 − 0 = 0; amendments 0.8 − 0.2 = 0.6; case surge 0.6 − 0 = 0.6;
    # SLA 0.4 − 0.6 < 0 → 0. Scaled to 100: amendments 50, case surge 50, the others 0.
    assert risk["weights"]["basis"] == "learned"
    assert (risk["weights"]["lost_customers"], risk["weights"]["retained_customers"]) == (5, 5)
    compared = {f["factor"]: (f["lost_with"], f["lost_share"], f["retained_with"], f["retained_share"], f["weight"])
                for f in risk["factors"]}  # fmt: skip
    assert compared == {
        "engagement": (0, 0.0, 0, 0.0, 0.0),
        "amendments": (4, 0.8, 1, 0.2, 50.0),
        "case_surge": (3, 0.6, 0, 0.0, 50.0),
        "sla_breach": (2, 0.4, 3, 0.6, 0.0),
    }
    # R0 now: 2 amendments → strength 2/4 → 50 × 0.5 = 25 points; its SLA breach fires but weighs 0 → score 25.
    assert [(r["factor"], r["points"]) for r in risk["reasons"]] == [("amendments", 25), ("sla_breach", 0)]
    assert (risk["score"], risk["level"]) == (25, "low")


async def test_churn_risk_is_visible_as_its_account_is_and_bad_input_is_refused(client, world):
    for caller in (world.rep_b, world.rep_c, world.outsider):
        response = await client.get(f"/api/v1/accounts/{world.account_a}/churn-risk", headers=caller.headers)
        assert response.status_code == 404
    assert (
        await client.get(f"/api/v1/accounts/{uuid.uuid4()}/churn-risk", headers=world.admin.headers)
    ).status_code == 404
    # Not a customer yet (no contract, no won deal): a defined answer, not an error.
    risk = await _risk(client, world.rep_a, world.account_a)
    assert (risk["score"], risk["is_customer"], risk["reasons"]) == (0, False, [])
    for query in ("min_score=101", "min_score=-1", "min_score=abc", "limit=0", "limit=201"):
        response = await client.get(f"/api/v1/insights/churn?{query}", headers=world.manager.headers)
        assert response.status_code in (400, 422), query
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.fixture
async def runner(settings, db):
    runner = EmbeddedRunner(settings, db)
    yield runner
    await runner.close()


async def _never_quiet(db, user_id) -> None:
    """No quiet hours (start == end), whatever the hour the test runs at."""
    async with db.sessionmaker() as session:
        noon = time(12, 0)
        await session.execute(
            update(User).where(User.id == user_id).values(quiet_hours_start=noon, quiet_hours_end=noon)
        )
        await session.commit()


async def _warnings(db, user_id) -> list[Notification]:
    async with db.sessionmaker() as session:
        stmt = select(Notification).where(Notification.user_id == user_id, Notification.type == "warning.churn")
        return list((await session.execute(stmt)).scalars())


def test_the_warning_job_checks_every_hour():
    assert JOBS["retention.churn_warnings"] is warn_churn_risks
    assert any(c.name == "retention.churn_warnings" and c.every_s == 3600 for c in CRON)


async def test_the_warning_reaches_the_customer_success_owner_once_in_their_language(client, db, world, runner):
    async with db.sessionmaker() as session:
        await session.execute(update(User).where(User.id == world.rep_c.user_id).values(locale="zh-CN"))
        await session.commit()
    await _never_quiet(db, world.rep_c.user_id)
    ids = await _troubled(db, world, cs_owner_id=world.rep_c.user_id)
    ctx = runner.context("cron:retention.churn_warnings")
    assert await warn_churn_risks(ctx) == 1  # the medium-risk account (52); the world's prospects are not customers
    assert await warn_churn_risks(ctx) == 0  # the same day again: nothing new
    [warning] = await _warnings(db, world.rep_c.user_id)
    assert warning.title == "流失风险 52/100（中）：浦东物流 Pudong"
    assert warning.body.startswith("近 90 天有 3 个工单超出服务时限")
    assert (warning.url, warning.tag) == (f"/accounts/{ids['account']}", f"churn:{ids['account']}")
    assert await _warnings(db, world.rep_b.user_id) == []  # the owner is not warned when a CS owner is named

    async with db.sessionmaker() as session:
        # Warned at a higher level 3 days ago: still nothing. Warned 15 days ago: the 14 days are over, warn again.
        earlier = utcnow() - 3 * DAY
        await session.execute(update(ChurnWarning).values(level="high", sent_at=earlier, sent_on=earlier.date()))
        await session.commit()
        assert await warn_churn_risks(ctx) == 0
        earlier = utcnow() - 15 * DAY
        await session.execute(update(ChurnWarning).values(level="medium", sent_at=earlier, sent_on=earlier.date()))
        await session.commit()
    assert await warn_churn_risks(ctx) == 1
    assert len(await _warnings(db, world.rep_c.user_id)) == 2


async def test_without_a_customer_success_owner_the_account_owner_is_warned_outside_quiet_hours(
    client, db, world, runner
):
    await _troubled(db, world)
    ctx = runner.context("cron:retention.churn_warnings")
    local = datetime.now(ZoneInfo("Asia/Shanghai"))
    # Quiet from an hour ago to an hour from now (rep_b's time zone): not warned in this run.
    async with db.sessionmaker() as session:
        quiet = {"quiet_hours_start": (local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
                 "quiet_hours_end": (local + timedelta(hours=1)).time().replace(second=0, microsecond=0)}  # fmt: skip
        await session.execute(update(User).where(User.id == world.rep_b.user_id).values(**quiet))
        await session.commit()
    assert await warn_churn_risks(ctx) == 0
    assert await _warnings(db, world.rep_b.user_id) == []
    # Quiet hours over (they now lie 2 to 3 hours ahead): the next run warns.
    async with db.sessionmaker() as session:
        later = {"quiet_hours_start": (local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
                 "quiet_hours_end": (local + timedelta(hours=3)).time().replace(second=0, microsecond=0)}  # fmt: skip
        await session.execute(update(User).where(User.id == world.rep_b.user_id).values(**later))
        await session.commit()
    assert await warn_churn_risks(ctx) == 1
    [warning] = await _warnings(db, world.rep_b.user_id)
    assert warning.title == "Churn risk 52/100 (medium): 浦东物流 Pudong"
