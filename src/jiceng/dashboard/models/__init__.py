"""The dashboard's records: indicator snapshots and the editable classification
(``indicators.py``), the warning centre and the demonstration sites (``warnings.py``,
``sites.py``)."""
