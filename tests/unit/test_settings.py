"""One file says what can be configured (carebird/settings.py), and the template agrees with it.

The watcher and the poller once scored cases with default triage rules because only the webhook was given
TRIAGE_RULES; four settings existed in code but not in the template; the SLA's second level defaulted to 0
in code and 60 in the template; opening hours were written twice (calendar and announcement crons).
"""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from carebird_local.local import load_template

from carebird import settings
from carebird.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
PARAMETERS = TEMPLATE["Parameters"]
GLOBAL_ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
REQUIRED_PARAMETER_VALUES = {"BrandUserId": "1500000000000000001", "BrandHandle": "LumiereAide"}


def functions():
    for _name, resource in TEMPLATE["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            folder = resource["Properties"]["CodeUri"].rstrip("/").split("/")[-1]
            yield folder, resource


def evaluate(value, name=""):
    """A template value as a fresh deployment has it: parameters at their defaults, conditions evaluated."""
    if not isinstance(value, dict):
        return value
    if "Ref" in value and value["Ref"] in PARAMETERS:
        parameter = value["Ref"]
        return str(PARAMETERS[parameter].get("Default", REQUIRED_PARAMETER_VALUES.get(parameter, "")))
    if "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        return evaluate(when_true if evaluate(TEMPLATE["Conditions"][condition]) else when_false, name)
    if "Fn::Not" in value:
        return not evaluate(value["Fn::Not"][0])
    if "Fn::Equals" in value:
        left, right = (evaluate(v) for v in value["Fn::Equals"])
        return left == right
    return f"arn:aws:resource:eu-west-3:123456789012:{name.lower()}"  # a resource's name or ARN


def environment_of(resource) -> dict:
    """The function's variables as a fresh deployment sets them."""
    env = {**GLOBAL_ENV, **resource["Properties"].get("Environment", {}).get("Variables", {})}
    return {name: str(evaluate(value, name)) for name, value in env.items()}


def parameters_in(value) -> set:
    if isinstance(value, dict):
        return set().union(*(parameters_in(v) for v in value.values())) | (
            {value["Ref"]} if isinstance(value.get("Ref"), str) else set()
        )
    if isinstance(value, list):
        return set().union(*(parameters_in(v) for v in value)) if value else set()
    return set()


@pytest.mark.parametrize(("folder", "resource"), list(functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_setting_a_function_reads_is_passed_by_the_template_and_valid_at_its_default(folder, resource):
    read = settings.Environment(environment_of(resource))

    settings.VIEWS[folder](read)  # raises ConfigurationError on a missing required or an invalid default

    missing = read.read - set(read.env)
    assert missing == set(), f"{folder} reads settings its template entry does not pass: {sorted(missing)}"


@pytest.mark.parametrize(("folder", "_resource"), list(functions()), ids=lambda v: v if isinstance(v, str) else "")
def test_each_function_reads_its_settings_through_its_view_only(folder, _resource):
    source = (ROOT / "functions" / folder / "app.py").read_text()

    assert "os.environ" not in source and "getenv" not in source
    assert re.search(rf"configuration\.{folder}\(\)", source) or (
        folder in ("watcher", "poller") and "configuration.ingester()" in source and "configuration.watch()" in source
    )


def test_no_module_of_the_layer_but_settings_reads_the_environment():
    layer = ROOT / "layers" / "carebird" / "carebird"
    readers = {
        path.name
        for path in layer.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
    }
    assert readers == {"settings.py"}


def test_every_parameter_default_is_the_default_written_in_settings():
    for setting in settings.SETTINGS:
        if setting.parameter is None:
            continue
        assert setting.parameter in PARAMETERS, f"{setting.name}: no parameter {setting.parameter}"
        declared = PARAMETERS[setting.parameter].get("Default")
        assert (None if declared is None else str(declared)) == setting.template_default(), setting.name
        places = [GLOBAL_ENV] + [r["Properties"].get("Environment", {}).get("Variables", {}) for _, r in functions()]
        values = [env[setting.name] for env in places if setting.name in env]
        assert values and all(setting.parameter in parameters_in(v) for v in values), (
            f"{setting.name}: not its parameter"
        )


def test_every_setting_is_read_by_some_function_and_every_variable_passed_is_a_setting():
    read = set()
    for folder, resource in functions():
        environment = settings.Environment(environment_of(resource))
        settings.VIEWS[folder](environment)
        read |= environment.read
        passed = set(environment.env) - {
            "POWERTOOLS_SERVICE_NAME",
            "POWERTOOLS_LOG_LEVEL",
            "POWERTOOLS_METRICS_NAMESPACE",
        }
        assert passed <= {s.name for s in settings.SETTINGS}, f"{folder}: variables nobody reads"
    assert {s.name for s in settings.SETTINGS} - read == set()


def test_a_bad_value_is_a_clear_configuration_error_naming_the_setting():
    env = {"SLA_MINUTES": "ninety"}
    with pytest.raises(ConfigurationError, match="SLA_MINUTES='ninety' is invalid"):
        settings.sla_policy(env)
    with pytest.raises(ConfigurationError, match="SLA_MINUTES"):
        settings.sla_policy({"SLA_MINUTES": "0"})
    with pytest.raises(ConfigurationError, match="CASES_TABLE is required"):
        settings.digest({"DIGEST_TOPIC_ARN": "arn"})
    with pytest.raises(ConfigurationError, match="WATCH_QUERIES"):
        settings.watch({"WATCH_QUERIES": '{"name": "not a list"}'})
    with pytest.raises(ConfigurationError, match="ACK_ENABLED"):
        settings.automation({"ACK_ENABLED": "maybe", "BRAND_HANDLE": "x"})


def test_views_read_typed_values():
    policy = settings.sla_policy(
        {
            "SLA_MINUTES": "120",
            "SECOND_LEVEL_MINUTES": "30",
            "TIME_ZONE": "America/New_York",
            "OPENING_HOURS": "mon-sat 08:00-20:00",
            "HOLIDAYS": "2025-12-25",
            "CITATION_SLA_MINUTES": "0",
        }
    )

    assert (policy.minutes, policy.second_level_minutes, policy.minutes_for("citation")) == (120, 30, 0)
    assert policy.hours.time_zone == "America/New_York" and len(policy.hours.holidays) == 1
    automation = settings.automation({"BRAND_HANDLE": "b", "ACK_ENABLED": "off", "X_DRY_RUN": "TRUE"})
    assert (automation.acknowledgements, automation.dry_run, automation.language) == (False, True, "fr")


def test_the_domain_defaults_are_the_settings_defaults():
    """The domain's dataclasses write their defaults as literals (the domain imports no settings): the same values."""
    from carebird.app.ingest import IngestSettings
    from carebird.app.watch import WatchSettings
    from carebird.domain.calendar import DEFAULT_HOURS, DEFAULT_TIME_ZONE
    from carebird.domain.sla import SlaPolicy

    policy = SlaPolicy()
    assert (settings.OPENING_HOURS.default, settings.TIME_ZONE.default) == (DEFAULT_HOURS, DEFAULT_TIME_ZONE)
    assert policy.hours == settings.opening_hours({})
    assert (policy.minutes, policy.second_level_minutes, policy.urgent_minutes) == (
        settings.SLA_MINUTES.default,
        settings.SECOND_LEVEL_MINUTES.default,
        settings.URGENT_SLA_MINUTES.default,
    )
    assert policy.channel_minutes == {
        "citation": settings.CITATION_SLA_MINUTES.default,
        "topic": settings.TOPIC_SLA_MINUTES.default,
    }
    assert IngestSettings().idle_before_new_case == timedelta(hours=settings.CASE_IDLE_HOURS.default)
    assert WatchSettings().daily_read_cap == settings.WATCH_DAILY_READ_CAP.default
