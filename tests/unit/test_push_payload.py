"""The push payload: the contract's fields in order, at most 3 kB, and what is cut to get there."""

from __future__ import annotations

import msgspec
import pytest

from api.notifications.payload import (
    MAX_PAYLOAD_BYTES,
    SHORT_BODY_CHARS,
    PayloadAction,
    PushPayload,
    encode_payload,
)


def _payload(**overrides: object) -> PushPayload:
    fields: dict[str, object] = {
        "type": "approval.requested",
        "title": "折扣审批：上海明珠制造",
        "body": "张三申请 15% 折扣，金额 ¥1,200,000。",
        "url": "/approvals/2f1c",
        "tag": "approval:2f1c",
        "lang": "zh-CN",
        "actions": [PayloadAction("approve", "批准"), PayloadAction("reject", "拒绝")],
        "action_token": "tok_" + "x" * 120,
        "data": {"approval_id": "2f1c", "amount": 120000000},
    }
    return PushPayload(**{**fields, **overrides})  # type: ignore[arg-type]


def test_the_payload_has_the_contracts_fields_in_order():
    decoded = msgspec.json.decode(encode_payload(_payload()))
    assert list(decoded) == ["type", "title", "body", "url", "tag", "lang", "actions", "action_token", "data"]
    assert decoded["actions"] == [{"action": "approve", "title": "批准"}, {"action": "reject", "title": "拒绝"}]


def test_without_a_token_the_field_is_left_out():
    decoded = msgspec.json.decode(encode_payload(_payload(action_token=None, actions=[])))
    assert "action_token" not in decoded
    assert decoded["actions"] == []


def test_a_large_data_object_is_dropped_first():
    raw = encode_payload(_payload(data={"history": ["x" * 100] * 50}))
    decoded = msgspec.json.decode(raw)
    assert len(raw) <= MAX_PAYLOAD_BYTES
    assert decoded["data"] == {}
    assert decoded["body"] == _payload().body


def test_a_long_chinese_body_is_shortened_to_fit_and_keeps_type_url_and_token():
    body = "客户要求在季度末前签约，" * 400  # about 14 kB of UTF-8
    raw = encode_payload(_payload(body=body))
    decoded = msgspec.json.decode(raw)
    assert MAX_PAYLOAD_BYTES - 10 < len(raw) <= MAX_PAYLOAD_BYTES
    assert decoded["body"].endswith("…") and body.startswith(decoded["body"][:-1])
    assert decoded["type"] == "approval.requested"
    assert decoded["url"] == "/approvals/2f1c"
    assert decoded["action_token"] == "tok_" + "x" * 120


def test_after_a_413_each_retry_is_smaller():
    full = encode_payload(_payload(body="b" * 1000))
    no_data = encode_payload(_payload(body="b" * 1000), shrink=1)
    short = encode_payload(_payload(body="b" * 1000), shrink=2)
    assert len(full) > len(no_data) > len(short)
    assert msgspec.json.decode(no_data)["data"] == {}
    assert len(msgspec.json.decode(short)["body"]) == SHORT_BODY_CHARS
    assert msgspec.json.decode(short)["action_token"] == "tok_" + "x" * 120


def test_what_can_never_fit_is_refused():
    with pytest.raises(ValueError, match="cannot fit"):
        encode_payload(_payload(url="/" + "u" * 5000))
