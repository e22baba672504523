"""GraphQL for notifications (queries, mutations and the subscription composed in vouch/graphql/schema.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import graphene
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphql import GraphQLError

from notifications import services
from notifications.models import Notification
from notifications.payloads import KINDS
from profiles.actors import is_signed_in
from vouch.graphql.connections import CountableConnection
from vouch.graphql.ids import decode_id
from vouch.graphql.mutations import VouchMutation, require_user
from vouch.graphql.scalars import JSON


class NotificationType(DjangoObjectType):
    """Something that happened to the signed-in member. `kind` says what (`endorsement.received`, …);
    `payload` carries what is needed to render and link it (docs/notifications.md lists each kind's)."""

    class Meta:
        model = Notification
        name = "Notification"
        fields = ("id", "kind", "payload", "created_at", "read_at")
        interfaces = (relay.Node,)
        connection_class = CountableConnection

    kind = graphene.String(required=True)
    payload = JSON(required=True, description="A JSON object (as on the notification socket), by kind.")
    created_at = graphene.DateTime(required=True)
    read_at = graphene.DateTime(description="When the member marked it read; null while unread.")

    @classmethod
    def get_queryset(cls, queryset: Any, info: Any) -> Any:
        # `node(id:)` and connections only ever see the viewer's own notifications.
        user = info.context.user
        if not is_signed_in(user):
            return queryset.none()
        return queryset.filter(recipient_id=user.pk)


class NotificationChannel(graphene.Enum):
    """Where a notification kind goes: live only (socket and bell), e-mail at once (and live), the daily digest
    (and live), or nowhere (still stored and listed, not pushed, not mailed)."""

    LIVE_ONLY = "LIVE_ONLY"
    EMAIL = "EMAIL"
    DIGEST = "DIGEST"
    OFF = "OFF"


class KindChannel(graphene.ObjectType):
    kind = graphene.String(required=True)
    channel = graphene.Field(NotificationChannel, required=True)


class KindChannelInput(graphene.InputObjectType):
    kind = graphene.String(required=True)
    channel = graphene.Field(NotificationChannel, required=True)


class EmailDelivery(graphene.ObjectType):
    """The address notification e-mail goes to, and whether it stopped: an address that refused mail for good
    gets none until `resumeNotificationEmail` (or a new address)."""

    address = graphene.String(description="The member's primary address.")
    stopped = graphene.Boolean(required=True)
    stopped_reason = graphene.String(description="What the receiving server answered, when stopped.")
    stopped_at = graphene.DateTime()


class NotificationPreferences(graphene.ObjectType):
    muted_kinds = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Stored and counted, but not pushed live."
    )
    kinds = graphene.List(graphene.NonNull(graphene.String), required=True, description="Every notification kind.")
    channels = graphene.List(
        graphene.NonNull(KindChannel), required=True, description="Every kind's channel (defaults included)."
    )
    email = graphene.Field(EmailDelivery, required=True)

    @staticmethod
    def build(prefs: dict[str, Any]) -> NotificationPreferences:
        return NotificationPreferences(
            muted_kinds=prefs["muted_kinds"],
            kinds=sorted(KINDS),
            channels=[KindChannel(kind=k, channel=c) for k, c in prefs["channels"].items()],
            email=EmailDelivery(**prefs["email"]),
        )


class NotificationQueries(graphene.ObjectType):
    notifications = DjangoConnectionField(
        NotificationType,
        required=True,
        unread_only=graphene.Boolean(description="Only notifications not yet marked read."),
        description="The signed-in member's notifications, newest first. Anonymous: UNAUTHENTICATED error.",
    )
    unread_notification_count = graphene.Int(
        required=True, description="How many of the signed-in member's notifications are unread; 0 when anonymous."
    )
    notification_preferences = graphene.Field(NotificationPreferences, description="Null when anonymous.")

    @staticmethod
    def resolve_notifications(root: Any, info: Any, unread_only: bool | None = None, **_: Any) -> Any:
        user = require_user(info)
        return services.notifications_for(user, unread_only=bool(unread_only))

    @staticmethod
    def resolve_unread_notification_count(root: Any, info: Any) -> int:
        return services.unread_count(info.context.user)

    @staticmethod
    def resolve_notification_preferences(root: Any, info: Any) -> NotificationPreferences | None:
        user = info.context.user
        if not is_signed_in(user):
            return None
        return NotificationPreferences.build(services.preferences_of(user))


class MarkNotificationsRead(VouchMutation):
    """Mark some (ids) or all of your notifications read; every open socket gets the new unread count.
    An id that is not one of yours is NOT_FOUND and nothing is marked."""

    class Input:
        ids = graphene.List(graphene.NonNull(graphene.ID), description="Notification ids (at most 100).")
        all = graphene.Boolean(description="Mark every notification read.")

    unread_count = graphene.Int(description="The unread count after marking; null when there are errors.")

    @classmethod
    def perform(cls, info: Any, actor: Any, ids: list[str] | None = None, all: bool | None = None, **_: Any) -> Any:
        pks = [decode_id(i, "Notification", field="ids") for i in ids or ()]
        return cls(unread_count=services.mark_read(actor, ids=pks, all=bool(all)))


class UpdateNotificationPreferences(VouchMutation):
    """Choose, per kind, where notifications go (`channels`; kinds not named keep theirs), and/or the kinds that
    are not pushed live (`mutedKinds` replaces the list; they are still stored, listed and counted). Unknown kinds:
    UNKNOWN_KIND; EMAIL/DIGEST for a kind that is never mailed: NOT_MAILABLE; nothing is changed then."""

    class Input:
        muted_kinds = graphene.List(graphene.NonNull(graphene.String))
        channels = graphene.List(graphene.NonNull(KindChannelInput))

    preferences = graphene.Field(NotificationPreferences)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, muted_kinds: list[str] | None = None, channels: list[Any] | None = None, **_: Any
    ) -> Any:
        pairs = [(c.kind, getattr(c.channel, "value", c.channel)) for c in channels or ()]
        prefs = services.update_preferences(actor, muted_kinds=muted_kinds, channels=pairs)
        return cls(preferences=NotificationPreferences.build(prefs))


class ResumeNotificationEmail(VouchMutation):
    """Send notification e-mail to your address again after it refused mail (you fixed the mailbox)."""

    class Input:
        pass

    preferences = graphene.Field(NotificationPreferences)

    @classmethod
    def perform(cls, info: Any, actor: Any, **_: Any) -> Any:
        return cls(preferences=NotificationPreferences.build(services.resume_email(actor)))


class NotificationMutations(graphene.ObjectType):
    mark_notifications_read = MarkNotificationsRead.Field()
    update_notification_preferences = UpdateNotificationPreferences.Field()
    resume_notification_email = ResumeNotificationEmail.Field()


class NotificationSubscriptions(graphene.ObjectType):
    notification_received = graphene.Field(
        NotificationType,
        required=True,
        description="Each new notification of the signed-in member, as it happens (graphql-transport-ws at "
        "/graphql/ws/). Muted kinds are not sent.",
    )

    @staticmethod
    def subscribe_notification_received(root: Any, info: Any) -> AsyncIterator[Notification]:
        # The socket (notifications.graphql_ws) authenticates and feeds the user's group
        # messages into a queue per subscription (SubscriptionContext). A plain function, not
        # an async generator: the queue is registered now, when the subscription starts, not
        # at the first iteration, so nothing pushed in between is missed.
        listen = getattr(info.context, "listen", None)
        if listen is None:
            raise GraphQLError("Subscriptions are served over the graphql-transport-ws socket at /graphql/ws/.")
        require_user(info)
        return listen()

    @staticmethod
    def resolve_notification_received(root: Any, info: Any) -> Notification:
        # Each event of the stream is a Notification; `root` is None only when someone sends the
        # subscription as a plain operation (POST /graphql/), which cannot stream.
        if root is None:
            raise GraphQLError(
                "Subscriptions are served over the graphql-transport-ws socket at /graphql/ws/.",
                extensions={"code": "SUBSCRIPTION_OVER_HTTP"},
            )
        return root
