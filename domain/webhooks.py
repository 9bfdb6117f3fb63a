"""Webhooks, the parts that are pure: which changes are told, how a POST is signed, and which
addresses a webhook may never reach.

Signature (Stripe-style): `Adreel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`
with the owner's secret. A receiver (README "Webhooks") recomputes it over the raw body and the
`t` it was sent, compares in constant time, and refuses an old `t` (replay).
`Adreel-Delivery-Id` is the same for every attempt at one event, so a receiver that has seen it
can answer 2xx and do nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from domain.enums import JobStatus

SIGNATURE_HEADER = "Adreel-Signature"
DELIVERY_HEADER = "Adreel-Delivery-Id"
EVENT_HEADER = "Adreel-Event"

# Status changes a webhook is told about, and the event type each becomes.
EVENT_TYPES: dict[JobStatus, str] = {
    JobStatus.PROCESSING: "job.processing",
    JobStatus.COMPLETED: "job.completed",
    JobStatus.FAILED: "job.failed",
    JobStatus.CANCELLED: "job.cancelled",
}

# Cloud metadata services that are not in a private or link-local range.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    }
)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Adreel-Signature` header's value for one POST."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def forbidden_address(address: str) -> str | None:
    """Why a webhook may not be sent to this IP address, or None when it may.

    Loopback, private (RFC 1918, unique local), link-local (169.254/16 holds the cloud metadata
    service), shared (CGNAT), multicast, reserved and unspecified addresses are refused; IPv4
    mapped into IPv6 is judged as the IPv4 address it carries.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_private, "a private address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)
