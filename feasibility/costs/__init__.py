"""What a depth costs at the deployment size, measured (measure.py, on the model as served: served.py) and estimated
(training.py: the run that would settle a depth). Imports one stage below it per module.
"""
