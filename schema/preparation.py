"""Parsing and validating an operation, within the schema's limits, once per distinct document.

One extension in place of five of Strawberry's (ParserCache, ValidationCache, MaxTokensLimiter
and the depth and alias limiters), for two reasons:

- Strawberry visits every extension at every hook of every operation and, on a subscription, at
  every result it streams: a fan-out to a thousand watchers paid for five extensions a thousand
  times per event (15% of its CPU).
- The depth and alias limiters build a new rule class each time they are constructed, and the
  validation cache is keyed by the rule classes: built per operation, as extensions are, every
  document was validated again. Here the rules are built once, with the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from graphql import ASTValidationRule, parse
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]


def limit_rules(*, max_depth: int, max_aliases: int) -> Rules:
    return (
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    )


class Preparation(SchemaExtension):
    """Built per operation by its factory (`Preparation.factory`); the caches are shared."""

    def __init__(
        self,
        rules: Rules,
        max_tokens: int,
        parse_document: Callable[..., Any],
        validate: Callable[..., Any],
    ) -> None:
        self.rules = rules
        self.max_tokens = max_tokens
        self.parse_document = parse_document
        self.validate = validate

    @classmethod
    def factory(
        cls, *, rules: Rules, max_tokens: int, cache_size: int
    ) -> Callable[[], Preparation]:
        # Bounded: a public endpoint must not let unique documents grow memory without limit.
        parse_document = lru_cache(maxsize=cache_size)(parse)
        validate = lru_cache(maxsize=cache_size)(validate_document)
        return lambda: cls(rules, max_tokens, parse_document, validate)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        context.validation_rules = (*context.validation_rules, *self.rules)
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.parse_document(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = self.validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield
