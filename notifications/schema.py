"""GraphQL for notifications (queries and mutations composed in vouch/graphql/schema.py)."""

from __future__ import annotations

import graphene


class NotificationQueries(graphene.ObjectType):
    pass


class NotificationMutations(graphene.ObjectType):
    pass
