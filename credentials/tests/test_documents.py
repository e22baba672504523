"""The public documents of portable proof, through HTTP: DID documents, endorsement credentials, status lists."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from credentials import issuing, keys
from credentials.tests.helpers import network, status_bit
from endorsements.services import set_endorsement_hidden, withdraw_endorsement
from profiles.models import Visibility
from profiles.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _get(client: Client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return json.loads(response.content)


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


def test_instance_did_document_lists_ed25519_multikeys_and_no_private_parts():
    response = Client().get("/.well-known/did.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["@context"][0] == "https://www.w3.org/ns/did/v1"
    assert doc["id"] == "did:web:testserver"
    method = doc["verificationMethod"][0]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert method["controller"] == doc["id"]
    assert method["id"] in doc["assertionMethod"]
    secret = keys.secret_multikey(keys.keyring().current.private)
    assert secret not in response.content.decode()
    assert not any(k in method for k in ("privateKeyMultibase", "secretKeyMultibase", "privateKeyJwk"))


def test_endorsement_credential_has_the_fixed_shape():
    n = network()
    url = issuing.credential_url("http://testserver", n["endorsement"].pk)
    response = Client().get(_path(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    cred = json.loads(response.content)
    assert cred["id"] == url
    assert {"VerifiableCredential", "EndorsementCredential"} <= set(cred["type"])
    subject = cred["credentialSubject"]
    assert subject["type"] == ["EndorsementSubject"]
    assert subject["endorsementComment"] == "Ships clean code."
    assert subject["id"] == "did:web:testserver:m:alice"
    assert subject["alignment"][0]["targetName"] == "Python"
    assert cred["issuer"] == {
        "id": "did:web:testserver:m:bob",
        "type": ["Profile"],
        "name": "Bob Builder",
        "url": "http://testserver/m/bob/",
    }
    assert cred["validFrom"].endswith("Z")
    status = cred["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"].startswith("http://testserver/m/bob/status/")
    proof = cred["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith("did:web:testserver:m:bob#z6Mk")
    # Every term is defined by the published contexts: canonicalisation in safe mode refuses undefined ones.
    from badges.openbadges.ob3 import canonicalize

    assert "endorsementComment" in canonicalize({k: v for k, v in cred.items() if k != "proof"})


def test_unknown_forged_and_malformed_credential_ids_are_404():
    n = network()
    pk = n["endorsement"].pk
    client = Client()
    assert client.get(f"/e/{pk}/credential").status_code == 404
    assert client.get(f"/e/{pk}-aaaaaaaaaaaaaaaa/credential").status_code == 404
    assert client.get(f"/e/{issuing.public_id(pk + 1)}/credential").status_code == 404  # no such endorsement
    assert client.get("/e/" + "9" * 40 + "-x/credential").status_code == 404
    assert client.get("/m/nobody/did.json").status_code == 404
    assert client.get("/m/nobody/status/0").status_code == 404
    assert client.get("/m/bob/status/99").status_code == 404
    assert client.get("/m/bob/status/-1").status_code == 404
    assert client.get("/m/nobody/credential").status_code == 404
    assert client.get("/m/" + "x" * 200 + "/credential").status_code == 404


def test_withdrawal_revokes_through_the_status_list_and_the_credential_stays_served():
    n = network()
    client = Client()
    url = issuing.credential_url("http://testserver", n["endorsement"].pk)
    before = _get(client, _path(url))
    status = before["credentialStatus"]
    index = int(status["statusListIndex"])
    listed = _get(client, _path(status["statusListCredential"]))
    assert listed["issuer"] == before["issuer"]["id"]  # same issuer as the credentials it covers
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    assert status_bit(listed, index) == 0

    set_endorsement_hidden(n["alice"], endorsement_id=n["endorsement"].pk, hidden=True)
    assert status_bit(_get(client, _path(status["statusListCredential"])), index) == 0  # hiding never revokes

    set_endorsement_hidden(n["alice"], endorsement_id=n["endorsement"].pk, hidden=False)
    withdraw_endorsement(n["bob"], endorsement_id=n["endorsement"].pk)
    after = _get(client, _path(url))
    assert after["credentialSubject"] == before["credentialSubject"]
    assert after["credentialStatus"] == status
    assert status_bit(_get(client, _path(status["statusListCredential"])), index) == 1


def test_hidden_and_members_only_credentials_follow_the_page_rules():
    n = network()
    url = _path(issuing.credential_url("http://testserver", n["endorsement"].pk))
    set_endorsement_hidden(n["alice"], endorsement_id=n["endorsement"].pk, hidden=True)
    anonymous, alice, bob, other = Client(), Client(), Client(), Client()
    from profiles.tests.factories import make_member

    carol = make_member("carol")
    alice.login(email=n["alice"].email, password=PASSWORD)
    bob.login(email=n["bob"].email, password=PASSWORD)
    other.login(email=carol.email, password=PASSWORD)
    assert anonymous.get(url).status_code == 404
    assert other.get(url).status_code == 404
    assert alice.get(url).status_code == 200
    assert bob.get(url).status_code == 200  # the issuer

    set_endorsement_hidden(n["alice"], endorsement_id=n["endorsement"].pk, hidden=False)
    n["alice"].profile.visibility = Visibility.MEMBERS
    n["alice"].profile.save(update_fields=["visibility"])
    assert anonymous.get(url).status_code == 404
    assert anonymous.get("/m/alice/did.json").status_code == 404
    assert anonymous.get("/m/alice/credential").status_code == 404
    assert other.get(url).status_code == 200
    assert other.get("/m/alice/credential").status_code == 200

    withdraw_endorsement(n["bob"], endorsement_id=n["endorsement"].pk)
    assert anonymous.get(url).status_code == 404
    assert other.get(url).status_code == 200


def test_rotation_keeps_retired_keys_listed_and_signs_with_the_new_one():
    n = network()
    client = Client()
    url = _path(issuing.credential_url("http://testserver", n["endorsement"].pk))
    old_key = _get(client, url)["proof"]["verificationMethod"].split("#")[1]
    call_command("rotate_signing_key")
    new_proof = _get(client, url)["proof"]
    new_key = new_proof["verificationMethod"].split("#")[1]
    assert new_key != old_key
    for did_path in ("/.well-known/did.json", "/m/bob/did.json"):
        doc = _get(client, did_path)
        listed = [m["publicKeyMultibase"] for m in doc["verificationMethod"]]
        assert listed[0] == new_key and old_key in listed
        assert all(m["id"] in doc["assertionMethod"] for m in doc["verificationMethod"])


def test_configured_signing_key_is_used_and_generated_keys_stay_listed(settings):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    generated = keys.keyring().current.multikey
    private = Ed25519PrivateKey.generate()
    settings.VOUCH_SIGNING_KEY = keys.secret_multikey(private)
    keys.reset()
    doc = _get(Client(), "/.well-known/did.json")
    listed = [m["publicKeyMultibase"] for m in doc["verificationMethod"]]
    assert listed == [keys.public_multikey(private.public_key()), generated]


def test_presentation_signs_over_no_caller_chosen_challenge_or_domain():
    """Nobody may get Vouch to sign a presentation over a challenge they chose (it would let anyone answer a
    verifier's login challenge as the member): query parameters change nothing in the signed document."""
    network()
    client = Client()
    plain = _get(client, "/m/alice/credential")
    asked = _get(client, "/m/alice/credential?challenge=nonce-123&domain=evil.example&proofPurpose=authentication")
    assert asked == plain
    text = json.dumps(asked)
    assert "nonce-123" not in text and "evil.example" not in text
    assert asked["proof"]["proofPurpose"] == "assertionMethod"
    assert "challenge" not in asked["proof"] and "domain" not in asked["proof"]
