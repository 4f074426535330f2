"""The pipeline folder, the only one that drives the stages: `assess` (pipeline.py), the depth search (search.py),
the executors that run probe jobs here or on Ray (executors.py), the probe cache (cache.py) and sweeps (sweep.py).
"""
