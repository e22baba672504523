"""The verification fetcher: SSRF guard, redirects, deadlines, size limits, memo, bundled contexts.

Socket tests use a real HTTP server on 127.0.0.1 and the Fetcher's default transport; the guard is never mocked.
"""

from __future__ import annotations

import time

import httpx
import pytest

from badges.openbadges import BadgeSource, Fetcher, FetchError, codes, verify
from badges.openbadges.fetcher import is_public_address

from .conftest import CTX2, NOBODY, NOW, OB2_BASE, PUBLIC_IP, A, make_fetcher, requires_vectors
from .localserver import local_server

LOCAL = frozenset({"127.0.0.1"})


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "64:ff9b::a00:1",
        "not-an-ip",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert is_public_address(address) is False


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(address) is True


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://example.org/", "data:,x"])
def test_non_http_schemes_are_refused(url: str) -> None:
    fetcher, server = make_fetcher({})
    with pytest.raises(FetchError) as err:
        fetcher.fetch(url)
    assert err.value.code == codes.FETCH_BAD_SCHEME
    assert server.total == 0


def test_url_with_credentials_is_refused() -> None:
    fetcher, server = make_fetcher({})
    with pytest.raises(FetchError) as err:
        fetcher.fetch("https://user:pw@example.org/x")
    assert err.value.code == codes.FETCH_BAD_URL
    assert server.total == 0


@pytest.mark.parametrize("answer", [["10.0.0.7"], ["169.254.169.254"], ["::1"], [PUBLIC_IP, "192.168.0.2"]])
def test_host_resolving_to_a_private_address_is_refused_before_any_request(answer: list[str]) -> None:
    fetcher, server = make_fetcher({"https://evil.example/x": "ob2/key1.json"}, resolver=lambda h: answer)
    with pytest.raises(FetchError) as err:
        fetcher.fetch("https://evil.example/x")
    assert err.value.code == codes.FETCH_BLOCKED_ADDRESS
    assert server.total == 0


def test_allowed_host_skips_the_address_check() -> None:
    fetcher, server = make_fetcher(
        {"http://issuer.local/x": b'{"id": "http://issuer.local/x"}'},
        resolver=lambda h: ["10.1.1.1"],
        allowed_hosts=frozenset({"issuer.local"}),
    )
    assert fetcher.fetch("http://issuer.local/x").status == 200


def test_from_setting_parses_comma_separated_hosts() -> None:
    fetcher = Fetcher.from_setting(" 127.0.0.1, badges.test ,,")
    assert fetcher.allowed_hosts == frozenset({"127.0.0.1", "badges.test"})


def test_memo_fetches_each_url_once_per_run_only() -> None:
    fetcher, server = make_fetcher({"https://example.org/k": b'{"id": "https://example.org/k"}'})
    with fetcher.run():
        fetcher.fetch_json("https://example.org/k")
        fetcher.fetch_json("https://example.org/k#frag")
    assert server.hits["https://example.org/k"] == 1
    with fetcher.run():
        fetcher.fetch_json("https://example.org/k")
    assert server.hits["https://example.org/k"] == 2  # a new run sees fresh data (revocations must show up)


def test_memo_also_remembers_failures_within_a_run() -> None:
    fetcher, server = make_fetcher({})
    with fetcher.run():
        for _ in range(2):
            with pytest.raises(FetchError) as err:
                fetcher.fetch("https://example.org/missing")
            assert err.value.status == 404
    assert server.hits["https://example.org/missing"] == 1


def test_bundled_contexts_are_never_fetched() -> None:
    fetcher, server = make_fetcher(CTX2)
    _, ctx = fetcher.fetch_json("https://w3id.org/openbadges/v2")
    assert "@context" in ctx
    assert server.total == 0


@requires_vectors
def test_hosted_verification_fetches_each_url_once() -> None:
    fetcher, server = make_fetcher({A: "ob2/assertion-hosted-basic.json", **OB2_BASE, **CTX2})
    # A baked image naming A: the image's JSON points at A, which is then fetched (once) and trusted.
    from .conftest import vector_bytes

    result = verify(
        BadgeSource.from_image(vector_bytes("ob2/baked-hosted-assertion.png")),
        fetcher=fetcher,
        now=NOW,
        identities=[NOBODY],
    )
    assert result.status == "VERIFIED"
    assert server.hits and max(server.hits.values()) == 1
    assert server.hits["https://example.org/organization.json"] == 1


@requires_vectors
def test_url_import_fetches_the_assertion_once_even_though_it_is_sniffed_first() -> None:
    fetcher, server = make_fetcher({A: "ob2/assertion-hosted-basic.json", **OB2_BASE, **CTX2})
    result = verify(BadgeSource.from_url(A), fetcher=fetcher, now=NOW, identities=[NOBODY])
    assert result.status == "VERIFIED"
    assert server.hits[A] == 1


def test_body_limit_is_enforced_while_streaming_by_mock_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        def body():  # a stream with no Content-Length
            for _ in range(20):
                yield b" " * 100_000

        return httpx.Response(200, content=body(), headers={"Content-Type": "application/json"})

    fetcher = Fetcher(transport=httpx.MockTransport(handler), resolver=lambda h: [PUBLIC_IP])
    with pytest.raises(FetchError) as err:
        fetcher.fetch("https://example.org/huge.json")
    assert err.value.code == codes.FETCH_TOO_LARGE
    assert len(fetcher.fetch_image("https://example.org/huge.json").body) == 2_000_000  # images may be 5 MB


def test_declared_oversize_body_is_refused_without_reading() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers={"Content-Length": "9999999"}, content=b"x"))
    fetcher = Fetcher(transport=transport, resolver=lambda h: [PUBLIC_IP])
    with pytest.raises(FetchError) as err:
        fetcher.fetch_image("https://example.org/img.png")
    assert err.value.code == codes.FETCH_TOO_LARGE


# --- real sockets ----------------------------------------------------------------------------------------------
def test_local_server_is_refused_by_default() -> None:
    with local_server() as (base, hits), pytest.raises(FetchError) as err:
        Fetcher().fetch(f"{base}/ok.json")
    assert err.value.code == codes.FETCH_BLOCKED_ADDRESS
    assert hits == []


def test_local_server_is_reached_when_allowed() -> None:
    with local_server() as (base, hits):
        response, doc = Fetcher(allowed_hosts=LOCAL).fetch_json(f"{base}/ok.json")
    assert doc == {"ok": True}
    assert hits == ["/ok.json"]


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://localhost/",
    ],
)
def test_redirect_from_allowed_host_to_private_address_is_refused(target: str) -> None:
    fetcher = Fetcher(allowed_hosts=LOCAL, resolver=lambda h: ["127.0.0.1"])
    with local_server() as (base, hits), pytest.raises(FetchError) as err:
        fetcher.fetch(f"{base}/redirect?to={target}")
    assert err.value.code == codes.FETCH_BLOCKED_ADDRESS
    assert len(hits) == 1


def test_redirect_to_another_scheme_is_refused() -> None:
    with local_server() as (base, _hits), pytest.raises(FetchError) as err:
        Fetcher(allowed_hosts=LOCAL).fetch(f"{base}/redirect?to=file:///etc/passwd")
    assert err.value.code == codes.FETCH_BAD_SCHEME


def test_redirect_loop_stops_after_three_redirects() -> None:
    with local_server() as (base, hits), pytest.raises(FetchError) as err:
        Fetcher(allowed_hosts=LOCAL).fetch(f"{base}/loop")
    assert err.value.code == codes.FETCH_TOO_MANY_REDIRECTS
    assert len(hits) == 4  # the original request plus three redirects


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_trickling_server_hits_the_overall_deadline(path: str) -> None:
    fetcher = Fetcher(allowed_hosts=LOCAL, timeout=1.0, deadline=1.5)  # each byte arrives well within 1 s
    with local_server() as (base, _hits):
        started = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetcher.fetch(f"{base}{path}")
        elapsed = time.monotonic() - started
    assert err.value.code == codes.FETCH_TIMEOUT
    assert elapsed < 4


def test_chunked_body_over_the_limit_is_cut_off() -> None:
    with local_server() as (base, _hits), pytest.raises(FetchError) as err:
        Fetcher(allowed_hosts=LOCAL).fetch(f"{base}/big-chunked")
    assert err.value.code == codes.FETCH_TOO_LARGE


def test_dns_rebinding_between_check_and_connect_is_refused() -> None:
    """The default transport connects to the address it vetted; a second, private answer is refused."""
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])
    fetcher = Fetcher(resolver=lambda host: next(answers))
    with local_server() as (base, hits):
        port = base.rsplit(":", 1)[1]
        with pytest.raises(FetchError) as err:
            fetcher.fetch(f"http://rebind.test:{port}/ok.json")
    assert err.value.code == codes.FETCH_BLOCKED_ADDRESS
    assert hits == []


def test_trickling_server_fails_verification_with_timeout_code() -> None:
    fetcher = Fetcher(allowed_hosts=LOCAL, timeout=1.0, deadline=1.0)
    with local_server() as (base, _hits):
        result = verify(BadgeSource.from_url(f"{base}/trickle-body"), fetcher=fetcher, now=NOW, identities=[NOBODY])
    assert result.status == "FAILED"
    assert result.errors == [codes.FETCH_TIMEOUT]
