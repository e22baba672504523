"""Run the 1EdTech reference validator (PyPI `openbadges` 1.1.2) on cases given as JSON; print its verdicts.

Runs in its own virtual environment (tests/ob-reference/requirements.txt), never in Vouch's. Usage:
`python reference_verify.py cases.json`; each case is {"id", "input": {"kind": "url"|"text"|"image", "value"}
(image: base64), "routes": {url: [status, content type, base64 body]}, "recipient": email or null}. URLs in
`routes` are answered from there (404 for any other non-loopback URL, as the vectors' manifest asks); loopback URLs
(the generated corpus's issuers) are fetched for real. Prints {id: {"valid": bool, "errors": [...]}}.
"""

import base64
import io
import json
import sys

from requests.adapters import HTTPAdapter
from requests.models import Response

ROUTES = {}
_real_send = HTTPAdapter.send


def _send(self, request, **kwargs):
    url = request.url
    if url in ROUTES or not url.startswith(("http://127.0.0.1", "http://localhost")):
        status, ctype, body = ROUTES.get(url, (404, "text/plain", ""))
        response = Response()
        response.status_code = status
        response.headers["Content-Type"] = ctype
        response._content = base64.b64decode(body)
        response.raw = io.BytesIO(response._content)
        response.url = url
        response.request = request
        response.encoding = "utf-8"
        return response
    return _real_send(self, request, **kwargs)


HTTPAdapter.send = _send


def main(path):
    from openbadges import verify
    from openbadges.verifier.utils import jsonld_no_cache

    out = {}
    with open(path) as f:
        cases = json.load(f)
    for case in cases:
        ROUTES.clear()
        ROUTES.update({url: tuple(route) for url, route in case.get("routes", {}).items()})
        kind, value = case["input"]["kind"], case["input"]["value"]
        badge_input = io.BytesIO(base64.b64decode(value)) if kind == "image" else value
        if kind == "image":
            badge_input.name = "badge.svg" if base64.b64decode(value).lstrip().startswith(b"<") else "badge.png"
        recipient = {"email": case["recipient"]} if case.get("recipient") else None
        try:
            report = verify(badge_input, recipient, use_cache=False, jsonld_options=jsonld_no_cache)
            messages = [
                m.get("result", "")
                for m in report.get("report", {}).get("messages", [])
                if m.get("messageLevel") == "ERROR"
            ]
            out[case["id"]] = {"valid": bool(report["report"]["valid"]), "errors": [str(m)[:300] for m in messages]}
        except Exception as exc:  # the reference validator crashes on some inputs (see MANIFEST.md): a rejection
            out[case["id"]] = {"valid": False, "errors": [f"crashed: {type(exc).__name__}: {exc}"[:300]]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
