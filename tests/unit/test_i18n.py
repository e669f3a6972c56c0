import pytest

from api.lib.i18n import negotiate, render, t


@pytest.mark.parametrize(
    ("header", "fallback", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh-CN"),
        ("en-US,en;q=0.9", "zh-CN", "en"),
        ("fr-FR, en;q=0.5, zh;q=0.7", None, "zh-CN"),
        ("fr-FR", "zh-CN", "zh-CN"),
        (None, "en", "en"),
        ("zh-Hant;q=0, en", None, "en"),
        (None, None, "en"),
    ],
)
def test_negotiation_prefers_the_header_then_the_users_locale(header, fallback, expected):
    assert negotiate(header, fallback) == expected


def test_render_fills_placeholders_in_the_chosen_language():
    text = t("{n} deals", "{n} 个商机")
    assert render(text, "zh-CN", n=3) == "3 个商机"
    assert render(text, "en", n=3) == "3 deals"
