"""Cross-instance import: an endorsement credential another Vouch instance issued (its endorser's did:web on another
host, resolved over HTTPS through the safe fetcher) imports with importBadge here, for the member whose linked profile
it was issued to (docs/credentials.md, "Linked profiles"). The other instance is a real TLS server on loopback
(credentials/tests/otherinstance.py); nothing of verification is replaced."""

from __future__ import annotations

import copy
import json

import pytest
from django.test import Client

from badges.tests.helpers import import_text, import_url
from credentials import issuing
from credentials.models import LinkedProfile
from credentials.services import link_profile
from credentials.tests.otherinstance import HOST, OtherInstance
from profiles.tests.factories import make_member
from vouch.testing import client_for

pytestmark = pytest.mark.django_db

HERE = "https://vouch-a.test"


@pytest.fixture
def other(settings, monkeypatch, tmp_path):
    settings.VOUCH_ORIGIN = HERE
    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset()
    instance = OtherInstance(tmp_path)
    monkeypatch.setattr("badges.services.make_fetcher", instance.fetcher)
    yield instance
    instance.close()


def _alice_on_both(other):
    """alice here links her profile there; there, her DID document names her DID here back."""
    alice = make_member("alice", display_name="Alice Archer")
    link_profile(alice, profile=f"{other.origin}/m/alice/")
    other.member("alice", also_known_as=[issuing.member_did(HERE, "alice")])
    return alice


def _report(badge):
    report = badge["verificationReport"]
    return json.loads(report) if isinstance(report, str) else report


def test_credential_from_another_instance_imports_as_domain_bound_evidence(other, django_capture_on_commit_callbacks):
    alice = _alice_on_both(other)
    credential = other.endorse()
    payload = import_url(django_capture_on_commit_callbacks, client_for(alice), credential["id"])
    assert payload["errors"] == []
    badge = payload["badge"]
    assert badge["status"] == "VERIFIED", badge["verificationChecks"]
    assert badge["issuerName"] == "Bob Remote"
    assert badge["name"] == "Bob Remote endorses Alice Archer for Kubernetes"
    report = _report(badge)
    assert report["issuer"]["binding"] == "domain-bound"
    assert report["issuer"]["id"] == issuing.member_did(other.origin, "bob")
    assert credential["id"].startswith(f"https://{HOST}:")
    # Over TLS, from the other instance: the credential, the endorser's DID, alice's DID there, the status list.
    assert {"/m/bob/did.json", "/m/alice/did.json", "/m/bob/status/0"} <= set(other.hits)
    recipient = next(c for c in badge["verificationChecks"] if c["name"] == "Recipient")
    assert "names this member back" in recipient["message"]


def test_subject_who_is_not_the_importing_member_fails_with_recipient_mismatch(
    other, django_capture_on_commit_callbacks
):
    _alice_on_both(other)
    carol = make_member("carol")
    credential = other.endorse()
    badge = import_url(django_capture_on_commit_callbacks, client_for(carol), credential["id"])["badge"]
    assert badge["status"] == "FAILED"
    assert "RECIPIENT_MISMATCH" in badge["verificationErrors"]


def test_one_sided_link_is_not_enough(other, django_capture_on_commit_callbacks):
    """mallory here links alice's profile there, but alice's DID document there does not name mallory."""
    _alice_on_both(other)
    mallory = make_member("mallory")
    link_profile(mallory, profile=f"{other.origin}/m/alice/")
    credential = other.endorse()
    badge = import_url(django_capture_on_commit_callbacks, client_for(mallory), credential["id"])["badge"]
    assert badge["status"] == "FAILED"
    assert badge["verificationErrors"] == ["RECIPIENT_MISMATCH"]
    # ... nor is alice's own link there without hers here: she unlinks, the same import fails.
    alice = LinkedProfile.objects.get(member__username="alice").member
    LinkedProfile.objects.filter(member=alice).delete()
    badge = import_url(django_capture_on_commit_callbacks, client_for(alice), credential["id"])["badge"]
    assert "RECIPIENT_MISMATCH" in badge["verificationErrors"]


def test_tampered_credential_from_another_instance_fails_with_a_code(other, django_capture_on_commit_callbacks):
    alice = _alice_on_both(other)
    tampered = copy.deepcopy(other.endorse())
    tampered["credentialSubject"]["endorsementComment"] = "The best engineer I ever managed."
    badge = import_text(django_capture_on_commit_callbacks, client_for(alice), json.dumps(tampered))["badge"]
    assert badge["status"] == "FAILED"
    assert "PROOF_INVALID" in badge["verificationErrors"]


def test_credential_withdrawn_on_the_other_instance_imports_as_revoked(other, django_capture_on_commit_callbacks):
    alice = _alice_on_both(other)
    credential = other.endorse(pk=41)
    other.revoked.append(41)
    other.publish_status()
    badge = import_url(django_capture_on_commit_callbacks, client_for(alice), credential["id"])["badge"]
    assert badge["status"] == "REVOKED", badge["verificationChecks"]


def test_did_web_of_another_host_resolves_over_https_even_when_the_host_may_be_loopback(other):
    from badges.openbadges.fetcher import Fetcher
    from badges.openbadges.keys import did_web_url

    bob = issuing.member_did(other.origin, "bob")
    assert did_web_url(bob, other.fetcher()) == f"{other.origin}/m/bob/did.json"  # https
    # By default an allowed local host is also a plain-http one (a second instance on a developer's machine).
    assert did_web_url(bob, Fetcher(allowed_hosts=frozenset({HOST}))) == f"{other.origin}/m/bob/did.json".replace(
        "https://", "http://"
    )
    assert did_web_url(bob, Fetcher()).startswith("https://")


# --- linking, through the settings page ------------------------------------------------------------------------
def test_linked_profiles_page_links_and_unlinks_and_the_did_document_lists_them(other):
    alice = make_member("alice")
    client = client_for(alice)
    response = client.post("/settings/linked-profiles/", {"profile": f"{other.origin}/m/Alice/"})
    assert response.status_code == 302
    did = issuing.member_did(other.origin, "alice")
    assert list(LinkedProfile.objects.filter(member=alice).values_list("did", flat=True)) == [did]
    assert f"{other.origin}/m/alice/" in client.get("/settings/linked-profiles/").content.decode()
    document = json.loads(Client().get("/m/alice/did.json").content)
    assert document["alsoKnownAs"] == [f"{HERE}/m/alice/", did]
    link = LinkedProfile.objects.get(member=alice)
    assert client.post(f"/settings/linked-profiles/{link.pk}/delete/").status_code == 302
    assert not LinkedProfile.objects.exists()
    assert json.loads(Client().get("/m/alice/did.json").content)["alsoKnownAs"] == [f"{HERE}/m/alice/"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Give the address"),
        ("https://example.com/profile/alice", "not a Vouch profile address"),
        ("javascript:alert(1)", "not a Vouch profile address"),
        (f"{HERE}/m/bob/", "a profile on this instance"),
        ("x" * 500, "At most 200 characters"),
    ],
)
def test_linking_refuses_bad_input_and_writes_nothing(other, value, message):
    alice = make_member("alice")
    response = client_for(alice).post("/settings/linked-profiles/", {"profile": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LinkedProfile.objects.exists()


def test_linking_twice_or_too_often_is_refused_with_codes(other):
    from django.core.exceptions import ValidationError

    from credentials.services import MAX_LINKED_PROFILES

    alice = make_member("alice")
    link_profile(alice, profile=f"{other.origin}/m/alice/")
    with pytest.raises(ValidationError) as caught:
        link_profile(alice, profile=issuing.member_did(other.origin, "alice"))
    assert caught.value.error_dict["profile"][0].code == "DUPLICATE"
    for n in range(MAX_LINKED_PROFILES - 1):
        link_profile(alice, profile=f"https://vouch-{n}.example/m/alice/")
    with pytest.raises(ValidationError) as caught:
        link_profile(alice, profile="https://one-more.example/m/alice/")
    assert caught.value.error_list[0].code == "TOO_MANY"
    assert LinkedProfile.objects.filter(member=alice).count() == MAX_LINKED_PROFILES


def test_linking_as_anonymous_or_unlinking_someone_elses_link(other):
    alice, bob = make_member("alice"), make_member("bob")
    link = link_profile(alice, profile=f"{other.origin}/m/alice/")
    anonymous = Client().post("/settings/linked-profiles/", {"profile": f"{other.origin}/m/x/"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client_for(bob).post(f"/settings/linked-profiles/{link.pk}/delete/").status_code == 404
    assert client_for(bob).post("/settings/linked-profiles/", {"profile": f"{other.origin}/m/bob/"}).status_code == 302
    assert LinkedProfile.objects.filter(member=alice).count() == 1
    assert LinkedProfile.objects.filter(member=bob).count() == 1
    assert "linkedProfiles" in client_for(alice).get("/settings/export.json").json()
    exported = client_for(alice).get("/settings/export.json").json()["linkedProfiles"]
    assert [row["did"] for row in exported] == [link.did]


def test_member_did_document_takes_a_fixed_number_of_queries_with_links(other, django_assert_max_num_queries):
    alice = make_member("alice")
    for n in range(5):
        link_profile(alice, profile=f"https://vouch-{n}.example/m/alice/")
    from credentials.services import did_document

    did_document(HERE, alice)  # the key ring loads once per process
    with django_assert_max_num_queries(1):
        document = did_document(HERE, alice)
    assert len(document["alsoKnownAs"]) == 6
