"""What every command line of the project shares: one-line errors and exit codes."""
from __future__ import annotations

import sys

EXIT_ERROR = 1


def run(main, argv=None) -> int:
    """Runs `main(argv)`; a project error becomes one line on stderr and exit code 1."""
    from .errors import DPRNNError

    try:
        return main(argv) or 0
    except DPRNNError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
