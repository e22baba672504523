"""The GraphQL endpoint: authentication, CSRF, multipart uploads, batching, limits.

Authentication: an allauth app client sends `X-Session-Token`; a browser sends its
session cookie. CSRF is enforced when the request carries ambient credentials (a
session cookie) and no token header: a token must be sent explicitly, so it cannot be
forged cross-site, and a request with no credentials has nothing to forge.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import HttpError
from graphene_file_upload.django import FileUploadGraphQLView
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast

from profiles.actors import is_signed_in
from profiles.adapters import user_for_session_token
from vouch import profile_cache
from vouch.graphql import documents
from vouch.graphql.errors import format_graphql_error
from vouch.graphql.limits import validation_rules

_HTTP_CODES = {400: "BAD_REQUEST", 405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 413: "REQUEST_TOO_LARGE"}


def _csrf_reject(request: HttpRequest, reason: str) -> HttpResponse:
    return JsonResponse(
        {"errors": [{"message": f"CSRF check failed: {reason}", "extensions": {"code": "CSRF"}}]}, status=403
    )


def _no_view(request: HttpRequest) -> HttpResponse:
    """The view CsrfViewMiddleware.process_view is told about (it only reads its csrf_exempt flag)."""
    return HttpResponse()


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return _csrf_reject(request, reason)


def _authenticate_token(request: HttpRequest) -> HttpResponse | None:
    token = request.headers.get("X-Session-Token")
    if not token:
        return None
    user = user_for_session_token(token)
    if user is None:
        return JsonResponse(
            {"errors": [{"message": "Invalid or expired session token.", "extensions": {"code": "UNAUTHENTICATED"}}]},
            status=401,
        )
    request.user = user
    return None


def _refuse_oversized(request: HttpRequest) -> HttpResponse | None:
    # Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not uploaded files, which it
    # streams to disk whatever their size: refuse a body over MAX_REQUEST_BODY_BYTES before
    # anything parses it, with an answer a client can show (413, not a 500 or a hang).
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.MAX_REQUEST_BODY_BYTES
    if length <= limit:
        return None
    return JsonResponse(
        {
            "errors": [
                {
                    "message": f"The request is larger than {limit / (1024 * 1024):g} MB.",
                    "extensions": {"code": "REQUEST_TOO_LARGE"},
                }
            ]
        },
        status=413,
    )


@method_decorator(csrf_exempt, name="dispatch")
class VouchGraphQLView(FileUploadGraphQLView):  # type: ignore[misc]  # graphene-file-upload is untyped (Any)
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validation_rules", validation_rules())
        super().__init__(**kwargs)

    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: Any,
        variables: Any,
        operation_name: Any,
        show_graphiql: bool = False,
    ) -> Any:
        """graphene-django's, with parsing and validation cached by the query text (vouch/graphql/documents.py).

        Same steps and answers otherwise: GET only for queries, validation errors without data,
        the limits rules bound to this request's variables.
        """
        if graphene_settings.ATOMIC_MUTATIONS:  # off in Vouch (services own their transactions)
            return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        schema = self.schema.graphql_schema
        try:
            document = documents.parse_document(query)
        except Exception as e:  # graphene-django answers any parse failure as a GraphQL error
            return ExecutionResult(errors=[e])  # type: ignore[list-item]  # graphene-django formats any Exception
        operation_ast = get_operation_ast(document, operation_name)
        if (
            (request.method or "").lower() == "get"
            and operation_ast is not None
            and operation_ast.operation != OperationType.QUERY
        ):
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"], f"Can only perform a {operation_ast.operation.value} operation from a POST request."
                )
            )
        errors = documents.validate_document(
            schema,
            document,
            query,
            variables if isinstance(variables, dict) else None,
            graphene_settings.MAX_VALIDATION_ERRORS,
        )
        if errors:
            return ExecutionResult(data=None, errors=errors)
        try:
            options: dict[str, Any] = {
                "root_value": self.get_root_value(request),
                "context_value": self.get_context(request),
                "variable_values": variables,
                "operation_name": operation_name,
                "middleware": self.get_middleware(request),
            }
            if self.execution_context_class:
                options["execution_context_class"] = self.execution_context_class
            return execute(schema, document, **options)
        except Exception as e:  # as graphene-django: an execution failure is a GraphQL error
            return ExecutionResult(errors=[e])  # type: ignore[list-item]  # graphene-django formats any Exception

    def render_graphiql(self, request: HttpRequest, **data: Any) -> HttpResponse:
        """GraphiQL from Vouch's own static files (vouch/static/graphiql/, no CDN), under its own CSP."""
        from django.shortcuts import render

        from vouch.middleware import GRAPHIQL_CSP

        page_settings = {
            "subscriptionPath": "/graphql/ws/",
            "graphiqlHeaderEditorEnabled": bool(data.get("graphiql_header_editor_enabled", True)),
            "graphiqlShouldPersistHeaders": bool(data.get("graphiql_should_persist_headers", False)),
            "graphiqlInputValueDeprecation": bool(data.get("graphiql_input_value_deprecation", False)),
        }
        response = render(request, "vouch/graphiql.html", {"graphiql_settings": page_settings})
        response["Content-Security-Policy"] = GRAPHIQL_CSP
        return response

    @staticmethod
    def format_error(error: Exception) -> dict[str, Any]:
        """Every error with an `extensions.code` (vouch/graphql/errors.py), HTTP-level ones by their status."""
        if isinstance(error, HttpError):
            code = _HTTP_CODES.get(error.response.status_code, "BAD_REQUEST")
            return {"message": str(error.message), "extensions": {"code": code}}
        return format_graphql_error(error)

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return super().parse_body(request)
        except HttpError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # graphene-file-upload trusts `operations` and `map` (bad JSON, a map naming a missing
            # file part or a path that is not a null placeholder): a client error, not a 500.
            raise HttpError(HttpResponseBadRequest(f"Malformed multipart request: {type(exc).__name__}.")) from None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        oversized = _refuse_oversized(request)
        if oversized is not None:
            return oversized
        if request.headers.get("X-Session-Token"):
            refused = _authenticate_token(request)
            if refused is not None:
                return refused
        elif request.method == "POST" and settings.SESSION_COOKIE_NAME in request.COOKIES:
            refused = _CsrfCheck(lambda r: HttpResponse()).process_view(request, _no_view, (), {})
            if refused is not None:
                return refused
        if request.method == "POST" and self.get_content_type(request) == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                body = None
            if isinstance(body, list):
                return self._dispatch_batch(request, body)
            if isinstance(body, dict) and profile_cache.seconds() and not is_signed_in(request.user):
                return self._dispatch_cached(request, body, *args, **kwargs)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response

    def _dispatch_cached(self, request: HttpRequest, body: dict[str, Any], *args: Any, **kwargs: Any) -> HttpResponse:
        """An anonymous visitor's profile read or member list by skill, from the cache when it holds it
        (vouch/profile_cache.py). `Cache-Control: no-cache` from the client: computed afresh (and stored)."""
        query, variables = body.get("query"), body.get("variables")
        root = None
        if isinstance(query, str) and isinstance(variables or {}, dict):
            try:
                root = profile_cache.cacheable_root(documents.parse_document(query))
            except GraphQLError:
                root = None
        if root is None:
            response: HttpResponse = super().dispatch(request, *args, **kwargs)
            return response
        key = profile_cache.key(str(query), variables, body.get("operationName"))
        fresh = "no-cache" in request.headers.get("Cache-Control", "")
        cached = None if fresh else cache.get(key)
        if isinstance(cached, bytes):
            return HttpResponse(cached, content_type="application/json")
        if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], bytes):
            # members(skill:): the search is a demand signal whoever answers it (insights.services.record_search).
            from insights.services import record_search_id

            record_search_id(request, cached[1])
            return HttpResponse(cached[0], content_type="application/json")
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200 and b'"errors"' not in response.content:
            value: Any = bytes(response.content)
            if root == "members":
                value = (value, getattr(request, "vouch_searched_skill_id", None))
            cache.set(key, value, timeout=profile_cache.seconds())
        return response

    def _dispatch_batch(self, request: HttpRequest, operations: list[Any]) -> HttpResponse:
        limit = settings.GRAPHQL_MAX_BATCH
        if not operations or len(operations) > limit or not all(isinstance(op, dict) for op in operations):
            return JsonResponse(
                {
                    "errors": [
                        {
                            "message": f"A batch must hold between 1 and {limit} operations.",
                            "extensions": {"code": "BATCH_TOO_LARGE"},
                        }
                    ]
                },
                status=400,
            )
        parts = []
        status = 200
        for op in operations:
            try:
                result, code = self.get_response(request, op)
            except HttpError as exc:
                result, code = json.dumps({"errors": [self.format_error(exc)]}), exc.response.status_code
            parts.append(result or "null")
            status = max(status, code)
        return HttpResponse("[" + ",".join(parts) + "]", status=status, content_type="application/json")
