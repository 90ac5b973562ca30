"""A small, exact evaluator of IAM identity policies for one request.

It answers what AWS answers for an identity-based policy (no resource policies, permissions
boundaries, SCPs or session policies), following the IAM User Guide:

* Evaluation logic: an explicit ``Deny`` in any statement wins; otherwise an ``Allow``
  allows; otherwise the request is implicitly denied.
* ``Action``/``NotAction``: ``service:name`` patterns with ``*`` and ``?``, case-insensitive.
* ``Resource``/``NotResource``: ARN patterns with ``*`` and ``?``, case-sensitive, within
  the colon-separated segments of the ARN; a ``*`` that ends a segment also matches past the
  colons that follow ("Using wildcards in resource ARNs").
* ``Condition``: operators are ANDed, the keys of an operator are ANDed, the values of a key
  are ORed (for a negated operator: the request value matches none of them). Condition key
  names are case-insensitive. A key missing from the request context makes a positive
  operator false and a negated one (``StringNotEquals``, ``ArnNotLike``, ...) true, except
  ``...IfExists`` (true when missing) and ``Null``. ``ForAnyValue:`` is false and
  ``ForAllValues:`` true for a missing or empty key. A multivalued context value (a list)
  needs a set operator.

What it does not know is refused with :class:`UnsupportedPolicyError` rather than guessed:
policy variables (``${...}``), ``Principal``, date, IP and binary operators.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ContextValue = str | Sequence[str]


class UnsupportedPolicyError(ValueError):
    """The policy uses an element or operator this evaluator does not implement."""


class Decision(enum.Enum):
    """Outcome of the evaluation of one request."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


@dataclass(frozen=True)
class Request:
    """One authorised request: the action, the resource ARN (or "*") and its context.

    Context values are strings (booleans as "true"/"false"); a list or tuple is a
    multivalued key (aws:TagKeys, kms:ResourceAliases).
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    """The decision and the statements (Sid, or #index without one) that made it."""

    decision: Decision
    statements: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW


# ─── Patterns ───


@functools.lru_cache(maxsize=4096)
def _action_regex(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


@functools.lru_cache(maxsize=4096)
def _resource_regex(pattern: str) -> re.Pattern[str]:
    parts = []
    for i, c in enumerate(pattern):
        if c == "*":
            ends_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
            parts.append(".*" if ends_segment else "[^:]*")
        elif c == "?":
            parts.append("[^:]")
        else:
            parts.append(re.escape(c))
    return re.compile("".join(parts), re.DOTALL)


@functools.lru_cache(maxsize=4096)
def _string_like_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def action_matches(pattern: str, action: str) -> bool:
    """``pattern`` (``s3:Get*``, ``*``) covers ``action``; case-insensitive."""
    return _action_regex(pattern).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    """``pattern`` (an ARN with wildcards, or ``*``) covers the ARN ``resource``."""
    _refuse_variables(pattern)
    return _resource_regex(pattern).fullmatch(resource) is not None


def _arn_like(pattern: str, value: str) -> bool:
    # ArnEquals/ArnLike: each of the six colon-separated components is matched on its own.
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(
        _string_like_regex(p).fullmatch(v) is not None
        for p, v in zip(pattern_parts, value_parts, strict=True)
    )


def _refuse_variables(text: str) -> None:
    if "${" in text:
        raise UnsupportedPolicyError(f"policy variables are not supported: {text!r}")


# ─── Conditions ───


def _number(text: str) -> float:
    return float(text)


def _numeric(compare: Any) -> Any:
    # A request value that is not a number matches no numeric policy value.
    def matcher(policy: str, value: str) -> bool:
        try:
            return bool(compare(_number(value), _number(policy)))
        except ValueError:
            return False

    return matcher


def _bool_equals(policy: str, value: str) -> bool:
    return policy.lower() == value.lower()


# Positive operators: value matches one policy value. The negated ones are their complement.
_MATCHERS: dict[str, Any] = {
    "StringEquals": lambda p, v: p == v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: _string_like_regex(p).fullmatch(v) is not None,
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
    "Bool": _bool_equals,
    "NumericEquals": _numeric(lambda v, p: v == p),
    "NumericLessThan": _numeric(lambda v, p: v < p),
    "NumericLessThanEquals": _numeric(lambda v, p: v <= p),
    "NumericGreaterThan": _numeric(lambda v, p: v > p),
    "NumericGreaterThanEquals": _numeric(lambda v, p: v >= p),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
}


def _as_strings(values: Any) -> list[str]:
    items = values if isinstance(values, list) else [values]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise UnsupportedPolicyError(f"condition value {item!r} is not a string")
        _refuse_variables(out[-1])
    return out


def _one_value(operator: str, policy_values: list[str], value: str) -> bool:
    """The operator (without set prefix or IfExists) on one request value."""
    negated = operator in _NEGATED
    matcher = _MATCHERS[_NEGATED.get(operator, operator)]
    hit = any(matcher(p, value) for p in policy_values)
    return not hit if negated else hit


def _condition(operator: str, key: str, policy: Any, context: Mapping[str, ContextValue]) -> bool:
    values = _as_strings(policy)
    present = key.lower() in context
    value = context.get(key.lower())

    if operator == "Null":
        if len(values) != 1 or values[0].lower() not in ("true", "false"):
            raise UnsupportedPolicyError(f"Null takes true or false, not {values}")
        return (not present) if values[0].lower() == "true" else present

    set_operator = None
    if ":" in operator:
        set_operator, operator = operator.split(":", 1)
        if set_operator not in ("ForAnyValue", "ForAllValues"):
            raise UnsupportedPolicyError(f"unknown set operator {set_operator}")
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if operator not in _MATCHERS and operator not in _NEGATED:
        raise UnsupportedPolicyError(f"condition operator {operator} is not supported")

    if not present:
        if if_exists:
            return True
        if set_operator == "ForAllValues":
            return True
        if set_operator == "ForAnyValue":
            return False
        return operator in _NEGATED

    if set_operator is not None:
        members = [value] if isinstance(value, str) else list(value or [])
        if set_operator == "ForAnyValue":
            return any(_one_value(operator, values, m) for m in members)
        return all(_one_value(operator, values, m) for m in members)

    if not isinstance(value, str):
        raise UnsupportedPolicyError(
            f"{key} is multivalued in the request: {operator} needs ForAnyValue: or ForAllValues:"
        )
    return _one_value(operator, values, value)


def conditions_hold(
    block: Mapping[str, Mapping[str, Any]], context: Mapping[str, ContextValue]
) -> bool:
    """Every operator and key of a statement's Condition block holds for ``context``."""
    lowered = {k.lower(): v for k, v in context.items()}
    return all(
        _condition(operator, key, policy, lowered)
        for operator, keys in block.items()
        for key, policy in keys.items()
    )


# ─── Statements and documents ───


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    """The statement's action, resource and condition elements all cover ``request``."""
    if "Principal" in statement or "NotPrincipal" in statement:
        raise UnsupportedPolicyError("Principal belongs to resource policies, not evaluated here")
    if "Action" in statement:
        if not any(action_matches(p, request.action) for p in _listed(statement["Action"])):
            return False
    elif "NotAction" in statement:
        if any(action_matches(p, request.action) for p in _listed(statement["NotAction"])):
            return False
    else:
        raise UnsupportedPolicyError("a statement needs Action or NotAction")
    if "Resource" in statement:
        if not any(resource_matches(p, request.resource) for p in _listed(statement["Resource"])):
            return False
    elif "NotResource" in statement:
        if any(resource_matches(p, request.resource) for p in _listed(statement["NotResource"])):
            return False
    else:
        raise UnsupportedPolicyError("a statement needs Resource or NotResource")
    return conditions_hold(statement.get("Condition", {}), request.context)


def _statements(documents: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for document in documents:
        for i, statement in enumerate(_listed(document.get("Statement", []))):
            yield str(statement.get("Sid") or f"#{i}"), statement


def evaluate(documents: Iterable[Mapping[str, Any]], request: Request) -> Result:
    """Evaluate ``request`` against identity policy documents (parsed JSON).

    Returns:
        The decision, with the Sids of the Deny statements that apply (explicit deny) or of
        the Allow statements that apply (allow).

    Raises:
        UnsupportedPolicyError: an element or operator outside the supported subset.
    """
    allows: list[str] = []
    denies: list[str] = []
    for sid, statement in _statements(documents):
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise UnsupportedPolicyError(f"statement {sid}: Effect must be Allow or Deny")
        if statement_applies(statement, request):
            (allows if effect == "Allow" else denies).append(sid)
    if denies:
        return Result(Decision.EXPLICIT_DENY, tuple(denies))
    if allows:
        return Result(Decision.ALLOW, tuple(allows))
    return Result(Decision.IMPLICIT_DENY)


def is_allowed(
    documents: Iterable[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, ContextValue] | None = None,
) -> bool:
    """Shorthand: ``evaluate(...).allowed``."""
    return evaluate(list(documents), Request(action, resource, context or {})).allowed


__all__ = [
    "ContextValue",
    "Decision",
    "Request",
    "Result",
    "UnsupportedPolicyError",
    "action_matches",
    "conditions_hold",
    "evaluate",
    "is_allowed",
    "resource_matches",
    "statement_applies",
]
