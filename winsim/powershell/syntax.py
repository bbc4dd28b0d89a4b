"""Reading the tree-sitter-powershell syntax tree: node text, named children, transparent wrappers.

Shared by the interpreter and the modules that evaluate its expressions and commands.
"""

from __future__ import annotations

from tree_sitter import Node

# Binary-operator nodes (left operand, operator, right operand, ...) in expression and argument mode.
BINARY = frozenset(
    {
        "logical_expression",
        "bitwise_expression",
        "comparison_expression",
        "additive_expression",
        "multiplicative_expression",
        "format_expression",
        "range_expression",
        "logical_argument_expression",
        "bitwise_argument_expression",
        "comparison_argument_expression",
        "additive_argument_expression",
        "multiplicative_argument_expression",
        "format_argument_expression",
        "range_argument_expression",
    }
)

# Wrapper nodes the grammar nests around every expression; a single-child one is transparent.
TRANSPARENT = BINARY | frozenset(
    {
        "pipeline",
        "pipeline_chain",
        "array_literal_expression",
        "unary_expression",
        "expression_with_unary_operator",
        "argument_expression",
        "left_assignment_expression",
        "key_expression",
        "while_condition",
        "primary_expression",
    }
)


def text_of(node: Node) -> str:
    return node.text.decode("utf-8") if node.text else ""


def named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def strip(node: Node) -> Node:
    """Skip transparent single-child wrappers."""
    # Hot path: counts and child(0) avoid building child lists (same rule as named()).
    while node.type in TRANSPARENT and node.child_count == 1:
        child = node.child(0)
        if child is None or not child.is_named or child.type == "comment":
            break
        node = child
    return node


def var_name(text: str) -> str:
    name = text.lstrip("$@")
    if name.startswith("{") and name.endswith("}"):
        name = name[1:-1]
    return name


def type_literal_name(node: Node) -> str:
    text = text_of(node).strip()
    return text[1:-1].strip() if text.startswith("[") else text
