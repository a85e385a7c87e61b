"""The zoobench notebooks' one helper: the result tables of a warehouse as pandas DataFrames.

``Tables(WAREHOUSE)`` reads a ``zoobench export`` snapshot (a folder with ``snapshot.json`` and
one Parquet folder per table and per view) with DuckDB; given a warehouse (a folder with
``catalog.db``) it first exports it with ``bin/zoobench export`` into a temporary folder. With
``engine="spark"`` every query goes through ``bin/zoobench sql --file`` instead (Spark SQL on
the Iceberg tables, one JVM per query). Queries are the files of ``notebooks/sql/``, written in
the SQL both engines accept, so the notebooks, ``zoobench sql --file`` and the tests run the
same text.
"""
import json
import pathlib
import subprocess
import tempfile

import duckdb
import pandas as pd

NOTEBOOKS = pathlib.Path(__file__).resolve().parent
ROOT = NOTEBOOKS.parent
SQL = NOTEBOOKS / "sql"
ZOOBENCH = ROOT / "bin" / "zoobench"


class Tables:
    """The tables of one warehouse or export, queried by the names of ``notebooks/sql/``."""

    def __init__(self, warehouse, engine="duckdb"):
        path = pathlib.Path(warehouse).expanduser().resolve()
        if engine not in ("duckdb", "spark"):
            raise ValueError(f"ENGINE {engine!r}: expected 'duckdb' or 'spark'")
        self.engine = engine
        self.warehouse = path
        if (path / "snapshot.json").is_file():
            self.export = path
        elif (path / "catalog.db").is_file():
            self.export = None if engine == "spark" else self._export(path)
        else:
            raise ValueError(f"{warehouse}: neither a zoobench export (snapshot.json) nor a"
                             " warehouse (catalog.db); set WAREHOUSE")
        if engine == "spark" and self.export is not None:
            raise ValueError(f"{warehouse}: an export has no Iceberg tables; use ENGINE 'duckdb'")
        self.con = duckdb.connect()
        if self.export is not None:
            for folder in sorted(p for p in self.export.iterdir() if p.is_dir()):
                if any(folder.glob("*.parquet")):
                    self.con.execute(f"CREATE VIEW {folder.name} AS SELECT * FROM"
                                     f" read_parquet('{folder}/*.parquet')")

    @staticmethod
    def _export(warehouse):
        out = pathlib.Path(tempfile.mkdtemp(prefix="zoobench-export-")) / "export"
        subprocess.run([str(ZOOBENCH), "export", "--warehouse", str(warehouse), "--out",
                        str(out)], check=True, stdout=subprocess.DEVNULL)
        return out

    def snapshot(self):
        """Rows per table and view of the snapshot read (export only), as a DataFrame."""
        if self.export is None:
            return pd.DataFrame(columns=["rows"])
        manifest = json.loads((self.export / "snapshot.json").read_text())
        return pd.DataFrame({"rows": manifest["rows"]}).rename_axis("table")

    def has(self, table):
        """Whether the warehouse has ``table`` (e.g. ``curves``, which newer zoobench writes)."""
        if self.export is not None:
            return (self.export / table).is_dir()
        return subprocess.run([str(ZOOBENCH), "sql", "--warehouse", str(self.warehouse),
                               f"DESCRIBE {table}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0

    def query(self, name):
        """The rows of ``notebooks/sql/<name>.sql`` as a DataFrame."""
        file = SQL / f"{name}.sql"
        if self.engine == "duckdb":
            return self.con.sql(file.read_text()).df()
        done = subprocess.run([str(ZOOBENCH), "sql", "--warehouse", str(self.warehouse),
                               "--format", "jsonl", "--file", str(file)],
                              check=True, capture_output=True, text=True)
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        return pd.DataFrame(lines)
