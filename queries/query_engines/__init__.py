"""The engines that stand in for Athena off the cloud (DuckDB through transpilation, Trino), and what is checked and estimated with them.

Modules: ``catalog`` (the ``*.sql`` + ``*.schema.json`` catalog as ``model/queryCatalog.ts``
loads it, read from ``query_catalog.json``, which ``npm run python:json`` writes, and the checks of
each SQL's references), ``transpile`` (sqlglot, athena -> duckdb), ``schemas`` (DuckDB and Trino
types vs the declared Athena types, by the column type table ``query_engines.column_types``; schema
comparison), ``local`` (run everything on DuckDB over the local warehouse Parquet; CLI),
``glue_catalog`` (the Glue tables and named queries of synthesized manifests, written into a
Trino file metastore), ``trino_engine`` (a local Trino server over that metastore; CLI).
Installed into ``.venv`` by ``tools/venv.sh`` (``queries/pyproject.toml``); see ``queries/README.md``.
"""
