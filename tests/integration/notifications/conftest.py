"""A push service stand-in per test, allowed explicitly by its http origin; jobs run when the test says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.settings import Settings
from tests.support_push_service import PushServiceStandIn


@pytest.fixture(autouse=True)
def push_service(settings: Settings) -> Iterator[PushServiceStandIn]:
    with PushServiceStandIn() as service:
        settings.push_allowed_hosts = (*settings.push_allowed_hosts, service.origin)
        # The app's own relay stays off: each test runs the relay and the runner itself, step by step.
        settings.embedded_worker = False
        yield service
