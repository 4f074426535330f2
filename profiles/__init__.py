"""The bundled task profiles, as package data (`feasibility.profiles`): the YAML files beside this one.

pyproject.toml maps this folder into the package, so `importlib.resources` finds the profiles in every install.
"""
