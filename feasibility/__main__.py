"""`python -m feasibility` runs the command-line interface."""

from feasibility.cli import main

main()
