"""What a hosted call used and what it cost, kept exact with Decimal.

Each call records its usage (tokens, characters, seconds of prediction) and its cost from the
price table; a stage's cost is the sum of its calls rounded once to the micro-dollar (the
database keeps six decimals), and a job's cost is the exact sum of its stages' costs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.outputs import HostedUsage
from domain.pricing import to_micro


@dataclass(frozen=True)
class Call:
    """One billed request: `usage` holds its counters (JSON numbers), `cost` is exact."""

    kind: str  # e.g. "vision", "script", "speech", "prediction"
    usage: dict[str, Any]
    cost: Decimal

    def as_data(self) -> dict[str, Any]:
        return {"call": self.kind, **self.usage, "cost_usd": str(self.cost)}


# Told about every billed call the moment it is recorded: the worker sets it around a stage so
# that money spent by an attempt that later crashes is still on the ledger. None elsewhere.
BILLING: ContextVar[Callable[[Call], None] | None] = ContextVar("adreel_billing", default=None)


@dataclass
class Ledger:
    """The calls one stage made with one provider, as stored in its stage_data."""

    provider: str
    model: str
    calls: list[Call] = field(default_factory=list)

    def add(self, call: Call) -> None:
        self.calls.append(call)
        if (listener := BILLING.get()) is not None:
            listener(call)

    @property
    def cost(self) -> Decimal:
        return to_micro(sum((c.cost for c in self.calls), Decimal(0)))

    def usage(self) -> HostedUsage:
        return HostedUsage(
            provider=self.provider,
            model=self.model,
            calls=[c.as_data() for c in self.calls],
            cost_usd=str(self.cost),
        )


def total(calls: Iterable[Call]) -> Decimal:
    return to_micro(sum((c.cost for c in calls), Decimal(0)))
