import sys

from dprnn.cli_common import run

from .cli import main

sys.exit(run(main))
