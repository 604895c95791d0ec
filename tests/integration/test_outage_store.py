"""The outage ledger on the cases table (moto): reports counted once, one declaration whoever races."""

from datetime import UTC, datetime, timedelta

from carebird.aws.outage_store import DynamoOutageLedger, SnsOutageAlerts
from carebird.domain.outages import Report

T0 = datetime(2026, 1, 13, 19, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)


def test_reports_of_a_window_are_counted_once_each_and_older_ones_drop_out(deployed):
    ledger = DynamoOutageLedger(deployed.store)

    ledger.report("internet", Report("1", "public-1", T0), WINDOW)
    ledger.report("internet", Report("2", "public-2", T0 + timedelta(minutes=10)), WINDOW)
    again, _ = ledger.report("internet", Report("2", "public-2", T0 + timedelta(minutes=11)), WINDOW)  # redelivered
    later, declared = ledger.report("internet", Report("3", "public-3", T0 + timedelta(minutes=35)), WINDOW)

    assert [r.case_id for r in again] == ["public-1", "public-2"]
    assert [r.case_id for r in later] == ["public-2", "public-3"] and declared is None


def test_the_recent_reports_of_a_service_are_read_without_noting_one(deployed):
    ledger = DynamoOutageLedger(deployed.store)
    ledger.report("mobile network", Report("1", "public-1", T0), WINDOW)
    ledger.report("mobile network", Report("2", "public-2", T0 + timedelta(minutes=20)), WINDOW)

    _, recent = ledger.under_way("mobile network", T0 + timedelta(minutes=40), WINDOW)
    _, again = ledger.under_way("mobile network", T0 + timedelta(minutes=40), WINDOW)

    assert [r.customer_id for r in recent] == ["2"] and again == recent  # the first is past the window
    assert ledger.under_way("power", T0, WINDOW) == (None, [])


def test_a_long_run_of_reports_keeps_the_item_small(deployed):
    ledger = DynamoOutageLedger(deployed.store)

    for n in range(130):
        ledger.report("tv", Report(str(n), f"public-{n}", T0 + timedelta(minutes=n)), WINDOW)

    stored = deployed.store.client.get_item(TableName=deployed.store.table, Key={"pk": {"S": "OUTAGE#tv"},
                                            "sk": {"S": "OUTAGE"}})["Item"]  # fmt: skip
    assert len(stored["reports"]["L"]) <= 60


def test_two_invocations_declaring_the_same_outage_end_with_one_declaration(deployed):
    first, second = DynamoOutageLedger(deployed.store), DynamoOutageLedger(deployed.store)

    won = [
        first.declare("mobile network", "mobile-a", T0, WINDOW),
        second.declare("mobile network", "mobile-b", T0, WINDOW),
    ]

    assert won == [True, False]
    assert second.declared("mobile network", T0 + timedelta(minutes=5)) == "mobile-a"
    assert first.declared("mobile network", T0 + 2 * WINDOW + timedelta(minutes=1)) is None  # it ended


def test_the_alert_tells_the_team_counts_and_ids_only(deployed):
    import boto3

    sns = boto3.client("sns")
    topic = sns.create_topic(Name="carebird-team")["TopicArn"]
    sent = []
    real = sns.publish
    sns.publish = lambda **kwargs: sent.append(kwargs) or real(**kwargs)

    SnsOutageAlerts(topic, sns).outage_declared("internet-20260113T1900", "internet", 5, T0)

    assert len(sent) == 1 and "5 different customers" in sent[0]["Message"]
    assert sent[0]["Subject"] == "carebird: internet outage declared"
