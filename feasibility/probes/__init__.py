"""Training the probes: the model (model.py), the trainer and its stop rules (train.py) and the head scores measured
while training (heads.py); a `ProbeJob` in, a `result.probes.ProbeRun` out. Imports the plan stage only.
"""
