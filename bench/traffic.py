"""The traffic every bench section sends: one case's events, the warm rounds, and the storm's deliveries.

A case's traffic, stated (CASE_MIX): its first message, one follow-up, one brand answer, and X's redeliveries
(10 % of events, as in the storm). Each event is one webhook invocation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bench.costs import MIX

BRAND = ("1500000000000000001", "LumiereAide", "Lumière")
START = datetime(2025, 11, 25, 9, 0, tzinfo=UTC)
CASE_MIX = {"new_case": 1.0, "follow_up": 1.0, "brand_reply": 1.0, "duplicate": 0.2, "brand_reply_duplicate": 0.1}
EVENTS_PER_CASE = sum(CASE_MIX.values())


def first_mention(run: str) -> dict:
    from carebird_local import simulate as sim

    from carebird.model import Author

    brand = Author(*BRAND)
    author = Author(f"17{run}000", f"first{run}", "First", 120)
    return sim.tweet(author, "@LumiereAide ma box ne marche plus", START, brand)


# A desk's everyday first messages: questions, none reporting a failure. Were every round's mention the same
# failure ("ma box ne marche plus"), the warm rounds would be an outage (OUTAGE_CUSTOMERS, 4 customers in 30
# minutes) and every event would pay its ledger and case marking: an outage's writes are the storm's to measure.
FIRST_MESSAGES = (
    "je voudrais changer de forfait, comment faire ?",
    "ma facture de ce mois est plus élevée que prévu",
    "comment activer la messagerie vocale sur mon mobile ?",
    "ma commande n'est toujours pas livrée",
)
ROUND_MINUTES = 1


def rounds_of_traffic(run: str, rounds: int) -> Iterator[tuple[str, dict]]:
    """Per round: a new case, its follow-up, the mention redelivered, the brand's answer and its redelivery, a DM."""
    from carebird_local import simulate as sim

    from carebird.model import Author

    brand = Author(*BRAND)
    for n in range(rounds):
        customer = Author(f"18{run}{n:05d}", f"c{run}{n}", "Client", 300)
        at = START + timedelta(minutes=ROUND_MINUTES * n)
        first = FIRST_MESSAGES[n % len(FIRST_MESSAGES)]
        mention = sim.tweet(customer, f"@LumiereAide {first} #{n}", at, brand)
        follow = sim.tweet(customer, "@LumiereAide toujours rien, aidez-moi", at + timedelta(minutes=1), brand)
        answer = sim.tweet(
            brand, f"@{customer.handle} on regarde ça tout de suite", at + timedelta(minutes=2), brand,
            in_reply_to=(sim.post_id_of(follow), customer),
        )  # fmt: skip
        yield "new_case", mention
        yield "follow_up", follow
        yield "duplicate", mention
        yield "brand_reply", answer
        yield "brand_reply_duplicate", answer
        dm_customer = Author(f"19{run}{n:05d}", f"d{run}{n}", "DM", 40)
        yield "new_dm_case", sim.dm(dm_customer, brand, "Bonjour, facture ?", at, brand)


def storm_payloads(brand: object, count: int) -> list[dict]:
    """Mentions, DMs and follow-ups from both feeds, 10 % of them delivered twice (X redelivers)."""
    import random

    from carebird_local import simulate as sim
    from carebird_local.demo import PARIS

    from carebird.model import Author

    random.seed(7)
    customers = [
        Author(str(1700000000000000000 + i), f"user{i}", f"User {i}", random.choice([12, 300, 5000, 90000]))
        for i in range(count // 3)
    ]
    start_day = sim.paris(sim.datetime(2025, 11, 25), "09:00").astimezone(PARIS)
    payloads = []
    for i in range(int(count * 0.9)):
        author, at = random.choice(customers), start_day + sim.timedelta(seconds=3 * i)
        kind = random.random()  # the cost model's mix of public conversations and DMs, both feeds
        if kind < MIX.public_share * 0.8:
            payloads.append(sim.tweet(author, f"@LumiereAide ma box ne marche plus #{i}", at, brand))
        elif kind < MIX.public_share:
            payloads.append(sim.activity_post(author, f"@LumiereAide my fiber is down {i}", at, brand))
        elif kind < MIX.public_share + (1 - MIX.public_share) * 2 / 3:
            payloads.append(sim.dm(author, brand, f"Bonjour, question facture {i}", at, brand))
        else:
            payloads.append(sim.activity_dm(author, brand, f"refund please {i}", at, brand))
    redeliveries = random.sample(payloads, count - len(payloads))
    random.shuffle(payloads)
    for copy in redeliveries:  # each redelivery lands right next to its original: the two race
        payloads.insert(payloads.index(copy) + random.choice([0, 1]), copy)
    return payloads


def conversation_pairs(payloads: list[dict]) -> set[tuple[str, str]]:
    """(customer, family) of every delivery: the most cases a storm may open."""
    return {
        (p["tweet_create_events"][0]["user"]["id_str"], "public")
        if "tweet_create_events" in p
        else (p["direct_message_events"][0]["message_create"]["sender_id"], "dm")
        if "direct_message_events" in p
        else (
            p["data"]["payload"].get("author_id") or p["data"]["payload"]["sender_id"],
            "public" if p["data"]["event_type"].startswith("post.") else "dm",
        )
        for p in payloads
    }
