"""Griffe extension: the project's ``Example:`` doctests render as code in the API pages.

finvision's docstrings end with an ``Example:`` line followed by doctest lines at
the same indentation, so ``pytest --doctest-modules`` runs them as written. A
Google-style section needs its content indented under the title, so without this
extension the doctest lines would render as prose. The extension rewrites each
such docstring (for the site only, the source is untouched) into an indented
``Examples:`` section, which griffe renders as a Python console block.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE_TITLE = re.compile(r"^Example:\n(?=>>> )", re.MULTILINE)


def to_examples_section(docstring: str) -> str:
    """Indents what follows a column-0 ``Example:`` line as an ``Examples:`` section.

    Args:
        docstring: a cleaned (dedented) docstring.

    Returns:
        The docstring with the lines after ``Example:`` indented by four spaces, or
        the docstring unchanged when it has no ``Example:`` line followed by ``>>>``.
    """
    match = _EXAMPLE_TITLE.search(docstring)
    if match is None:
        return docstring
    example = docstring[match.end() :].splitlines()
    indented = "\n".join(f"    {line}" if line else line for line in example)
    return f"{docstring[: match.start()]}Examples:\n{indented}"


class DoctestExamples(griffe.Extension):
    """Rewrites every loaded docstring with :func:`to_examples_section`."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = to_examples_section(obj.docstring.value)
