# SPDX-License-Identifier: MIT
"""python3 -m synk info: what `synk info` prints, through the bindings."""
import os
import sys

import synk


def info():
    print(f"synk {synk.version()}")
    features = synk.cpu_features()
    print("cpu features:" + ("".join(f" {f}" for f in features) if features else " (none detected)"))
    print("backends (best first):")
    for name in synk.isa_list():
        emu = synk.isa_emulated(name)
        what = ("emulated (SIMDe; a correctness check, never a performance claim)" if emu == 1
                else "native" if emu == 0 else "unknown")
        print(f"  {name:<8} {what}")
    env = os.environ.get("SYNK_ISA")
    print(f"active backend: {synk.isa()}" + (f" (SYNK_ISA={env})" if env is not None else ""))
    return 0


def main(argv):
    if argv == ["info"]:
        return info()
    print("usage: python3 -m synk info", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
