"""The one warning a module gives when it has moved and its old name is kept as a shim."""

from __future__ import annotations

import warnings

#: The release that removes the old module names.
REMOVAL = "0.3"


def warn_moved(old: str, new: str, hint: str = "") -> None:
    """Warns that module ``old`` moved to ``new``; call it at the top of the old module.

    Args:
        old: the old module's dotted name.
        new: where its names live now.
        hint: another way to import them, added in parentheses.

    Example:
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_moved("finvision.a", "finvision.b")
    >>> caught[0].category.__name__
    'DeprecationWarning'
    >>> str(caught[0].message)
    'finvision.a moved to finvision.b; the old name will be removed in finvision 0.3.'
    """
    extra = f" ({hint})" if hint else ""
    warnings.warn(
        f"{old} moved to {new}{extra}; the old name will be removed in finvision {REMOVAL}.",
        DeprecationWarning,
        stacklevel=3,  # the module that imported the old name
    )
