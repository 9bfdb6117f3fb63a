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
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
)
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]


def limit_rules(*, max_depth: int, max_aliases: int) -> Rules:
    return (
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    )


@dataclass(frozen=True)
class Prepared:
    """The schema's parse and validation caches and limits, shared by every operation's
    Preparation and by the websocket fan-out (web/fanout.py), which prepares jobProgress
    subscriptions itself."""

    rules: Rules
    max_tokens: int
    parse_document: Callable[..., DocumentNode]
    validate: Callable[..., list[GraphQLError]]

    @classmethod
    def build(cls, *, rules: Rules, max_tokens: int, cache_size: int) -> Prepared:
        # Bounded: a public endpoint must not let unique documents grow memory without limit.
        return cls(
            rules,
            max_tokens,
            lru_cache(maxsize=cache_size)(parse),
            lru_cache(maxsize=cache_size)(validate_document),
        )

    def document(self, schema: GraphQLSchema, query: str) -> DocumentNode | None:
        """The parsed document when it is valid within the limits, else None."""
        try:
            document = self.parse_document(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        rules = (*specified_rules, *self.rules)
        return None if self.validate(schema, document, rules) else document


class Preparation(SchemaExtension):
    """Built per operation by its factory (`Preparation.factory`); the caches are shared."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared

    @classmethod
    def factory(cls, prepared: Prepared) -> Callable[[], Preparation]:
        return lambda: cls(prepared)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.prepared.max_tokens
        context.validation_rules = (*context.validation_rules, *self.prepared.rules)
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = self.prepared.parse_document(
            context.query, **context.parse_options
        )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = self.prepared.validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield
