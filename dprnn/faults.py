"""Kill points for the reliability tests: a real SIGKILL at an exact moment.

With `DPRNN_KILL_AT=NAME[@TEXT][:N]`, the process kills itself with SIGKILL the first (or Nth) time
it reaches the point NAME with TEXT in the point's detail (such as the file being saved), so a test
can stop a search while a file is half-saved or between two trials, moments a kill from outside
would only hit by luck. Without the variable a point is an environment lookup and nothing else.
"""
from __future__ import annotations

import os
import signal

ENV = "DPRNN_KILL_AT"
_reached: dict[str, int] = {}


def kill_point(name: str, detail: str = "") -> None:
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    point, _, text = point.partition("@")
    if point != name or text not in detail:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
