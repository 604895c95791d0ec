"""The inbox's errors: a clear message and the right status, never a stack trace."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import ServiceError

from carebird.app.agentdesk import CaseNotFound, NeedsConfirmation, NotOnTeam
from carebird.app.inboxweb.web import reply
from carebird.domain import desk
from carebird.errors import StorageUnavailable


def register(app: APIGatewayHttpResolver, logger: Logger) -> None:
    @app.exception_handler(desk.ClaimedByAnother)
    def claimed_by_another(exc: desk.ClaimedByAnother) -> Response:
        since = exc.since.isoformat() if exc.since else None
        return reply(409, {"error": f"{exc.agent} is working on this case", "claimed_by": exc.agent, "since": since})

    @app.exception_handler(NeedsConfirmation)
    def needs_confirmation(exc: NeedsConfirmation) -> Response:
        return reply(409, {"error": str(exc), "confirm": True, "status": exc.status})

    @app.exception_handler(desk.NotAllowed)
    def not_allowed(exc: desk.NotAllowed) -> Response:
        return reply(400, {"error": str(exc)})

    @app.exception_handler(CaseNotFound)
    def not_found(exc: CaseNotFound) -> Response:
        return reply(404, {"error": str(exc)})

    @app.exception_handler(NotOnTeam)
    def not_on_team(exc: NotOnTeam) -> Response:
        return reply(403, {"error": str(exc), "signed_out": True})

    @app.exception_handler(StorageUnavailable)
    def storage_unavailable(exc: StorageUnavailable) -> Response:
        logger.warning("storage unavailable", extra={"reason": str(exc)})
        return reply(503, {"error": "the case store is busy: try again in a moment"})

    @app.exception_handler(Exception)
    def unexpected(exc: Exception) -> Response:
        from carebird.app.ingest import ConcurrentUpdate

        if isinstance(exc, ConcurrentUpdate):
            return reply(409, {"error": "the case changed meanwhile: reload it and try again"})
        if isinstance(exc, ServiceError):  # 400, 401, 404 raised on purpose
            return reply(exc.status_code, {"error": exc.msg})
        logger.exception("inbox request failed")
        return reply(500, {"error": "something went wrong; the team's logs have the details"})
