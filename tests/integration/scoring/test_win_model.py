"""The win model learned from the org's closed deals, on a dataset whose answer is known.

40 closed deals, all rep_a's, all worth 1,000, each created in ``qualified`` and closed 150 days ago: product X won
16 of 20, product Y won 4 of 20. Every feature but the product is the same for all of them, so:

- the intercept is not penalised, so at the optimum Σ(p − y) = 0 over all deals; a feature every deal has gets
  the same gradient plus its penalty, Σ(p − y) + λw = 0, hence weight 0;
- by symmetry (16/20 against 4/20) the intercept is 0 and the products weigh +w and −w, where w solves
  Σ_X(p − y) + λw = 20 σ(w) − 16 + w = 0 (λ = 1), i.e. w = 16 − 20 σ(w) ≈ 1.08.

So an open X deal in qualified has σ(w) ≈ 0.746, a Y deal σ(−w), and an X deal whose account has an escalated
support case σ(w + ln 0.5).
"""

from __future__ import annotations

import math
import uuid

import pytest
from sqlalchemy import func, select

from api.db.models import Product, WinModel
from api.scoring.jobs import retrain_all
from api.scoring.model import sigmoid
from tests.integration.scoring.records import add_case, add_deal, ago
from worker.jobs import JobContext


async def _products(session, org_id):
    x = Product(id=uuid.uuid4(), org_id=org_id, sku="X", name="Product X", list_price=1000)
    y = Product(id=uuid.uuid4(), org_id=org_id, sku="Y", name="Product Y", list_price=1000)
    session.add_all([x, y])
    await session.flush()
    return x.id, y.id


@pytest.fixture
async def history(db, world):
    acme, a = world.acme, world.rep_a.user_id
    async with db.sessionmaker() as session:
        x, y = await _products(session, acme)
        for product, won in ((x, 16), (y, 4)):
            for index in range(20):
                final = "won" if index < won else "lost"
                await add_deal(session, acme, a, world.account_a, [("qualified", ago(200)), (final, ago(150))], 1000,
                               product_id=product)  # fmt: skip
        deals = {}
        for name, product, account in (
            ("x", x, world.account_b),
            ("y", y, world.account_b),
            ("x2", x, world.account_a),
        ):
            deals[name] = await add_deal(session, acme, a, account, [("qualified", ago(10))], 1000, product_id=product)
        deals["case"] = await add_case(session, acme, world.account_a, status="escalated")
        await session.commit()
    return {"product_x": x, "product_y": y, **deals}


def _weight() -> float:
    """The root of w = 16 − 20 σ(w), by bisection."""
    low, high = 0.0, 3.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if middle - (16 - 20 * sigmoid(middle)) < 0 else (low, middle)
    return (low + high) / 2


async def test_the_model_learns_the_product_effect_and_explains_it(client, world, history):
    trained = await client.post("/api/v1/insights/win-model/train", headers=world.admin.headers)
    assert trained.status_code == 201, trained.text
    model = trained.json()
    assert (model["status"], model["training_size"], model["won"], model["lost"]) == ("trained", 40, 20, 20)
    w = _weight()
    assert model["intercept"] == pytest.approx(0, abs=1e-4)
    assert model["weights"][f"product={history['product_x']}"] == pytest.approx(w, abs=1e-4)
    assert model["weights"][f"product={history['product_y']}"] == pytest.approx(-w, abs=1e-4)
    shared = {k: v for k, v in model["weights"].items() if not k.startswith("product=")}
    assert shared.keys() == {f"owner={world.rep_a.user_id}", "stage=qualified", "amount=1", "age=0", "touches=0",
                             "inbound=0"}  # fmt: skip
    assert all(v == pytest.approx(0, abs=1e-4) for v in shared.values())

    x = (await client.get(f"/api/v1/opportunities/{history['x']}/score", headers=world.rep_a.headers)).json()["win"]
    assert x["basis"] == "model"
    assert x["probability"] == pytest.approx(sigmoid(w), abs=1e-4)  # ≈ 0.746
    top = x["contributions"][0]
    assert top["feature"] == f"product={history['product_x']}"
    assert top["label"] == {"en": "Product: Product X", "zh": "产品：Product X"}
    assert top["log_odds"] == pytest.approx(w, abs=1e-4)
    stage = next(c for c in x["contributions"] if c["feature"] == "stage=qualified")
    assert stage["label"] == {"en": "Stage: Qualified", "zh": "阶段：需求确认"}
    # The explanation adds up: base + Σ contributions is the log-odds of the probability shown.
    total = x["base_log_odds"] + sum(c["log_odds"] for c in x["contributions"])
    assert sigmoid(total) == pytest.approx(x["probability"], abs=1e-3)

    y = (await client.get(f"/api/v1/opportunities/{history['y']}/score", headers=world.rep_a.headers)).json()["win"]
    assert y["probability"] == pytest.approx(sigmoid(-w), abs=1e-4)  # ≈ 0.254

    # Same features as x, but its account has an escalated case: the odds are halved.
    x2 = (await client.get(f"/api/v1/opportunities/{history['x2']}/score", headers=world.rep_a.headers)).json()["win"]
    assert x2["probability"] == pytest.approx(sigmoid(w + math.log(0.5)), abs=1e-4)
    complaint = next(c for c in x2["contributions"] if c["feature"] == "complaint")
    assert complaint["records"] == [{"type": "support_case", "id": str(history["case"])}]
    odds = x2["probability"] / (1 - x2["probability"]) / (x["probability"] / (1 - x["probability"]))
    assert odds == pytest.approx(0.5, abs=1e-3)

    shown = await client.get("/api/v1/insights/win-model", headers=world.manager.headers)
    assert shown.status_code == 200
    assert shown.json()["status"] == "current"


async def test_too_few_closed_deals_leave_the_stage_probability(client, world):
    create = await client.post(
        "/api/v1/opportunities",
        json={"account_id": str(world.account_a), "name": "新商机", "amount": 5000, "stage": "qualified"},
        headers=world.rep_a.headers,
    )
    assert create.status_code == 201, create.text
    trained = await client.post("/api/v1/insights/win-model/train", headers=world.admin.headers)
    assert trained.status_code == 201, trained.text
    assert (trained.json()["status"], trained.json()["intercept"], trained.json()["min_deals"]) == ("too_few", None, 30)
    win = (await client.get(f"/api/v1/opportunities/{create.json()['id']}/score", headers=world.rep_a.headers)).json()
    assert (win["win"]["basis"], win["win"]["probability"]) == ("stage", 0.2)


async def test_only_admins_train_and_only_managers_and_admins_read_the_model(client, world):
    for caller in (world.rep_a, world.manager):
        response = await client.post("/api/v1/insights/win-model/train", headers=caller.headers)
        assert response.status_code == 403, response.text
    assert (await client.get("/api/v1/insights/win-model", headers=world.rep_a.headers)).status_code == 403


async def test_the_nightly_job_retrains_every_org_once_whatever_how_often_it_runs(db, settings, world, history):
    context = JobContext(settings=settings, db=db)
    assert await retrain_all(context) == {"trained": 1, "too_few": 1}  # Acme, and Other without closed deals
    assert await retrain_all(context) == {"trained": 1, "too_few": 1}
    async with db.sessionmaker() as session:
        rows = (await session.execute(select(WinModel.org_id, func.count()).group_by(WinModel.org_id))).all()
    assert rows == [(world.acme, 1)]
