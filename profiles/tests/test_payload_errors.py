"""Every payload error is {field, message, code} with a SCREAMING_SNAKE code; accounts without a profile still work."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from profiles.models import Profile, User
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.graphql.errors import errors_from_validation
from vouch.testing import client_for, data_of, gql

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")

BAD_CALLS = [
    (
        "updateProfile",
        'mutation { updateProfile(input: {headline: "%s"}) { errors { field message code } } }' % ("h" * 161),
    ),
    ("addSkill", 'mutation { addSkill(input: {name: "<b>"}) { errors { field message code } } }'),
    ("addSkill", 'mutation { addSkill(input: {name: "Go"}) { errors { field message code } } }'),
    ("removeSkill", 'mutation { removeSkill(input: {memberSkillId: "nope"}) { errors { field message code } } }'),
    ("reorderSkills", "mutation { reorderSkills(input: {memberSkillIds: []}) { errors { field message code } } }"),
    ("blockMember", 'mutation { blockMember(input: {member: "ana"}) { errors { field message code } } }'),
]


@pytest.mark.parametrize(("name", "document"), BAD_CALLS)
def test_payload_errors_have_field_message_and_screaming_snake_code(name, document):
    ana = make_member("ana")
    add_skill(ana, name="Go")
    errors = data_of(gql(client_for(ana), document))[name]["errors"]
    assert errors
    for error in errors:
        assert set(error) == {"field", "message", "code"}
        assert CODE.match(error["code"]), error
        assert error["message"].strip()
        assert error["field"] is None or re.match(r"^[a-z][A-Za-z]*$", error["field"]), error


def test_django_codes_and_messages_are_normalised():
    exc = ValidationError(
        {
            "display_name": [ValidationError("At most %(n)s.", code="max_length", params={"n": 80})],
            "__all__": [ValidationError("Something.")],
            "member_skill_ids": [ValidationError("Bad.", code="not-found!")],
        }
    )
    out = {(e.field, e.message, e.code) for e in errors_from_validation(exc)}
    assert out == {
        ("displayName", "At most 80.", "MAX_LENGTH"),
        (None, "Something.", "INVALID"),
        ("memberSkillIds", "Bad.", "NOT_FOUND"),
    }
    assert [(e.field, e.code) for e in errors_from_validation(ValidationError("Plain."))] == [(None, "INVALID")]


def test_account_without_a_profile_can_update_it():
    # Accounts made outside the adapter (createsuperuser, the admin) have no Profile yet.
    admin = User.objects.create_superuser("root-admin", "root@example.com", "x-long-password-1")
    body = gql(
        client_for(admin),
        'mutation { updateProfile(input: {displayName: "Root"}) { member { displayName } errors { code } } }',
    )
    payload = data_of(body)["updateProfile"]
    assert payload["errors"] == []
    assert payload["member"] == {"displayName": "Root"}
    assert Profile.objects.get(user=admin).display_name == "Root"
