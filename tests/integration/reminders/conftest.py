"""A job context for calling the reminder jobs directly, with an explicit ``now``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api.db.engine import Database
from api.settings import Settings
from worker.jobs import JobContext
from worker.relay import EmbeddedRunner


@pytest.fixture
async def ctx(settings: Settings, db: Database) -> AsyncIterator[JobContext]:
    runner = EmbeddedRunner(settings, db)
    yield runner.context("cron:reminders")
    await runner.close()
