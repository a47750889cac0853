"""CSV manifests: the rows of a spreadsheet of scans, and where its paths point."""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Manifest:
    """The rows of a CSV manifest; relative paths in it resolve against ``root``.

    Attributes:
        rows: one dict per data row, column name to cell text.
        columns: the column names, in file order.
        root: the folder that relative paths resolve against (the manifest's own).
        name: where the rows came from, for messages and reports.
        confined: refuse paths that point outside ``root`` (``..``, ``~``,
            absolute paths, links), for manifests received from others.

    Example:
    >>> row = {"path": "a.png", "label": "genuine"}
    >>> manifest = Manifest((row,), ("path", "label"), Path("/data"))
    >>> len(manifest), manifest.resolve("a.png")
    (1, '/data/a.png')
    """

    rows: tuple[dict[str, str], ...]
    columns: tuple[str, ...]
    root: Path
    name: str = "manifest"
    confined: bool = False

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str, argument: str = "column") -> list[str]:
        """The values of one column, stripped of surrounding spaces.

        Args:
            name: the column.
            argument: the loader argument that named it, for the error message.

        Returns:
            One string per row.

        Raises:
            ValueError: if the manifest has no such column.

        Example:
        >>> Manifest(({"id": " 7 "},), ("id",), Path(".")).column("id")
        ['7']
        """
        if name not in self.columns:
            raise ValueError(
                f"`{argument}` names column {name!r}, which {self.name} does not have; "
                f"its columns are {list(self.columns)}."
            )
        return [(row.get(name) or "").strip() for row in self.rows]

    def resolve(self, path: str) -> str:
        """Resolves a path from the manifest: relative ones against ``root``.

        Args:
            path: a cell of the path column.

        Returns:
            The path as a string.

        Raises:
            ValueError: if the manifest is ``confined`` and the path leads
                outside ``root``.

        Example:
        >>> Manifest((), (), Path("/data")).resolve("/scans/x.tif")
        '/scans/x.tif'
        >>> Manifest((), (), Path("/data"), confined=True).resolve("../etc/passwd")
        Traceback (most recent call last):
        ...
        ValueError: manifest: path '../etc/passwd' leads outside the root '/data' it is confined to.
        """
        resolved = self.root / os.path.expanduser(path)
        if self.confined and not Path(os.path.realpath(resolved)).is_relative_to(
            os.path.realpath(self.root)
        ):
            raise ValueError(
                f"{self.name}: path {path!r} leads outside the root {str(self.root)!r} it is "
                "confined to."
            )
        return str(resolved)

    def select(self, indices: Sequence[int]) -> Manifest:
        """A manifest of some rows, in the order given, with the same root.

        Args:
            indices: row positions.

        Returns:
            A new :class:`Manifest`.

        Example:
        >>> manifest = Manifest(({"p": "a"}, {"p": "b"}), ("p",), Path("."))
        >>> manifest.select([1]).rows
        ({'p': 'b'},)
        """
        return dataclasses.replace(self, rows=tuple(self.rows[i] for i in indices))


def read_manifest(path: str | os.PathLike, *, root: str | os.PathLike | None = None) -> Manifest:
    r"""Reads a CSV manifest (UTF-8, with or without a byte-order mark).

    Args:
        path: the CSV file; its first line names the columns.
        root: confine the manifest's paths to this folder: relative paths
            resolve against it, and a path leading outside it (``..``, ``~``,
            an absolute path, a link) is refused. Use it for manifests received
            from other teams. None resolves against the file's folder and
            follows every path.

    Returns:
        A :class:`Manifest` whose relative paths resolve against ``root`` or
        the file's folder.

    Raises:
        FileNotFoundError: if the file (or ``root``) does not exist.
        ValueError: if it is not UTF-8, has no header, repeats a column name
            or has no data rows.

    Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "train.csv"
    >>> _ = path.write_text("path,label\nscans/1.png,fraud\n")
    >>> read_manifest(path).rows
    ({'path': 'scans/1.png', 'label': 'fraud'},)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Manifest {str(path)!r} does not exist or is not a file.")
    if root is not None and not Path(root).is_dir():
        raise FileNotFoundError(f"`root` {str(root)!r} is not an existing folder.")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = tuple(dict(row) for row in reader)
            columns = tuple(name.strip() for name in reader.fieldnames or ())
    except UnicodeDecodeError as error:
        raise ValueError(
            f"Manifest {str(path)!r} must be UTF-8 text; byte {error.start} is not "
            f"({error.reason}). Save it as UTF-8 (CSV UTF-8 in a spreadsheet)."
        ) from None
    if not columns:
        raise ValueError(f"Manifest {str(path)!r} is empty; expected a header line of columns.")
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ValueError(
            f"Manifest {str(path)!r} repeats the columns {repeated} in its header; each column "
            "needs its own name."
        )
    if not rows:
        raise ValueError(f"Manifest {str(path)!r} has a header but no data rows.")
    rows = tuple({key.strip(): value for key, value in row.items() if key} for row in rows)
    base = path.resolve().parent if root is None else Path(root).resolve()
    return Manifest(rows, columns, base, name=f"manifest {str(path)!r}", confined=root is not None)
