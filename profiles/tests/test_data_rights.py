"""A member's data: /settings/export.json downloads everything held about them; deleteAccount (and the
settings page) deletes the account after the password, and what they gave stops counting everywhere."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from badges.models import Badge
from endorsements.models import Endorsement, EndorsementRequest
from endorsements.services import endorse, request_endorsement, set_endorsement_hidden
from notifications.models import Notification
from profiles.models import Profile, User
from profiles.services import block_member
from profiles.tests.factories import PASSWORD, make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

DELETE = "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { errors { field code } } }"


def _network():
    ana = make_member("ana", email="ana@example.com", display_name="Ana Lima")
    maria = make_member("maria", email="maria@example.com", display_name="Maria Okafor")
    ben = make_member("ben", email="ben@example.com")
    add_skill(ana, name="Kubernetes")
    add_skill(maria, name="Go")
    endorse(maria, member=ana, skill="Kubernetes", relationship="MANAGER", comment="Runs our clusters")
    hidden = endorse(ben, member=ana, skill="Kubernetes", relationship="PEER", comment="meh")
    set_endorsement_hidden(ana, endorsement_id=hidden.pk, hidden=True)
    endorse(ana, member=maria, skill="Go", relationship="REPORT")
    request_endorsement(ana, recipient=make_member("carl"), skill="Kubernetes", relationship="PEER", message="Please?")
    block_member(ana, member=make_member("troll"))
    return ana, maria, ben


# --- export --------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_export_holds_everything_about_the_member_and_nothing_secret():
    ana, maria, ben = _network()
    response = client_for(ana).get("/settings/export.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["username"] == "ana" and "password" not in data["account"]
    assert [e["email"] for e in data["emailAddresses"]] == ["ana@example.com"]
    assert data["profile"][0]["display_name"] == "Ana Lima"
    assert [s["skill"] for s in data["skills"]] == ["Kubernetes"]
    received = {e["endorser"]: e for e in data["endorsementsReceived"]}
    assert received["maria"]["comment"] == "Runs our clusters" and received["maria"]["weight"] > 0
    assert received["ben"]["hidden"] is True  # hidden ones are the member's too
    assert [(e["member"], e["skill"]) for e in data["endorsementsGiven"]] == [("maria", "Go")]
    assert [(r["recipient"], r["message"]) for r in data["requestsSent"]] == [("carl", "Please?")]
    assert data["requestsReceived"] == []
    assert [b["blocked"] for b in data["blocked"]] == ["troll"]
    assert {n["kind"] for n in data["notifications"]} >= {"endorsement.received"}
    text = response.content.decode()
    assert ana.password not in text
    assert "maria@example.com" not in text and "ben@example.com" not in text  # no one else's address


@pytest.mark.django_db
def test_another_member_downloads_only_their_own_and_anonymous_must_sign_in():
    _ana, maria, _ben = _network()
    theirs = json.loads(client_for(maria).get("/settings/export.json").content)
    assert theirs["account"]["username"] == "maria"
    assert "Please?" not in json.dumps(theirs) and [b for b in theirs["blocked"]] == []
    anonymous = Client().get("/settings/export.json")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_export_includes_badges_with_their_reports_but_not_the_uploaded_bytes():
    ana = make_member("ana")
    Badge.objects.create(
        owner=ana,
        source_kind="TEXT",
        source_text="{}",
        source_data=b"\x89PNG secret bytes",
        source_digest="x" * 64,
        name="Cloud Native",
        verification_report={"checks": [{"step": "Signature", "ok": True}]},
    )
    data = json.loads(client_for(ana).get("/settings/export.json").content)
    assert data["badges"][0]["name"] == "Cloud Native"
    assert data["badges"][0]["verification_report"]["checks"][0]["step"] == "Signature"
    assert "source_data" not in data["badges"][0]


# --- deletion ------------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_deleting_an_account_removes_what_it_owned_and_what_it_gave_stops_counting():
    ana, maria, ben = _network()
    listing = MemberSkill.objects.get(member=ana, skill__name="Kubernetes")
    before = listing.score
    assert before > 0
    payload = data_of(gql(client_for(maria), DELETE, {"input": {"password": PASSWORD}}))["deleteAccount"]
    assert payload["errors"] == []
    assert not User.objects.filter(username="maria").exists()
    assert not Profile.objects.filter(user_id=maria.pk).exists()
    assert not MemberSkill.objects.filter(member_id=maria.pk).exists()
    assert not Endorsement.objects.filter(endorser_id=maria.pk).exists()
    assert not Notification.objects.filter(recipient_id=maria.pk).exists()
    listing.refresh_from_db()
    # Only ben's hidden endorsement is left on ana's listing: nothing visible counts.
    assert listing.score == 0 and listing.endorsement_count == 0
    page = Client().get("/m/ana/").content.decode()
    assert "Maria Okafor" not in page
    # Ana, ben and their data are untouched.
    assert EndorsementRequest.objects.filter(requester=ana, recipient__username="carl").exists()
    assert Endorsement.objects.filter(endorser=ben, member=ana).exists()


@pytest.mark.django_db
def test_a_wrong_password_deletes_nothing():
    ana, _maria, _ben = _network()
    for password in ("not-her-password", "", "x" * 5000):
        payload = data_of(gql(client_for(ana), DELETE, {"input": {"password": password}}))["deleteAccount"]
        assert error_codes(payload) == ["WRONG_PASSWORD"]
    assert User.objects.filter(pk=ana.pk).exists() and Endorsement.objects.filter(member=ana).count() == 2


@pytest.mark.django_db
def test_another_members_password_deletes_nothing_and_anonymous_is_refused():
    ana = make_member("ana")
    ben = make_member("ben")
    ben.set_password("bens-own-long-password")
    ben.save()
    # ana does not know her own password here... she types ben's: refused, and nobody is deleted.
    ana.set_password("anas-own-long-password")
    ana.save()
    payload = data_of(gql(client_for(ana), DELETE, {"input": {"password": "bens-own-long-password"}}))
    assert error_codes(payload["deleteAccount"]) == ["WRONG_PASSWORD"]
    assert User.objects.filter(pk__in=[ana.pk, ben.pk]).count() == 2
    assert unauthenticated(gql(Client(), DELETE, {"input": {"password": PASSWORD}}))
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_the_settings_page_deletes_after_the_password_and_signs_out():
    ana, _maria, _ben = _network()
    client = client_for(ana)
    page = client.get("/settings/data/")
    assert page.status_code == 200 and "Delete my account" in page.content.decode()
    refused = client.post("/settings/delete/", {"password": "wrong"})
    assert refused.status_code == 400 and "That is not your password." in refused.content.decode()
    assert User.objects.filter(pk=ana.pk).exists()
    done = client.post("/settings/delete/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/"
    assert not User.objects.filter(pk=ana.pk).exists()
    assert client.get("/settings/").status_code == 302  # signed out
    assert Client().post("/settings/delete/", {"password": PASSWORD}).status_code == 302  # anonymous: log in first


@pytest.mark.django_db
def test_export_holds_endorsement_settings_the_review_queue_withdrawals_and_counters():
    from endorsements.policy import update_endorsement_settings
    from endorsements.services import withdraw_endorsement
    from profiles.models import Organisation

    ana, maria, ben = _network()
    update_endorsement_settings(ana, who_may_endorse="ONLY_ASKED", review_before_showing=True)
    carl = User.objects.get(username="carl")
    pending = endorse(carl, member="ana", skill="Kubernetes", relationship="PEER", comment="Waiting")
    given = Endorsement.objects.get(endorser=ana, member=maria)
    withdraw_endorsement(ana, endorsement_id=given.pk)
    Organisation.objects.create(name="Northwind Labs").admins.add(ana)
    data = json.loads(client_for(ana).get("/settings/export.json").content)
    profile = data["profile"][0]
    assert profile["who_may_endorse"] == "ONLY_ASKED" and profile["review_before_showing"] is True
    waiting = next(e for e in data["endorsementsReceived"] if e["id"] == pending.pk)
    assert waiting["pending_review"] is True and waiting["comment"] == "Waiting"
    assert [w["endorsement_pk"] for w in data["withdrawnEndorsements"]] == [given.pk]
    assert data["organisationsAdministered"] == [
        {"id": ana.administered_organisations.get().pk, "name": "Northwind Labs", "verified": False}
    ]
    assert {c["kind"] for c in data["dailyCounts"]} == {"ENDORSEMENT", "REQUEST"}
    assert data["socialAccounts"] == [] and isinstance(data["mailState"], list)
