"""Handles that would let a member pass for the operators (support, security, staff, …) or for a route of the site
are refused at sign-up (allauth headless and the web form share the validator), in the admin's rename (the model
field's validators), and never handed out by the address-derived default."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from profiles.models import User
from profiles.services import create_member, username_from_email

pytestmark = pytest.mark.django_db

SIGNUP = "/_allauth/app/v1/auth/signup"
RESERVED = [
    "support",
    "security",
    "administrator",
    "staff",
    "admin",
    "root",
    "Support",
    "vouch-support",
    "admin_2",
    "staff-vouch",
    "postmaster",
    "abuse",
    "help",
    "moderator",
    "official-support",
]


def signup(username: str, email: str):
    body = {"email": email, "username": username, "password": "a-long-unusual-passphrase-42"}
    return Client().post(SIGNUP, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("username", RESERVED)
def test_sign_up_with_a_reserved_username_is_refused_and_creates_nothing(username):
    response = signup(username, "someone@example.com")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [e.get("param") for e in errors] == ["username"], errors
    assert not User.objects.exists()


def test_ordinary_usernames_that_merely_contain_a_reserved_word_are_free():
    for n, name in enumerate(["theme", "helper", "teamlead", "trusty", "information", "rootsmusic"]):
        assert signup(name, f"p{n}@example.com").status_code == 401, name  # signed up, verification pending
    assert User.objects.count() == 6


def test_the_address_derived_default_never_is_a_reserved_name():
    assert username_from_email("support@example.com") not in {"support", "support-2"}
    user = create_member(email="security@example.com")
    assert user.username == "security-member"


def test_services_and_the_admin_rename_refuse_reserved_names():
    with pytest.raises(ValidationError):
        create_member(email="x@example.com", username="staff")
    member = create_member(email="ana@example.com", username="ana")
    member.username = "support"
    with pytest.raises(ValidationError) as refused:
        member.full_clean()  # what the admin's change form runs
    assert "username" in refused.value.message_dict
