"""The pure core: from a frozen `FetchedPage` to records and decisions, with no I/O.

Discovery (`discovery.py`), extraction (`article.py`, `html_*.py`, `metadata.py`,
`boilerplate.py`), language (`language.py`), fingerprints (`fingerprint.py`) and linking
(`alternates.py`, `linking.py`, `matching*.py`); `analysis.py` runs them over one page. Nothing
here imports httpx, Prefect or SQL.
"""
