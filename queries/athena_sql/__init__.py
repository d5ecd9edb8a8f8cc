"""Athena SQL of the spotify-pipeline: catalog, transpilation to DuckDB and local execution.

Modules: ``catalog`` (load and validate ``*.sql`` + ``*.schema.json``), ``transpile``
(sqlglot, athena -> duckdb), ``schemas`` (DuckDB -> Athena types, schema comparison),
``local`` (run everything on DuckDB over the local warehouse Parquet; CLI).
Import with ``queries/`` on ``sys.path`` (``PYTHONPATH=queries``); see ``queries/README.md``.
"""
