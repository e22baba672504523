"""updateProfile over GraphQL: only ever the caller's own profile, validated before anything is written."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.models import Profile, Seniority, Visibility
from profiles.services import update_profile
from profiles.tests.factories import make_member
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

UPDATE_PROFILE = """
mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    member { username displayName headline seniority organisation title visibility }
    errors { field message code }
  }
}
"""


def _snapshot(user) -> dict:
    p = Profile.objects.get(user=user)
    return {f: getattr(p, f) for f in ("display_name", "headline", "seniority", "organisation", "title", "visibility")}


def test_owner_changes_own_profile():
    ana = make_member("ana", seniority=Seniority.JUNIOR)
    body = gql(
        client_for(ana),
        UPDATE_PROFILE,
        {
            "input": {
                "displayName": "  Ana Lima ",
                "headline": "Builds platforms",
                "seniority": "SENIOR",
                "organisation": "Northwind",
                "title": "Staff Engineer",
                "visibility": "MEMBERS",
            }
        },
    )
    payload = data_of(body)["updateProfile"]
    assert payload["errors"] == []
    assert payload["member"] == {
        "username": "ana",
        "displayName": "Ana Lima",
        "headline": "Builds platforms",
        "seniority": "SENIOR",
        "organisation": "Northwind",
        "title": "Staff Engineer",
        "visibility": "MEMBERS",
    }
    profile = Profile.objects.get(user=ana)
    assert (profile.display_name, profile.seniority, profile.visibility) == ("Ana Lima", "SENIOR", "MEMBERS")


def test_only_given_fields_change():
    ana = make_member("ana", headline="Original headline")
    before = _snapshot(ana)
    data_of(gql(client_for(ana), UPDATE_PROFILE, {"input": {"title": "CTO"}}))
    after = _snapshot(ana)
    assert after == {**before, "title": "CTO"}


def test_another_member_can_only_change_their_own_profile():
    ana = make_member("ana")
    ben = make_member("ben")
    ana_before = _snapshot(ana)
    payload = data_of(gql(client_for(ben), UPDATE_PROFILE, {"input": {"displayName": "Hacked"}}))["updateProfile"]
    # The input has no way to name another member: the change lands on the caller.
    assert payload["member"]["username"] == "ben"
    assert _snapshot(ana) == ana_before
    assert Profile.objects.get(user=ben).display_name == "Hacked"


def test_input_has_no_field_naming_another_member():
    ana = make_member("ana")
    ben = make_member("ben")
    before = _snapshot(ana)
    # An unknown input field is a GraphQL validation error, not a silently ignored field.
    body = gql(client_for(ben), UPDATE_PROFILE, {"input": {"username": "ana", "displayName": "X"}})
    assert body.get("data") is None and body["errors"] and "username" in body["errors"][0]["message"]
    assert _snapshot(ana) == before


def test_anonymous_is_unauthenticated_and_nothing_is_written():
    ana = make_member("ana")
    before = _snapshot(ana)
    body = gql(Client(), UPDATE_PROFILE, {"input": {"displayName": "Nobody"}})
    assert unauthenticated(body)
    assert body["data"]["updateProfile"] is None
    assert _snapshot(ana) == before


@pytest.mark.parametrize(
    ("field", "limit"), [("displayName", 80), ("headline", 160), ("organisation", 100), ("title", 100)]
)
def test_oversized_string_is_max_length_and_nothing_is_written(field, limit):
    ana = make_member("ana")
    before = _snapshot(ana)
    # A valid change alongside the bad one must not be written either.
    payload = data_of(gql(client_for(ana), UPDATE_PROFILE, {"input": {"seniority": "LEAD", field: "x" * (limit + 1)}}))[
        "updateProfile"
    ]
    assert payload["member"] is None
    assert payload["errors"] == [{"field": field, "message": f"At most {limit} characters.", "code": "MAX_LENGTH"}]
    assert _snapshot(ana) == before


def test_string_at_the_limit_is_accepted():
    ana = make_member("ana")
    payload = data_of(gql(client_for(ana), UPDATE_PROFILE, {"input": {"displayName": "x" * 80}}))["updateProfile"]
    assert payload["errors"] == []
    assert Profile.objects.get(user=ana).display_name == "x" * 80


def test_control_characters_are_stripped():
    ana = make_member("ana")
    data_of(gql(client_for(ana), UPDATE_PROFILE, {"input": {"headline": "Hello\x00\x07 world"}}))
    assert Profile.objects.get(user=ana).headline == "Hello world"


@pytest.mark.parametrize(
    ("field", "value"), [("seniority", "WIZARD"), ("visibility", "SECRET"), ("seniority", "senior")]
)
def test_unknown_enum_value_is_a_graphql_validation_error_not_a_500(field, value):
    ana = make_member("ana")
    before = _snapshot(ana)
    response = client_for(ana).post(
        "/graphql/",
        data={"query": UPDATE_PROFILE, "variables": {"input": {field: value}}},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] and value in body["errors"][0]["message"]
    assert _snapshot(ana) == before


def test_unknown_enum_literal_in_the_document_is_a_graphql_error():
    ana = make_member("ana")
    before = _snapshot(ana)
    response = client_for(ana).post(
        "/graphql/",
        data={"query": "mutation { updateProfile(input: {seniority: WIZARD}) { errors { code } } }"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "WIZARD" in body["errors"][0]["message"]
    assert "data" not in body
    assert _snapshot(ana) == before


def test_service_refuses_unknown_choice_with_a_code():
    from django.core.exceptions import ValidationError

    ana = make_member("ana")
    with pytest.raises(ValidationError) as exc:
        update_profile(ana, seniority="WIZARD")
    assert exc.value.error_dict["seniority"][0].code == "INVALID_CHOICE"
    with pytest.raises(ValidationError) as exc:
        update_profile(ana, visibility="FRIENDS")
    assert exc.value.error_dict["visibility"][0].code == "INVALID_CHOICE"
    assert Profile.objects.get(user=ana).seniority == Seniority.MID


def test_service_refuses_non_text():
    from django.core.exceptions import ValidationError

    ana = make_member("ana")
    with pytest.raises(ValidationError) as exc:
        update_profile(ana, headline=123)
    assert exc.value.error_dict["headline"][0].code == "INVALID"


def test_seniority_change_reweighs_the_endorsements_the_member_gave(monkeypatch):
    calls = []
    monkeypatch.setattr("endorsements.scoring.reweigh_endorsements_by", lambda actor: calls.append(actor.pk))
    ana = make_member("ana", seniority=Seniority.MID)
    update_profile(ana, seniority=Seniority.MID)  # unchanged: nothing to re-weigh
    assert calls == []
    update_profile(ana, seniority=Seniority.LEAD)
    assert calls == [ana.pk]


def test_visibility_is_stored():
    ana = make_member("ana")
    update_profile(ana, visibility=Visibility.MEMBERS)
    assert Profile.objects.get(user=ana).visibility == Visibility.MEMBERS
