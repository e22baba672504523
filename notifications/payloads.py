"""Notification kinds, their payloads and the frames of the live socket, as TypedDicts.

A payload carries what a client needs to render the line ("Maria endorsed you for
Kubernetes") and link it, without another query. Payloads are stored as JSON with the
notification, so they are a snapshot of the moment the event happened: a later rename
does not rewrite old notifications (the links use stable usernames and global ids).

The services that cause a notification build its payload (endorsements/, badges/);
`notifications.services.notify` checks the kind is one of KINDS. Keys are camelCase
because they travel to clients unchanged (GraphQL `payload: JSONString!` and the socket).
"""

# No `from __future__ import annotations` here: TypedDict must see NotRequired[...] as a real
# object, not a string, or optional keys are reported as required (Python 3.11).
from typing import Literal, NotRequired, TypedDict


class Kind:
    """Notification kinds: `<subject>.<event>`."""

    ENDORSEMENT_RECEIVED = "endorsement.received"
    ENDORSEMENT_REQUEST_RECEIVED = "endorsement_request.received"
    ENDORSEMENT_REQUEST_ANSWERED = "endorsement_request.answered"
    ENDORSEMENT_RECONFIRMATION_REQUESTED = "endorsement.reconfirmation_requested"
    ENDORSEMENT_RECONFIRMED = "endorsement.reconfirmed"
    BADGE_VERIFIED = "badge.verified"
    BADGE_FAILED = "badge.failed"
    BADGE_REVOKED = "badge.revoked"


KINDS: frozenset[str] = frozenset(
    value for name, value in vars(Kind).items() if not name.startswith("_") and isinstance(value, str)
)


# --- pieces shared by payloads -----------------------------------------------------------
class MemberRef(TypedDict):
    """Who did it: enough to print a name and link the profile (`/m/<username>/`)."""

    username: str
    displayName: str
    url: str
    avatarSmallUrl: NotRequired[str | None]


class SkillRef(TypedDict):
    name: str
    slug: str


class BadgeRef(TypedDict):
    id: str  # global id of the Badge
    name: str
    url: str  # the public badge page `/b/<badge id>/`


# --- one payload per kind (the endorsements and badges services fill them) ----------------
class EndorsementReceivedPayload(TypedDict):
    endorsementId: str  # global id of the Endorsement
    endorser: MemberRef
    skill: SkillRef
    memberSkillId: str
    relationship: str  # MANAGER | PEER | REPORT | OTHER
    comment: NotRequired[str]
    url: str  # where the endorsement is shown (the member's own profile), or the review queue
    awaitingReview: NotRequired[bool]  # true: it waits for the member's review (shown nowhere until then)


class EndorsementRequestReceivedPayload(TypedDict):
    requestId: str  # global id of the EndorsementRequest
    requester: MemberRef
    skill: SkillRef
    relationship: str
    message: NotRequired[str]
    url: str  # the request in the inbox: /requests/#request-<id>
    reminder: NotRequired[bool]  # true on the one reminder a requester may send (endorsements/reminders.py)


class EndorsementRequestAnsweredPayload(TypedDict):
    """Sent to the requester. What a declined request reveals is decided by the endorsements
    service (see docs/notifications.md); `endorsementId` is present only when accepted."""

    requestId: str
    recipient: MemberRef
    skill: SkillRef
    status: str  # RequestStatus value: ACCEPTED | DECLINED
    endorsementId: NotRequired[str]
    url: str
    awaitingReview: NotRequired[bool]  # accepted, and the endorsement waits for the requester's review


class ReconfirmationRequestedPayload(TypedDict):
    """To the endorser: the member asks "Still true?" about an endorsement given `givenAt`."""

    endorsementId: str
    member: MemberRef
    skill: SkillRef
    givenAt: str  # ISO 8601: when it was given, or last re-confirmed
    url: str  # the one-click re-confirmation page (a signed link: /reconfirm/<token>/)


class ReconfirmedPayload(TypedDict):
    """To the member who asked: the endorser re-confirmed it."""

    endorsementId: str
    endorser: MemberRef
    skill: SkillRef
    url: str  # the member's own profile


class _BadgeStatusChange(TypedDict):
    badge: BadgeRef
    status: str  # BadgeStatus value after the change
    previousStatus: str


class BadgeVerifiedPayload(_BadgeStatusChange):
    skill: NotRequired[SkillRef]  # when the badge is attached to a listed skill


class BadgeFailedPayload(_BadgeStatusChange):
    errors: list[str]  # stable verification error codes, as in Badge.verificationErrors


class BadgeRevokedPayload(_BadgeStatusChange):
    reason: NotRequired[str]


Payload = (
    EndorsementReceivedPayload
    | EndorsementRequestReceivedPayload
    | EndorsementRequestAnsweredPayload
    | ReconfirmationRequestedPayload
    | ReconfirmedPayload
    | BadgeVerifiedPayload
    | BadgeFailedPayload
    | BadgeRevokedPayload
)


# --- what travels on the socket `/ws/notifications/` (server → client) ----------------------
class NotificationData(TypedDict):
    id: str  # global id ("Notification:<pk>", base64), the value `resume.after` takes
    kind: str
    payload: dict
    createdAt: str  # ISO 8601, UTC


class NotificationFrame(TypedDict):
    type: Literal["notification"]
    notification: NotificationData


class UnreadFrame(TypedDict):
    type: Literal["unread"]
    count: int


class ResumedFrame(TypedDict):
    """Ends a replay. `hasMore` is true when the replay stopped at its bound: resume again
    from the last id received to get the rest."""

    type: Literal["resumed"]
    count: int
    hasMore: bool


class ErrorFrame(TypedDict):
    type: Literal["error"]
    code: str  # BAD_JSON | BAD_MESSAGE | UNKNOWN_TYPE | BAD_RESUME | RATE_LIMITED | TOO_LARGE
    message: str


class PongFrame(TypedDict):
    type: Literal["pong"]


# Every frame the notification socket sends (NotificationConsumer._send takes only these). What the client sends,
# `{"type": "resume", "after": <id or null>}` and `{"type": "ping"}`, is checked field by field as it arrives.
ServerFrame = NotificationFrame | UnreadFrame | ResumedFrame | ErrorFrame | PongFrame


# --- between the sender and the consumers (channel layer messages, group `user.<id>`) -----
class NotificationPushMessage(TypedDict):
    type: Literal["notification.push"]
    notification: NotificationData
    pk: int  # for de-duplication against a replay on the same socket
    unread: NotRequired[int]  # the recipient's unread count right after this notification
    sentAt: NotRequired[float]  # time.time() when sent; a consumer far behind drops itself


class UnreadPushMessage(TypedDict):
    type: Literal["unread.push"]
    count: int
