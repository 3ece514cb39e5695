"""Challenges end to end through the API: a questionable post gets an ALTCHA challenge or an
e-mail code (sent to a real SMTP server); solving it gives a token that lets the same
actor's resubmitted action through once; replays, other actors, wrong answers and banned
accounts do not pass."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from altcha import v1 as altcha_v1
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.runtime import Runtime, build_runtime
from spamward.settings import Settings
from tests.conftest import ApiProject, Clock
from tests.receivers import MailCollector, smtp_server
from tests.test_api_errors import assert_error

QUESTIONABLE = {"name": "questionable", "condition": '"maybe" in event.text',
                "verdict": "challenge", "reason": "questionable wording"}  # fmt: skip


def publish(client: TestClient, project: ApiProject, **rule: Any) -> None:
    body = {**QUESTIONABLE, **rule}
    assert client.post("/v1/rules", json=body, headers=project.headers).status_code == 201
    assert client.post("/v1/policy/publish", json={}, headers=project.headers).status_code == 201


def send(
    client: TestClient, project: ApiProject, user: str = "u1", token: str | None = None,
    email: str | None = None, text: str = "maybe you want cheap watches",
) -> dict[str, Any]:  # fmt: skip
    event: dict[str, Any] = {"type": "post", "actor": {"id": user, "email": email},
                             "content": {"text": text}}  # fmt: skip
    if token is not None:
        event["challenge_token"] = token
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def solved_payload(altcha: dict[str, Any], wrong: bool = False) -> str:
    """What the ALTCHA widget sends once it has done the work: computed here."""
    found = altcha_v1.solve_challenge(altcha["challenge"], altcha["salt"], altcha["algorithm"],
                                      altcha["maxnumber"])  # fmt: skip
    assert found is not None
    payload = {"algorithm": altcha["algorithm"], "challenge": altcha["challenge"],
               "number": found.number + (1 if wrong else 0), "salt": altcha["salt"],
               "signature": altcha["signature"]}  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def solve(client: TestClient, project: ApiProject, challenge_id: str, **answer: str) -> Any:
    return client.post(f"/v1/challenges/{challenge_id}/solve", json=answer,
                       headers=project.headers)  # fmt: skip


def test_a_solved_captcha_lets_the_same_actors_action_through_once(
    client: TestClient, project: ApiProject
) -> None:
    publish(client, project)
    asked = send(client, project)
    assert asked["verdict"] == "challenge"
    challenge = asked["challenge"]
    assert challenge["kind"] == "captcha" and challenge["altcha"]["maxnumber"] == 100_000

    solved = solve(client, project, challenge["id"], solution=solved_payload(challenge["altcha"]))
    assert solved.status_code == 200, solved.text
    token = solved.json()["token"]
    passed = send(client, project, token=token)
    replayed = send(client, project, token=token)

    assert passed["verdict"] == "allow"
    assert "challenge passed: the challenge asked for is answered" in passed["reasons"]
    assert passed["challenge"] is None
    assert replayed["verdict"] == "challenge"
    assert "challenge token refused: the challenge token was used already" in replayed["reasons"]
    stored = client.get(f"/v1/decisions/{asked['id']}", headers=project.headers).json()
    assert stored["challenge"]["id"] == challenge["id"]  # the decision keeps what it asked


def test_a_token_is_good_for_its_own_actor_and_project_only(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    publish(client, project)
    publish(client, other_project)
    altcha = send(client, project)["challenge"]
    token = solve(client, project, altcha["id"], solution=solved_payload(altcha["altcha"]))
    token = token.json()["token"]

    someone_else = send(client, project, user="u2", token=token)
    elsewhere = send(client, other_project, token=token)
    forged = send(client, project, token=token[:-2] + "xx")

    assert someone_else["verdict"] == "challenge"
    assert (
        "challenge token refused: the challenge token is another actor's"
        in (someone_else["reasons"])
    )
    assert (
        "challenge token refused: the challenge token is another project's"
        in (elsewhere["reasons"])
    )
    assert (
        "challenge token refused: the challenge token is not one spamward issued"
        in (forged["reasons"])
    )
    assert send(client, project, token=token)["verdict"] == "allow"  # still unused


def test_wrong_or_repeated_answers_are_refused(client: TestClient, project: ApiProject) -> None:
    publish(client, project)
    challenge = send(client, project)["challenge"]
    other = send(client, project)["challenge"]

    off_by_one = solved_payload(challenge["altcha"], wrong=True)
    wrong = solve(client, project, challenge["id"], solution=off_by_one)
    crossed = solve(client, project, challenge["id"], solution=solved_payload(other["altcha"]))
    garbage = solve(client, project, challenge["id"], solution="not base64 at all!")
    by_code = solve(client, project, challenge["id"], code="123456")
    both = solve(client, project, challenge["id"], code="1", solution="x")
    right = solve(client, project, challenge["id"], solution=solved_payload(challenge["altcha"]))
    again = solve(client, project, challenge["id"], solution=solved_payload(challenge["altcha"]))
    unknown = solve(client, project, "00000000-0000-0000-0000-000000000000", solution="x")

    for refused in (wrong, crossed, garbage, by_code):
        assert_error(refused, 422, "challenge_failed")
    assert_error(both, 422, "validation_error")
    assert right.status_code == 200
    assert_error(again, 409, "conflict")
    assert_error(unknown, 404, "not_found")


def test_a_banned_account_never_passes(client: TestClient, project: ApiProject) -> None:
    publish(client, project)
    first = send(client, project)["challenge"]
    token = solve(client, project, first["id"], solution=solved_payload(first["altcha"]))
    second = send(client, project)["challenge"]
    banned = {"status": "banned"}
    assert (
        client.put("/v1/users/u1/status", json=banned, headers=project.headers).status_code == 200
    )

    with_token = send(client, project, token=token.json()["token"])
    solving = solve(client, project, second["id"], solution=solved_payload(second["altcha"]))

    assert with_token["verdict"] == "block"
    assert_error(solving, 403, "forbidden")


@dataclass(frozen=True)
class Mailing:
    client: TestClient
    mail: MailCollector
    runtime: Runtime

    def sent_code(self) -> str:
        return sent_code(self.runtime, self.mail)


def sent_code(runtime: Runtime, mail: MailCollector) -> str:
    """The code of the one message sent (it goes out in the background)."""
    runtime.jobs.drain()
    [message] = mail.messages
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def mailing(settings: Settings, clock: Clock) -> Iterator[Mailing]:
    with smtp_server() as (mail, port):
        configured = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        runtime = build_runtime(configured, clock)
        with TestClient(create_app(configured, runtime)) as client:
            yield Mailing(client, mail, runtime)


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_an_email_code_arrives_by_smtp_and_verifies(mailing: Mailing, project: ApiProject) -> None:
    client = mailing.client
    publish(client, project, challenge="email_code")
    asked = send(client, project, email="writer@example.org")["challenge"]

    code = mailing.sent_code()
    wrong = solve(client, project, asked["id"], code=other_than(code))
    token = solve(client, project, asked["id"], code=code).json()["token"]

    assert mailing.mail.messages[0].rcpt_tos == ["writer@example.org"]
    assert asked["kind"] == "email_code" and asked["sent_to"] == "w***@example.org"
    assert_error(wrong, 422, "challenge_failed")
    assert send(client, project, token=token)["verdict"] == "allow"


def test_without_an_address_an_email_challenge_is_a_captcha(
    mailing: Mailing, project: ApiProject
) -> None:
    publish(mailing.client, project, challenge="email_code")

    asked = send(mailing.client, project)["challenge"]

    mailing.runtime.jobs.drain()
    assert asked["kind"] == "captcha" and "altcha" in asked
    assert mailing.mail.messages == []


def test_five_wrong_codes_end_the_challenge(mailing: Mailing, project: ApiProject) -> None:
    client = mailing.client
    publish(client, project, challenge="email_code")
    asked = send(client, project, email="writer@example.org")["challenge"]
    code = mailing.sent_code()

    answers = [solve(client, project, asked["id"], code=other_than(code)).status_code
               for _ in range(5)]  # fmt: skip
    late = solve(client, project, asked["id"], code=code)

    assert answers == [422] * 5
    assert_error(late, 422, "challenge_failed")
    assert "too many wrong codes" in late.json()["error"]["message"]
