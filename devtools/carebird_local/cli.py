"""The `carebird` command: local demo and server, and the tools around a deployment."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from carebird import clock
from carebird import settings as configuration

DEFAULT_LOCAL_SECRET = "local-consumer-secret"  # the embedded stack's, published in README: not a secret


class CarebirdGroup(click.Group):
    """Every failure a user can cause or meet becomes one clear line and exit status 1, never a traceback.

    Set CAREBIRD_DEBUG=1 to see the traceback of an unexpected error.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("CAREBIRD_DEBUG"):
                raise
            raise click.ClickException(explain_failure(exc)) from exc


def explain_failure(exc: Exception) -> str:
    """What went wrong, in one line a newcomer can act on."""
    name = type(exc).__name__
    if name == "NoRegionError":
        return (
            "no AWS region: neither AWS_REGION nor AWS_DEFAULT_REGION is set and the profile "
            f"{os.environ.get('AWS_PROFILE') or 'default'} has none: export AWS_REGION=eu-west-3 (your region)"
        )
    if name in ("NoCredentialsError", "PartialCredentialsError", "ProfileNotFound"):
        return f"no usable AWS credentials ({exc}): run `aws configure` or set AWS_PROFILE"
    if name == "ClientError":
        error = getattr(exc, "response", {}).get("Error", {})
        return f"AWS refused: {error.get('Code', 'error')}: {error.get('Message', exc)}"
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"):
        return f"cannot reach AWS: {exc}"
    if name in ("ConnectionError", "Timeout", "ConnectTimeout", "ReadTimeout"):  # requests
        return f"cannot reach the server: {str(exc)[:200]}"
    if name == "TemplateError":
        return str(exc)
    return f"unexpected error ({name}): {str(exc)[:300]} (CAREBIRD_DEBUG=1 shows the traceback)"


class SinceParam(click.ParamType):
    """`2h`, `90m`, `7d` ago, or an ISO time."""

    name = "since"

    def __init__(self, past_only: bool = False, max_days: int | None = None) -> None:
        self.past_only = past_only
        self.max_days = max_days  # the KPIs read one query per day of the window: bound it

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        now = clock.now()
        try:
            moment = parse_since(str(value), now)
        except (ValueError, OverflowError):  # 999999999999d reaches past datetime's range
            self.fail(
                f"{value!r} is not a window: use 90m, 24h, 7d or an ISO time such as 2026-11-28T09:00Z", param, ctx
            )
        if self.past_only and moment >= now:
            self.fail(f"{value!r} is not in the past: the window would be empty (use 24h, 7d, a past time)", param, ctx)
        if self.max_days is not None and now - moment > timedelta(days=self.max_days):
            longest = f"{self.max_days}d"
            self.fail(f"{value!r} reaches back more than {self.max_days} days: use {longest} or less", param, ctx)
        return moment


SINCE = SinceParam()
PAST = SinceParam(past_only=True, max_days=3660)  # ten years: 3,660 queries
PORT = click.IntRange(1, 65535)
LIMIT = click.IntRange(1, 1000)


class WebhookUrl(click.ParamType):
    """An http(s) URL with a host, such as http://127.0.0.1:8080/webhook."""

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from urllib.parse import urlsplit

        text = str(value).strip()
        try:
            parts = urlsplit(text)
            _ = parts.port  # raises on a port that is not one
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            self.fail(f"{text!r} is not a webhook URL: use http(s)://HOST[:PORT]/webhook", param, ctx)
        return text


WEBHOOK_URL = WebhookUrl()


def progress(text: str) -> None:
    """Progress for a human, on stderr: stdout stays the command's output (JSON stays only JSON)."""
    click.echo(text, err=True)


@click.group(cls=CarebirdGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """carebird: serverless customer care for a brand's X account.

    \b
    First steps:  carebird demo              (a simulated day, nothing to set up)
                  carebird serve             (the webhook on 127.0.0.1, embedded AWS)
    With a stack: carebird queue --stack carebird
    """


# --- local ---------------------------------------------------------------------------------------


def serve_until_interrupted(server: Any, exposed: Any, announce: Any = None) -> None:
    """Serve until Ctrl-C, then take the local stack's address down (stack commands stop finding it); an
    interruption while `announce` prints the addresses is one too."""
    try:
        if announce is not None:
            announce()
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        exposed.close()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report instead of tables.")
@click.option("--serve", is_flag=True, help="Then serve the team's inbox on the day's stack (in a terminal).")
@click.option("--port", default=8080, show_default=True, type=PORT, help="With --serve: the port on 127.0.0.1.")
def demo(as_json: bool, serve: bool, port: int) -> None:
    """Run a simulated day of X care traffic through the whole product on embedded AWS.

    With --serve (what `make demo` does), the day's stack then stays up with the team's inbox at
    http://127.0.0.1:8080/inbox until Ctrl-C; only when attached to a terminal, so scripts never hang.

    Example: carebird demo --json > day.json
    """
    need_a_clone()
    from carebird_local.demo import run_demo

    def serve_inbox(stack: Any) -> None:
        from carebird_local import local
        from carebird_local.server import build_server

        try:
            server = build_server(stack, "127.0.0.1", port, report=lambda _line: None)
            exposed = local.ExposedStack(stack)
        except OSError as exc:
            click.echo(f"\nnot serving the inbox: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})", err=True)
            return
        click.echo(f"\nThe team's inbox on this day's cases: http://127.0.0.1:{server.server_port}/inbox")
        click.echo("(development sign-in: any agent name; answers go to the dry-run log). Ctrl-C to stop.")
        serve_until_interrupted(server, exposed)

    interactive = serve and sys.stdin.isatty() and sys.stdout.isatty()
    sys.exit(run_demo(sys.stdout, as_json=as_json, then=serve_inbox if interactive else None))


def need_a_clone() -> None:
    """`demo` and `serve` provision embedded AWS from the project's own template and functions: a clone's."""
    from carebird_local.local import FUNCTIONS_DIR, TEMPLATE_PATH

    if not TEMPLATE_PATH.exists() or not FUNCTIONS_DIR.is_dir():
        raise click.ClickException(
            f"no {TEMPLATE_PATH} here: `carebird demo` and `serve` run from a clone of the project "
            "(git clone, then `make demo` in it), not from an installed package"
        )


def stop_on_terminate() -> None:
    """SIGTERM (kill, a service manager) stops `serve` as Ctrl-C does, so its state file goes with it."""
    import signal

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=PORT, help="Port to listen on.")
@click.option(
    "--secret",
    default=DEFAULT_LOCAL_SECRET,
    show_default=True,
    envvar="CAREBIRD_CONSUMER_SECRET",
    help="Consumer secret deliveries must be signed with (off loopback: your own, also the inbox sign-in's).",
)
@click.option("--brand-id", default="1500000000000000001", show_default=True, help="The brand's X user id.")
@click.option("--brand-handle", default="LumiereAide", show_default=True, help="The brand's X handle.")
@click.option("--sla-minutes", default=90, show_default=True, type=click.IntRange(1, 10_080), help="Opening minutes.")
@click.option("--aws-port", default=0, type=click.IntRange(0, 65535), help="Port of the embedded AWS (default: any).")
def serve(host: str, port: int, secret: str, brand_id: str, brand_handle: str, sla_minutes: int, aws_port: int) -> None:
    """Serve the webhook over real HTTP on embedded AWS (try real or recorded payloads).

    The embedded AWS stays reachable while it runs: in another terminal, `carebird queue --local`, `case`,
    `reply`, `close`, `kpi` and `quarantine` work on it as on a deployed stack (replies go to the dry-run log).
    Several servers on different ports keep apart; `--local-port PORT` picks one.
    Off loopback (--host 0.0.0.0) it needs your own --secret: the inbox's sign-in then asks for it.

    Example: carebird serve --port 8080
    """
    from carebird_local.server import is_loopback

    need_a_clone()
    if not is_loopback(host) and secret == DEFAULT_LOCAL_SECRET:
        raise click.BadParameter(
            f"listening on {host} (off loopback) needs your own secret, not the published {DEFAULT_LOCAL_SECRET!r}: "
            "anyone on the network could sign in to the inbox. Give --secret or CAREBIRD_CONSUMER_SECRET.",
            param_hint="--secret",
        )
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-3")
    os.environ.update(TZ="UTC", POWERTOOLS_LOG_LEVEL=os.environ.get("POWERTOOLS_LOG_LEVEL", "ERROR"))
    time.tzset()
    import logging

    from moto import mock_aws

    from carebird_local import local
    from carebird_local.server import build_server

    for noisy in ("moto", "werkzeug", "botocore", "urllib3"):  # access lines and expected ASL misses
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        stack = local.EmbeddedStack(
            secret, brand_id, brand_handle, "carebird-local", settings={"SLA_MINUTES": str(sla_minutes)}
        )
        try:
            server = build_server(
                stack, host, port, report=console_line, sign_in_secret=None if is_loopback(host) else secret
            )
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        try:
            exposed = local.ExposedStack(stack, aws_port, served_port=server.server_port)
        except OSError as exc:
            server.server_close()
            raise click.ClickException(f"cannot listen on 127.0.0.1:{aws_port}: {exc.strerror or exc}") from exc

        def announce() -> None:
            stop_on_terminate()
            click.echo(f"carebird webhook on http://{host}:{server.server_port}/webhook (embedded AWS, X in dry run)")
            shown = secret if secret == DEFAULT_LOCAL_SECRET else '"$CAREBIRD_CONSUMER_SECRET" (the secret you gave)'
            url = f"http://{host}:{server.server_port}/webhook"
            click.echo(f"sign deliveries with: carebird send FILE --now --url {url} --secret {shown}")
            click.echo(f"the team's inbox: http://{host}:{server.server_port}/inbox (development sign-in: any name)")
            click.echo(f"embedded AWS on {exposed.endpoint}: try `carebird queue --local` in another terminal")

        serve_until_interrupted(server, exposed, announce)


def console_line(text: str) -> None:
    """`serve`'s console: one line per delivery and per post carebird would make, with the time."""
    click.echo(f"{datetime.now(UTC):%H:%M:%S} {text}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, type=WEBHOOK_URL, help="Webhook URL (local or deployed).")
@click.option("--secret", envvar="CAREBIRD_CONSUMER_SECRET", help="Consumer secret to sign with.")
@click.option("--stack", "stack_name", help="Read the consumer secret from this deployed stack instead.")
@click.option("--now", "redate", is_flag=True, help="Date the payload's messages now, with new ids (a recording).")
def send(file: Path, url: str, secret: str | None, stack_name: str | None, redate: bool) -> None:
    """Sign a payload FILE with the consumer secret and POST it, as X would.

    With --now a recorded payload is moved to the present: its latest message is dated now (the others keep
    their spacing) and its message ids are renumbered for today, so a recording is a fresh case, not one
    already overdue.

    \b
    Example: carebird send tests/fixtures/aaa-mention.json --now \\
               --url http://127.0.0.1:8080/webhook --secret local-consumer-secret
    """
    import requests

    from carebird.x.signature import SIGNATURE_HEADER, sign

    if not secret and stack_name:
        secret = _credentials(stack_name, None)["consumer_secret"]
    if not secret:
        raise click.UsageError("give --secret, CAREBIRD_CONSUMER_SECRET or --stack")
    body = file.read_bytes()
    if redate:
        from carebird_local.redate import RedateError, redate_payload

        try:
            body = json.dumps(redate_payload(json.loads(body), clock.now()), ensure_ascii=False).encode("utf-8")
        except (ValueError, RedateError) as exc:
            raise click.BadParameter(f"{file}: cannot date it now: {exc}", param_hint="FILE") from exc
    response = requests.post(
        url, data=body, timeout=30, headers={"content-type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
    )
    click.echo(f"{response.status_code} {response.text}")
    if response.status_code >= 400:
        sys.exit(1)


# --- around a deployment ---------------------------------------------------------------------------


def stack_options(function: Any) -> Any:
    """`--stack NAME` (a deployed stack) or `--local` (the one `carebird serve` runs): the command gets a Stack."""
    from functools import wraps

    @click.option("--local", "use_local", is_flag=True, help="Work on the stack `carebird serve` is running.")
    @click.option("--local-port", type=PORT, help="The `carebird serve` on this port (implies --local).")
    @click.option("--stack", "stack_name", envvar="CAREBIRD_STACK", help="Deployed stack name (or CAREBIRD_STACK).")
    @wraps(function)
    def wrapper(*args: Any, stack_name: str | None, use_local: bool, local_port: int | None, **kwargs: Any) -> Any:
        use_local = use_local or local_port is not None
        if bool(stack_name) == use_local:
            raise click.UsageError("give --stack NAME (a deployed stack) or --local (the one `carebird serve` runs)")
        return function(*args, stack=open_stack(stack_name, use_local, local_port), **kwargs)

    return wrapper


def open_stack(stack_name: str | None, use_local: bool, local_port: int | None = None) -> Any:
    from carebird_local.target import TargetError
    from carebird_local.target import open_stack as open_target

    try:
        return open_target(stack_name, use_local, local_port)
    except TargetError as exc:
        raise click.ClickException(str(exc)) from exc


def find_case(stack: Any, case_id: str) -> Any:
    case = stack.find_case(case_id)
    if case is None:
        raise click.ClickException(f"no case {case_id}")
    return case


@main.command()
@stack_options
@click.option("--limit", default=50, show_default=True, type=LIMIT, help="How many items (1 to 1000).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (reason, raw JSON) instead of lines.")
def quarantine(stack: Any, limit: int, as_json: bool) -> None:
    """What X sent that the webhook could not store as cases, newest first, with the reason and the raw JSON.

    Example: carebird quarantine --stack carebird --json > quarantined.json
    """
    items = stack.store().quarantined(limit)
    if as_json:
        click.echo(json.dumps([{**i, "raw": json.loads(i["raw"]) if not i.get("truncated") else i["raw"]}
                               for i in items], indent=2, ensure_ascii=False, default=str))  # fmt: skip
        return
    if not items:
        click.echo("nothing in quarantine: every event X sent was stored or knowingly ignored")
    for item in items:
        click.echo(f"{item['received_at']}  {item['feed']}  {item['reason']}")
        click.echo(f"    {item['raw'][:200]}")


@main.command()
@stack_options
@click.option("--limit", default=100, show_default=True, type=LIMIT, help="At most this many messages (1 to 1000).")
def redrive(stack: Any, limit: int) -> None:
    """Store the deliveries the ingester gave up on (kept in the FailuresQueue after its retries).

    Each of the ingester's failure records is sent to the ingester again and waited for; its message is deleted
    once the delivery is stored. The queue's other messages (stream records, scheduled functions, schedules) stay
    as they were. One line per message: stored, failed (left in the queue) or left. Running it twice stores nothing
    twice. Exits 1 when a delivery failed again.

    Example: carebird redrive --stack carebird
    """
    from carebird_local.redrive import Redrive

    if stack.local:
        raise click.ClickException("the local stack has no failures queue: redrive works on a deployed one (--stack)")
    missing = [key for key in ("IngesterFunctionName", "FailuresQueueUrl") if not stack.outputs.get(key)]
    if missing:
        raise click.ClickException(f"stack {stack.name} has no {' or '.join(missing)} output: deploy this version")
    redrive = Redrive(stack.client("sqs"), stack.client("lambda"), stack.outputs["FailuresQueueUrl"],
                      stack.outputs["IngesterFunctionName"])  # fmt: skip
    counted = redrive.run(limit, click.echo)
    click.echo(f"{counted['stored']} stored, {counted['failed']} failed, {counted['left']} left for other tools"
               if counted else "the failures queue is empty")  # fmt: skip
    if counted["failed"]:
        sys.exit(1)


@main.command()
@stack_options
@click.option("--limit", default=50, show_default=True, type=LIMIT, help="How many cases (1 to 1000).")
@click.option("--all", "every_status", is_flag=True, help="Cases of every status (noise, praise, answered...).")
@click.option(
    "--days", default=30, show_default=True, type=click.IntRange(1, 3660), help="With --all: opened in the last DAYS."
)
@click.option("--json", "as_json", is_flag=True)
def queue(stack: Any, limit: int, every_status: bool, days: int, as_json: bool) -> None:
    """The cases waiting for the team, most urgent first (priority aged in opening minutes, reasons).

    Example: carebird queue --stack carebird --all --json
    """
    from carebird.domain.triage import effective_priority

    store = stack.store()
    now = clock.now()
    cases = store.open_queue(limit)
    if every_status:
        waiting = {c.case_id for c in cases}
        others = [c for c in store.cases_opened_between(now - timedelta(days=days), now) if c.case_id not in waiting]
        cases = (cases + sorted(others, key=lambda c: c.opened_at, reverse=True))[:limit]
    rules = configuration.triage_rules(stack.environment())  # the stack's own hours and aging
    rows = [
        {
            "case": c.case_id,
            "ref": c.reference,
            "author": c.customer.handle,
            "customer": c.customer.handle,
            "channel": c.channel.value,
            "status": c.status.value,
            "kind": c.kind,
            "band": c.band,
            "priority": c.priority,
            "effective": effective_priority(c.priority, c.waiting_since, now, rules) if c.waiting_since else None,
            "waiting_minutes": int(rules.hours.open_minutes_between(c.waiting_since, now)) if c.waiting_since else 0,
            "topic": c.topic,
            "reasons": list(c.reasons),
            "why": "; ".join(c.reasons[:3]),
            "link": c.link,
        }
        for c in cases
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("The queue is empty: every customer has an answer.")
    for row in rows:
        effective = row["effective"] if row["effective"] is not None else "-"
        click.echo(
            f"{effective:>3} ({row['priority']:>3})  {row['ref']:<10} {row['status']:<9} @{row['customer']:<16} "
            f"{row['channel']:<8} {row['topic']:<10} waiting {row['waiting_minutes']:>4} open min  {row['why']}"
        )


def agent_options(function: Any) -> Any:
    """`--agent NAME` (who acts: recorded on the case) and `--force` (act on a case a colleague holds)."""
    function = click.option(
        "--force", is_flag=True, help="Act even on a case a colleague holds (recorded as a take-over)."
    )(function)
    return click.option(
        "--agent", envvar="CAREBIRD_AGENT", default=lambda: os.environ.get("USER") or "cli", show_default="$USER",
        help="Who acts (or CAREBIRD_AGENT): recorded on the case, checked against the inbox's claims.",
    )(function)  # fmt: skip


def agent_desk(stack: Any) -> Any:
    from carebird.app.agentdesk import AgentDesk
    from carebird.aws.teamstore import DynamoTeam

    store = stack.store()
    return AgentDesk(store, DynamoTeam(store), clock.now, "cli")


def act_as_agent(stack: Any, case_id: str, agent: str, force: bool, rule: Any) -> Any:
    """One desk rule on the case, recorded as the agent's action; a colleague's claim stops it unless --force."""
    from carebird.domain import desk

    work = agent_desk(stack)
    case = find_case(stack, case_id)
    try:
        return work.act(case.case_id, agent, rule)
    except desk.ClaimedByAnother as exc:
        if not force:
            raise click.ClickException(claimed_text(exc, case.reference)) from exc
    work.act(case.case_id, agent, lambda c: desk.take_over(c, desk.Member(agent), clock.now(), "forced from the cli"))
    return work.act(case.case_id, agent, rule)


def claimed_text(exc: Any, reference: str) -> str:
    since = f" since {exc.since:%Y-%m-%d %H:%M} UTC" if exc.since else ""
    return f"{exc.agent} is working on {reference}{since}: give --force to act anyway (recorded on the case)"


@main.command()
@click.argument("case_id")
@click.argument("verdict", type=click.Choice(["noise", "not-noise", "urgent", "not-urgent"]))
@stack_options
@agent_options
def mark(case_id: str, verdict: str, stack: Any, agent: str, force: bool) -> None:
    """An agent's word on a case, recorded as a correction: `noise` takes it out of the queue, `not-noise` puts it
    back with an SLA; `urgent` / `not-urgent` move it between the bands. `carebird eval --from-corrections`
    exports these corrections as labelled examples.

    Recorded on the case as the agent's action, as the inbox records it; a colleague's claim is respected.

    Example: carebird mark public-1870000000000000002 not-noise --stack carebird
    """
    from carebird.domain import desk

    rules = configuration.triage_rules(stack.environment())

    def rule(case: Any) -> Any:
        if verdict in ("noise", "not-noise"):
            return desk.mark_noise_by(case, agent, verdict == "noise", rules, clock.now())
        return desk.mark_urgent_by(case, agent, verdict == "urgent", rules, clock.now())

    done = act_as_agent(stack, case_id, agent, force, rule)
    click.echo(f"case {done.case.reference} is now {done.case.status.value}, {done.case.band} band")


@main.command("eval")
@stack_options
@click.option(
    "--from-corrections",
    "from_corrections",
    is_flag=True,
    required=True,
    help="Export agents' corrections (noise, not noise, urgent, not urgent) as labelled examples.",
)
@click.option("--days", default=30, show_default=True, help="Cases opened in the last DAYS days.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("corrections.jsonl"),
    show_default=True,
    help="JSON Lines file to write (the format of tests/fixtures/triage-eval).",
)
def eval_command(stack: Any, from_corrections: bool, days: int, out: Path) -> None:
    """Labelled examples from your own traffic: every case an agent corrected, with the agent's label.

    Put the file in tests/fixtures/triage-eval/ and run `make eval` to measure the rules on it.
    Example: carebird eval --from-corrections --stack carebird --days 90 --out ours.jsonl
    """
    from carebird_local.corrections import corrections

    store, now = stack.store(), clock.now()
    zone = configuration.opening_hours(stack.environment()).zone
    examples = list(corrections(store.cases_opened_between(now - timedelta(days=days), now), store.activity, zone))
    out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")
    click.echo(f"{len(examples)} corrected case(s) written to {out}")


@main.command("case")
@click.argument("case_id")
@stack_options
def case_command(case_id: str, stack: Any) -> None:
    """One case in full (by its id or the CB-… reference of the emails): customer, triage, history, messages.

    Example: carebird case CB-000101 --stack carebird
    """
    store, case = stack.store(), find_case(stack, case_id)
    click.echo(f"{case.reference}  {case.case_id}  {case.status.value}  priority {case.priority} ({case.topic})")
    click.echo(
        f"customer @{case.customer.handle} ({case.customer.name}), {case.customer.followers} followers"
        f"{', verified' if case.customer.verified else ''}"
    )
    click.echo(f"opened {case.opened_at:%Y-%m-%d %H:%M} UTC via {case.channel.value}")
    if case.first_response_at:
        click.echo(f"first response {case.first_response_at:%Y-%m-%d %H:%M} UTC")
    else:
        click.echo("no response yet")
    click.echo(f"kind {case.kind}, SLA band {case.band}" + (f", {case.outcome}" if case.outcome else ""))
    click.echo("why: " + "; ".join(case.reasons))
    if case.history:
        earlier = ", ".join(f"{opened[:10]} {status}" for opened, status in case.history[-5:])
        click.echo(f"previous cases ({len(case.history)}): {earlier}")
    click.echo(f"answer on X: {case.link}")
    for message in store.messages(case.case_id):
        arrow = "→" if message["direction"] == "out" else "←"
        deleted = " [deleted]" if message.get("deleted_at") else ""
        click.echo(f"  {message['created_at']} {arrow} @{message.get('author_handle', '')}: {message['text']}{deleted}")


@main.command()
@click.argument("case_id")
@click.argument("text", required=False)
@click.option("--template", "template_name", help="Reply with this template instead of TEXT.")
@click.option(
    "--templates",
    "templates_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The brand's templates file (default: the ones shipped with carebird).",
)
@stack_options
@click.option("--dry-run", is_flag=True, help="Record instead of posting (nothing reaches X; always so with --local).")
@click.option("--yes", is_flag=True, help="Post without asking for confirmation.")
@agent_options
def reply(
    case_id: str,
    text: str | None,
    template_name: str | None,
    templates_file: Path | None,
    stack: Any,
    dry_run: bool,
    yes: bool,
    agent: str,
    force: bool,
) -> None:
    """Answer CASE_ID on X (in thread, or by DM for DM cases) and mark it answered; the coach advises first.

    The same path as the inbox's: a case a colleague holds is refused (--force answers anyway, recorded), an
    answered, pending or closed case asks for confirmation, and the answer is recorded with its author.

    Example: carebird reply public-1860000000000000101 --template fixed --stack carebird
    """
    from types import SimpleNamespace

    from carebird.app.agentdesk import CONFIRM_STATUSES, Answer
    from carebird.aws.usage import DynamoUsage
    from carebird.domain import desk
    from carebird.domain.replies import coach, load_templates, render
    from carebird.domain.xbill import MeteredX
    from carebird.x.client import XClient

    case = find_case(stack, case_id)
    environment = stack.environment()
    if case.channel.value in ("citation", "topic"):
        raise click.ClickException(
            f"{case.reference} comes from the brand watch: X only lets the API reply to "
            f"authors who mentioned the brand. Answer it from the X app: {case.link}"
        )
    if bool(text) == bool(template_name):
        names = ", ".join(sorted(load_templates(templates_file)))
        raise click.UsageError(f"give either TEXT or --template NAME (templates: {names})")
    if template_name:
        from carebird.domain.announcements import language_of, when_text

        hours = configuration.opening_hours(environment)
        text = render(
            load_templates(templates_file),
            template_name,
            language_of(case.lang, configuration.automation(environment).language),
            customer_name=case.customer.name,
            handle=case.customer.handle,
            reference=case.reference,
            next_opening=when_text(hours.next_opening(clock.now()), hours, language_of(case.lang)),
        )
    assert text is not None
    report = coach(
        text, customer_name=case.customer.name, handle=case.customer.handle, public=case.family.value != "dm"
    )
    click.echo(
        f"Draft for @{case.customer.handle} ({report.weighted_length}/280, engagement cues: "
        f"{', '.join(report.cues) or 'none'}):\n  {report.draft}"
    )
    for item in report.advice:
        click.echo(f"  {'✓' if item.applied else '•'} {item.rule}: {item.message}")
    holder = desk.holder(case, clock.now())
    if holder and holder != agent and not force:
        raise click.ClickException(claimed_text(desk.ClaimedByAnother(holder, case.claimed_at), case.reference))
    if not yes and not sys.stdin.isatty():
        raise click.UsageError("no terminal to confirm the post on: add --yes to post without asking")
    if case.status in CONFIRM_STATUSES and not yes:
        click.confirm(f"{case.reference} is {case.status.value}: answer it anyway?", abort=True)
    if not yes and not click.confirm("Post it?", default=True):
        raise click.Abort()
    store = stack.store()
    x = XClient(dry_run=True) if dry_run or stack.local else _brand_client(stack)
    x = MeteredX(x, DynamoUsage(store.table, store.client), lambda: clock.now().date())  # the X bill's counters
    work = agent_desk(stack)
    member = work.claims.member(agent) or desk.Member(agent)  # an operator with the stack's credentials may act
    brand = SimpleNamespace(user_id=environment["BRAND_USER_ID"], handle=environment.get("BRAND_HANDLE", ""))
    request = Answer(report.draft, nonce=os.urandom(12).hex(), confirm=True, force=force)
    try:
        outcome = work.answer(case.case_id, member, request, lambda: x, brand, configuration.ingestion(environment))
    except desk.ClaimedByAnother as exc:  # claimed meanwhile
        raise click.ClickException(claimed_text(exc, case.reference)) from exc
    if stack.local:
        click.echo(f"dry run (local stack): {x.recorded[-1].action} {x.recorded[-1].text!r}" if x.recorded else "")
    click.echo(outcome.message)
    if not outcome.sent:
        sys.exit(1)


@main.command()
@click.argument("case_id")
@stack_options
@agent_options
def close(case_id: str, stack: Any, agent: str, force: bool) -> None:
    """Close CASE_ID: it leaves the queue, and the customer's next message opens a new case.

    Recorded on the case as the agent's action; a colleague's claim is respected (--force overrides, recorded).

    Example: carebird close public-1860000000000000101 --stack carebird
    """
    from carebird.domain import desk

    case = find_case(stack, case_id)
    if case.status.value == "closed":
        click.echo(f"case {case.reference} was already closed")
        return
    done = act_as_agent(stack, case.case_id, agent, force, lambda c: desk.close_by(c, agent, clock.now()))
    click.echo(f"case {done.case.reference} closed")


@main.command()
@click.option(
    "--since", "start", type=PAST, default="7d", show_default=True, help="Window: 24h, 7d or an ISO time (to 3660d)"
)
@stack_options
@click.option(
    "--sla-minutes", type=click.IntRange(1, 10_080), help="Hold every case to this SLA instead of the stack's own SLAs."
)
@click.option("--json", "as_json", is_flag=True, help="Only JSON on stdout (progress goes to stderr).")
def kpi(start: datetime, stack: Any, sla_minutes: int | None, as_json: bool) -> None:
    """Care KPIs from the table: volume, first response, breaches, topics, with a small chart.

    Example: carebird kpi --since 7d --stack carebird
    """
    from carebird.aws.usage import DynamoUsage
    from carebird.domain import kpi as kpis
    from carebird.domain.xbill import spend_line, week_usage

    now = clock.now()
    environment = stack.environment()
    policy = configuration.sla_policy(environment)
    hours = policy.hours
    progress(f"reading the cases opened since {start:%Y-%m-%d %H:%M} UTC…")
    store = stack.store()
    cases = list(store.cases_opened_between(start, now))
    progress(f"{len(cases)} case(s) read")
    report = kpis.compute(cases, hours, sla_minutes or policy.minutes_for_case, start, now)
    waiting = store.open_queue(1000)  # what `carebird queue` lists
    older = sum(1 for case in waiting if case.opened_at < start)
    if as_json:
        click.echo(json.dumps({**report.__dict__, "waiting_now": len(waiting)}, default=str, indent=2))
        return
    table = stack.store()
    x_spend = spend_line(
        week_usage(DynamoUsage(table.table, table.client).days(now.date(), 7)), configuration.x_prices(environment)
    )  # the calls carebird made and the deliveries each digest counted, over the last 7 days
    _, body = kpis.render_digest(
        report, hours, sla_minutes or policy.minutes, environment["BRAND_HANDLE"] or "the brand", x_spend
    )
    click.echo(body)
    click.echo(
        f"Waiting now (carebird queue): {len(waiting)}"
        + (f", {older} of them opened before this window (widen --since)" if older else "")
    )
    if report.noise or report.praise:
        click.echo(f"Not counted above: {report.noise} noise, {report.praise} praise (carebird queue --all)")
    per_day: dict[str, float] = {}
    for case in sorted(cases, key=lambda c: c.opened_at):
        if case.status in ("noise", "praise") and case.first_response_at is None:
            continue  # the chart counts the cases the figures above count
        label = f"{case.opened_at.astimezone(hours.zone):%a %d %b}"
        per_day[label] = per_day.get(label, 0) + 1
    click.echo("\nCases per day")
    for line in kpis.bar_chart(per_day):
        click.echo("  " + line)


# --- the team's inbox accounts ----------------------------------------------------------------------------


def _user_pool(stack: Any) -> str:
    if stack.local:
        raise click.ClickException("the local inbox has no accounts: sign in with any agent name (development sign-in)")
    pool = stack.outputs.get("InboxUserPoolId")
    if not pool:
        raise click.ClickException(f"stack {stack.name} has no InboxUserPoolId output: deploy this version first")
    return pool


@main.group()
def agents() -> None:
    """The care team's inbox accounts: invited by e-mail, nobody can sign up alone.

    Example: carebird agents invite ana@brand.example --stack carebird
    """


@agents.command()
@click.argument("email")
@stack_options
@click.option("--lead", is_flag=True, help="A lead: may take over or release any colleague's case.")
def invite(email: str, stack: Any, lead: bool) -> None:
    """Invite EMAIL to the inbox: Cognito e-mails a first password, changed at first sign-in; EMAIL joins the
    team's roster (an account invited before the roster existed is just added to it).

    Example: carebird agents invite ana@brand.example --stack carebird
    """
    from carebird.aws.teamstore import DynamoTeam

    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise click.UsageError(f"{email!r} is not an e-mail address")
    role = "lead" if lead else "agent"
    if stack.local:  # the local inbox has no accounts: the roster alone
        DynamoTeam(stack.store()).add(email, role, clock.now())
        click.echo(f"{email} is on the local roster as {role}")
        return
    cognito = stack.client("cognito-idp")
    try:
        cognito.admin_create_user(
            UserPoolId=_user_pool(stack),
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            DesiredDeliveryMediums=["EMAIL"],
        )
    except cognito.exceptions.UsernameExistsException:
        DynamoTeam(stack.store()).add(email, role, clock.now())
        click.echo(f"{email} was already invited: on the roster as {role}")
        return
    DynamoTeam(stack.store()).add(email, role, clock.now())
    click.echo(f"invited {email} as {role}: the inbox is at {stack.outputs.get('InboxUrl', 'the InboxUrl output')}")


@agents.command("list")
@stack_options
def list_agents(stack: Any) -> None:
    """The team's roster (role) and, on a deployed stack, each account's state.

    Example: carebird agents list --stack carebird
    """
    from carebird.aws.teamstore import DynamoTeam

    roster = {m.agent.lower(): m for m in DynamoTeam(stack.store()).members()}
    users = [] if stack.local else stack.client("cognito-idp").list_users(UserPoolId=_user_pool(stack)).get("Users", [])
    for user in users:
        email = next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == "email"), user["Username"])
        member = roster.pop(email.lower(), None)
        role = member.role if member else "not on the roster: no access (carebird agents invite EMAIL)"
        click.echo(
            f"{email}  {user.get('UserStatus', '')}{'' if user.get('Enabled', True) else '  (disabled)'}  {role}"
        )
    for member in roster.values():
        click.echo(f"{member.agent}  {member.role}" + ("" if stack.local else "  (no account)"))
    if not users and not roster:
        click.echo("no agents yet: carebird agents invite EMAIL --stack NAME")


@agents.command()
@click.argument("email")
@stack_options
def remove(email: str, stack: Any) -> None:
    """Remove EMAIL's access to the inbox at once: off the roster (the inbox checks it on every call), signed out
    everywhere, account deleted. Their past actions stay recorded on the cases.

    Example: carebird agents remove ana@brand.example --stack carebird
    """
    from carebird.aws.teamstore import DynamoTeam

    was_member = DynamoTeam(stack.store()).remove(email)
    if stack.local:
        if not was_member:
            raise click.ClickException(f"no agent {email}")
        click.echo(f"removed {email} from the local roster")
        return
    cognito = stack.client("cognito-idp")
    try:
        cognito.admin_user_global_sign_out(UserPoolId=_user_pool(stack), Username=email)
        cognito.admin_delete_user(UserPoolId=_user_pool(stack), Username=email)
    except cognito.exceptions.UserNotFoundException as exc:
        if not was_member:
            raise click.ClickException(f"no agent {email}") from exc
    click.echo(f"removed {email}: off the roster and signed out everywhere")


# --- X ---------------------------------------------------------------------------------------------


def _brand_client(stack: Any) -> Any:
    """X as the brand: with its OAuth 2.0 tokens once it authorized carebird (refreshed as the functions do)."""
    from carebird.x.client import XClient
    from carebird.x.oauth2 import BrandToken
    from carebird_local import xlive

    credentials = stack.x_credentials()
    if BrandToken.from_secret(credentials) is None:
        return XClient(credentials=credentials)
    return XClient(credentials=credentials, tokens=xlive.brand_tokens(stack))


def _credentials(stack_name: str | None, credentials_file: Path | None) -> dict[str, str]:
    if credentials_file:
        from carebird_local.credentials import CredentialsFileError, read_credentials_file

        try:
            return read_credentials_file(credentials_file)
        except CredentialsFileError as exc:
            raise click.BadParameter(str(exc), param_hint="--credentials") from exc
    if not stack_name:
        raise click.UsageError("give --stack (reads the deployed secret) or --credentials FILE")
    return open_stack(stack_name, False).x_credentials()


def _admin(ctx: click.Context) -> Any:
    from carebird.x.admin import XAdmin

    return XAdmin(_credentials(ctx.obj["stack"], ctx.obj["credentials"]))


def _x_errors(function: Any) -> Any:
    from functools import wraps

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from carebird.x.admin import XAdminError

        try:
            return function(*args, **kwargs)
        except XAdminError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@main.group()
@click.option("--stack", "stack_name", help="Deployed stack (its secret holds the X credentials).")
@click.option(
    "--credentials",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file with consumer_key, consumer_secret, access_token, access_token_secret, bearer_token.",
)
@click.pass_context
def x(ctx: click.Context, stack_name: str | None, credentials: Path | None) -> None:
    """Wire the deployment to X: register the webhook, subscribe the brand, check, replay.

    Example: carebird x --stack carebird status
    """
    ctx.obj = {"stack": stack_name, "credentials": credentials}


@x.command()
@click.argument("url")
@click.pass_context
@_x_errors
def register(ctx: click.Context, url: str) -> None:
    """Register URL as the app's webhook (X runs a CRC check against it).

    Example: carebird x --stack carebird register https://abc.execute-api.eu-west-3.amazonaws.com/webhook
    """
    click.echo(f"registering {url} (X is sending a CRC challenge)…")
    hook = _admin(ctx).register(url)
    click.echo(f"webhook {hook.get('id')} registered, valid: {hook.get('valid')}")
    click.echo("next: carebird x subscribe")


@x.command()
@click.pass_context
@_x_errors
def whoami(ctx: click.Context) -> None:
    """The brand account the credentials act for, with the numeric id to deploy with (BrandUserId).

    Example: carebird x --credentials x.json whoami
    """
    user = _admin(ctx).whoami()
    if not user.get("id"):
        raise click.ClickException("X did not say which account these credentials belong to")
    click.echo(
        f"@{user.get('username')} ({user.get('name', '')}): BrandUserId={user['id']} BrandHandle={user.get('username')}"
    )


FEED = click.Choice(["xaa", "aaa"])


def _feed(ctx: click.Context, feed: str | None) -> str:
    """--feed, else the stack's XFeed parameter, else the X Activity API."""
    if feed:
        return feed
    stack_name = ctx.obj["stack"]
    return open_stack(stack_name, False).parameters.get("XFeed", "xaa") if stack_name else "xaa"


def _deployed(ctx: click.Context, what: str) -> Any:
    if not ctx.obj["stack"]:
        raise click.UsageError(f"{what} needs the deployed stack: carebird x --stack NAME ...")
    return open_stack(ctx.obj["stack"], False)


@x.command()
@click.option("--client-id", envvar="X_CLIENT_ID", help="OAuth 2.0 Client ID (default: the secret's client_id).")
@click.option(
    "--client-secret",
    envvar="X_CLIENT_SECRET",
    help="OAuth 2.0 Client Secret of a confidential app, from X_CLIENT_SECRET (default: the secret's).",
)
@click.option(
    "--port", default=8765, show_default=True, help="Loopback port X redirects to (a callback URL of the app)."
)
@click.option("--paste", is_flag=True, help="No browser here: paste the address X sent the browser to.")
@click.option("--no-browser", is_flag=True, help="Print the address instead of opening a browser.")
@click.pass_context
@_x_errors
def authorize(
    ctx: click.Context, client_id: str | None, client_secret: str | None, port: int, paste: bool, no_browser: bool
) -> None:
    """Let the brand account authorize carebird (OAuth 2.0 with PKCE); the tokens go into the stack's secret.

    Sign in to X as the brand account in the browser. The app's callback URLs must include
    http://127.0.0.1:PORT/callback. Automatic posting paused by X resumes.

    Example: carebird x --stack carebird authorize
    """
    from carebird_local import xlive

    stack = _deployed(ctx, "authorize")

    def get_redirect(attempt: Any) -> str:
        if paste:
            click.echo(f"Open this address in a browser signed in to X as the brand account:\n\n  {attempt.url}\n")
            return click.prompt("Paste the address the browser was sent to (http://127.0.0.1...)", hide_input=True)

        def ready() -> None:
            click.echo(
                f"Waiting for X on {xlive.redirect_uri(port)}. Sign in as the brand account:\n\n  {attempt.url}\n"
            )
            if not no_browser:
                import webbrowser

                webbrowser.open(attempt.url)

        return xlive.wait_for_redirect(port, ready)

    try:
        token, user = xlive.authorize(
            stack, lambda doc: _admin_with(doc), client_id or "", client_secret or "", port, get_redirect
        )
    except xlive.GoLiveError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"@{user.get('username')} ({token.user_id}) authorized carebird: {token.scope or 'scopes not listed'}; "
        f"tokens stored in the stack's secret (access valid until {token.expires_at:%H:%M} UTC, renewed by carebird)"
    )
    click.echo("next: carebird x subscribe")


def _admin_with(credentials: dict[str, Any]) -> Any:
    from carebird.x.admin import XAdmin

    return XAdmin(credentials)


@x.command()
@click.option("--webhook-id", help="Which webhook (default: the app's only one).")
@click.option("--feed", type=FEED, help="xaa: X Activity API (default, or the stack's XFeed); aaa: Account Activity.")
@click.pass_context
@_x_errors
def subscribe(ctx: click.Context, webhook_id: str | None, feed: str | None) -> None:
    """Subscribe the brand account's activity to the webhook (X Activity API by default), idempotently.

    Example: carebird x --stack carebird subscribe
    """
    admin = _admin(ctx)
    hook = admin.find(webhook_id)
    if _feed(ctx, feed) == "aaa":
        if admin.subscribe(str(hook["id"])):
            click.echo(f"the brand account is subscribed to webhook {hook['id']}")
            return
        raise click.ClickException("X did not confirm the subscription")
    from carebird_local import xlive

    stack = _deployed(ctx, "subscribe")
    try:
        report = xlive.subscribe(admin, xlive.brand_tokens(stack), stack.outputs["BrandUserId"], str(hook["id"]))
    except xlive.GoLiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in report.lines():
        click.echo(line)


@x.command()
@click.pass_context
def resume(ctx: click.Context) -> None:
    """Resume automatic posting after X stopped it (credits topped up, usage cap raised).

    Example: carebird x --stack carebird resume
    """
    from carebird.aws.pause import DynamoAutomationState

    stack = _deployed(ctx, "resume")
    state = DynamoAutomationState(stack.table, stack.client("dynamodb"))
    paused = state.paused()
    state.resume(clock.now())
    click.echo(
        f"automatic posting resumed (was paused since {paused.since:%Y-%m-%d %H:%M} UTC)"
        if paused
        else "automatic posting was not paused"
    )


@x.command()
@click.option("--revalidate", is_flag=True, help="Re-trigger the CRC check of an invalid webhook.")
@click.option("--feed", type=FEED, help="xaa: X Activity API (default, or the stack's XFeed); aaa: Account Activity.")
@click.pass_context
@_x_errors
def status(ctx: click.Context, revalidate: bool, feed: str | None) -> None:
    """Show the app's webhooks, their validity and the brand's subscription.

    Example: carebird x --stack carebird status --revalidate
    """
    if ctx.obj["stack"]:
        from carebird.aws.schema import HEALTH_KEY, from_dynamo, to_dynamo

        deployed = open_stack(ctx.obj["stack"], False)
        health = deployed.client("dynamodb").get_item(TableName=deployed.table, Key=to_dynamo(HEALTH_KEY)).get("Item")
        if health:
            status = from_dynamo(health)
            state = "healthy" if status.get("healthy") else "PROBLEMS: " + "; ".join(status.get("problems", []))
            click.echo(
                f"last health check {status.get('checked_at')}: {state} "
                f"(last event {status.get('last_event_at', 'never')})"
            )
    admin = _admin(ctx)
    hooks = admin.webhooks()
    if not hooks:
        click.echo("no webhook registered: carebird x register URL")
    xaa = _feed(ctx, feed) == "xaa"
    if xaa:
        _status_of_x_activity(ctx, admin, hooks)
    for hook in hooks:
        if xaa:
            click.echo(f"webhook {hook['id']} {hook.get('url')} valid={hook.get('valid')}")
        else:
            subscribed = admin.subscribed(str(hook["id"]))
            click.echo(
                f"webhook {hook['id']} {hook.get('url')} valid={hook.get('valid')} brand subscribed={subscribed}"
            )
        if revalidate and not hook.get("valid"):
            admin.revalidate(str(hook["id"]))
            click.echo(f"CRC check re-triggered for {hook['id']}")


def _status_of_x_activity(ctx: click.Context, admin: Any, hooks: list[dict[str, Any]]) -> None:
    """The brand's authorization, the pause, and each X Activity API subscription carebird needs with its state."""
    from carebird.x import subscriptions as xsubscriptions

    if not ctx.obj["stack"]:
        return
    from carebird.aws.pause import DynamoAutomationState
    from carebird.x.oauth2 import BrandToken

    stack = open_stack(ctx.obj["stack"], False)
    token = BrandToken.from_secret(stack.x_credentials())
    click.echo(
        f"OAuth 2.0: authorized (account {token.user_id}, access token until {token.expires_at:%Y-%m-%d %H:%M} UTC)"
        if token
        else "OAuth 2.0: not authorized: run carebird x authorize"
    )
    paused = DynamoAutomationState(stack.table, stack.client("dynamodb")).paused()
    if paused:
        click.echo(f"automatic posting PAUSED since {paused.since:%Y-%m-%d %H:%M} UTC: {paused.reason}")
    subscriptions = admin.activity_subscriptions()
    for hook in hooks:
        for event_type, state, sid in xsubscriptions.states(
            subscriptions, xsubscriptions.wanted(stack.outputs.get("BrandUserId", ""), str(hook["id"]))
        ):
            click.echo(f"  {event_type:<20} {state}{f' ({sid})' if sid else ''}")


def parse_since(value: str, now: datetime) -> datetime:
    """`2h`, `30m`, `1d` ago, or an ISO timestamp."""
    match = re.fullmatch(r"(\d+)\s*([mhd])", value.strip())
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return now - timedelta(**{unit: int(match.group(1))})
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@x.command()
@click.option("--since", "start", type=SINCE, required=True, help="Start of the missed window: 2h, 90m, 1d or ISO.")
@click.option("--until", "end", type=SINCE, help="End of the window (default: now).")
@click.option("--webhook-id", help="Which webhook (default: the app's only one).")
@click.pass_context
@_x_errors
def replay(ctx: click.Context, start: datetime, end: datetime | None, webhook_id: str | None) -> None:
    """Ask X to redeliver a missed window; carebird's dedupe makes overlaps harmless.

    Example: carebird x --stack carebird replay --since 2h
    """
    end = end or clock.now()
    if start >= end:
        raise click.UsageError("--since must be before --until")
    admin = _admin(ctx)
    progress("asking X for the webhook…")
    hook = admin.find(webhook_id)
    progress(f"requesting the replay of {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC…")
    job = admin.replay(str(hook["id"]), start, end)
    click.echo(f"replay requested from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC: {job or 'accepted'}")


if __name__ == "__main__":
    main()
