"""Reading and writing tables: CSV/TSV (UTF-8 or CP949/EUC-KR), Parquet, Excel, SPSS and Stata
in; Parquet or CSV out, written atomically. See ``docs/input-files.md``.

- :func:`open_table` — a context manager giving a :class:`Table` (a Polars ``LazyFrame`` and what
  is known about the source); temporary files it makes are removed on exit.
- :func:`write_table` — writes a frame atomically and returns a :class:`WrittenFile` (path, rows,
  SHA-256).
"""

from gamyeong.engine.io.readers import FORMATS, Table, open_table
from gamyeong.engine.io.writers import WrittenFile, write_table

__all__ = ["FORMATS", "Table", "WrittenFile", "open_table", "write_table"]
