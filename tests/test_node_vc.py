"""Vouch's credentials checked by an independent verifier: Digital Bazaar's @digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite and the Bitstring Status List checker (Node, tests/node-vc/).

The fixture installs tests/node-vc/package.json from the npm registry (once; node_modules is reused). The verifier
runs offline: its document loader serves the published contexts (its own copies, and Vouch's bundled OB 3.0.3 and
DID contexts) and the DID documents and status lists the test fetched from Vouch.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from badges.openbadges.fetcher import bundled_context
from conftest import _unavailable
from credentials import issuing
from credentials.tests.helpers import network, status_bit
from endorsements.services import set_endorsement_hidden, withdraw_endorsement

NODE_DIR = Path(__file__).parent / "node-vc"
CONTEXTS = [
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
]


@pytest.fixture(scope="session")
def node_verifier() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("the independent verifier needs Node.js and npm (apt-get install nodejs npm)")
    if not (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").exists():
        done = subprocess.run(
            [npm, "ci" if (NODE_DIR / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            _unavailable(f"npm install in tests/node-vc failed: {done.stderr[-500:]}")
    return NODE_DIR / "verify.mjs"


def run_verifier(script: Path, tmp_path: Path, **payload: Any) -> dict[str, Any]:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(payload))
    done = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def fetch(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url.replace("http://testserver", ""))
    assert response.status_code == 200, url
    return json.loads(response.content)


def documents_for(client: Client, *docs: dict[str, Any]) -> dict[str, Any]:
    """What a verifier needs: the contexts, the DID documents of every issuer/holder, the status lists."""
    out: dict[str, Any] = {url: bundled_context(url) for url in CONTEXTS}
    todo = list(docs)
    while todo:
        doc = todo.pop()
        for cred in doc.get("verifiableCredential", []):
            todo.append(cred)
        for did in filter(None, [_id(doc.get("issuer")), doc.get("holder")]):
            path = "/.well-known/did.json" if did.count(":") == 2 else "/m/" + did.rsplit(":", 1)[1] + "/did.json"
            out[did] = fetch(client, path)
        status = doc.get("credentialStatus")
        if status:
            listed = fetch(client, status["statusListCredential"])
            out[status["statusListCredential"]] = listed
            todo.append(listed)
    return out


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


@pytest.mark.django_db
def test_independent_verifier_accepts_credential_and_presentation_then_sees_the_revocation(node_verifier, tmp_path):
    n = network()
    client = Client()
    url = issuing.credential_url("http://testserver", n["endorsement"].pk)
    credential = fetch(client, url)
    presentation = fetch(client, "/m/alice/credential")

    before = run_verifier(
        node_verifier,
        tmp_path,
        documents=documents_for(client, credential, presentation),
        credentials=[credential],
        presentations=[presentation],
    )
    print("independent verifier, before withdrawal:", json.dumps(before))
    assert before["credentials"][0]["verified"] is True, before
    assert before["credentials"][0]["statuses"] == [{"verified": True, "revoked": [False]}], before
    assert before["presentations"][0]["verified"] is True, before
    assert before["presentations"][0]["credentialCount"] == 2

    # Hiding does not revoke: the endorser's statement stands.
    set_endorsement_hidden(n["alice"], endorsement_id=n["endorsement"].pk, hidden=True)
    set_endorsement_hidden(n["alice"], endorsement_id=n["endorsement"].pk, hidden=False)
    withdraw_endorsement(n["bob"], endorsement_id=n["endorsement"].pk)
    after_doc = fetch(client, url)  # still served
    listed = fetch(client, after_doc["credentialStatus"]["statusListCredential"])
    assert status_bit(listed, int(after_doc["credentialStatus"]["statusListIndex"])) == 1
    after = run_verifier(node_verifier, tmp_path, documents=documents_for(client, credential), credentials=[credential])
    print("independent verifier, after withdrawal:", json.dumps(after))
    assert after["credentials"][0]["statuses"] == [{"verified": True, "revoked": [True]}], after


@pytest.mark.django_db
def test_independent_verifier_rejects_a_tampered_credential(node_verifier, tmp_path):
    n = network()
    client = Client()
    credential = fetch(client, issuing.credential_url("http://testserver", n["endorsement"].pk))
    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["endorsementComment"] = "Best engineer ever."
    result = run_verifier(node_verifier, tmp_path, documents=documents_for(client, credential), credentials=[tampered])
    assert result["credentials"][0]["verified"] is False, result
