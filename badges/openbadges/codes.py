"""Stable error codes produced by the Open Badges verifier.

Codes are part of the public surface: they are stored with each badge and shown to members, so they never change
meaning. Add new ones; never rename. ``MESSAGES`` gives a default human-readable sentence for each.
"""

from __future__ import annotations

# --- fetching (fetcher.py) -------------------------------------------------------------------------------------
FETCH_BAD_URL = "FETCH_BAD_URL"
FETCH_BAD_SCHEME = "FETCH_BAD_SCHEME"
FETCH_BLOCKED_ADDRESS = "FETCH_BLOCKED_ADDRESS"
FETCH_DNS_FAILED = "FETCH_DNS_FAILED"
FETCH_TIMEOUT = "FETCH_TIMEOUT"
FETCH_TOO_LARGE = "FETCH_TOO_LARGE"
FETCH_TOO_MANY_REDIRECTS = "FETCH_TOO_MANY_REDIRECTS"
FETCH_HTTP_STATUS = "FETCH_HTTP_STATUS"
FETCH_FAILED = "FETCH_FAILED"
FETCH_NOT_JSON = "FETCH_NOT_JSON"
FETCH_TOO_MANY_REQUESTS = "FETCH_TOO_MANY_REQUESTS"

# --- input recognition and extraction (extract.py) ------------------------------------------------------------
INPUT_EMPTY = "INPUT_EMPTY"
INPUT_TOO_LARGE = "INPUT_TOO_LARGE"
INPUT_UNRECOGNISED = "INPUT_UNRECOGNISED"
INPUT_AMBIGUOUS = "INPUT_AMBIGUOUS"
IMAGE_NOT_RECOGNISED = "IMAGE_NOT_RECOGNISED"
PNG_TRUNCATED = "PNG_TRUNCATED"
PNG_CORRUPT = "PNG_CORRUPT"
PNG_NO_BADGE = "PNG_NO_BADGE"
SVG_INVALID = "SVG_INVALID"
SVG_FORBIDDEN_ENTITY = "SVG_FORBIDDEN_ENTITY"
SVG_NO_BADGE = "SVG_NO_BADGE"
JSON_INVALID = "JSON_INVALID"
JSON_TOO_DEEP = "JSON_TOO_DEEP"
JWS_MALFORMED = "JWS_MALFORMED"

# --- Open Badges 2.0 / legacy --------------------------------------------------------------------------------
CONTEXT_UNKNOWN = "CONTEXT_UNKNOWN"
TYPE_INVALID = "TYPE_INVALID"
PROPERTY_MISSING = "PROPERTY_MISSING"
PROPERTY_INVALID = "PROPERTY_INVALID"
DATE_INVALID = "DATE_INVALID"
ISSUED_IN_FUTURE = "ISSUED_IN_FUTURE"
EXPIRES_BEFORE_ISSUED = "EXPIRES_BEFORE_ISSUED"
EXPIRED = "EXPIRED"
REVOKED = "REVOKED"
ASSERTION_UNAVAILABLE = "ASSERTION_UNAVAILABLE"
ASSERTION_ID_MISMATCH = "ASSERTION_ID_MISMATCH"
VERIFICATION_TYPE_INVALID = "VERIFICATION_TYPE_INVALID"
OUTSIDE_ISSUER_SCOPE = "OUTSIDE_ISSUER_SCOPE"
BADGECLASS_UNAVAILABLE = "BADGECLASS_UNAVAILABLE"
ISSUER_UNAVAILABLE = "ISSUER_UNAVAILABLE"
BADGE_IMAGE_UNAVAILABLE = "BADGE_IMAGE_UNAVAILABLE"
BADGE_IMAGE_INVALID = "BADGE_IMAGE_INVALID"
JWS_ALG_NOT_ALLOWED = "JWS_ALG_NOT_ALLOWED"
JWS_SIGNATURE_INVALID = "JWS_SIGNATURE_INVALID"
SIGNING_KEY_UNAVAILABLE = "SIGNING_KEY_UNAVAILABLE"
SIGNING_KEY_INVALID = "SIGNING_KEY_INVALID"
SIGNING_KEY_NOT_LISTED = "SIGNING_KEY_NOT_LISTED"
SIGNING_KEY_OWNER_MISMATCH = "SIGNING_KEY_OWNER_MISMATCH"
REVOCATION_LIST_UNAVAILABLE = "REVOCATION_LIST_UNAVAILABLE"
LEGACY_UNVERIFIABLE = "LEGACY_UNVERIFIABLE"
RECIPIENT_MISMATCH = "RECIPIENT_MISMATCH"
RECIPIENT_INVALID = "RECIPIENT_INVALID"

# --- Open Badges 3.0 --------------------------------------------------------------------------------------------
CREDENTIAL_NO_PROOF = "CREDENTIAL_NO_PROOF"
PROOF_UNSUPPORTED = "PROOF_UNSUPPORTED"
PROOF_INVALID = "PROOF_INVALID"
PROOF_KEY_UNAVAILABLE = "PROOF_KEY_UNAVAILABLE"
CANONICALIZATION_FAILED = "CANONICALIZATION_FAILED"
KEY_NOT_BOUND_TO_ISSUER = "KEY_NOT_BOUND_TO_ISSUER"
ISSUER_KEY_UNCONFIRMED = "ISSUER_KEY_UNCONFIRMED"  # no issuer document confirms the key: FAILED
NOT_YET_VALID = "NOT_YET_VALID"
VCJWT_PRIVATE_KEY_IN_HEADER = "VCJWT_PRIVATE_KEY_IN_HEADER"
VCJWT_KEY_UNAVAILABLE = "VCJWT_KEY_UNAVAILABLE"
VCJWT_ISS_MISSING = "VCJWT_ISS_MISSING"
VCJWT_ISS_MISMATCH = "VCJWT_ISS_MISMATCH"
VCJWT_SUB_MISSING = "VCJWT_SUB_MISSING"
VCJWT_SUB_MISMATCH = "VCJWT_SUB_MISMATCH"
VCJWT_JTI_MISMATCH = "VCJWT_JTI_MISMATCH"
STATUS_UNSUPPORTED = "STATUS_UNSUPPORTED"
STATUS_LIST_UNAVAILABLE = "STATUS_LIST_UNAVAILABLE"
STATUS_LIST_INVALID = "STATUS_LIST_INVALID"
SUSPENDED = "SUSPENDED"

ISSUER_SELF_ISSUED = "ISSUER_SELF_ISSUED"  # warning only: did:key issuer, authentic but nobody vouches for who it is

# --- the run as a whole (verifier.py) -----------------------------------------------------------------------------
TOO_MANY_HOPS = "TOO_MANY_HOPS"
VERIFICATION_TIMEOUT = "VERIFICATION_TIMEOUT"
INPUT_TOO_COMPLEX = "INPUT_TOO_COMPLEX"

INTERNAL_ERROR = "INTERNAL_ERROR"

MESSAGES: dict[str, str] = {
    FETCH_BAD_URL: "The address is not a valid URL.",
    FETCH_BAD_SCHEME: "Only http and https addresses can be fetched.",
    FETCH_BLOCKED_ADDRESS: "The address points to a private, local or reserved network and was not fetched.",
    FETCH_DNS_FAILED: "The host name could not be resolved.",
    FETCH_TIMEOUT: "The server took too long to answer.",
    FETCH_TOO_LARGE: "The server sent more data than allowed.",
    FETCH_TOO_MANY_REDIRECTS: "The address redirected too many times.",
    FETCH_HTTP_STATUS: "The server answered with an error status.",
    FETCH_FAILED: "The address could not be fetched.",
    FETCH_NOT_JSON: "The document fetched is not JSON.",
    FETCH_TOO_MANY_REQUESTS: "Verifying this badge needs more requests than allowed.",
    INPUT_EMPTY: "Nothing was supplied to verify.",
    INPUT_TOO_LARGE: "The input is larger than allowed.",
    INPUT_UNRECOGNISED: "The input is not a URL, JSON, a compact JWS or a baked badge image.",
    INPUT_AMBIGUOUS: "Exactly one of URL, text or image must be supplied.",
    IMAGE_NOT_RECOGNISED: "The file is neither a PNG nor an SVG image.",
    PNG_TRUNCATED: "The PNG file is truncated.",
    PNG_CORRUPT: "The PNG file is damaged.",
    PNG_NO_BADGE: "The PNG image carries no Open Badges data.",
    SVG_INVALID: "The SVG file is not well-formed XML.",
    SVG_FORBIDDEN_ENTITY: "The SVG file declares entities or external references, which are refused.",
    SVG_NO_BADGE: "The SVG image carries no Open Badges data.",
    JSON_INVALID: "The JSON could not be parsed.",
    JSON_TOO_DEEP: "The JSON is nested too deeply.",
    JWS_MALFORMED: "The compact JWS is malformed.",
    CONTEXT_UNKNOWN: "The @context is not a known Open Badges context.",
    TYPE_INVALID: "The document does not have the required type.",
    PROPERTY_MISSING: "A required property is missing.",
    PROPERTY_INVALID: "A property has an invalid value.",
    DATE_INVALID: "A date is missing its time zone or is not a real date.",
    ISSUED_IN_FUTURE: "The badge is dated in the future.",
    EXPIRES_BEFORE_ISSUED: "The badge expires before it was issued.",
    EXPIRED: "The badge has expired.",
    REVOKED: "The issuer has revoked the badge.",
    ASSERTION_UNAVAILABLE: "The hosted assertion could not be fetched from its issuer.",
    ASSERTION_ID_MISMATCH: "The hosted assertion does not identify itself by the address it was fetched from.",
    VERIFICATION_TYPE_INVALID: "The assertion's verification type is not hosted or signed.",
    OUTSIDE_ISSUER_SCOPE: "The assertion is not hosted where the issuer allows.",
    BADGECLASS_UNAVAILABLE: "The badge class could not be fetched or is invalid.",
    ISSUER_UNAVAILABLE: "The issuer profile could not be fetched or is invalid.",
    BADGE_IMAGE_UNAVAILABLE: "The badge image could not be fetched.",
    BADGE_IMAGE_INVALID: "The badge image is not a PNG or SVG image.",
    JWS_ALG_NOT_ALLOWED: "The signature algorithm is not allowed.",
    JWS_SIGNATURE_INVALID: "The signature does not verify.",
    SIGNING_KEY_UNAVAILABLE: "The signing key could not be fetched.",
    SIGNING_KEY_INVALID: "The signing key is not a usable public key.",
    SIGNING_KEY_NOT_LISTED: "The signing key is not one the issuer publishes.",
    SIGNING_KEY_OWNER_MISMATCH: "The signing key belongs to someone other than the issuer.",
    REVOCATION_LIST_UNAVAILABLE: "The issuer's revocation list could not be fetched.",
    LEGACY_UNVERIFIABLE: "This legacy assertion can only be verified from the address that hosts it.",
    RECIPIENT_MISMATCH: "The badge was not issued to any of the member's verified addresses.",
    RECIPIENT_INVALID: "The badge's recipient is malformed.",
    CREDENTIAL_NO_PROOF: "The credential carries no proof.",
    PROOF_UNSUPPORTED: "The credential's proof type or cryptosuite is not supported.",
    PROOF_INVALID: "The credential's proof does not verify.",
    PROOF_KEY_UNAVAILABLE: "The proof's verification key could not be obtained.",
    CANONICALIZATION_FAILED: "The credential could not be canonicalised.",
    KEY_NOT_BOUND_TO_ISSUER: "The signing key is not controlled by the credential's issuer.",
    ISSUER_KEY_UNCONFIRMED: "The issuer does not publish the signing key where it could be checked.",
    NOT_YET_VALID: "The credential is not valid yet.",
    VCJWT_PRIVATE_KEY_IN_HEADER: "The token's header carries a private key.",
    VCJWT_KEY_UNAVAILABLE: "The token's signing key could not be obtained from the issuer.",
    VCJWT_ISS_MISSING: "The token has no iss claim.",
    VCJWT_ISS_MISMATCH: "The token's iss claim differs from the credential's issuer.",
    VCJWT_SUB_MISSING: "The token has no sub claim.",
    VCJWT_SUB_MISMATCH: "The token's sub claim differs from the credential subject.",
    VCJWT_JTI_MISMATCH: "The token's jti claim differs from the credential id.",
    STATUS_UNSUPPORTED: "The credential's status method is not supported.",
    STATUS_LIST_UNAVAILABLE: "The credential's status list could not be fetched.",
    STATUS_LIST_INVALID: "The credential's status list is invalid.",
    SUSPENDED: "The issuer has suspended the credential.",
    ISSUER_SELF_ISSUED: "The issuer is a did:key: the credential is authentic, but nobody confirms who the issuer is.",
    TOO_MANY_HOPS: "The badge points to other badges too many times.",
    VERIFICATION_TIMEOUT: "Verification took longer than allowed.",
    INPUT_TOO_COMPLEX: "The credential is too large or complex to verify.",
    INTERNAL_ERROR: "Verification stopped on an unexpected error.",
}


def message_for(code: str) -> str:
    return MESSAGES.get(code, code.replace("_", " ").capitalize() + ".")
