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

        Example:
        >>> Manifest((), (), Path("/data")).resolve("/scans/x.tif")
        '/scans/x.tif'
        """
        return str(self.root / os.path.expanduser(path))

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


def read_manifest(path: str | os.PathLike) -> Manifest:
    r"""Reads a CSV manifest (UTF-8, with or without a byte-order mark).

    Args:
        path: the CSV file; its first line names the columns.

    Returns:
        A :class:`Manifest` whose relative paths resolve against the file's folder.

    Raises:
        FileNotFoundError: if the file does not exist.
        ValueError: if it has no header or no data rows.

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
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = tuple(dict(row) for row in reader)
        columns = tuple(name.strip() for name in reader.fieldnames or ())
    if not columns:
        raise ValueError(f"Manifest {str(path)!r} is empty; expected a header line of columns.")
    if not rows:
        raise ValueError(f"Manifest {str(path)!r} has a header but no data rows.")
    rows = tuple({key.strip(): value for key, value in row.items() if key} for row in rows)
    return Manifest(rows, columns, path.resolve().parent, name=f"manifest {str(path)!r}")
