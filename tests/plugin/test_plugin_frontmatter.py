"""The frontmatter reader accepts the plain subset the plugin's files use and refuses anything it could misread."""

from __future__ import annotations

import pytest

from thrifty.footprint.frontmatter import FrontmatterError, split


def test_plain_quoted_and_list_values_are_read_and_the_body_follows() -> None:
    text = '---\nname: scout\ndescription: "Finds code: fast"\ntools: [a, b]\nmodel: haiku\n---\n\nBody line\n'
    fields, body = split(text)
    assert fields == {"name": "scout", "description": "Finds code: fast", "tools": ["a", "b"], "model": "haiku"}
    assert body == "Body line"


def test_single_quotes_unescape_doubled_quotes() -> None:
    fields, _ = split("---\ndescription: 'it''s here'\n---\n")
    assert fields["description"] == "it's here"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\n", "no frontmatter"),
        ("---\nname: x\n", "not closed"),
        ("---\ndescription: Finds code: fast\n---\n", "quote this value"),
        ("---\ndescription: >\n  folded\n---\n", "multi-line"),
        ("---\nname: a\nname: b\n---\n", "appears twice"),
        ("---\ntools: [a, b\n---\n", "same line"),
        ("---\n  nested: x\n---\n", "expected 'key: value'"),
    ],
)
def test_unsupported_frontmatter_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(FrontmatterError, match=message):
        split(text, "SKILL.md")
