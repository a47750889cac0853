"""Writing user-visible files: staged beside their target and swapped in atomically.

Every artefact finvision writes (exports, presets, ``model.keras``, reports,
plots) is first written under a hidden staging folder next to its target and
then renamed into place, so a failed or killed run leaves the previous version
intact. Publishing never removes what it did not create: without
``overwrite``, an output that appeared at the target meanwhile (another
process, another export) is kept and the second writer gets a
``FileExistsError``. A staging folder left by a killed process is removed by
the next write to the same target.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

#: Staging folders are named ``.<target name>.staging-<pid>-<random>``.
_STAGING = ".{name}.staging-"


def check_output_path(path: str | os.PathLike, *, overwrite: bool) -> Path:
    """Checks that ``path`` may be written.

    A path that does not exist, or an empty directory, may always be written;
    an existing file or non-empty directory only with ``overwrite=True``.

    Args:
        path: where the output goes.
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
    if _occupied(target) and not overwrite:
        raise _exists(target)
    return target


def check_directory_path(name: str, path: str | os.PathLike) -> Path:
    """Checks that ``path`` is, or can become, a directory to write files into.

    Args:
        name: the argument's name, for the error message.
        path: the directory.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        NotADirectoryError: naming the argument, if ``path`` or one of its
            parents is a file.

    Example:
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = path.write_text("x")
    >>> check_directory_path("directory", path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    NotADirectoryError: `directory` must be a folder to write into; received '.../notes.txt', a file.
    """  # noqa: E501
    target = Path(path)
    existing = next((folder for folder in (target, *target.parents) if folder.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "a file" if existing == target else f"inside the file {str(existing)!r}"
        raise NotADirectoryError(
            f"`{name}` must be a folder to write into; received {str(target)!r}, {where}."
        )
    return target


@contextlib.contextmanager
def staged_output(path: str | os.PathLike, *, overwrite: bool) -> Iterator[Path]:
    """Yields a staging path for ``path``; what is written there is swapped in on success.

    :func:`check_output_path` runs first. The caller writes the yielded path (a
    file or a directory, not yet existing) inside a hidden staging folder next
    to ``path``. When the block ends without an error the output is renamed
    into place: over the previous version with ``overwrite=True`` (which is
    kept until the new one is in place), or only if ``path`` is still free
    without it. When the block fails, the staging folder is deleted and
    ``path`` is untouched.

    Args:
        path: the final output path.
        overwrite: whether an existing output may be replaced.

    Yields:
        The path to write.

    Raises:
        FileExistsError: without ``overwrite``, if ``path`` holds something,
            before the block or when publishing (another writer got there
            first; its output is kept).

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
    _remove_abandoned_staging(target)
    prefix = _STAGING.format(name=target.name) + f"{os.getpid()}-"
    staging = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    try:
        staged = staging / target.name
        yield staged
        if not (staged.exists() or staged.is_symlink()):
            raise RuntimeError(f"Nothing was written to {str(staged)!r}.")
        if overwrite:
            _swap_in(staged, target, staging / "previous")
        else:
            _move_to_free_path(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Replaces the file ``path`` with ``text`` (UTF-8) in one atomic step.

    Args:
        path: the file to write; its folder is created if missing.
        text: the new contents.

    Returns:
        ``path`` as a ``Path``.

    Example:
    >>> import tempfile
    >>> write_text(Path(tempfile.mkdtemp()) / "report.json", "{}").read_text()
    '{}'
    """
    return write_bytes(path, text.encode("utf8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Replaces the file ``path`` with ``data`` in one atomic step.

    Args:
        path: the file to write; its folder is created if missing.
        data: the new contents.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        IsADirectoryError: if ``path`` is a directory.

    Example:
    >>> import tempfile
    >>> write_bytes(Path(tempfile.mkdtemp()) / "plot.png", b"png").read_bytes()
    b'png'
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"`path` {str(target)!r} is a directory; expected a file path.")
    with staged_output(target, overwrite=True) as staged:
        staged.write_bytes(data)
    return target


def _occupied(target: Path) -> bool:
    if target.is_symlink() or target.is_file():
        return True
    return target.is_dir() and any(target.iterdir())


def _exists(target: Path) -> FileExistsError:
    return FileExistsError(
        f"`path` {str(target)!r} already exists and is not empty; pass overwrite=True to "
        "replace it."
    )


def _move_to_free_path(staged: Path, target: Path) -> None:
    """Renames ``staged`` to ``target`` only if ``target`` is missing or an empty folder."""
    if staged.is_dir():
        try:
            os.rename(staged, target)  # fails on a file or a non-empty folder
        except OSError as error:
            if error.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR, errno.EISDIR):
                raise _exists(target) from error
            raise
        return
    if target.is_dir() and not target.is_symlink():
        try:
            target.rmdir()  # an empty folder only
        except OSError as error:
            raise _exists(target) from error
    try:
        os.link(staged, target)  # creates `target` only if nothing is there
    except FileExistsError as error:
        raise _exists(target) from error
    except OSError:  # a file system without hard links: claim the name, then replace
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError as error:
            raise _exists(target) from error
        os.replace(staged, target)


def _swap_in(staged: Path, target: Path, previous: Path) -> None:
    """Puts ``staged`` at ``target``; the old version stays until the new one is in place."""
    if target.is_dir() and not target.is_symlink():
        os.rename(target, previous)
        try:
            os.rename(staged, target)
        except OSError:
            os.rename(previous, target)
            raise
    else:
        os.replace(staged, target)


def _remove_abandoned_staging(target: Path) -> None:
    """Deletes staging folders for ``target`` whose process is no longer running."""
    prefix = _STAGING.format(name=target.name)
    for entry in target.parent.glob(f"{glob.escape(prefix)}*"):
        pid = entry.name[len(prefix) :].split("-", 1)[0]
        if entry.is_dir() and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
