"""Sign-up must not tell a registered address from a new one. The answers are the same (allauth prevents
enumeration); the work must be too: the slow step, hashing a password, runs once on both paths, and one mail goes
out on both. (Timing itself is never asserted; the closing note of issue 12 has the figures.)"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.test import Client

from profiles.tests.factories import make_member

pytestmark = pytest.mark.django_db

SIGNUP = "/_allauth/app/v1/auth/signup"


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes computed (the configured hasher's encode)."""
    calls: list[str] = []
    hasher = type(get_hasher())
    real = hasher.encode

    def encode(self, password, salt, *args, **kwargs):
        calls.append("encode")
        return real(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(hasher, "encode", encode)
    return calls


def _signup(email: str, **extra):
    body = {"email": email, "password": "a-long-unusual-passphrase-42", **extra}
    return Client().post(SIGNUP, json.dumps(body), content_type="application/json")


def test_registered_and_new_addresses_do_the_same_work_and_get_the_same_answer(hashes):
    make_member("ana", email="ana@example.com")
    hashes.clear()
    mail.outbox.clear()

    new = _signup("new@example.com")
    new_hashes, new_mails = len(hashes), len(mail.outbox)
    hashes.clear()
    mail.outbox.clear()
    registered = _signup("ana@example.com")

    assert new_hashes == len(hashes) == 1
    assert new_mails == len(mail.outbox) == 1
    assert new.status_code == registered.status_code == 401
    shape = lambda r: {k: v for k, v in r.json().items() if k != "meta"}  # noqa: E731
    assert shape(new) == shape(registered)


def test_the_web_sign_up_form_does_the_same_work_for_a_registered_address(hashes):
    make_member("ana", email="ana@example.com")
    hashes.clear()
    form = {
        "email": "ana@example.com",
        "password1": "a-long-unusual-passphrase-42",
        "password2": "a-long-unusual-passphrase-42",
    }
    response = Client().post("/accounts/signup/", form)
    assert response.status_code == 302
    assert len(hashes) == 1
