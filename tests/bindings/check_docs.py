"""README's bindings and packaging examples are the files the tests run,
and they run: each fenced block of README.md that shows one of the files
below must be that file, byte for byte; the Python and the JavaScript
quickstarts must run and print the same world hash (native and WebAssembly).

    check_docs.py SOURCE_DIR BUILD_DIR    (ctest docs_examples)
"""
import os
import re
import subprocess
import sys
import tempfile

src, build = sys.argv[1], sys.argv[2]
readme = open(os.path.join(src, "README.md")).read()
blocks = [b for b in re.findall(r"```\w*\n(.*?)```", readme, re.S)]
shown = {"examples/python/quickstart.py": "python", "examples/js/quickstart.mjs": "js",
         "tests/packaging/find_package/CMakeLists.txt": "cmake"}
for path in shown:
    text = open(os.path.join(src, path)).read()
    if text not in blocks:
        sys.exit(f"README.md: no code block equal to {path} (update the README when the file changes)")

env = dict(os.environ, PYTHONPATH=os.path.join(build, "python"))
py = subprocess.run([sys.executable, os.path.join(src, "examples/python/quickstart.py")], env=env,
                    capture_output=True, text=True)
if py.returncode or py.stdout.splitlines()[0] != "SYNK_E_DEAD 4":
    sys.exit(f"examples/python/quickstart.py failed:\n{py.stdout}{py.stderr}")
with tempfile.TemporaryDirectory() as d:  # as an app that installed the package
    os.makedirs(os.path.join(d, "node_modules"))
    os.symlink(os.path.join(build, "js/synk"), os.path.join(d, "node_modules/synk"))
    with open(os.path.join(d, "quickstart.mjs"), "w") as f:
        f.write(open(os.path.join(src, "examples/js/quickstart.mjs")).read())
    js = subprocess.run(["node", "quickstart.mjs"], cwd=d, capture_output=True, text=True)
if js.returncode or js.stdout.splitlines()[0] != "SYNK_E_DEAD 4":
    sys.exit(f"examples/js/quickstart.mjs failed:\n{js.stdout}{js.stderr}")
h_py, h_js = py.stdout.split()[-1], js.stdout.split()[-1]
if not re.fullmatch(r"[0-9a-f]{16}", h_py) or h_py != h_js:
    sys.exit(f"the examples disagree: Python {h_py}, JavaScript {h_js}")
print(f"ok: README blocks match {', '.join(shown)}; both quickstarts end on {h_py}")
