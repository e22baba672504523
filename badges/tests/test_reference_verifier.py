"""Vouch beside the 1EdTech reference validator (PyPI `openbadges` 1.1.2, openbadges-validator-core), on the
published vectors (../shared/openbadges-vectors/MANIFEST.md) and on the adversarial corpus generated here.

The reference runs in its own virtual environment (tests/ob-reference/: built by the fixture from PyPI, or
VOUCH_OB_REFERENCE_PYTHON), fed the same documents: the manifest's URL maps, or the generated issuers on loopback.
A verdict is "accepted": verified AND issued to the identity given. Both must agree on every case, except the ones
in DIFFERENCES, each with the reason, which must still differ the way the table says (docs/openbadges.md,
"Beside the reference validator").
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from joserfc import jws

from badges.openbadges import BadgeSource, Fetcher, verify

from .conftest import VECTORS, Route, content_type_for, make_fetcher, requires_vectors, vector_bytes, vector_text
from .issuer import OB2, LocalIssuer, bake_png
from .test_openbadges_corpus import rsa_key
from .test_openbadges_vectors import CASES

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "tests" / "ob-reference"
EMAIL = "learner@example.org"

# case id -> (kind, why), the table in docs/openbadges.md. "vouch-stricter": the reference accepts, Vouch refuses;
# "reference-bug": the reference refuses a badge the specification makes valid; "vouch-policy": recipient matching on
# the address's normal form (Vouch accepts, the reference compares exact strings).
DIFFERENCES: dict[str, tuple[str, str]] = {
    "scenario-410-alone-means-revoked": (
        "vouch-stricter",
        "HTTP 410 Gone for a hosted assertion means revoked (OB 2.0 'Hosted verification'); 1.1.2 ignores the status.",
    ),
    "scenario-ob1-badgeclass-image-404": (
        "vouch-stricter",
        "the BadgeClass image (required) cannot be fetched: Vouch fails BADGE_IMAGE_UNAVAILABLE; 1.1.2 only warns.",
    ),
    "scenario-ob2-badgeclass-image-404": (
        "vouch-stricter",
        "as the row above, for OB 2.0.",
    ),
    "ob1.0-uppercase-email-matches-case-insensitively": (
        "vouch-policy",
        "recipients are matched on the address's normal form (lower-cased, IDNA 2008 A-labels), so TEST@example.com "
        "is the member's verified test@example.com; 1.1.2 compares the exact string. Not a verification verdict.",
    ),
    "scenario-recipient-upper-case-email-policy": (
        "vouch-policy",
        "the same policy: a member whose verified address is NOBODY@example.org holds nobody@example.org's badge.",
    ),
    "scenario-ob1-badgeclass-image-not-an-image": (
        "vouch-stricter",
        "the BadgeClass image is JSON, not PNG/SVG: Vouch sniffs the bytes; 1.1.2 trusts the Content-Type.",
    ),
    "ob2-baked-hosted-svg": (
        "reference-bug",
        "a valid baked SVG: 1.1.2 fails it because openbadges-bakery returns the verify URL as bytes.",
    ),
}


def _reference_python() -> Path:
    configured = os.environ.get("VOUCH_OB_REFERENCE_PYTHON")
    if configured:
        return Path(configured)
    from conftest import _unavailable

    venv = REFERENCE_DIR / ".venv"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", "import openbadges.verifier"]
    if python.exists() and subprocess.run(probe, capture_output=True, timeout=120).returncode == 0:
        return python
    base = shutil.which("python3.11") or shutil.which("python3") or sys.executable
    steps = [
        [base, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "openbadges==1.1.2"],
        [str(python), "-m", "pip", "install", "-q", "-r", str(REFERENCE_DIR / "requirements.txt")],
        probe,
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            _unavailable(f"the reference validator could not be installed ({' '.join(step[:4])}): {done.stderr[-400:]}")
    return python


@pytest.fixture(scope="module")
def reference() -> Path:
    return _reference_python()


def run_reference(python: Path, tmp_path: Path, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases))
    done = subprocess.run(
        [str(python), str(REFERENCE_DIR / "reference_verify.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _route(route: Route, json_type: str) -> list[Any]:
    if isinstance(route, bytes):
        return [200, json_type, _b64(route)]
    if isinstance(route, str):
        route = (route, 200)
    ctype = route[2] if len(route) > 2 else content_type_for(route[0], json_type)  # type: ignore[misc]
    return [route[1], ctype, _b64(vector_bytes(route[0]))]


def _compare(verdicts: dict[str, tuple[bool, Any]], theirs: dict[str, dict[str, Any]]) -> None:
    _compare_with(verdicts, theirs, DIFFERENCES)


def _compare_with(
    verdicts: dict[str, tuple[bool, Any]], theirs: dict[str, dict[str, Any]], differences: dict[str, tuple[str, str]]
) -> None:
    mismatched = []
    for case_id, (ours, detail) in sorted(verdicts.items()):
        accepted = theirs[case_id]["valid"]
        if case_id in differences:
            kind, _ = differences[case_id]
            expected = (False, True) if kind == "vouch-stricter" else (True, False)  # reference-bug, vouch-policy
            assert (ours, accepted) == expected, (case_id, "no longer differs as documented", detail, theirs[case_id])
        elif ours != accepted:
            mismatched.append((case_id, "vouch" if ours else "reference", detail, theirs[case_id]["errors"][:3]))
    assert mismatched == [], "\n".join(repr(m)[:400] for m in mismatched)


# --- the published vectors -------------------------------------------------------------------------------------------
OB2_CASES = [c for c in CASES if not c.id.startswith("ob3") and "ob3" not in c.id]


@requires_vectors
def test_reference_validator_agrees_on_the_published_vectors(reference, tmp_path):
    cases, verdicts = [], {}
    for case in OB2_CASES:
        kind, value = case.source
        fetcher, _ = make_fetcher(case.routes, json_type=case.json_type)
        source = {
            "url": lambda v: BadgeSource.from_url(v),
            "text": lambda v: BadgeSource.from_text(vector_text(v)),
            "image": lambda v: BadgeSource.from_image(vector_bytes(v)),
        }[kind](value)
        result = verify(source, fetcher=fetcher, now=datetime.now(UTC), identities=case.identities)
        verdicts[case.id] = (result.status == "VERIFIED" and result.recipient_matched is not False, result.errors)
        given = {"url": value, "text": vector_text(value) if kind == "text" else "", "image": ""}[kind]
        cases.append(
            {
                "id": case.id,
                "input": {"kind": kind, "value": _b64(vector_bytes(value)) if kind == "image" else given},
                "routes": {url: _route(r, case.json_type) for url, r in case.routes.items()},
                "recipient": case.identities[0] if case.identities else None,
            }
        )
    assert len(cases) >= 30 and (VECTORS / "MANIFEST.md").exists()
    _compare(verdicts, run_reference(reference, tmp_path, cases))


# --- the generated corpus ------------------------------------------------------------------------------------------
def _corpus(real: LocalIssuer, attacker: LocalIssuer) -> list[tuple[str, BadgeSource, dict[str, Any]]]:
    """(id, source for Vouch, input for the reference): genuine badges and forgeries, on two loopback origins."""
    out: list[tuple[str, BadgeSource, dict[str, Any]]] = []

    def url_case(case_id: str, url: str) -> None:
        out.append((case_id, BadgeSource.from_url(url), {"kind": "url", "value": url}))

    def text_case(case_id: str, text: str) -> None:
        out.append((case_id, BadgeSource.from_text(text), {"kind": "text", "value": text}))

    url_case("corpus-genuine-hosted", real.hosted(EMAIL))
    text_case("corpus-genuine-signed", real.signed(EMAIL))
    baked = bake_png(real.hosted(EMAIL))
    out.append(("corpus-genuine-baked", BadgeSource.from_image(baked), {"kind": "image", "value": _b64(baked)}))
    url_case("corpus-expired", real.hosted(EMAIL, expires=datetime.now(UTC) - timedelta(days=1)))
    url_case("corpus-issued-to-someone-else", real.hosted("someone@example.org"))
    revoked = real.hosted(EMAIL)
    real.revoke(revoked)
    url_case("corpus-revoked", revoked)

    # A forged signature: the payload edited after signing (someone else's badge claimed for EMAIL).
    token = real.signed("someone@example.org").split(".")
    payload = json.loads(base64.urlsafe_b64decode(token[1] + "=="))
    payload["recipient"] = real.assertion(EMAIL)["recipient"]
    token[1] = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    text_case("corpus-tampered-signature", ".".join(token))

    # Signed with the attacker's key; the inline Issuer claims the real id and lists that key.
    key, public = rsa_key()
    evil_key = attacker.url("/key.json")
    attacker.serve_json(
        "/key.json",
        {"@context": OB2, "type": "CryptographicKey", "id": evil_key, "owner": real.issuer_id, "publicKeyPem": public},
    )
    doc = real.assertion(EMAIL, signed=True)
    doc["verification"] = {"type": "signed", "creator": evil_key}
    doc["badge"] = {
        "id": real.badge_class_id,
        "type": "BadgeClass",
        "name": "Forged",
        "description": "x",
        "image": real.url("/badges/python.png"),
        "criteria": "https://x.example/",
        "issuer": {"id": real.issuer_id, "type": "Issuer", "name": "Local Test Academy", "publicKey": [evil_key]},
    }
    text_case(
        "corpus-inline-issuer-with-attackers-key",
        jws.serialize_compact({"alg": "RS256"}, json.dumps(doc).encode(), key),
    )
    # Signed with the attacker's key, which names the real issuer as owner: the real profile does not list it.
    doc = real.assertion(EMAIL, signed=True)
    doc["verification"] = {"type": "signed", "creator": evil_key}
    text_case("corpus-key-owned-by-no-one", jws.serialize_compact({"alg": "RS256"}, json.dumps(doc).encode(), key))
    # A hosted assertion on another port (another origin) naming the real issuer's BadgeClass.
    doc = real.assertion(EMAIL)
    doc["id"] = attacker.url("/assertions/cross-port.json")
    attacker.serve_json("/assertions/cross-port.json", doc)
    url_case("corpus-hosted-on-another-port", doc["id"])
    # Hosted on the attacker's origin, with an inline BadgeClass (at the attacker's URL) whose inline Issuer claims
    # the real id and declares allowedOrigins for the attacker's host.
    doc = real.assertion(EMAIL)
    doc["id"] = attacker.url("/assertions/evil.json")
    doc["badge"] = {
        "id": attacker.url("/badge.json"),
        "type": "BadgeClass",
        "name": "Python Practitioner",
        "description": "x",
        "image": real.url("/badges/python.png"),
        "criteria": "https://x.example/",
        "issuer": {
            "id": real.issuer_id,
            "type": "Issuer",
            "name": "Local Test Academy",
            "verification": {"allowedOrigins": [attacker.base.split("://")[1]]},
        },
    }
    attacker.serve_json("/badge.json", doc["badge"])
    attacker.serve_json("/assertions/evil.json", doc)
    url_case("corpus-inline-issuer-allows-the-attackers-origin", doc["id"])
    # The real BadgeClass id with an inline copy that renames it: the published one counts.
    doc = real.assertion(EMAIL)
    doc["badge"] = {
        "id": real.badge_class_id,
        "type": "BadgeClass",
        "name": "Kubernetes Grandmaster",
        "description": "x",
        "image": real.url("/badges/python.png"),
        "criteria": "https://x.example/",
        "issuer": real.issuer_id,
    }
    real.serve_json(doc["id"][len(real.base) :], doc)
    url_case("corpus-inline-badge-class-renamed", doc["id"])
    # issuedOn as an integer (legacy 1.x only).
    doc = real.assertion(EMAIL)
    doc["issuedOn"] = int((datetime.now(UTC) - timedelta(days=3)).timestamp())
    real.serve_json(doc["id"][len(real.base) :], doc)
    url_case("corpus-integer-issued-on", doc["id"])
    return out


def test_reference_validator_agrees_on_the_generated_corpus(reference, tmp_path):
    real, attacker = LocalIssuer(), LocalIssuer()
    try:
        corpus = _corpus(real, attacker)
        verdicts = {}
        for case_id, source, _ in corpus:
            fetcher = Fetcher(allowed_hosts=frozenset({"127.0.0.1"}))
            try:
                result = verify(source, fetcher=fetcher, now=datetime.now(UTC), identities=[EMAIL])
            finally:
                fetcher.close()
            verdicts[case_id] = (result.status == "VERIFIED" and bool(result.recipient_matched), result.errors)
        # The reference does JSON-LD processing: it gets the OB 2.0 context Vouch bundles (no vectors needed).
        from badges.openbadges.fetcher import bundled_context

        context = json.dumps(bundled_context(OB2)).encode()
        routes = {OB2: [200, "application/ld+json", _b64(context)]}
        theirs = run_reference(
            reference, tmp_path, [{"id": i, "input": g, "routes": routes, "recipient": EMAIL} for i, _, g in corpus]
        )
    finally:
        real.close(), attacker.close()
    assert verdicts["corpus-genuine-hosted"][0] and theirs["corpus-genuine-hosted"]["valid"]  # both can accept
    _compare(verdicts, theirs)


# --- OB 3.0 Data Integrity: Digital Bazaar's verifier (tests/node-vc) --------------------------------------------
OB3_VECTORS = {
    "ob3-spec-ldp-signed": "ob3/spec-ldp-eddsa-rdfc-2022-signed.json",
    "ob3-eddsa-valid": "ob3/eddsa-rdfc-2022-valid.json",
    "ob3-eddsa-bad-proof-value": "ob3/eddsa-rdfc-2022-bad-proof-value.json",
    "ob3-eddsa-expired": "ob3/eddsa-rdfc-2022-expired.json",
    "ob3-eddsa-not-yet-valid": "ob3/eddsa-rdfc-2022-not-yet-valid.json",
    "ob3-no-proof": "ob3/no-proof.json",
    "ob3-bitstring-status-revoked": "ob3/bitstring-status-revoked.json",
}
# Where Vouch and @digitalbazaar/vc differ on these vectors, and why.
OB3_DIFFERENCES: dict[str, tuple[str, str]] = {}


def _node_documents() -> dict[str, Any]:
    """What Digital Bazaar's loader needs, offline: the contexts, each vector issuer as a controller document listing
    its keys under assertionMethod, each key by its URL, and the status list credential."""
    from badges.openbadges.fetcher import bundled_context

    from .conftest import BITSTRING_LIST
    from .test_openbadges_vectors import OB3_ISSUER_DOCS

    docs: dict[str, Any] = {
        url: bundled_context(url)
        for url in (
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
        )
    }
    for issuer, body in OB3_ISSUER_DOCS.items():
        profile = json.loads(body)  # type: ignore[arg-type]
        methods = [{"@context": "https://w3id.org/security/multikey/v1", **m} for m in profile["verificationMethod"]]
        docs[issuer] = {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": issuer,
            "verificationMethod": [{k: v for k, v in m.items() if k != "@context"} for m in methods],
            "assertionMethod": [m["id"] for m in methods],
        }
        docs |= {m["id"]: m for m in methods}
    docs[BITSTRING_LIST] = json.loads(vector_text("ob3/bitstring-status-list-credential.json"))
    return docs


@pytest.fixture(scope="module")
def node_script() -> Path:
    """tests/node-vc (Digital Bazaar's @digitalbazaar/vc + eddsa-rdfc-2022), installed from npm once."""
    from conftest import _unavailable

    directory = REFERENCE_DIR.parent / "node-vc"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("the independent OB 3.0 verifier needs Node.js and npm (apt-get install nodejs npm)")
    if not (directory / "node_modules" / "@digitalbazaar" / "vc").exists():
        done = subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund"], cwd=directory, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            _unavailable(f"npm ci in tests/node-vc failed: {done.stderr[-500:]}")
    return directory / "verify.mjs"


@requires_vectors
def test_digital_bazaar_verifier_agrees_on_the_ob3_data_integrity_vectors(node_script, tmp_path):
    path = tmp_path / "input.json"
    credentials = [json.loads(vector_text(name)) for name in OB3_VECTORS.values()]
    path.write_text(json.dumps({"documents": _node_documents(), "credentials": credentials}))
    done = subprocess.run(["node", str(node_script), str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout)["credentials"]
    by_id = {c.id: c for c in CASES}
    verdicts, results = {}, {}
    for (case_id, name), result in zip(OB3_VECTORS.items(), theirs, strict=True):
        case = by_id[case_id]
        fetcher, _ = make_fetcher(case.routes)
        ours = verify(
            BadgeSource.from_text(vector_text(name)), fetcher=fetcher, now=datetime.now(UTC), identities=case.identities
        )
        verdicts[case_id] = (ours.status == "VERIFIED", ours.errors)
        # A status check that ran and found the bit set says verified for the check, revoked for the credential.
        revoked = any(True in (st.get("revoked") or []) for st in result.get("statuses", []))
        results[case_id] = {"valid": result["verified"] and not revoked, "errors": result["errors"], "revoked": revoked}
    assert verdicts["ob3-eddsa-valid"][0] and results["ob3-eddsa-valid"]["valid"], results["ob3-eddsa-valid"]
    _compare_with(verdicts, results, OB3_DIFFERENCES)
