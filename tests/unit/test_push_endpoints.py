"""Which push endpoints the server may fetch: https on allowed hosts, public addresses, explicit origins."""

from __future__ import annotations

import pytest

from api.notifications.endpoints import EndpointPolicy, EndpointRefused
from api.settings import DEFAULT_PUSH_HOSTS

DNS = {
    "fcm.googleapis.com": ["142.250.72.10"],
    "wns2-par02p.notify.windows.com": ["2603:1020:203::10"],
    "push.example.com": ["93.184.215.14"],
    "rebound.push.example.com": ["10.0.0.7"],
    "mixed.push.example.com": ["93.184.215.14", "169.254.169.254"],
    "mapped.push.example.com": ["::ffff:127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
}


async def fake_dns(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise OSError("no such host")
    return DNS[host]


def _policy(*extra: str) -> EndpointPolicy:
    return EndpointPolicy((*DEFAULT_PUSH_HOSTS, "push.example.com", "localhost", *extra), resolver=fake_dns)


async def _refusal(policy: EndpointPolicy, url: str) -> str:
    with pytest.raises(EndpointRefused) as refused:
        await policy.target(url)
    return refused.value.code


async def test_a_browser_push_service_is_reached_at_the_address_that_was_checked():
    target = await _policy().target("https://fcm.googleapis.com/fcm/send/abc:def?x=1")
    assert target.url == "https://142.250.72.10/fcm/send/abc:def?x=1"
    assert target.headers == {"Host": "fcm.googleapis.com"}
    assert target.extensions == {"sni_hostname": "fcm.googleapis.com"}  # TLS still checks the real name
    assert target.origin == "https://fcm.googleapis.com"


async def test_a_subdomain_of_an_allowed_host_is_allowed():
    target = await _policy().target("https://wns2-par02p.notify.windows.com/w/?token=1")
    assert target.url.startswith("https://[2603:1020:203::10]/w/")


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://fcm.googleapis.com/fcm/send/abc", "insecure_scheme"),
        ("https://evil.example.org/push", "host_not_allowed"),
        ("https://fcm.googleapis.com.evil.example.org/push", "host_not_allowed"),
        ("https://notfcm.googleapis.com/push", "host_not_allowed"),
        ("https://fcm.googleapis.com:8443/push", "host_not_allowed"),
        ("https://user:pw@fcm.googleapis.com/push", "invalid_url"),
        ("ftp://fcm.googleapis.com/push", "invalid_url"),
        ("https:///push", "invalid_url"),
        ("https://fcm.googleapis.com:99999/push", "invalid_url"),
        ("https://rebound.push.example.com/push", "private_address"),
        ("https://mixed.push.example.com/push", "private_address"),
        ("https://mapped.push.example.com/push", "private_address"),
        ("https://localhost/push", "private_address"),
        ("https://127.0.0.1/push", "host_not_allowed"),
        ("https://unknown.push.example.com/push", "unresolvable"),
    ],
)
async def test_endpoints_the_server_must_not_fetch_are_refused(url, code):
    assert await _refusal(_policy(), url) == code


async def test_an_origin_entry_allows_plain_http_to_exactly_that_origin_whatever_its_address():
    policy = _policy("http://127.0.0.1:8766")
    target = await policy.target("http://127.0.0.1:8766/push/abc")
    assert (target.url, target.origin, target.extensions) == (
        "http://127.0.0.1:8766/push/abc",
        "http://127.0.0.1:8766",
        {},
    )
    assert await _refusal(policy, "http://127.0.0.1:8767/push/abc") == "insecure_scheme"
    assert await _refusal(policy, "https://127.0.0.1:8766/push/abc") == "host_not_allowed"
    assert await _refusal(policy, "http://localhost:8766/push/abc") == "insecure_scheme"


async def test_an_ip_entry_allows_exactly_that_address():
    policy = _policy("10.1.2.3")
    assert (await policy.target("https://10.1.2.3/p")).url == "https://10.1.2.3/p"
    assert await _refusal(policy, "https://10.1.2.4/p") == "host_not_allowed"


async def test_an_https_origin_entry_keeps_its_port_in_the_audience():
    policy = _policy("https://push.example.com:8443")
    target = await policy.target("https://push.example.com:8443/p")
    assert target.origin == "https://push.example.com:8443"
    assert target.url == "https://93.184.215.14:8443/p"
    assert target.headers == {"Host": "push.example.com:8443"}


async def test_names_that_are_not_host_names_are_refused_before_any_lookup():
    policy = _policy()
    assert await _refusal(policy, "https://a b.fcm.googleapis.com/p") == "invalid_url"
    assert await _refusal(policy, "https://a\x00b.fcm.googleapis.com/p") == "invalid_url"
    assert await _refusal(policy, "https://[::1/p") == "invalid_url"


def test_a_malformed_allow_list_entry_is_ignored_not_fatal():
    policy = EndpointPolicy(("fcm.googleapis.com", "http://", "bad host", "http://127.0.0.1:8766"))
    assert policy.hosts == {"fcm.googleapis.com"}
    assert len(policy.origins) == 1
