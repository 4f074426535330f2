"""What to train, decided from the spec alone: the theory's depth bounds (bounds.py), the probe plan (probe_plan.py),
the training recipe's numbers (recipe.py, their one home), the synthetic task generator (tasks.py) and a depth's
probes as plain data (jobs.py). Imports the spec stage only.
"""
