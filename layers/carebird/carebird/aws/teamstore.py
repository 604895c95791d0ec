"""DynamoDB adapter for the care team itself: the agents' roster (who may act, with which role) and the answers
agents asked to post, each claimed by its nonce before anything reaches X (a double click posts once).

The roster is the inbox's checked user status: the JWT authorizer proves who signed in, the roster says whether
they are still on the team, read on every call, so `carebird agents remove` takes effect at the next click.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from carebird.aws.case_store import DynamoCaseStore
from carebird.aws.schema import TEAM_PK, agent_key, answer_nonce_key, from_dynamo, to_dynamo
from carebird.domain.desk import ROLES, Member
from carebird.domain.timeparse import to_iso

NONCE_DAYS = 7  # an answer's claim outlives any retry of it


@dataclass(frozen=True)
class ClaimedAnswer:
    """What an answer's nonce already holds: being sent, sent (with X's post id) or failed."""

    agent: str
    state: str
    detail: str = ""


class DynamoTeam:
    """The roster and the answers' nonces, on the case table (table.TEAM_PK, table.answer_nonce_key)."""

    def __init__(self, store: DynamoCaseStore) -> None:
        self.store = store

    # --- roster -------------------------------------------------------------------------------
    def member(self, agent: str) -> Member | None:
        item = self.store._get(agent_key(agent))
        return Member(item["agent"], item.get("role", "agent")) if item else None

    def members(self) -> list[Member]:
        items = self.store._query(
            KeyConditionExpression="pk = :team", ExpressionAttributeValues=to_dynamo({":team": TEAM_PK})
        )
        return sorted((Member(i["agent"], i.get("role", "agent")) for i in items), key=lambda m: m.agent.lower())

    def add(self, agent: str, role: str = "agent", at: datetime | None = None) -> Member:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        item = {**agent_key(agent), "type": "agent", "agent": agent.strip(), "role": role}
        if at is not None:
            item["added_at"] = to_iso(at)
        self.store._call("put_item", TableName=self.store.table, Item=to_dynamo(item))
        return Member(agent.strip(), role)

    def remove(self, agent: str) -> bool:
        response = self.store._call(
            "delete_item", TableName=self.store.table, Key=to_dynamo(agent_key(agent)), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    # --- answers' nonces ------------------------------------------------------------------------
    def claim_answer(self, case_id: str, nonce: str, agent: str, at: datetime) -> ClaimedAnswer | None:
        """Take the nonce for this answer: None when taken now, else what the first request made of it."""
        item = {
            **answer_nonce_key(case_id, nonce),
            "type": "answer-nonce",
            "agent": agent,
            "state": "sending",
            "at": to_iso(at),
            "expires_at": int((at + timedelta(days=NONCE_DAYS)).timestamp()),
        }
        client = self.store.client
        try:
            self.store._call(
                "put_item",
                TableName=self.store.table,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(pk) OR #s = :given_back",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=to_dynamo({":given_back": "given back"}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            old = from_dynamo(exc.response.get("Item") or {})
            return ClaimedAnswer(old.get("agent", ""), old.get("state", "sending"), old.get("detail", ""))
        return None

    def settle_answer(self, case_id: str, nonce: str, state: str, detail: str) -> None:
        self.store._call(
            "update_item",
            TableName=self.store.table,
            Key=to_dynamo(answer_nonce_key(case_id, nonce)),
            UpdateExpression="SET #s = :s, detail = :d",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues=to_dynamo({":s": state, ":d": detail}),
        )

    def forget_answer(self, case_id: str, nonce: str) -> None:
        """Nothing was posted (refused before sending, or by X): the nonce is given back, the same one may retry."""
        self.settle_answer(case_id, nonce, "given back", "")
