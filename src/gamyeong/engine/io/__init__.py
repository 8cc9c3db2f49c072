"""Reading and writing tables: CSV (UTF-8 or CP949/EUC-KR), Excel, Parquet, SPSS, Stata in;
Parquet or CSV out, written atomically."""

from gamyeong.engine.io.readers import Table, open_table
from gamyeong.engine.io.writers import WrittenFile, write_table

__all__ = ["Table", "WrittenFile", "open_table", "write_table"]
