"""Signing ahead as jobs (credentials.tasks): a new endorsement's credential and, after a withdrawal, the endorser's
status list are signed once committed; what is served is always built from the database, so with no signed copy
(a job lost or not run yet) the page signs on demand and says the same thing."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

from credentials import issuing
from credentials.tests.helpers import network, status_bit
from endorsements.services import withdraw_endorsement

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"


@pytest.fixture
def signs(monkeypatch):
    """Counts the signatures the code makes (the real signing still runs)."""
    made: list[str] = []
    real = issuing.sign

    def counting(document, **kwargs):
        made.append(document["id"])
        return real(document, **kwargs)

    monkeypatch.setattr(issuing, "sign", counting)
    return made


def test_new_endorsement_is_signed_by_a_job_and_served_without_signing_again(
    settings, signs, django_capture_on_commit_callbacks
):
    settings.VOUCH_ORIGIN = ORIGIN
    with django_capture_on_commit_callbacks(execute=True):
        n = network()
    url = issuing.credential_url(ORIGIN, n["endorsement"].pk)
    assert signs == [url]  # the job (immediate backend under tests) signed it after commit
    served = json.loads(Client().get(url.removeprefix(ORIGIN)).content)
    assert signs == [url]  # served from the signed copy
    assert served["credentialSubject"]["endorsementComment"] == "Ships clean code."


def test_without_a_signed_copy_the_credential_is_signed_on_demand(settings, signs, django_capture_on_commit_callbacks):
    settings.VOUCH_ORIGIN = ORIGIN
    with django_capture_on_commit_callbacks(execute=True):
        n = network()
    cache.clear()  # the job's copy is gone (flushed cache, a job that never ran)
    url = issuing.credential_url(ORIGIN, n["endorsement"].pk)
    response = Client().get(url.removeprefix(ORIGIN))
    assert response.status_code == 200 and signs == [url, url]
    assert json.loads(response.content)["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_withdrawal_resigns_the_status_list_as_a_job_and_the_served_list_has_the_bit(
    settings, signs, django_capture_on_commit_callbacks
):
    settings.VOUCH_ORIGIN = ORIGIN
    with django_capture_on_commit_callbacks(execute=True):
        n = network()
    pk = n["endorsement"].pk
    status_url = issuing.status_list_url(ORIGIN, "bob", 0)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_endorsement(n["bob"], endorsement_id=pk)
    assert signs[-1] == status_url  # the job signed the new list
    count = len(signs)
    listed = json.loads(Client().get(status_url.removeprefix(ORIGIN)).content)
    assert len(signs) == count and status_bit(listed, pk % issuing.LIST_SIZE) == 1
    cache.clear()  # no signed copy: still the right list, signed on demand
    listed = json.loads(Client().get(status_url.removeprefix(ORIGIN)).content)
    assert len(signs) == count + 1 and status_bit(listed, pk % issuing.LIST_SIZE) == 1


def test_a_job_for_a_deleted_endorsement_or_without_an_origin_does_nothing(settings, signs):
    from credentials.tasks import presign_endorsement_credential, presign_status_list

    settings.VOUCH_ORIGIN = ORIGIN
    presign_endorsement_credential.call(10_000)
    presign_status_list.call(10_000, 0)
    settings.VOUCH_ORIGIN = ""
    n = network()
    presign_endorsement_credential.call(n["endorsement"].pk)
    assert signs == []
