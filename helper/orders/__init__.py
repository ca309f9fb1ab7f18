"""Tracked orders: what a stored capture says about its order (tracking.py), the background OCR of stored
screenshots with its cross-checks (ocr_jobs.py) and imported screenshots (importer.py)."""
