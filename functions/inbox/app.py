"""Inbox Lambda: the care team's web page (a static shell) and the JSON API it works the queue with.

The routes live in carebird.app.inboxweb (page, queue, cases, insights: powertools Routers); agents' actions go
through carebird.app.agentdesk, the path the CLI takes too. In AWS every /inbox/api route is JWT-authorized.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from carebird import settings as configuration
from carebird.app.inboxweb import cases, errors, insights, page, queue, web
from carebird.observability import Observability

observe = Observability(configuration.tracing())
desk = web.wire(configuration.inbox(), Path(__file__).with_name("static"))
app = APIGatewayHttpResolver(strip_prefixes=["/inbox"])
for router in (page.router, queue.router, cases.router, insights.router):
    app.include_router(router)
errors.register(app, observe.logger)


@observe.handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
