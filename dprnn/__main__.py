import sys

from .cli import main
from .cli_common import run

sys.exit(run(main))
