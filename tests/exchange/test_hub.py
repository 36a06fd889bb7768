"""Calls through the hub to a real provider over loopback HTTP: the allowed path, and every
refusal with its problem+json and its log entry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from prasan.core.db import utcnow
from prasan.exchange import consent as consents
from prasan.exchange import keystore, translog
from prasan.exchange import service as members
from prasan.exchange.client import ExchangeClient, ExchangeError, verify_proved_entry
from prasan.exchange.models import LogEntry, TreeHead
from prasan.exchange.schemas import ConsentCreate, RightCreate
from tests.exchange.conftest import (
    CITIZEN,
    CONSUMER,
    OTHER_CITIZEN,
    PROVIDER,
    PURPOSE,
    SERVICE,
    UNKNOWN_CITIZEN,
    World,
    create_world,
)


def give_consent(w: World, **overrides: Any) -> str:
    data: dict[str, Any] = {
        "citizen_id": CITIZEN,
        "consumer": CONSUMER,
        "provider": PROVIDER,
        "data_items": ["testreg.record"],
        "purpose": PURPOSE,
    }
    data.update(overrides)
    c = consents.create(
        session=w.session,
        data=ConsentCreate(**data),
        active=True,
        hub=keystore.hub_key(w.settings),
    )
    w.session.commit()
    return c.id


def last_entry(w: World) -> dict[str, Any]:
    row = w.session.scalar(select(LogEntry).order_by(LogEntry.idx.desc()).limit(1))
    assert row is not None
    return dict(json.loads(row.body))


def log_size(w: World) -> int:
    return int(w.session.scalar(select(func.count()).select_from(LogEntry)) or 0)


def refused(w: World, code: str, status: int, **call: Any) -> dict[str, Any]:
    before = log_size(w)
    with pytest.raises(ExchangeError) as info:
        w.call(**call)
    assert info.value.status == status, info.value.problem
    assert info.value.code == code, info.value.problem
    assert info.value.problem["detail"] and info.value.problem["detail_th"]
    assert log_size(w) == before + 1
    entry = last_entry(w)
    assert entry["outcome"] == "refused" and entry["code"] == code and entry["status"] == status
    # the hub signed its own refusal, bound to this request once the request's signature
    # verified; a provider's refusal (relayed, with its digest logged) is the provider's
    if entry["response_digest"]:
        assert info.value.signed_by == w.provider_kid and info.value.bound_to_request
    else:
        assert info.value.signed_by.startswith(keystore.HUB_MEMBER_ID + "#"), info.value
    assert info.value.bound_to_request == bool(entry["request_hash"])
    return entry


def test_a_consented_call_is_answered_signed_bound_and_logged_with_proof(world: World) -> None:
    cid = give_consent(world)
    answer = world.call(consent=cid)
    assert answer.status == 200
    assert answer.json()["name_th"] == "สมชาย ใจดี"
    assert answer.provider_kid == world.provider_kid
    entry = last_entry(world)
    assert entry["outcome"] == "allowed" and entry["consent"] == cid
    assert entry["consumer"] == CONSUMER and entry["items"] == ["testreg.record"]
    assert entry["request_hash"] == answer.request_hash
    assert entry["response_digest"] == answer.headers["content-digest"]
    # No personal data in the log: neither the ID nor the answer's contents.
    raw = json.dumps(entry, ensure_ascii=False)
    assert CITIZEN not in raw and "สมชาย" not in raw
    proved = world.client.prove(answer)
    hub_public = keystore.hub_key(world.settings)[1].public_key()
    assert verify_proved_entry(proved, hub_public)


def test_attribute_level_answer_returns_only_the_attribute(world: World) -> None:
    cid = give_consent(world)
    answer = world.call(consent=cid, params={"attribute": "age_over_60"})
    assert answer.json() == {"citizen_id": CITIZEN, "age_over_60": True}


def test_legal_basis_on_the_right_allows_a_call_without_consent(
    session: Any, settings: Any, client: Any, keys: Any, provider_url: str
) -> None:
    w = create_world(
        session, settings, client, keys, provider_url, legal_basis="Land Transport Act s.42"
    )
    answer = w.call()
    assert answer.status == 200
    assert last_entry(w)["legal_basis"] == "Land Transport Act s.42"


def test_no_access_right(world: World) -> None:
    right = members.list_rights(session=world.session)[0]
    members.revoke_right(session=world.session, right_id=right.id)
    world.session.commit()
    refused(world, "no-access-right", 403, consent=give_consent(world))


def test_wrong_purpose(world: World) -> None:
    refused(world, "purpose-not-allowed", 403, purpose="tax-audit", consent=give_consent(world))


def test_no_consent(world: World) -> None:
    refused(world, "consent-required", 403)


def test_consent_for_another_purpose_or_person_does_not_cover_the_call(world: World) -> None:
    members.grant_right(
        session=world.session,
        data=RightCreate(consumer=CONSUMER, provider=PROVIDER, service=SERVICE,
                         purposes=[PURPOSE, "tax-audit"]),
    )  # fmt: skip
    cid = give_consent(world, purpose="tax-audit")
    refused(world, "consent-invalid", 403, consent=cid)
    cid2 = give_consent(world, citizen_id=OTHER_CITIZEN)
    refused(world, "consent-invalid", 403, consent=cid2)


def test_revoked_consent_is_refused_on_the_very_next_call(world: World) -> None:
    cid = give_consent(world)
    assert world.call(consent=cid).status == 200
    consents.revoke(session=world.session, consent_id=cid, citizen_id=CITIZEN)
    world.session.commit()
    refused(world, "consent-revoked", 403, consent=cid)


def test_expired_consent(world: World) -> None:
    start = utcnow() - dt.timedelta(days=10)
    cid = give_consent(world, valid_from=start, valid_until=start + dt.timedelta(days=1))
    refused(world, "consent-expired", 403, consent=cid)


def test_single_use_consent_is_spent_by_its_first_call(world: World) -> None:
    cid = give_consent(world, single_use=True)
    assert world.call(consent=cid).status == 200
    refused(world, "consent-expired", 403, consent=cid)


def test_bad_signature(world: World) -> None:
    wrong = ExchangeClient(
        hub_url="http://testserver",
        kid=world.consumer_kid,
        key=world.keys.consumer2,
        http=world.http,
    )
    before = log_size(world)
    with pytest.raises(ExchangeError) as info:
        wrong.call(PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE, consent=give_consent(world))
    assert (info.value.status, info.value.code) == (401, "signature-invalid")
    assert log_size(world) == before + 1 and last_entry(world)["code"] == "signature-invalid"
    # signed by the hub, but tied to no request: the request's signature never verified
    assert info.value.signed_by.startswith(keystore.HUB_MEMBER_ID + "#")
    assert not info.value.bound_to_request


def _hub_refusal(w: World) -> tuple[Any, Any]:
    """A real no-consent refusal from the hub, as the raw response, with its request."""
    prepared = w.client.prepare(PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE)
    resp = w.http.request(prepared.method, prepared.url, headers=prepared.headers)
    assert resp.status_code == 403 and 'tag="prasan-hub-refusal"' in resp.headers["signature-input"]
    assert resp.headers["prasan-request-hash"] == f"sha-256=:{prepared.request_hash}:"
    return prepared, resp


def test_a_hub_refusal_altered_on_the_way_is_not_taken_as_the_hubs(world: World) -> None:
    import httpx

    prepared, resp = _hub_refusal(world)
    with pytest.raises(ExchangeError) as info:
        world.client.check(resp, prepared)
    assert info.value.code == "consent-required" and info.value.bound_to_request
    altered = httpx.Response(
        resp.status_code,
        headers=resp.headers,
        content=resp.content.replace(b"consent-required", b"no-access-right!"),
    )
    with pytest.raises(ExchangeError) as info:
        world.client.check(altered, prepared)
    assert info.value.signed_by == "" and "digest" in info.value.signature_problem.lower()
    # a refusal pinned to another log entry does not verify either
    moved = httpx.Response(
        resp.status_code,
        headers={
            **resp.headers,
            "prasan-log-index": str(int(resp.headers["prasan-log-index"]) + 7),
        },
        content=resp.content,
    )
    with pytest.raises(ExchangeError) as info:
        world.client.check(moved, prepared)
    assert info.value.signed_by == "" and info.value.signature_problem


def test_a_refusal_signed_by_a_member_that_is_not_the_hub_is_not_the_hubs(world: World) -> None:
    import httpx

    from prasan.exchange import protocol

    prepared, resp = _hub_refusal(world)
    headers = {k: v for k, v in resp.headers.items() if k not in ("signature", "signature-input")}
    headers = protocol.sign_response(
        resp.status_code, headers, key=world.keys.provider, kid=world.provider_kid,
        label=protocol.HUB_LABEL, tag=protocol.REFUSAL_TAG, components=protocol.REFUSAL_COMPONENTS,
    )  # fmt: skip
    with pytest.raises(ExchangeError) as info:
        world.client.check(httpx.Response(403, headers=headers, content=resp.content), prepared)
    assert info.value.signed_by == ""
    assert "not a key of the hub" in info.value.signature_problem


def test_unsigned_request(world: World) -> None:
    before = log_size(world)
    resp = world.http.get(f"/x/v1/{PROVIDER}/{SERVICE}", headers={"Prasan-Citizen": CITIZEN})
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "signature-invalid"
    assert resp.headers["prasan-log-index"] == str(before)
    assert log_size(world) == before + 1


def test_altered_body(world: World) -> None:
    cid = give_consent(world)
    prepared = world.client.prepare(
        PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE, consent=cid, method="POST",
        body=b'{"reason": "renewal"}',
    )  # fmt: skip
    resp = world.http.post(prepared.url, headers=prepared.headers, content=b'{"reason": "other!"}')
    assert resp.status_code == 400 and resp.json()["code"] == "content-digest-mismatch"
    assert last_entry(world)["code"] == "content-digest-mismatch"
    ok = world.client.send(prepared)
    assert ok.status == 200


def test_replayed_request(world: World) -> None:
    cid = give_consent(world)
    prepared = world.client.prepare(
        PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE, consent=cid
    )
    assert world.client.send(prepared).status == 200
    before = log_size(world)
    with pytest.raises(ExchangeError) as info:
        world.client.send(prepared)
    assert (info.value.status, info.value.code) == (409, "replayed-request")
    assert log_size(world) == before + 1 and last_entry(world)["code"] == "replayed-request"


def test_old_signature_is_outside_the_window(world: World) -> None:
    cid = give_consent(world)
    old = int(utcnow().timestamp()) - 3600
    prepared = world.client.prepare(
        PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE, consent=cid, created=old
    )
    with pytest.raises(ExchangeError) as info:
        world.client.send(prepared)
    assert info.value.code == "signature-expired"


def test_revoked_key(world: World) -> None:
    cid = give_consent(world)
    members.revoke_key(session=world.session, kid=world.consumer_kid)
    world.session.commit()
    refused(world, "key-revoked", 401, consent=cid)


def test_rotated_key_keeps_working_until_retired_and_the_new_key_works(world: World) -> None:
    cid = give_consent(world)
    new = members.add_key(
        session=world.session, member_id=CONSUMER, public_key=world.keys.consumer2.public_key()
    )
    world.keys.known[new.kid] = world.keys.consumer2.public_key()
    old = members.get_member(session=world.session, member_id=CONSUMER).keys[0]
    old.not_after = utcnow() - dt.timedelta(seconds=1)
    world.session.commit()
    refused(world, "key-revoked", 401, consent=cid)
    rotated = ExchangeClient(
        hub_url="http://testserver", kid=new.kid, key=world.keys.consumer2, http=world.http,
        provider_keys={world.provider_kid: world.keys.provider.public_key()},
    )  # fmt: skip
    assert (
        rotated.call(PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE, consent=cid).status == 200
    )


def test_unknown_citizen_gets_the_providers_signed_404_and_a_log_entry(world: World) -> None:
    members.grant_right(
        session=world.session,
        data=RightCreate(consumer=CONSUMER, provider=PROVIDER, service=SERVICE, purposes=[PURPOSE],
                         legal_basis="test"),
    )  # fmt: skip
    world.session.commit()
    entry = refused(world, "citizen-not-found", 404, citizen=UNKNOWN_CITIZEN)
    assert entry["response_digest"]  # the provider's signed answer is what was relayed


def test_unknown_service_and_invalid_citizen_id(world: World) -> None:
    refused(world, "unknown-service", 404, service="testreg.nothing")
    refused(world, "invalid-citizen-id", 422, citizen="1101700203451", consent=give_consent(world))


def test_the_log_verifies_and_detects_a_changed_entry(world: World) -> None:
    cid = give_consent(world)
    for _ in range(3):
        world.call(consent=cid)
    refused(world, "consent-required", 403)
    translog.sign_now(world.session, sth_key=keystore.hub_key(world.settings))
    world.session.commit()
    keys = members.public_keys(session=world.session)
    assert translog.verify_log(world.session, keys=keys).ok
    row = world.session.get(LogEntry, 1)
    assert row is not None
    row.body = row.body.replace('"allowed"', '"refused"')
    world.session.flush()
    report = translog.verify_log(world.session, keys=keys)
    assert not report.ok and any("entry 1 was changed" in p for p in report.problems or [])


def test_a_forged_request_is_logged_without_naming_a_consumer_or_citizen(world: World) -> None:
    forger = ExchangeClient(
        hub_url="http://testserver",
        kid=world.consumer_kid,
        key=world.keys.consumer2,
        http=world.http,
    )
    with pytest.raises(ExchangeError):
        forger.call(PROVIDER, SERVICE, citizen=CITIZEN, purpose=PURPOSE)
    entry = last_entry(world)
    assert entry["code"] == "signature-invalid"
    assert entry["consumer"] == "" and entry["subject"] is None


def test_tree_heads_are_signed_as_calls_arrive(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(translog, "STH_MAX_AGE_S", 0.0)  # sign on every append
    cid = give_consent(world)
    world.call(consent=cid)
    world.call(consent=cid)
    size, root = translog.current_root(world.session)
    newest = world.session.get(TreeHead, size)
    assert newest is not None and newest.root == root.hex()
    assert translog.verify_sth(newest, keystore.hub_key(world.settings)[1].public_key())
