"""Pure PySpark transforms of the spotify-pipeline ETL; see etl/README.md for the flow and policies."""
