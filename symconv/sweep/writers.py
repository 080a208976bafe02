"""The rows of a sweep as a table: CSV, JSON lines or Parquet, written chunk by chunk as they come.

Every value is exact. An axis of integers is a column of integers; an axis of other rationals a column of
text such as ``3/4`` (every value of it, ``1`` too, so that a column has one type); a count an integer.
Parquet stores 64-bit integers: a count beyond them is refused, where CSV and JSON lines write it whole.

>>> import io
>>> from symconv.sweep.space import Space, read_axis
>>> space = Space((read_axis("alpha=1/2,1"),))
>>> out = io.StringIO()
>>> with CsvWriter(out, space, ("macs",)) as table:
...     table.write([np.array([1, 0])], {"macs": np.array([300, 150])})
>>> print(out.getvalue(), end="")
alpha,macs
1,300
1/2,150
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

from symconv.errors import SymconvError
from symconv.sweep.space import Space, shown_value

__all__ = ["FORMATS", "CsvWriter", "JsonLinesWriter", "ParquetWriter", "Writer", "format_of", "writer_for"]

#: The formats, by the suffix of the file they are written to.
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}


def format_of(path: str | Path) -> str:
    """The format a file's suffix names."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise SymconvError(f"{path}: write to a file ending in {', '.join(FORMATS)}")
    return FORMATS[suffix]


class Writer:
    """A table of the axes' values and the counts, one row a point; a context manager that closes it."""

    def __init__(self, space: Space, totals: Sequence[str]) -> None:
        self.space = space
        self.totals = tuple(totals)
        self.columns = (*space.names, *self.totals)
        # each axis's values as the table writes them: Python ints, or text for an axis of fractions
        self._values = [np.array([int(v) for v in a.values] if a.integral else [shown_value(v) for v in a.values],
                                 dtype=object) for a in space.axes]

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish the table."""

    def _columns(self, indices: Sequence[np.ndarray], totals: Mapping[str, np.ndarray]) -> list[list[Any]]:
        return [*(values[index].tolist() for values, index in zip(self._values, indices, strict=True)),
                *(np.asarray(totals[name]).tolist() for name in self.totals)]

    def write(self, indices: Sequence[np.ndarray], totals: Mapping[str, np.ndarray]) -> None:
        """Add the rows of the points with these axis ``indices`` and ``totals``."""
        raise NotImplementedError


class _TextWriter(Writer):
    """A table written to a text stream, closed with the table when the writer opened it (``owned``)."""

    def __init__(self, stream: IO[str], space: Space, totals: Sequence[str], owned: bool = False) -> None:
        super().__init__(space, totals)
        self.stream = stream
        self.owned = owned

    def close(self) -> None:
        if self.owned:
            self.stream.close()
        else:
            self.stream.flush()


class CsvWriter(_TextWriter):
    """CSV with a header; every value is a number or a fraction, so nothing needs quoting."""

    def __init__(self, stream: IO[str], space: Space, totals: Sequence[str], owned: bool = False) -> None:
        super().__init__(stream, space, totals, owned)
        stream.write(",".join(self.columns) + "\n")

    def write(self, indices: Sequence[np.ndarray], totals: Mapping[str, np.ndarray]) -> None:
        columns = self._columns(indices, totals)
        self.stream.write("".join(",".join(map(str, row)) + "\n" for row in zip(*columns, strict=True)))


class JsonLinesWriter(_TextWriter):
    """One JSON object a line, keyed by the column names."""

    def write(self, indices: Sequence[np.ndarray], totals: Mapping[str, np.ndarray]) -> None:
        columns = self._columns(indices, totals)
        self.stream.write("".join(json.dumps(dict(zip(self.columns, row, strict=True))) + "\n"
                                  for row in zip(*columns, strict=True)))


class ParquetWriter(Writer):
    """Parquet through pyarrow: int64 columns, and text for an axis of fractions."""

    def __init__(self, path: str | Path, space: Space, totals: Sequence[str]) -> None:
        super().__init__(space, totals)
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise SymconvError("writing Parquet needs pyarrow: pip install pyarrow") from None
        self._pa = pa
        self.schema = pa.schema([(a.name, pa.int64() if a.integral else pa.string()) for a in space.axes]
                                + [(name, pa.int64()) for name in self.totals])
        self._file = pq.ParquetWriter(str(path), self.schema)

    def write(self, indices: Sequence[np.ndarray], totals: Mapping[str, np.ndarray]) -> None:
        pa = self._pa
        for name in self.totals:
            total = np.asarray(totals[name])
            if total.dtype == object and len(total) and max(abs(int(v)) for v in total) >= 2**63:
                raise SymconvError(f"{name} exceeds 64-bit integers, which Parquet stores: write CSV or JSON lines")
        columns = self._columns(indices, totals)
        arrays = [pa.array(column, type=self.schema.field(i).type) for i, column in enumerate(columns)]
        self._file.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self._file.close()


def writer_for(path: str | Path | None, stream: IO[str], space: Space, totals: Sequence[str]) -> Writer:
    """The writer of ``path`` by its suffix (CSV to ``stream`` without a path); a text file is opened here
    and closed with the writer."""
    if path is None:
        return CsvWriter(stream, space, totals)
    kind = format_of(path)
    if kind == "parquet":
        return ParquetWriter(path, space, totals)
    try:
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by the writer
    except OSError as error:
        raise SymconvError(f"{path}: cannot write ({error.strerror})") from None
    return (CsvWriter if kind == "csv" else JsonLinesWriter)(handle, space, totals, owned=True)
