"""The results every stage hands on and every renderer reads, typed, with JSON only in their to_dict/from_dict:
probe runs and verdicts (probes.py), what a curve says of a probe's inside (inside.py) and the assessment (assessment.py).
Imports nothing that trains, measures or decides: only the plan's plain job data that a run records.
"""
