"""The task as the user wrote it: the task file read and validated into a frozen `TaskSpec` (task.py), the
chained-retrieval layout in integers (layout.py), sweep grids (grid.py) and the bundled profiles (profiles.py).
Imports no other stage.
"""
