"""Real third-party clients against a live Vouch (Daphne on a free port, tests/live_server.py), the way native and
server-side apps connect: Python `gql` (WebsocketsTransport) and the npm `graphql-ws` client on Node (the client
Apollo's GraphQLWsLink wraps). Neither sends an Origin header. They authenticate with an allauth app session token,
in `connection_init` (`sessionToken`, Apollo-style `connectionParams`) or as the `X-Session-Token` header; a cookie
socket with a cross-site Origin is refused (4403). These are the recipes in README ("Subscriptions").

The Node client is installed from the npm registry into tests/node-ws/ by the fixture (once; node_modules is
reused), as tests/test_node_vc.py does; without Node/npm the Node tests skip (fail under CI)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from conftest import _unavailable

pytestmark = [pytest.mark.timeout(180), pytest.mark.django_db(transaction=True)]

NODE_DIR = Path(__file__).parent / "node-ws"
SUBSCRIPTION = "subscription { notificationReceived { kind payload } }"
# Endorsers with sessions: each endorsement (a mutation served by the live server, so the push goes through its own
# channel layer) notifies ana once.
SETUP = """
import json
from django.test import Client
from profiles.tests.factories import make_member
from skills.services import add_skill

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

ana = make_member("ana", email="ana@example.com")
add_skill(ana, name="Kubernetes")
print(json.dumps({"ana": session(ana), "endorsers": [session(make_member(f"endorser{n}")) for n in range(8)]}))
"""
ENDORSE = """
mutation($input: EndorseInput!) { endorse(input: $input) { endorsement { id } errors { code } } }
"""


@pytest.fixture
def server(live_server_factory):
    server = live_server_factory()
    sessions = json.loads(server.shell(SETUP).strip().splitlines()[-1])
    server.endorsers, server.ana_cookie = sessions["endorsers"], sessions["ana"]
    return server


def notify_ana(server) -> None:
    """One more endorsement of ana (the next endorser): an `endorsement.received` notification."""
    token = server.endorsers.pop()
    body = server.graphql(
        ENDORSE, {"input": {"member": "ana", "skill": "Kubernetes", "relationship": "PEER"}}, token=token
    )
    assert body["data"]["endorse"]["errors"] == [], body


def app_token(server) -> str:
    from profiles.tests.factories import PASSWORD

    response = httpx.post(
        f"{server.url}/_allauth/app/v1/auth/login", json={"email": "ana@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["meta"]["session_token"]


def browser_cookie(server) -> str:
    """ana's browser session (the cookie a signed-in browser holds)."""
    return server.ana_cookie


# --- Python gql -------------------------------------------------------------------------------------------------
async def _gql_first_notification(server, **transport_kwargs):
    from gql import Client, gql
    from gql.transport.websockets import WebsocketsTransport

    transport = WebsocketsTransport(url=server.ws_url("/graphql/ws/"), **transport_kwargs)
    async with Client(transport=transport) as session:

        async def trigger() -> None:
            await asyncio.sleep(1.0)
            await asyncio.to_thread(notify_ana, server)

        task = asyncio.create_task(trigger())
        async for result in session.subscribe(gql(SUBSCRIPTION)):
            await task
            return result
    return None


@pytest.mark.parametrize("how", ["init_payload", "header"])
async def test_gql_subscribes_without_origin_with_a_session_token(server, how):
    token = await asyncio.to_thread(app_token, server)
    kwargs = (
        {"init_payload": {"sessionToken": token}} if how == "init_payload" else {"headers": {"X-Session-Token": token}}
    )
    result = await asyncio.wait_for(_gql_first_notification(server, **kwargs), 60)
    notification = result["notificationReceived"]
    assert notification["kind"] == "endorsement.received"
    assert isinstance(notification["payload"], dict), notification  # a JSON object, not a JSON-encoded string


async def test_gql_query_over_http_with_the_token(server):
    from gql import Client, gql
    from gql.transport.httpx import HTTPXAsyncTransport

    token = await asyncio.to_thread(app_token, server)
    transport = HTTPXAsyncTransport(url=f"{server.url}/graphql/", headers={"X-Session-Token": token})
    async with Client(transport=transport) as session:
        result = await session.execute(
            gql("{ me { username } members(first: 100) { edges { node { username seniority } } } }")
        )
    assert result["me"] == {"username": "ana"}


async def test_gql_cookie_socket_from_a_cross_site_origin_is_refused(server):
    from gql.transport.exceptions import TransportError

    cookie = await asyncio.to_thread(browser_cookie, server)
    headers = {"Cookie": f"sessionid={cookie}", "Origin": "https://evil.example"}
    with pytest.raises(TransportError) as refused:
        await asyncio.wait_for(_gql_first_notification(server, headers=headers), 30)
    assert "received 4403" in str(refused.value.__cause__ or refused.value), repr(refused.value)
    # The same cookie from the site's own origin is served.
    own = {"Cookie": f"sessionid={cookie}", "Origin": server.url}
    result = await asyncio.wait_for(_gql_first_notification(server, headers=own), 60)
    assert result["notificationReceived"]["kind"] == "endorsement.received"


# --- npm graphql-ws on Node ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def node_client() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("the graphql-ws client test needs Node.js and npm (apt-get install nodejs npm)")
    if not (NODE_DIR / "node_modules" / "graphql-ws").exists():
        done = subprocess.run(
            [npm, "ci" if (NODE_DIR / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            _unavailable(f"npm install in tests/node-ws failed: {done.stderr[-500:]}")
    return NODE_DIR / "subscribe.mjs"


def run_node(script: Path, tmp_path: Path, server, *, trigger: bool, **payload) -> dict:
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"url": server.ws_url("/graphql/ws/"), **payload}))
    process = subprocess.Popen(
        ["node", str(script), str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        if trigger:
            deadline = time.monotonic() + 60
            while process.poll() is None and time.monotonic() < deadline:
                time.sleep(1.5)
                notify_ana(server)  # until the subscribed client has received one
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert out.strip(), err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", ["params", "header"])
def test_node_graphql_ws_subscribes_without_origin_with_a_session_token(node_client, tmp_path, server, mode):
    token = app_token(server)
    answer = run_node(node_client, tmp_path, server, trigger=True, mode=mode, token=token)
    assert answer["result"]["data"]["notificationReceived"]["kind"] == "endorsement.received", answer
    assert isinstance(answer["result"]["data"]["notificationReceived"]["payload"], dict), answer


def test_node_graphql_ws_cookie_socket_from_a_cross_site_origin_is_closed_4403(node_client, tmp_path, server):
    cookie = browser_cookie(server)
    answer = run_node(
        node_client, tmp_path, server, trigger=False, mode="cookie", cookie=cookie, origin="https://evil.example"
    )
    assert answer == {"closed": 4403}, answer


def test_node_graphql_ws_anonymous_is_closed_4403(node_client, tmp_path, server):
    assert run_node(node_client, tmp_path, server, trigger=False, mode="none") == {"closed": 4403}
