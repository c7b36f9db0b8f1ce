"""``python -m sklarith`` runs the ``sklarith`` command."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:
    # Ctrl-C before the command's own handler is in place: the same line and
    # exit status as after.
    print("\nsklarith: interrupted", file=sys.stderr)
    sys.exit(130)

main()
