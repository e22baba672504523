"""Endorsement queries: a member's request inbox and outbox."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q
from django.utils import timezone
from graphene_django import DjangoConnectionField

from endorsements.models import EndorsementRequest, RequestStatus
from endorsements.schema.types import EndorsementRequestType, RequestDirectionEnum, RequestStatusEnum
from vouch.graphql.mutations import require_user
from vouch.graphql.selection import below, selected_paths, wants


class EndorsementQueries(graphene.ObjectType):
    endorsement_requests = DjangoConnectionField(
        EndorsementRequestType,
        required=True,
        direction=graphene.Argument(RequestDirectionEnum, required=True),
        status=graphene.Argument(RequestStatusEnum),
        description="Your inbox (INCOMING) or outbox (OUTGOING), newest first. Signed-in members only "
        "(anonymous callers get the UNAUTHENTICATED error).",
    )

    @staticmethod
    def resolve_endorsement_requests(root: Any, info: Any, direction: Any, status: Any = None, **_: Any) -> Any:
        viewer = require_user(info)
        direction = getattr(direction, "value", direction)
        status = getattr(status, "value", status)
        qs = EndorsementRequest.objects.all()
        qs = qs.filter(recipient_id=viewer.pk) if direction == "INCOMING" else qs.filter(requester_id=viewer.pk)
        now = timezone.now()
        if status == RequestStatus.PENDING:
            qs = qs.filter(status=RequestStatus.PENDING, expires_at__gt=now)
        elif status == RequestStatus.EXPIRED:
            qs = qs.filter(Q(status=RequestStatus.EXPIRED) | Q(status=RequestStatus.PENDING, expires_at__lte=now))
        elif status:
            qs = qs.filter(status=status)
        node = below(selected_paths(info), "edges.node")
        related = ["requester__profile", "recipient__profile", "skill"]
        if wants(node, "endorsement"):
            related += ["endorsement"]
            end = below(node, "endorsement")
            related += [
                f"endorsement__{r}"
                for r in ("endorser__profile", "member__profile", "skill")
                if wants(end, r.split("__")[0])
            ]
        return qs.select_related(*related).order_by("-id")
