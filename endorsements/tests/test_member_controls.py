"""Member controls through GraphQL: who may endorse me (updateEndorsementSettings, ENDORSEMENT_NOT_ALLOWED,
Member.viewerMayEndorse), review before showing (PENDING_REVIEW, approveEndorsement, the queue), and one
relationship per endorser and member (relationshipNotice)."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement
from endorsements.services import endorse, request_endorsement
from endorsements.tests.factories import listing, make_established, refreshed
from notifications.models import Notification
from profiles.models import Profile
from profiles.services import block_member, verify_organisation
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import CountQueries, client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

SETTINGS = """mutation($input: UpdateEndorsementSettingsInput!) { updateEndorsementSettings(input: $input) {
  member { username endorsementSettings { whoMayEndorse reviewBeforeShowing } } errors { field code message } } }"""
ENDORSE = """mutation($member: String!, $skill: String!, $rel: Relationship!) {
  endorse(input: {member: $member, skill: $skill, relationship: $rel}) {
    endorsement { id status relationship hidden } memberSkill { score endorsementCount } relationshipNotice
    errors { code message } } }"""
APPROVE = """mutation($id: ID!) { approveEndorsement(input: {endorsementId: $id}) {
  endorsement { id status hidden } memberSkill { score endorsementCount } errors { code } } }"""
HIDE = """mutation($id: ID!) { setEndorsementHidden(input: {endorsementId: $id, hidden: true}) {
  endorsement { status hidden } errors { code } } }"""
ME = """{ me { endorsementSettings { whoMayEndorse reviewBeforeShowing }
  endorsementsAwaitingReview { id status comment endorser { username } skill { name } } } }"""
MEMBER = """query($u: String!) { member(username: $u) { endorsementSettings { whoMayEndorse }
  endorsementsAwaitingReview { id } viewerMayEndorse { allowed code message }
  skills { score endorsementCount endorsements(first: 10) {
    totalCount edges { node { endorser { username } status } } } } } }"""
RESPOND = """mutation($id: ID!) { respondToEndorsementRequest(input: {requestId: $id, accept: true}) {
  endorsement { status relationship } relationshipNotice errors { code } } }"""


def _settings(user, **input_):
    return data_of(gql(client_for(user), SETTINGS, {"input": input_}))["updateEndorsementSettings"]


def _endorse(user, member="ana", skill="Go", rel="PEER"):
    return data_of(gql(client_for(user), ENDORSE, {"member": member, "skill": skill, "rel": rel}))["endorse"]


# --- updateEndorsementSettings: owner, other member, anonymous --------------------------------------------------
def test_owner_changes_their_endorsement_settings_and_only_they_read_them():
    ana, bob = make_member("ana"), make_member("bob")
    payload = _settings(ana, whoMayEndorse="ONLY_ASKED", reviewBeforeShowing=True)
    assert payload["errors"] == []
    assert payload["member"]["endorsementSettings"] == {"whoMayEndorse": "ONLY_ASKED", "reviewBeforeShowing": True}
    # A field left out stays as it is.
    assert _settings(ana, reviewBeforeShowing=False)["member"]["endorsementSettings"]["whoMayEndorse"] == "ONLY_ASKED"
    assert data_of(gql(client_for(bob), MEMBER, {"u": "ana"}))["member"]["endorsementSettings"] is None
    # bob's call changes bob's settings, never ana's.
    _settings(bob, whoMayEndorse="ORGANISATION_AND_ASKED")
    assert Profile.objects.get(user=ana).who_may_endorse == "ONLY_ASKED"
    assert Profile.objects.get(user=bob).who_may_endorse == "ORGANISATION_AND_ASKED"


def test_endorsement_settings_need_a_signed_in_member():
    body = gql(Client(), SETTINGS, {"input": {"whoMayEndorse": "ONLY_ASKED"}})
    assert unauthenticated(body)
    body = gql(Client(), ME)
    assert body["data"]["me"] is None


def test_unknown_policy_is_refused_by_the_schema_and_writes_nothing():
    ana = make_member("ana")
    body = gql(client_for(ana), SETTINGS, {"input": {"whoMayEndorse": "EVERYONE"}})
    assert body.get("errors")
    assert Profile.objects.get(user=ana).who_may_endorse == "ANYONE"


# --- who may endorse me ----------------------------------------------------------------------------------------
def test_only_asked_refuses_others_with_a_reason_and_lets_the_asked_endorse_and_answer():
    ana, bob, cyd = make_member("ana", display_name="Ana"), make_member("bob"), make_member("cyd")
    listing(ana, "Go")
    listing(ana, "Python")
    _settings(ana, whoMayEndorse="ONLY_ASKED")
    refused = _endorse(bob)
    assert error_codes(refused) == ["ENDORSEMENT_NOT_ALLOWED"]
    assert "only from people they asked" in refused["errors"][0]["message"]
    assert not Endorsement.objects.exists()
    viewer = data_of(gql(client_for(bob), MEMBER, {"u": "ana"}))["member"]["viewerMayEndorse"]
    assert viewer == {
        "allowed": False,
        "code": "ENDORSEMENT_NOT_ALLOWED",
        "message": "Ana accepts endorsements only from people they asked.",
    }
    # Ana asks cyd for Python: cyd may answer, and may endorse her directly for another skill too.
    request = request_endorsement(ana, recipient=cyd, skill="Python", relationship="PEER")
    answered = data_of(gql(client_for(cyd), RESPOND, {"id": encode_id("EndorsementRequest", request.pk)}))
    assert answered["respondToEndorsementRequest"]["errors"] == []
    assert _endorse(cyd)["errors"] == []
    assert data_of(gql(client_for(cyd), MEMBER, {"u": "ana"}))["member"]["viewerMayEndorse"]["allowed"] is True
    assert gql(Client(), MEMBER, {"u": "ana"})["data"]["member"]["viewerMayEndorse"] is None


def test_a_declined_request_still_counts_as_asked_but_a_cancelled_one_does_not():
    from endorsements.services import cancel_endorsement_request, respond_to_endorsement_request

    ana, bob, cyd = make_member("ana"), make_member("bob"), make_member("cyd")
    listing(ana, "Go")
    _settings(ana, whoMayEndorse="ONLY_ASKED")
    r = request_endorsement(ana, recipient=bob, skill="Go", relationship="PEER")
    respond_to_endorsement_request(bob, request_id=r.pk, accept=False)
    assert _endorse(bob)["errors"] == []
    r = request_endorsement(ana, recipient=cyd, skill="Go", relationship="PEER")
    cancel_endorsement_request(ana, request_id=r.pk)
    assert error_codes(_endorse(cyd)) == ["ENDORSEMENT_NOT_ALLOWED"]


def test_organisation_and_asked_lets_colleagues_at_the_verified_organisation_endorse():
    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    ana = make_member("ana", email="ana@northwind.example", display_name="Ana")
    colleague = make_member("col", email="col@northwind.example")
    outsider = make_member("out", email="out@elsewhere.example")
    listing(ana, "Go")
    _settings(ana, whoMayEndorse="ORGANISATION_AND_ASKED")
    refused = _endorse(outsider)
    assert error_codes(refused) == ["ENDORSEMENT_NOT_ALLOWED"]
    assert "verified organisation" in refused["errors"][0]["message"]
    assert _endorse(colleague)["errors"] == []
    # Asked outsiders may endorse too.
    listing(ana, "Python")
    request_endorsement(ana, recipient=outsider, skill="Python", relationship="OTHER")
    assert _endorse(outsider, rel="OTHER")["errors"] == []


def test_blocked_refusal_says_why_without_saying_who_blocked():
    ana, troll = make_member("ana"), make_member("troll")
    listing(ana, "Go")
    listing(troll, "Go")
    block_member(ana, member=troll)
    for actor, target in ((troll, "ana"), (ana, "troll")):
        payload = _endorse(actor, member=target)
        assert error_codes(payload) == ["BLOCKED"]
        assert payload["errors"][0]["message"] == (
            "You can’t endorse this member, and they can’t endorse you: one of you blocked the other."
        )
    viewer = data_of(gql(client_for(troll), MEMBER, {"u": "ana"}))["member"]["viewerMayEndorse"]
    assert viewer["code"] == "BLOCKED" and viewer["allowed"] is False


# --- review before showing -------------------------------------------------------------------------------------
def test_review_before_showing_keeps_new_endorsements_out_of_scores_until_approved():
    ana = make_member("ana")
    ms = listing(ana, "Go")
    bob, cyd = make_established("bob"), make_member("cyd")
    _settings(ana, reviewBeforeShowing=True)
    given = _endorse(bob)
    assert given["errors"] == []
    assert given["endorsement"]["status"] == "PENDING_REVIEW"
    assert given["endorsement"]["hidden"] is None  # the endorser is not the member
    assert given["memberSkill"] == {"score": 0.0, "endorsementCount": 0}
    assert refreshed(ms).score == 0 and refreshed(ms).endorsement_count == 0
    # The member is told it awaits review, with a link to the queue.
    note = Notification.objects.get(recipient=ana, kind="endorsement.received")
    assert note.payload["awaitingReview"] is True and note.payload["url"] == "/settings/endorsements/#review"
    # Nobody but ana (and bob, as pending) sees it.
    for viewer in (None, cyd):
        seen = gql(client_for(viewer) if viewer else Client(), MEMBER, {"u": "ana"})["data"]["member"]
        assert seen["skills"][0]["endorsements"]["edges"] == []
        assert seen["endorsementsAwaitingReview"] is None
    by_bob = data_of(gql(client_for(bob), MEMBER, {"u": "ana"}))["member"]["skills"][0]["endorsements"]["edges"]
    assert by_bob == [{"node": {"endorser": {"username": "bob"}, "status": "PENDING_REVIEW"}}]
    queue = data_of(gql(client_for(ana), ME))["me"]["endorsementsAwaitingReview"]
    assert [(e["endorser"]["username"], e["skill"]["name"], e["status"]) for e in queue] == [
        ("bob", "Go", "PENDING_REVIEW")
    ]
    # Approving: it counts and shows; the queue is empty.
    approved = data_of(gql(client_for(ana), APPROVE, {"id": given["endorsement"]["id"]}))["approveEndorsement"]
    assert approved["errors"] == []
    assert approved["endorsement"] == {"id": given["endorsement"]["id"], "status": "VISIBLE", "hidden": False}
    assert approved["memberSkill"]["endorsementCount"] == 1 and approved["memberSkill"]["score"] > 0
    assert refreshed(ms).score == approved["memberSkill"]["score"]
    assert data_of(gql(client_for(ana), ME))["me"]["endorsementsAwaitingReview"] == []
    seen = gql(Client(), MEMBER, {"u": "ana"})["data"]["member"]["skills"][0]
    assert seen["endorsementCount"] == 1


def test_hiding_from_the_review_queue_keeps_it_out_of_scores_and_the_queue():
    ana = make_member("ana")
    ms = listing(ana, "Go")
    bob = make_established("bob")
    _settings(ana, reviewBeforeShowing=True)
    given = _endorse(bob)
    hidden = data_of(gql(client_for(ana), HIDE, {"id": given["endorsement"]["id"]}))["setEndorsementHidden"]
    assert hidden == {"endorsement": {"status": "HIDDEN", "hidden": True}, "errors": []}
    assert data_of(gql(client_for(ana), ME))["me"]["endorsementsAwaitingReview"] == []
    assert refreshed(ms).endorsement_count == 0
    # Hidden, bob no longer sees it (as for any hidden endorsement).
    by_bob = data_of(gql(client_for(bob), MEMBER, {"u": "ana"}))["member"]["skills"][0]["endorsements"]["edges"]
    assert by_bob == []


def test_approve_is_the_members_own_and_needs_a_signed_in_member():
    ana, otto = make_member("ana"), make_member("otto")
    ms = listing(ana, "Go")
    bob = make_established("bob")
    _settings(ana, reviewBeforeShowing=True)
    pending_id = _endorse(bob)["endorsement"]["id"]
    for someone in (otto, bob):  # another member, and the endorser themselves
        payload = data_of(gql(client_for(someone), APPROVE, {"id": pending_id}))["approveEndorsement"]
        assert error_codes(payload) == ["NOT_FOUND"] and payload["endorsement"] is None
    assert unauthenticated(gql(Client(), APPROVE, {"id": pending_id}))
    assert error_codes(data_of(gql(client_for(ana), APPROVE, {"id": "bogus"}))["approveEndorsement"]) == ["NOT_FOUND"]
    assert Endorsement.objects.get().pending_review and refreshed(ms).endorsement_count == 0


def test_an_accepted_request_waits_for_the_requesters_review_too():
    ana, bob = make_member("ana"), make_established("bob")
    ms = listing(ana, "Go")
    _settings(ana, reviewBeforeShowing=True)
    request = request_endorsement(ana, recipient=bob, skill="Go", relationship="MANAGER")
    answered = data_of(gql(client_for(bob), RESPOND, {"id": encode_id("EndorsementRequest", request.pk)}))
    assert answered["respondToEndorsementRequest"]["endorsement"]["status"] == "PENDING_REVIEW"
    assert refreshed(ms).endorsement_count == 0
    note = Notification.objects.get(recipient=ana, kind="endorsement_request.answered")
    assert note.payload["awaitingReview"] is True


def test_review_queue_query_count_does_not_grow():
    ana = make_member("ana")
    listing(ana, "Go")
    _settings(ana, reviewBeforeShowing=True)
    endorse(make_member("first"), member="ana", skill="Go", relationship="PEER")

    def count() -> int:
        with CountQueries() as q:
            data_of(gql(client_for(ana), ME))
        return q.count

    small = count()
    for i in range(8):
        listing(ana, f"Skill{i}")
        endorse(make_member(f"endorser{i}"), member="ana", skill=f"Skill{i}", relationship="PEER")
    assert len(data_of(gql(client_for(ana), ME))["me"]["endorsementsAwaitingReview"]) == 9
    assert count() == small


def test_viewer_may_endorse_costs_a_fixed_number_of_queries():
    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    ana = make_member("ana", email="ana@northwind.example")
    bob = make_member("bob", email="bob@northwind.example")
    _settings(ana, whoMayEndorse="ORGANISATION_AND_ASKED")
    client = client_for(bob)
    with CountQueries() as base:
        data_of(gql(client, 'query { member(username: "ana") { username } }'))
    with CountQueries() as q:
        body = gql(client, 'query { member(username: "ana") { viewerMayEndorse { allowed } } }')
        assert data_of(body)["member"]["viewerMayEndorse"]["allowed"] is True
    # The block, the requests, the two workplaces (domains, addresses): four queries, whatever the data.
    assert q.count - base.count == 4


# --- one relationship per endorser and member ---------------------------------------------------------------------
def test_a_second_endorsement_keeps_the_pairs_relationship_and_says_so():
    ana, bob = make_member("ana", display_name="Ana"), make_member("bob")
    listing(ana, "Go")
    listing(ana, "Python")
    first = _endorse(bob, skill="Go", rel="MANAGER")
    assert first["errors"] == [] and first["relationshipNotice"] is None
    second = _endorse(bob, skill="Python", rel="PEER")
    assert second["errors"] == []
    assert second["endorsement"]["relationship"] == "MANAGER"
    assert second["relationshipNotice"] == (
        "You endorsed Ana before as “their manager”, so this endorsement says the same (not “a peer”): "
        "one relationship per member, on every skill."
    )
    assert set(Endorsement.objects.filter(endorser=bob).values_list("relationship", flat=True)) == {"MANAGER"}


def test_a_request_and_its_answer_keep_the_pairs_relationship():
    ana, bob = make_member("ana"), make_member("bob")
    listing(ana, "Go")
    listing(ana, "Python")
    listing(ana, "SQL")
    endorse(bob, member=ana, skill="Go", relationship="PEER")
    asked = data_of(
        gql(
            client_for(ana),
            """mutation { requestEndorsement(input: {recipient: "bob", skill: "Python", relationship: MANAGER}) {
              endorsementRequest { relationship } relationshipNotice errors { code } } }""",
        )
    )["requestEndorsement"]
    assert asked["errors"] == [] and asked["endorsementRequest"]["relationship"] == "PEER"
    assert "a peer" in asked["relationshipNotice"]
    # A request made before bob's first endorsement: answered, it takes the relationship bob gave since.
    bob.refresh_from_db()
    Endorsement.objects.filter(endorser=bob).delete()
    request = request_endorsement(ana, recipient=bob, skill="SQL", relationship="MANAGER")
    endorse(bob, member=ana, skill="Go", relationship="OTHER")
    answered = data_of(gql(client_for(bob), RESPOND, {"id": encode_id("EndorsementRequest", request.pk)}))
    payload = answered["respondToEndorsementRequest"]
    assert payload["errors"] == [] and payload["endorsement"]["relationship"] == "OTHER"
    assert "other" in payload["relationshipNotice"]


def test_withdrawing_every_endorsement_frees_the_relationship():
    ana, bob = make_member("ana"), make_member("bob")
    listing(ana, "Go")
    e = endorse(bob, member=ana, skill="Go", relationship="MANAGER")
    from endorsements.services import withdraw_endorsement

    withdraw_endorsement(bob, endorsement_id=e.pk)
    assert _endorse(bob, rel="PEER")["endorsement"]["relationship"] == "PEER"


def test_a_pending_endorsement_is_still_one_per_skill_and_its_endorser_may_withdraw_it():
    from endorsements.services import withdraw_endorsement

    ana = make_member("ana")
    ms = listing(ana, "Go")
    bob = make_established("bob")
    _settings(ana, reviewBeforeShowing=True)
    given = _endorse(bob)
    assert error_codes(_endorse(bob)) == ["ALREADY_ENDORSED"]
    withdraw_endorsement(bob, endorsement_id=Endorsement.objects.get().pk)
    assert not Endorsement.objects.exists() and refreshed(ms).endorsement_count == 0
    assert given["endorsement"]["status"] == "PENDING_REVIEW"


def test_turning_review_off_leaves_the_queue_as_it_is_and_new_ones_show_at_once():
    ana = make_member("ana")
    ms = listing(ana, "Go")
    listing(ana, "SQL")
    _settings(ana, reviewBeforeShowing=True)
    _endorse(make_member("bob"))
    _settings(ana, reviewBeforeShowing=False)
    shown = _endorse(make_member("cyd"), skill="SQL")
    assert shown["endorsement"]["status"] == "VISIBLE" and shown["memberSkill"]["endorsementCount"] == 1
    assert len(data_of(gql(client_for(ana), ME))["me"]["endorsementsAwaitingReview"]) == 1
    assert refreshed(ms).endorsement_count == 0


def test_notification_texts_say_an_endorsement_awaits_review():
    from frontend.templatetags.vouch import notification_line
    from notifications.mail import describe

    ana = make_member("ana")
    listing(ana, "Go")
    _settings(ana, reviewBeforeShowing=True)
    _endorse(make_member("bob", display_name="Bob"))
    note = Notification.objects.get(recipient=ana)
    text, url = notification_line(note.kind, note.payload)
    assert text == "Bob endorsed you for Go. It awaits your review: show or hide it."
    assert url == "/settings/endorsements/#review"
    item = describe(note.kind, note.payload)
    assert "awaits your review" in item.detail and item.action == "Review the endorsement"


def test_total_count_includes_the_viewers_own_pending_endorsement_on_a_long_listing():
    from endorsements.schema import ENDORSEMENT_WINDOW

    ana = make_member("ana")
    listing(ana, "Go")
    for i in range(ENDORSEMENT_WINDOW + 2):
        endorse(make_member(f"fan{i}"), member="ana", skill="Go", relationship="PEER")
    _settings(ana, reviewBeforeShowing=True)
    bob = make_member("bob")
    _endorse(bob)
    total = ENDORSEMENT_WINDOW + 2
    doc = 'query { member(username: "ana") { skills { endorsements(first: 2) { totalCount } } } }'

    def seen(viewer):
        body = gql(client_for(viewer) if viewer else Client(), doc)
        return data_of(body)["member"]["skills"][0]["endorsements"]["totalCount"]

    assert seen(bob) == total + 1 and seen(ana) == total + 1
    assert seen(make_member("cyd")) == total and seen(None) == total
