"""End to end through the real ASGI app: an endorsement made over GraphQL reaches every open tab of the endorsed
member."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from notifications.payloads import EndorsementReceivedPayload
from notifications.tests.helpers import assert_silent, connect_as
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.testing import client_for, data_of, gql

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

ENDORSE = """
mutation Endorse($input: EndorseInput!) {
  endorse(input: $input) { endorsement { id } errors { code } }
}
"""
REQUEST = """
mutation Ask($input: RequestEndorsementInput!) {
  requestEndorsement(input: $input) { endorsementRequest { id } errors { code } }
}
"""
RESPOND = """
mutation Answer($input: RespondToEndorsementRequestInput!) {
  respondToEndorsementRequest(input: $input) { errors { code } }
}
"""


@database_sync_to_async
def member_with_skill(username: str, skill: str):
    member = make_member(username)
    add_skill(member, name=skill)
    return member


@database_sync_to_async
def call(user, document: str, input_: dict) -> dict:
    return data_of(gql(client_for(user), document, {"input": input_}))


async def test_endorse_through_graphql_reaches_both_open_tabs_of_the_endorsed_member():
    maria = await database_sync_to_async(make_member)("maria", display_name="Maria")
    ana = await member_with_skill("ana", "Kubernetes")
    tab1, tab2 = await connect_as(ana), await connect_as(ana)
    maria_tab = await connect_as(maria)

    result = await call(maria, ENDORSE, {"member": "ana", "skill": "kubernetes", "relationship": "PEER"})
    assert result["endorse"]["errors"] == []

    for tab in (tab1, tab2):
        frame = await tab.receive_json_from(timeout=5)
        assert frame["type"] == "notification"
        notification = frame["notification"]
        assert notification["kind"] == "endorsement.received"
        assert notification["payload"]["endorser"]["username"] == "maria"
        assert notification["payload"]["endorser"]["displayName"] == "Maria"
        assert notification["payload"]["skill"]["name"] == "Kubernetes"
        assert notification["payload"]["endorsementId"] == result["endorse"]["endorsement"]["id"]
        assert (
            EndorsementReceivedPayload.__required_keys__
            <= set(notification["payload"])
            <= (EndorsementReceivedPayload.__required_keys__ | EndorsementReceivedPayload.__optional_keys__)
        )
        assert await tab.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
    await assert_silent(maria_tab, 0.2)
    for tab in (tab1, tab2, maria_tab):
        await tab.disconnect()


async def test_a_refused_endorsement_pushes_nothing():
    ana = await member_with_skill("ana", "Kubernetes")
    tab = await connect_as(ana)
    result = await call(ana, ENDORSE, {"member": "ana", "skill": "kubernetes", "relationship": "PEER"})
    assert [e["code"] for e in result["endorse"]["errors"]] == ["SELF_ENDORSEMENT"]
    await assert_silent(tab, 0.3)
    await tab.disconnect()


async def test_a_request_and_its_decline_reach_each_side_live():
    ana = await member_with_skill("ana", "Go")
    bob = await database_sync_to_async(make_member)("bob")
    ana_tab, bob_tab = await connect_as(ana), await connect_as(bob)

    asked = await call(ana, REQUEST, {"recipient": "bob", "skill": "go", "relationship": "PEER", "message": "pls"})
    request_id = asked["requestEndorsement"]["endorsementRequest"]["id"]
    frame = await bob_tab.receive_json_from(timeout=5)
    assert frame["notification"]["kind"] == "endorsement_request.received"
    assert frame["notification"]["payload"]["requester"]["username"] == "ana"
    assert frame["notification"]["payload"]["requestId"] == request_id

    await call(bob, RESPOND, {"requestId": request_id, "accept": False})
    frame = await ana_tab.receive_json_from(timeout=5)
    assert frame["notification"]["kind"] == "endorsement_request.answered"
    assert frame["notification"]["payload"]["status"] == "DECLINED"
    assert "endorsementId" not in frame["notification"]["payload"]
    json.dumps(frame)  # plain JSON all the way
    await ana_tab.disconnect()
    await bob_tab.disconnect()
