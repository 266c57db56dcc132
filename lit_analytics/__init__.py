"""Follow-up tool for France's territorial public innovation labs (LIT).

Everything except the `ui` package imports without Streamlit. Data flows one way:
files → ingest (validation) → store (DuckDB) → indicators → charts → pages / export.
"""

__version__ = "0.1.0"
