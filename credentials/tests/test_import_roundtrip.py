"""Round trip: a Vouch endorsement credential imported with importBadge is verified like any OB 3.0 credential,
its issuer's did:web resolved over HTTP through the safe fetcher (a real local server: pytest-django's live
server running this instance)."""

from __future__ import annotations

import json

import pytest
import requests

from badges.tests.helpers import import_text, import_url
from credentials import issuing
from credentials.tests.helpers import network
from endorsements.services import withdraw_endorsement
from profiles.tests.factories import make_member
from vouch.testing import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def instance(live_server, settings):
    settings.VOUCH_ORIGIN = live_server.url  # this instance, as the fetcher reaches it
    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset(
        {"localhost", "127.0.0.1"}
    )  # did:web over plain http only for this host
    return live_server.url


def _codes(badge):
    return {c["code"] for c in badge["verificationChecks"] if c["code"]}


def test_own_endorsement_credential_imports_as_verified_domain_bound_evidence(
    instance, django_capture_on_commit_callbacks
):
    n = network()
    url = issuing.credential_url(instance, n["endorsement"].pk)
    payload = import_url(django_capture_on_commit_callbacks, client_for(n["alice"]), url)
    assert payload["errors"] == []
    badge = payload["badge"]
    assert badge["status"] == "VERIFIED", badge["verificationChecks"]
    assert badge["issuerName"] == "Bob Builder"
    assert badge["name"] == "Bob Builder endorses Alice Archer for Python"
    report = badge["verificationReport"]
    report = json.loads(report) if isinstance(report, str) else report
    assert report["issuer"]["binding"] == "domain-bound"
    assert report["issuer"]["id"] == f"{issuing.instance_did(instance)}:m:bob"


def test_tampered_vouch_credential_fails_with_a_code(instance, django_capture_on_commit_callbacks):
    n = network()
    credential = requests.get(issuing.credential_url(instance, n["endorsement"].pk), timeout=10).json()
    credential["credentialSubject"]["endorsementComment"] = "The best engineer I ever managed."
    badge = import_text(django_capture_on_commit_callbacks, client_for(n["alice"]), json.dumps(credential))["badge"]
    assert badge["status"] == "FAILED"
    assert "PROOF_INVALID" in badge["verificationErrors"]


def test_someone_elses_endorsement_cannot_be_imported_as_own_evidence(instance, django_capture_on_commit_callbacks):
    n = network()
    carol = make_member("carol")
    url = issuing.credential_url(instance, n["endorsement"].pk)
    badge = import_url(django_capture_on_commit_callbacks, client_for(carol), url)["badge"]
    assert badge["status"] == "FAILED"
    assert "RECIPIENT_MISMATCH" in badge["verificationErrors"]


def test_withdrawn_endorsement_imports_as_revoked(instance, django_capture_on_commit_callbacks):
    n = network()
    url = issuing.credential_url(instance, n["endorsement"].pk)
    withdraw_endorsement(n["bob"], endorsement_id=n["endorsement"].pk)
    badge = import_url(django_capture_on_commit_callbacks, client_for(n["alice"]), url)["badge"]
    assert badge["status"] == "REVOKED", badge["verificationChecks"]
