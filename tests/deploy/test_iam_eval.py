"""The IAM evaluator on small policies, including the documented edge cases the deploy-role
checks rely on (IAM User Guide: policy evaluation logic, Resource wildcards, condition
operators, single- vs multivalued context keys)."""

from __future__ import annotations

from typing import Any

import pytest

from .iam_eval import Decision, Request, UnsupportedPolicyError, evaluate, is_allowed

KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def policy(*statements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Version": "2012-10-17", "Statement": list(statements)}]


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# ─── Evaluation logic ───


def test_implicit_deny_without_a_matching_statement() -> None:
    result = evaluate(
        policy(allow("s3:GetObject", "arn:aws:s3:::b/*")),
        Request("s3:PutObject", "arn:aws:s3:::b/k"),
    )
    assert result.decision is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_allow_and_names_its_statement() -> None:
    docs = policy(
        allow("s3:*", "*", Sid="All"),
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    )
    result = evaluate(docs, Request("s3:DeleteObject", "arn:aws:s3:::b/k"))
    assert result.decision is Decision.EXPLICIT_DENY
    assert result.statements == ("NoDelete",)
    assert evaluate(docs, Request("s3:GetObject", "arn:aws:s3:::b/k")).statements == ("All",)


def test_statements_of_several_documents_are_combined() -> None:
    deny = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}
    docs = [*policy(allow("s3:GetObject")), {"Statement": deny}]
    assert (
        evaluate(docs, Request("s3:GetObject", "arn:aws:s3:::b/k")).decision
        is Decision.EXPLICIT_DENY
    )


# ─── Action and Resource ───


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("kms:TagResource", "kms:tagresource", True),  # case-insensitive
        ("KMS:Tag*", "kms:TagResource", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:?etObject", "s3:GetObject", True),
        ("*", "glue:CreateTable", True),
        ("glue:*Table", "glue:CreateTableOptimizer", False),
    ],
)
def test_action_patterns(pattern: str, action: str, expected: bool) -> None:
    assert is_allowed(policy(allow(pattern)), action, "*") is expected


def test_not_action_applies_to_every_other_action() -> None:
    docs = policy({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"})
    assert is_allowed(docs, "s3:GetObject", "arn:aws:s3:::b/k")
    assert not is_allowed(docs, "iam:PassRole", "arn:aws:iam::1:role/r")


def test_not_resource_applies_to_every_other_resource() -> None:
    docs = policy({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"})
    assert is_allowed(docs, "s3:GetObject", "arn:aws:s3:::open/k")
    assert not is_allowed(docs, "s3:GetObject", "arn:aws:s3:::secret/k")


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c.txt", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/k", False),  # case-sensitive
        ("arn:aws:kms:eu-west-1:123456789012:key/*", KEY, True),
        (
            "arn:aws:kms:eu-west-1:123456789012:key/*",
            "arn:aws:kms:eu-west-1:123456789012:alias/x",
            False,
        ),
        # A "*" that ends a segment reaches past the following colons ...
        (
            "arn:aws:logs:eu-west-1:1:log-group:/aws/states/*",
            "arn:aws:logs:eu-west-1:1:log-group:/aws/states/p:*",
            True,
        ),
        ("arn:aws:logs:*", "arn:aws:logs:eu-west-1:1:log-group:g", True),
        # ... one inside a segment does not.
        (
            "arn:aws:logs:eu-west-1:1:log-group:/aws/*-dev",
            "arn:aws:logs:eu-west-1:1:log-group:/aws/x:y-dev",
            False,
        ),
        ("arn:aws:s3:::b/jobs/*/p/*", "arn:aws:s3:::b/jobs/1.0.0+abc/p/run.py", True),
        ("arn:aws:s3:::b/jobs/?/p/x", "arn:aws:s3:::b/jobs/1/p/x", True),
        ("*", "*", True),
        ("arn:aws:kms:eu-west-1:1:key/*", "*", False),
    ],
)
def test_resource_patterns(pattern: str, resource: str, expected: bool) -> None:
    assert is_allowed(policy(allow("*", pattern)), "s3:GetObject", resource) is expected


# ─── Conditions ───


def test_condition_operators_are_anded_values_ored() -> None:
    docs = policy(allow(Condition={
        "StringEquals": {"aws:RequestTag/Environment": ["dev", "int"]},
        "StringLike": {"aws:RequestTag/Name": "f01-*"},
    }))  # fmt: skip
    ok = {"aws:RequestTag/Environment": "int", "aws:RequestTag/Name": "f01-key"}
    assert is_allowed(docs, "kms:CreateKey", "*", ok)
    assert not is_allowed(docs, "kms:CreateKey", "*", {**ok, "aws:RequestTag/Name": "other"})
    assert not is_allowed(docs, "kms:CreateKey", "*", {**ok, "aws:RequestTag/Environment": "prod"})


def test_condition_key_names_are_case_insensitive_values_are_not() -> None:
    docs = policy(allow(Condition={"StringEquals": {"AWS:ResourceTag/Environment": "dev"}}))
    assert is_allowed(docs, "kms:DescribeKey", KEY, {"aws:resourcetag/environment": "dev"})
    assert not is_allowed(docs, "kms:DescribeKey", KEY, {"aws:ResourceTag/Environment": "DEV"})
    ignore_case = policy(
        allow(Condition={"StringEqualsIgnoreCase": {"aws:ResourceTag/Environment": "dev"}})
    )
    assert is_allowed(ignore_case, "kms:DescribeKey", KEY, {"aws:ResourceTag/Environment": "DEV"})


def test_missing_key_fails_a_positive_operator() -> None:
    # CreateKey creates a key: a new key has no aws:ResourceTag, so this never allows it.
    docs = policy(
        allow("kms:TagResource", Condition={"StringEquals": {"aws:ResourceTag/Environment": "dev"}})
    )
    assert not is_allowed(docs, "kms:TagResource", KEY, {"aws:RequestTag/Environment": "dev"})


def test_missing_key_satisfies_a_negated_operator() -> None:
    # "If the policy condition requires that the key is not matched, such as StringNotLike or
    # ArnNotLike, and the right key is not present, the condition is true."
    for operator in ("StringNotEquals", "StringNotLike", "ArnNotLike", "ArnNotEquals"):
        docs = policy(allow(Condition={operator: {"aws:SourceArn": "arn:aws:s3:::x"}}))
        assert is_allowed(docs, "s3:GetObject", "*", {}), operator


def test_if_exists_is_true_for_a_missing_key_and_tests_a_present_one() -> None:
    docs = policy(allow(Condition={"StringEqualsIfExists": {"aws:RequestTag/Environment": "dev"}}))
    assert is_allowed(docs, "kms:CreateKey", "*", {})
    assert is_allowed(docs, "kms:CreateKey", "*", {"aws:RequestTag/Environment": "dev"})
    assert not is_allowed(docs, "kms:CreateKey", "*", {"aws:RequestTag/Environment": "prod"})


def test_null_tests_presence() -> None:
    absent = policy(allow(Condition={"Null": {"aws:ResourceTag/Environment": "true"}}))
    present = policy(allow(Condition={"Null": {"aws:ResourceTag/Environment": "false"}}))
    assert is_allowed(absent, "kms:CreateKey", "*", {})
    assert not is_allowed(absent, "kms:CreateKey", "*", {"aws:ResourceTag/Environment": "dev"})
    assert is_allowed(present, "kms:CreateKey", "*", {"aws:ResourceTag/Environment": "dev"})


def test_string_like_wildcards_and_negation() -> None:
    docs = policy(allow(Condition={"StringLike": {"s3:prefix": ["wheels/*", "jobs/?/*"]}}))
    assert is_allowed(docs, "s3:ListBucket", "*", {"s3:prefix": "wheels/a.whl"})
    assert is_allowed(docs, "s3:ListBucket", "*", {"s3:prefix": "jobs/1/x"})
    assert not is_allowed(docs, "s3:ListBucket", "*", {"s3:prefix": "jobs/12/x"})
    negated = policy(allow(Condition={"StringNotLike": {"s3:prefix": ["secret/*", "private/*"]}}))
    assert is_allowed(negated, "s3:ListBucket", "*", {"s3:prefix": "wheels/"})
    assert not is_allowed(negated, "s3:ListBucket", "*", {"s3:prefix": "private/x"})


def test_arn_operators_match_component_by_component() -> None:
    docs = policy(
        allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:events:*:123456789012:rule/f01-*"}})
    )
    assert is_allowed(
        docs,
        "sns:Publish",
        "*",
        {"aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/f01-x"},
    )
    assert not is_allowed(
        docs,
        "sns:Publish",
        "*",
        {"aws:SourceArn": "arn:aws:events:eu-west-1:999999999999:rule/f01-x"},
    )
    assert not is_allowed(docs, "sns:Publish", "*", {"aws:SourceArn": "not-an-arn"})
    negated = policy(
        allow(Condition={"ArnNotLike": {"aws:SourceArn": "arn:aws:events:*:*:rule/f01-*"}})
    )
    assert not is_allowed(
        negated, "sns:Publish", "*", {"aws:SourceArn": "arn:aws:events:eu-west-1:1:rule/f01-x"}
    )


def test_bool_and_numeric() -> None:
    tls = policy(
        allow(
            Condition={
                "Bool": {"aws:SecureTransport": True},
                "NumericGreaterThanEquals": {"s3:TlsVersion": "1.2"},
            }
        )
    )
    assert is_allowed(
        tls, "s3:GetObject", "*", {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
    )
    assert not is_allowed(
        tls, "s3:GetObject", "*", {"aws:SecureTransport": "false", "s3:TlsVersion": "1.3"}
    )
    assert not is_allowed(
        tls, "s3:GetObject", "*", {"aws:SecureTransport": "true", "s3:TlsVersion": "1.1"}
    )


# ─── Set operators on multivalued keys ───


def test_for_any_value_needs_one_member_and_is_false_without_the_key() -> None:
    docs = policy(
        allow(
            Condition={
                "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/f01-data-lake-dev"}
            }
        )
    )
    assert is_allowed(
        docs,
        "kms:Decrypt",
        KEY,
        {"kms:ResourceAliases": ["alias/other", "alias/f01-data-lake-dev"]},
    )
    assert not is_allowed(docs, "kms:Decrypt", KEY, {"kms:ResourceAliases": ["alias/other"]})
    assert not is_allowed(docs, "kms:Decrypt", KEY, {"kms:ResourceAliases": []})
    assert not is_allowed(docs, "kms:Decrypt", KEY, {})


def test_for_all_values_needs_every_member_and_is_true_without_the_key() -> None:
    # Documented: ForAllValues also returns true when the key is not in the request, which is
    # why it does not by itself require tags.
    docs = policy(
        allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["Environment", "Stack"]}})
    )
    assert is_allowed(docs, "kms:TagResource", KEY, {"aws:TagKeys": ["Environment"]})
    assert not is_allowed(docs, "kms:TagResource", KEY, {"aws:TagKeys": ["Environment", "Owner"]})
    assert is_allowed(docs, "kms:TagResource", KEY, {"aws:TagKeys": []})
    assert is_allowed(docs, "kms:TagResource", KEY, {})


def test_negated_operator_under_a_set_operator_applies_per_member() -> None:
    docs = policy(allow(Condition={"ForAllValues:StringNotEquals": {"aws:TagKeys": ["Secret"]}}))
    assert is_allowed(docs, "kms:TagResource", KEY, {"aws:TagKeys": ["Environment", "Stack"]})
    assert not is_allowed(docs, "kms:TagResource", KEY, {"aws:TagKeys": ["Environment", "Secret"]})


def test_multivalued_key_without_a_set_operator_is_refused() -> None:
    docs = policy(allow(Condition={"StringEquals": {"aws:TagKeys": "Environment"}}))
    with pytest.raises(UnsupportedPolicyError, match="multivalued"):
        is_allowed(docs, "kms:TagResource", KEY, {"aws:TagKeys": ["Environment"]})


# ─── What is refused rather than guessed ───


@pytest.mark.parametrize(
    "statement",
    [
        allow("*", "arn:aws:s3:::${aws:username}/*"),
        allow(Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
        allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*"},
    ],
)
def test_unsupported_elements_raise(statement: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPolicyError):
        is_allowed(
            policy(statement), "s3:GetObject", "arn:aws:s3:::b/k", {"aws:SourceIp": "10.0.0.1"}
        )
