"""``python -m sklarith`` runs the ``sklarith`` command."""

from .cli import main

main()
