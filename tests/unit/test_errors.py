"""A 500 says nothing about the internals."""

from litestar import Litestar, get
from litestar.testing import TestClient

from api.lib.errors import handle_exception


@get("/boom")
async def boom() -> None:
    raise RuntimeError("SELECT password_hash FROM users -- secret internals")


def test_unexpected_errors_answer_a_bare_localized_500():
    app = Litestar([boom], exception_handlers={Exception: handle_exception})
    with TestClient(app) as client:
        response = client.get("/boom", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert response.json()["title"] == "服务器出错了"
