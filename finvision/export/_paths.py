"""The output-path rule of every export: never overwrite unasked, never leave half a file."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def check_output_path(path: str | os.PathLike, *, overwrite: bool) -> Path:
    """Checks that an export may write ``path``.

    A path that does not exist, or an empty directory, may always be written;
    an existing file or non-empty directory only with ``overwrite=True``.

    Args:
        path: where the export goes.
        overwrite: whether an existing output may be replaced.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        FileExistsError: naming the path, if it holds something and
            ``overwrite`` is False.
        NotADirectoryError: if a parent of ``path`` is a file.

    Example:
    >>> import tempfile
    >>> check_output_path(tempfile.gettempdir(), overwrite=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileExistsError: `path` '...' already exists and is not empty; pass overwrite=True to replace it.
    """  # noqa: E501
    target = Path(path)
    existing = next((parent for parent in target.parents if parent.exists()), None)
    if existing is not None and not existing.is_dir():
        raise NotADirectoryError(
            f"`path` {str(target)!r} cannot be created: {str(existing)!r} is a file, not a folder."
        )
    occupied = target.is_file() or (target.is_dir() and any(target.iterdir()))
    if (occupied or target.is_symlink()) and not overwrite:
        raise FileExistsError(
            f"`path` {str(target)!r} already exists and is not empty; "
            "pass overwrite=True to replace it."
        )
    return target


@contextlib.contextmanager
def staged_output(path: str | os.PathLike, *, overwrite: bool) -> Iterator[Path]:
    """Yields a temporary sibling of ``path`` to write, moved into place on success.

    The check of :func:`check_output_path` runs first. The export writes the
    yielded path (a file or a directory, not yet existing) inside a hidden
    temporary directory next to ``path``; when the block ends without an
    error, what was at ``path`` is removed (only then) and the new output is
    renamed into place. When the block fails, the staging directory is
    deleted and ``path`` is untouched.

    Args:
        path: the final output path.
        overwrite: whether an existing output may be replaced.

    Yields:
        The path to write.

    Example:
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "model.bin"
    >>> with staged_output(target, overwrite=False) as staged:
    ...     _ = staged.write_bytes(b"weights")
    >>> target.read_bytes(), sorted(p.name for p in target.parent.iterdir())
    (b'weights', ['model.bin'])
    """
    target = check_output_path(path, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staged = staging / target.name
        yield staged
        if not staged.exists():
            raise RuntimeError(f"The export wrote nothing to {str(staged)!r}.")
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.replace(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
