"""Outages counted across distinct customers: one outage, one reason, one alert (carebird.domain.outages)."""

from datetime import UTC, datetime, timedelta

from carebird.app.ingest import IngestSettings, apply_event
from carebird.domain.model import Author, Channel, Message
from carebird.domain.outages import InMemoryOutageLedger, OutageRules, OutageWatch, failed_service
from carebird.domain.triage import TriageRules
from tests.helpers import InMemoryCaseStore

T0 = datetime(2026, 1, 13, 19, 10, tzinfo=UTC)
RULES = OutageRules(customers=5, window=timedelta(minutes=30))
REPORTS = [
    "@LumiereAide plus de fibre depuis 20h, la box clignote rouge",
    "@LumiereAide internet coupé chez moi, voyant LOS rouge",
    "@LumiereAide ma connexion vient de tomber, redémarré deux fois",
    "@LumiereAide no internet at all since 8pm, router shows red light",
    "@LumiereAide coupure internet en plein match, sympa",
    "@LumiereAide broadband dead here too, red light on the box",
]


class Alerts:
    def __init__(self):
        self.sent = []

    def outage_declared(self, outage_id, service, customers, at):
        self.sent.append((outage_id, service, customers))


def desk(rules=RULES):
    store, alerts = InMemoryCaseStore(), Alerts()
    return store, alerts, OutageWatch(InMemoryOutageLedger(), alerts, rules, TriageRules())


def report(store, watch, number, text, minutes, followers=80, customer=None):
    author = Author(id=customer or str(1000 + number), handle=f"customer{number}", followers=followers)
    message = Message(id=str(5000 + number), channel=Channel.MENTION, author=author, text=text,
                      created_at=T0 + timedelta(minutes=minutes))  # fmt: skip
    result = apply_event(store, message, IngestSettings())
    watch.note(store, result.case_id, text, message.created_at)
    return result.case_id


def test_five_customers_reporting_the_same_failure_within_the_window_make_one_outage_and_one_alert():
    store, alerts, watch = desk()

    cases = [report(store, watch, n, text, minutes=4 * n) for n, text in enumerate(REPORTS[:5])]

    marked = [store.get_case(case_id) for case_id in cases]
    assert len(alerts.sent) == 1 and alerts.sent[0][1:] == ("internet", 5)
    assert {case.outage for case in marked} == {alerts.sent[0][0]}
    assert all(case.band == "urgent" and case.kind == "urgent" for case in marked)
    assert len({case.reasons[1] for case in marked}) == 1  # the same reason on every case of the outage
    assert marked[0].reasons[0].startswith("urgent band (a widespread outage)")


def test_four_customers_are_not_enough_when_the_desk_asks_for_five():
    store, alerts, watch = desk()

    cases = [report(store, watch, n, text, minutes=4 * n) for n, text in enumerate(REPORTS[:4])]

    assert alerts.sent == []
    assert all(store.get_case(case_id).band == "normal" for case_id in cases)


def test_two_different_failures_at_the_same_time_are_not_one_outage():
    store, alerts, watch = desk()
    mobile = ["@LumiereAide plus de réseau sur mon portable", "@LumiereAide no signal on my phone since 7",
              "@LumiereAide phone says no service, rebooted"]  # fmt: skip

    for n, text in enumerate(REPORTS[:3] + mobile):
        report(store, watch, n, text, minutes=2 * n)

    assert alerts.sent == []


def test_a_report_after_the_declaration_joins_the_outage_without_a_second_alert():
    store, alerts, watch = desk()
    for n, text in enumerate(REPORTS[:5]):
        report(store, watch, n, text, minutes=n)

    late = report(store, watch, 9, REPORTS[5], minutes=12)

    assert len(alerts.sent) == 1 and store.get_case(late).outage == alerts.sent[0][0]


def test_the_same_customer_writing_five_times_is_one_customer():
    store, alerts, watch = desk()

    for n, text in enumerate(REPORTS[:5]):
        report(store, watch, n, text, minutes=n, customer="42")

    assert alerts.sent == []


def test_reports_spread_beyond_the_window_are_not_counted_together():
    store, alerts, watch = desk()

    for n, text in enumerate(REPORTS[:5]):
        report(store, watch, n, text, minutes=40 * n)

    assert alerts.sent == []


def test_one_influential_account_speaking_of_thousands_declares_it_alone():
    store, alerts, watch = desk()

    case_id = report(store, watch, 1, "@LumiereAide thousands of homes in Cardiff have no internet tonight",
                     minutes=0, followers=250_000)  # fmt: skip

    assert len(alerts.sent) == 1 and store.get_case(case_id).band == "urgent"


def test_a_failure_is_told_apart_from_a_question_about_the_same_service():
    assert failed_service("plus de réseau depuis ce matin, ni appels ni 4G") == "mobile network"
    assert failed_service("coupure de courant dans tout l'immeuble") == "power"
    assert failed_service("how much is the 1Gb fibre plan?") is None


def test_a_customer_repeating_the_same_failure_in_one_case_is_counted_once_without_a_new_report():
    class CountingLedger(InMemoryOutageLedger):
        calls = 0

        def report(self, service, report, window):
            self.calls += 1
            return super().report(service, report, window)

    store, alerts, ledger = InMemoryCaseStore(), Alerts(), CountingLedger()
    watch = OutageWatch(ledger, alerts, RULES, TriageRules())
    for minute in range(3):
        report(store, watch, 1 + minute, "@LumiereAide the broadband is dead again", minute, customer="77")

    assert ledger.calls == 1 and alerts.sent == []  # one write to the ledger, not one per follow-up


def test_a_report_naming_two_failed_services_counts_for_each_and_one_outage_is_declared():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))
    texts = ["@LumiereAide plus de 4G depuis 14h, rien ne charge",
             "@LumiereAide plus d'internet sur mon portable depuis tout à l'heure, la 4G est morte",
             "@LumiereAide mobile data dead in town, calls fine",
             "@LumiereAide zéro réseau mobile ici depuis 14h"]  # fmt: skip

    cases = [report(store, watch, n, text, minutes=5 * n) for n, text in enumerate(texts)]

    assert [sent[1:] for sent in alerts.sent] == [("mobile network", 4)]
    assert all(store.get_case(case_id).band == "urgent" for case_id in cases)


def test_a_service_said_to_be_off_is_a_failure_without_a_failure_pattern():
    assert failed_service("broadband off round our way, tried a cable and all") == "internet"
    assert failed_service("is the broadband offer still on?") is None


def test_a_me_too_without_the_service_joins_an_outage_under_way_and_nothing_otherwise():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))
    alone = report(store, watch, 90, "@LumiereAide same here, anyone else?", minutes=0)
    [report(store, watch, n, text, minutes=4 * n + 1) for n, text in enumerate(REPORTS[:4])]

    joined = report(store, watch, 91, "@voisine @LumiereAide pareil ici, toujours rien", minutes=20)

    assert store.get_case(alone).outage is None
    assert store.get_case(joined).outage == alerts.sent[0][0] and len(alerts.sent) == 1


def test_four_customers_make_one_outage_when_the_desk_asks_for_four():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))

    cases = [report(store, watch, n, text, minutes=6 * n) for n, text in enumerate(REPORTS[:4])]

    assert [sent[1:] for sent in alerts.sent] == [("internet", 4)]
    assert all(store.get_case(case_id).outage == alerts.sent[0][0] for case_id in cases)


def test_a_failure_naming_no_service_counts_toward_the_burst_being_counted_and_earlier_reports_are_marked_with_it():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))
    named = [report(store, watch, n, text, minutes=5 * n) for n, text in enumerate(REPORTS[:3])]
    assert alerts.sent == []  # three customers: still counting

    unnamed = report(
        store, watch, 40, "@LumiereAide ça vient de couper en pleine réunion, c chez moi ou chez vous ??", 17
    )

    assert [sent[1:] for sent in alerts.sent] == [("internet", 4)]
    assert all(store.get_case(case_id).outage == alerts.sent[0][0] for case_id in [*named, unnamed])


def test_a_me_too_while_the_burst_is_still_being_counted_is_counted():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))
    [report(store, watch, n, text, minutes=5 * n) for n, text in enumerate(REPORTS[:3])]

    joined = report(store, watch, 41, "@voisin2 @LumiereAide same here mate, since about 8", minutes=16)

    assert len(alerts.sent) == 1 and store.get_case(joined).outage == alerts.sent[0][0]


def test_a_failure_naming_no_service_joins_nothing_when_no_other_customer_is_reporting_one():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))
    report(store, watch, 1, REPORTS[0], minutes=0)

    alone = report(store, watch, 2, "@LumiereAide ça a encore coupé, is it just me?", minutes=45)  # the window is over

    assert store.get_case(alone).outage is None and alerts.sent == []


def test_an_unrelated_burst_at_the_same_time_and_a_broken_boiler_make_no_outage():
    store, alerts, watch = desk(OutageRules(customers=4, window=timedelta(minutes=30)))
    tv = ["@LumiereAide décodeur figé sur l'écran « mise à jour 0% » depuis 19h, Rennes",
          "@LumiereUK telly box stuck updating on every channel tonight, anyone else?",
          "@LumiereAide chaînes TV bloquées avec le code T-12, internet marche par contre"]  # fmt: skip
    mobile = ["@LumiereAide no signal at all in Cowley since 7", "@LumiereAide plus de réseau 4G à Oxford centre"]
    for n, text in enumerate([*tv, *mobile]):
        report(store, watch, n, text, minutes=3 * n)

    boiler = report(store, watch, 9, "@LumiereAide chaudière en panne depuis ce matin, plus de chauffage", minutes=16)

    assert alerts.sent == []
    assert store.get_case(boiler).outage is None


def test_the_failed_service_is_read_from_the_failure_itself_when_no_other_word_names_it():
    assert failed_service("@LumiereUK can't make a single call, it rings once and drops") == "mobile network"
    assert failed_service("la co vient de sauter en pleine partie") == "internet"
    assert failed_service("slt jai plus internet depuis 20h") == "internet"
    assert failed_service("le voyant est rouge sur la box depuis ce soir") == "internet"


DEFAULT = OutageRules()  # the shipped threshold: four distinct customers within thirty minutes


def test_four_customers_describing_one_broadband_fault_in_their_own_words_are_one_outage_with_one_alert():
    store, alerts, watch = desk(DEFAULT)
    burst = [
        "@LumiereAide the hub keeps blinking amber since dinner, nothing loads. Headington",
        "@LumiereAide our broadband isn't working tonight, the kids' homework is online",
        "@LumiereAide le wifi ne fonctionne plus depuis 21h, quartier Saint-Clair",
        "@LumiereAide any known problems round Cowley? half the close is in the same boat",
    ]

    cases = [report(store, watch, n, text, minutes=6 * n) for n, text in enumerate(burst)]

    assert [sent[1:] for sent in alerts.sent] == [("internet", 4)]
    marked = [store.get_case(case_id) for case_id in cases]
    assert all(case.band == "urgent" and case.outage == alerts.sent[0][0] for case in marked)
    assert len({case.reasons[1] for case in marked}) == 1
    assert "4 customers reported it in the last 30 minutes" in marked[0].reasons[1]


def test_customers_reading_out_the_same_error_code_on_the_tv_box_are_one_tv_outage():
    store, alerts, watch = desk(DEFAULT)
    burst = [
        "@LumiereAide décodeur bloqué sur le code E-517, le film vient de s'arrêter",
        "@LumiereUK telly box showing error E517 on every channel, rebooted already",
        "bonsoir la télé affiche code E-517 depuis 10 minutes, c'est pour ma mère",
        "@LumiereAide E-517 ici aussi 🙃",  # no service named: the code others report is the TV's
    ]

    cases = [report(store, watch, n, text, minutes=4 * n) for n, text in enumerate(burst)]

    assert [sent[1:] for sent in alerts.sent] == [("TV", 4)]
    assert all(store.get_case(case_id).outage == alerts.sent[0][0] for case_id in cases)


def test_three_customers_with_the_same_fault_are_not_enough_for_the_shipped_threshold():
    store, alerts, watch = desk(DEFAULT)
    burst = ["@LumiereAide mobile data gone since noon in Leith, phone says no service",
             "@LumiereAide nothing on my phone at all, no calls, Leith Walk",
             "@LumiereAide can't get any signal on Easter Road since lunch"]  # fmt: skip

    cases = [report(store, watch, n, text, minutes=5 * n) for n, text in enumerate(burst)]

    assert alerts.sent == []
    assert all(store.get_case(case_id).band == "normal" for case_id in cases)


def test_same_time_reports_of_unrelated_problems_are_no_outage():
    store, alerts, watch = desk(DEFAULT)
    unrelated = ["@LumiereAide why was I billed twice this month?",
                 "@LumiereAide the hub's light is flashing orange since the storm",
                 "@LumiereAide je déménage le 3, comment transférer mon contrat ?",
                 "@LumiereAide my smart meter display is blank since this morning",
                 "@LumiereAide l'appli refuse mon mot de passe",
                 "@LumiereAide no hot water, the boiler shows F22"]  # fmt: skip

    for n, text in enumerate(unrelated):
        report(store, watch, n, text, minutes=3 * n)

    assert alerts.sent == []


def test_a_fault_that_has_lasted_days_is_one_home_and_does_not_complete_a_burst():
    store, alerts, watch = desk(DEFAULT)
    fresh = ["@LumiereAide broadband dropped ten minutes ago, Jesmond",
             "@LumiereAide our internet just went off mid-call, Heaton",
             "@LumiereAide plus de connexion depuis 20h15 à Jesmond"]  # fmt: skip
    for n, text in enumerate(fresh):
        report(store, watch, n, text, minutes=4 * n)

    report(store, watch, 9, "@LumiereAide still no broadband since last Thursday, third engineer no-show", minutes=14)
    report(store, watch, 10, "@LumiereAide 3 semaines sans internet et toujours rien", minutes=15)

    assert alerts.sent == []


def test_a_quoted_speed_is_no_failure_and_joins_no_outage():
    assert failed_service("getting 870 down on the new line tonight, lovely 🔥") is None
    assert failed_service("speedtest: 45 mbps down 9 up, all good") is None
    assert failed_service("broadband down since 8, router light red") == "internet"
