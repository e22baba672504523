"""The base of every Vouch mutation.

A mutation takes one `input`, checks the caller is signed in (an authentication failure
is a GraphQL error), calls one service and returns its objects, or the service's
ValidationErrors as typed payload errors. Services own the transaction, so a refused
mutation has written nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import graphene
from django.core.exceptions import ValidationError
from graphql import GraphQLError

from profiles.actors import is_signed_in
from vouch.graphql.errors import Error, errors_from_validation


class AuthenticationRequired(GraphQLError):
    def __init__(self) -> None:
        super().__init__("You must be signed in to do this.", extensions={"code": "UNAUTHENTICATED"})


def require_user(info: graphene.ResolveInfo) -> Any:
    user = info.context.user
    if not is_signed_in(user):
        raise AuthenticationRequired()
    return user


class VouchMutation(graphene.relay.ClientIDMutation):  # type: ignore[misc]  # graphene is untyped (Any)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    class Meta:
        abstract = True

    # Each mutation's classmethod `perform(cls, info, actor, <its input fields>) -> payload`: typed as a
    # callable, as every mutation's fields differ (a method here would make each signature an override error).
    perform: ClassVar[Callable[..., Any]]

    @classmethod
    def mutate_and_get_payload(cls, root: Any, info: graphene.ResolveInfo, **data: Any) -> VouchMutation:
        actor = require_user(info)
        try:
            payload: VouchMutation = cls.perform(info, actor, **data)
        except ValidationError as exc:
            return cls(errors=errors_from_validation(exc))
        if getattr(payload, "errors", None) is None:
            payload.errors = []
        return payload
