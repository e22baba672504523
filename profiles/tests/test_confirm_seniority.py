"""confirmSeniority and the profile page's "Confirm seniority" form: an admin of the member's verified organisation
(or instance staff) confirms the seniority the member declares, which then counts in full in the endorsements they
give; another member, an admin of another organisation, the member themselves and anonymous visitors cannot."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement
from endorsements.services import endorse
from endorsements.tests.factories import listing
from profiles.models import Organisation, Profile
from profiles.services import verify_organisation
from profiles.tests.factories import make_member
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

CONFIRM = """
mutation($i: ConfirmSeniorityInput!) {
  confirmSeniority(input: $i) { member { username seniority seniorityConfirmed } errors { field code } }
}
"""


@pytest.fixture
def org():
    """Northwind (verified; maria administers it), kwame a self-declared manager there who endorsed ana."""
    northwind = verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    maria = make_member("maria", seniority="EXECUTIVE", email="maria@northwind.example", display_name="Maria")
    northwind.admins.add(maria)
    kwame = make_member("kwame", seniority="MANAGER", email="kwame@northwind.example", display_name="Kwame")
    ana = make_member("ana", email="ana@northwind.example", display_name="Ana")
    listing(ana, "Python")
    endorse(kwame, member=ana, skill="Python", relationship="PEER")
    return {"org": northwind, "maria": maria, "kwame": kwame, "ana": ana}


def _explanation() -> str:
    return Endorsement.objects.get(endorser__username="kwame").explanation


def _confirmed() -> str:
    return Profile.objects.get(user__username="kwame").seniority_confirmed


def test_an_organisation_admin_confirms_a_members_seniority(org):
    before = Endorsement.objects.get(endorser=org["kwame"]).weight
    assert _explanation().startswith("Self-declared manager")
    payload = data_of(gql(client_for(org["maria"]), CONFIRM, {"i": {"member": "kwame"}}))["confirmSeniority"]
    assert payload["errors"] == []
    assert payload["member"] == {"username": "kwame", "seniority": "MANAGER", "seniorityConfirmed": True}
    assert _confirmed() == "MANAGER"
    # The endorsement kwame gave is re-weighed at once, and says why.
    assert Endorsement.objects.get(endorser=org["kwame"]).weight > before
    assert _explanation().startswith("Kwame, Manager (confirmed) at Northwind Labs (verified)")
    # Anyone reading the profile sees it.
    read = data_of(gql(Client(), '{ member(username: "kwame") { seniorityConfirmed } }'))["member"]
    assert read == {"seniorityConfirmed": True}


def test_a_level_other_than_the_declared_one_is_stored_but_does_not_count(org):
    payload = data_of(gql(client_for(org["maria"]), CONFIRM, {"i": {"member": "kwame", "seniority": "SENIOR"}}))[
        "confirmSeniority"
    ]
    assert payload["errors"] == [] and payload["member"]["seniorityConfirmed"] is False
    assert _confirmed() == "SENIOR" and _explanation().startswith("Self-declared manager")


@pytest.mark.parametrize("who", ["ana", "kwame", "outsider_admin"])
def test_anyone_but_an_admin_of_their_organisation_is_refused_and_nothing_changes(org, who):
    if who == "outsider_admin":
        other = verify_organisation(None, domain="contoso.example", name="Contoso")
        actor = make_member("olga", email="olga@contoso.example")
        other.admins.add(actor)
    else:
        actor = org[who]
    explanation = _explanation()
    payload = data_of(gql(client_for(actor), CONFIRM, {"i": {"member": "kwame"}}))["confirmSeniority"]
    assert error_codes(payload) == ["NOT_FOUND"] and payload["member"] is None
    assert _confirmed() == "" and _explanation() == explanation


def test_an_admin_cannot_confirm_someone_outside_the_verified_organisation(org):
    make_member("gus", seniority="DIRECTOR", email="gus@gmail.example")
    payload = data_of(gql(client_for(org["maria"]), CONFIRM, {"i": {"member": "gus"}}))["confirmSeniority"]
    assert error_codes(payload) == ["NOT_FOUND"]
    assert Profile.objects.get(user__username="gus").seniority_confirmed == ""


@pytest.mark.parametrize("username", ["", "nobody", "x" * 300])
def test_unknown_members_are_not_found(org, username):
    payload = data_of(gql(client_for(org["maria"]), CONFIRM, {"i": {"member": username}}))["confirmSeniority"]
    assert error_codes(payload) == ["NOT_FOUND"]


def test_anonymously_it_is_unauthenticated(org):
    body = gql(Client(), CONFIRM, {"i": {"member": "kwame"}})
    assert unauthenticated(body) and _confirmed() == ""


def test_an_organisation_that_is_no_longer_verified_confers_nothing(org):
    Organisation.objects.filter(pk=org["org"].pk).update(verified=False)
    payload = data_of(gql(client_for(org["maria"]), CONFIRM, {"i": {"member": "kwame"}}))["confirmSeniority"]
    assert error_codes(payload) == ["NOT_FOUND"] and _confirmed() == ""


# --- the page -------------------------------------------------------------------------------------------------------
def test_the_profile_page_offers_admins_the_form_and_it_confirms(org):
    admin = client_for(org["maria"])
    page = admin.get("/m/kwame/").content.decode()
    assert 'action="/m/kwame/confirm-seniority/"' in page and "Confirm Manager seniority" in page
    response = admin.post("/m/kwame/confirm-seniority/")
    assert response.status_code == 302 and response["Location"] == "/m/kwame/"
    assert _confirmed() == "MANAGER"
    page = admin.get("/m/kwame/").content.decode()
    assert "confirmed by their organisation" in page and "confirm-seniority/" not in page
    assert "confirmed by their organisation" in Client().get("/m/kwame/").content.decode()


def test_the_page_form_is_not_shown_to_others_and_their_post_is_not_found(org):
    for actor in (org["ana"], org["kwame"]):
        client = client_for(actor)
        assert "confirm-seniority/" not in client.get("/m/kwame/").content.decode()
        assert client.post("/m/kwame/confirm-seniority/").status_code == 404
    assert "confirm-seniority/" not in Client().get("/m/kwame/").content.decode()
    response = Client().post("/m/kwame/confirm-seniority/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(org["maria"]).get("/m/kwame/confirm-seniority/").status_code == 405
    assert _confirmed() == ""
