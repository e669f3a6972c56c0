import uuid

from api.lib.auth import TokenSigner, bearer_token


def test_a_token_verifies_only_with_its_secret_and_before_expiry():
    signer = TokenSigner("s" * 40)
    session_id, user_id = uuid.uuid4(), uuid.uuid4()
    token = signer.issue(session_id, user_id, ttl_s=60)
    assert signer.verify(token) == (session_id, user_id)
    assert TokenSigner("t" * 40).verify(token) is None
    assert signer.verify(signer.issue(session_id, user_id, ttl_s=-1)) is None


def test_tampered_or_malformed_tokens_are_refused():
    signer = TokenSigner("s" * 40)
    version, payload, signature = signer.issue(uuid.uuid4(), uuid.uuid4(), 60).split(".")
    other_payload = signer.issue(uuid.uuid4(), uuid.uuid4(), 60).split(".")[1]
    for token in (f"{version}.{other_payload}.{signature}", "v1.x.y", "garbage", "", f"v2.{payload}.{signature}"):
        assert signer.verify(token) is None


def test_bearer_header_parsing():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token(None) is None
