"""Every jobProgress subscriber sends the same document: it is validated once, not per client.

Strawberry's depth and alias limiters make a new rule class each time they are constructed, and
a validation cache is keyed by the rule classes; built per operation, they made every document a
cache miss (a third of the API's CPU while watchers connected). schema/preparation.py builds them
once. The limits themselves are tested over HTTP in tests/web/test_http.py.
"""

from __future__ import annotations

import uuid

import pytest
import strawberry.schema.schema as strawberry_schema

from schema import build_schema


async def test_a_document_sent_again_is_not_validated_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    validations = 0
    validate = strawberry_schema.validate  # type: ignore[attr-defined]  # imported there, patched here

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal validations
        validations += 1
        return validate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    schema = build_schema()
    # A name no other test uses, so no earlier test has warmed the process-wide cache.
    document = f"query Styles{uuid.uuid4().hex} {{ styles {{ name }} }}"
    for _ in range(5):
        result = await schema.execute(document)
        assert result.errors is None
        assert len(result.data["styles"]) == 4  # type: ignore[index]
    assert validations == 1


async def test_the_cached_limits_still_refuse() -> None:
    schema = build_schema(max_aliases=2)
    document = "{ a: styles { name } b: styles { name } c: styles { name } }"
    for _ in range(2):  # the second answer comes from the cache, and still refuses
        result = await schema.execute(document)
        assert result.errors is not None
        assert "aliases" in result.errors[0].message
