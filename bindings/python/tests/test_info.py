# SPDX-License-Identifier: MIT
"""python3 -m synk info prints what the C tool's `synk info` prints."""
import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("env", [{}, {"SYNK_ISA": "scalar"}, {"SYNK_ISA": "nonsense"}])
def test_info_equals_the_c_tool(env):
    e = {k: v for k, v in os.environ.items() if k != "SYNK_ISA"}
    e.update(env)
    c = subprocess.run([os.environ["SYNK_CLI"], "info"], env=e, capture_output=True, text=True, check=True)
    py = subprocess.run([sys.executable, "-m", "synk", "info"], env=e, capture_output=True, text=True, check=True)
    assert py.stdout == c.stdout
    assert "active backend:" in py.stdout


def test_usage():
    r = subprocess.run([sys.executable, "-m", "synk"], capture_output=True, text=True)
    assert r.returncode == 2 and "usage: python3 -m synk info" in r.stderr
