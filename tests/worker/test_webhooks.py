"""Signed webhooks: every status change arrives, in order, signed, at least once; a receiver
that is down costs the pipeline nothing; URLs that reach private networks are refused."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.webhooks import forbidden_address
from lifecycle.webhooks import WebhookUrlError, check_webhook_url
from settings import Settings
from tests.conftest import make_settings, serve_app
from tests.factories import gql, job_input
from tests.worker.conftest import make_worker

SECRET = "whsec_test_0123456789"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: the README's verification, independent of the signing code."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    t, v1 = fields.get("t", ""), fields.get("v1", "")
    if not t.isdigit() or abs(now - int(t)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


CREATE = """mutation($input: CreateJobInput!) {
  createJob(input: $input) { job { id webhookUrl } errors { code field message } } }"""
DELIVERIES = """query($id: ID!) { job(id: $id) { status
  webhookDeliveries { deliveryId event attempt statusCode error delivered } } }"""


class Receiver:
    """A webhook receiver on loopback that answers 500 to its first `failures` POSTs."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    status = 500 if len(receiver.received) < receiver.failures else 204
                    receiver.received.append((dict(self.headers.items()), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/adreel"

    @contextlib.contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    def accepted(self) -> list[tuple[dict[str, str], bytes]]:
        with self.lock:
            return [(h, b) for h, b, status in self.received if status < 300]


def _settings(base: Settings, **overrides: Any) -> Settings:
    values = {
        **base.model_dump(),
        "webhook_secrets": f"local:{SECRET}",
        "webhook_allow_private_networks": True,
        "webhook_retry_base_seconds": 0.2,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@contextlib.asynccontextmanager
async def _worker(settings: Settings) -> AsyncIterator[None]:
    """A worker (with its webhook deliverer) running until the block ends."""
    worker = make_worker(settings, burst=False)
    running = asyncio.create_task(worker.main())
    try:
        yield
    finally:
        await worker.close()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def _until(check: Any, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_every_status_change_arrives_in_order_signed_despite_two_failures(
    settings: Settings, redis: Any, engine: AsyncEngine
) -> None:
    settings = _settings(settings)
    with Receiver(failures=2).running() as receiver:
        async with serve_app(settings) as (api, _app):
            body = await gql(api, CREATE, {"input": job_input(webhookUrl=receiver.url)})
            job = body["data"]["createJob"]["job"]
            assert job["webhookUrl"] == receiver.url
            async with _worker(settings):

                async def both_delivered() -> bool:
                    return len(receiver.accepted()) >= 2

                await _until(both_delivered)
                view = (await gql(api, DELIVERIES, {"id": job["id"]}))["data"]["job"]

    assert view["status"] == "COMPLETED"
    accepted = receiver.accepted()
    documents = [json.loads(raw) for _, raw in accepted]
    # In order, each once: the first event was retried until accepted, then the next went.
    assert [d["type"] for d in documents] == ["job.processing", "job.completed"]
    assert [d["job"]["status"] for d in documents] == ["PROCESSING", "COMPLETED"]
    assert documents[1]["job"]["videoUrl"].split("?")[0].endswith(f"/jobs/{job['id']}/ad.mp4")
    ids = [headers["Adreel-Delivery-Id"] for headers, _ in accepted]
    assert len(set(ids)) == 2 and ids == [d["id"] for d in documents]
    # Every POST, failed ones included, is signed over its exact body with the owner's secret.
    for headers, raw, _status in receiver.received:
        assert verify(SECRET, headers["Adreel-Signature"], raw, now=int(time.time()))
        assert not verify("another secret", headers["Adreel-Signature"], raw, int(time.time()))
    first = [h["Adreel-Delivery-Id"] for h, _, _ in receiver.received[:3]]
    assert first == [ids[0]] * 3  # the same delivery id on every retry of one event
    # The job lists every attempt with its outcome.
    attempts = [(d["event"], d["attempt"], d["statusCode"]) for d in view["webhookDeliveries"]]
    assert attempts == [
        ("job.processing", 1, 500),
        ("job.processing", 2, 500),
        ("job.processing", 3, 204),
        ("job.completed", 1, 204),
    ]
    assert view["webhookDeliveries"][0]["error"] == "answered HTTP 500"


@pytest.mark.slow
async def test_a_receiver_that_is_down_does_not_hold_the_job_back(
    settings: Settings, redis: Any, tmp_path: Path
) -> None:
    """Nothing listens on the webhook's port: the job still completes, and the failed POSTs are
    recorded and scheduled again."""
    settings = _settings(settings)
    with Receiver(failures=0).running() as receiver:
        dead = receiver.url  # closed below, before the job runs
    async with serve_app(settings) as (api, _app):
        body = await gql(api, CREATE, {"input": job_input(webhookUrl=dead)})
        job_id = body["data"]["createJob"]["job"]["id"]
        async with _worker(settings):

            async def completed_and_tried() -> bool:
                view = (await gql(api, DELIVERIES, {"id": job_id}))["data"]["job"]
                return view["status"] == "COMPLETED" and len(view["webhookDeliveries"]) >= 2

            await _until(completed_and_tried)
            view = (await gql(api, DELIVERIES, {"id": job_id}))["data"]["job"]
    assert all(not d["delivered"] for d in view["webhookDeliveries"])
    assert all(d["error"].startswith("could not connect") for d in view["webhookDeliveries"])


async def test_delivery_checks_the_address_again(
    settings: Settings, redis: Any, tmp_path: Path
) -> None:
    """Accepted while private networks were allowed; a worker that does not allow them refuses
    to POST to loopback, and records why."""
    with Receiver(failures=0).running() as receiver:
        async with serve_app(_settings(settings)) as (api, _app):
            body = await gql(api, CREATE, {"input": job_input(webhookUrl=receiver.url)})
            job_id = body["data"]["createJob"]["job"]["id"]
            strict = _settings(settings, webhook_allow_private_networks=False)
            async with _worker(strict):

                async def refused() -> bool:
                    view = (await gql(api, DELIVERIES, {"id": job_id}))["data"]["job"]
                    return len(view["webhookDeliveries"]) >= 1

                await _until(refused)
                view = (await gql(api, DELIVERIES, {"id": job_id}))["data"]["job"]
        assert receiver.received == []  # never reached
    error = view["webhookDeliveries"][0]["error"]
    assert "127.0.0.1, a loopback address" in error


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/hook", "127.0.0.1, a loopback address"),
        ("http://localhost:9/hook", "a loopback address"),  # a name that resolves to loopback
        ("http://10.0.0.1/hook", "10.0.0.1, a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254, a link-local address"),
        ("http://[::1]:9/hook", "::1, a loopback address"),
        ("ftp://example.com/hook", "must be an http:// or https:// URL"),
        ("http://user:pw@example.com/hook", "must not carry credentials"),
    ],
)
async def test_create_job_refuses_webhooks_into_private_networks(
    engine: AsyncEngine,
    database_url: str,
    redis_url: str,
    tmp_path: Path,
    url: str,
    reason: str,
) -> None:
    """IP literals are judged without any lookup or connection; `localhost` resolves locally."""
    settings = make_settings(database_url, redis_url, tmp_path, webhook_secrets=f"local:{SECRET}")
    async with serve_app(settings) as (api, _app):
        body = await gql(api, CREATE, {"input": job_input(webhookUrl=url)})
    payload = body["data"]["createJob"]
    assert payload["job"] is None
    [error] = payload["errors"]
    assert error["code"] == "INVALID_URL" and error["field"] == ["input", "webhookUrl"]
    assert reason in error["message"]


async def test_webhooks_need_a_secret_for_the_owner(
    engine: AsyncEngine, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, redis_url, tmp_path)
    async with serve_app(settings) as (api, _app):
        body = await gql(api, CREATE, {"input": job_input(webhookUrl="https://example.com/h")})
    [error] = body["data"]["createJob"]["errors"]
    assert error["code"] == "NOT_CONFIGURED" and "WEBHOOK_SECRETS" in error["message"]


@pytest.mark.parametrize(
    "address",
    ["10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",  # noqa: S104
     "::ffff:10.0.0.1", "fd00:ec2::254", "100.100.100.200", "fe80::1", "224.0.0.1"],
)  # fmt: skip
def test_the_address_check_refuses_private_link_local_and_metadata(address: str) -> None:
    assert forbidden_address(address) is not None


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::6810:84e5", "8.8.8.8"])
def test_the_address_check_lets_public_addresses_through(address: str) -> None:
    assert forbidden_address(address) is None


async def test_ip_literals_are_checked_without_a_lookup() -> None:
    for url in ("http://10.0.0.1/", "http://169.254.169.254/"):
        with pytest.raises(WebhookUrlError):
            await check_webhook_url(url, allow_private=False)


def test_the_signature_is_stripe_style() -> None:
    from domain.webhooks import sign

    header = sign(SECRET, 1_700_000_000, b'{"a":1}')
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert verify(SECRET, header, b'{"a":1}', now=1_700_000_100)
    assert not verify(SECRET, header, b'{"a":2}', now=1_700_000_100)  # body changed
    assert not verify(SECRET, header, b'{"a":1}', now=1_700_009_999)  # too old: a replay
