import sys

from .cli_common import quiet_tensorflow, run

quiet_tensorflow()
from .cli import main  # noqa: E402

sys.exit(run(main))
