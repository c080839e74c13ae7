# SPDX-License-Identifier: MIT
"""The documentation's code never rots (ctest docs_examples).

Every fenced C, C++, Python, JavaScript or CMake block of the documents below
carries a marker on the line before its fence:

    <!-- example: examples/quickstart.c -->   the block is that file, byte for
                                               byte (but for the file's SPDX
                                               license line); the file is built and run
                                               by the tests (a C example must be
                                               an examples/ target, and is also
                                               compiled and run here, standalone,
                                               against the installed headers and
                                               library with the line the README
                                               gives)
    <!-- fragment -->                         an excerpt, not runnable alone

A block without a marker, or one whose file differs, fails the test. The
Python and JavaScript quickstarts run and must print the same world hash
(native and WebAssembly).

    check_docs.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

src, build = sys.argv[1], sys.argv[2]
DOCS = ["README.md", "bindings/python/README.md", "bindings/js/README.md",
        "docs/hash.md", "docs/protocol.md", "docs/wire-format.md"]
CHECKED = {"c", "cpp", "c++", "python", "py", "js", "javascript", "mjs", "cmake"}
FENCE = re.compile(r"^```(\w[\w+]*)?\s*$")
MARK = re.compile(r"^<!-- (example: (\S+)|fragment) -->$")

errors = []
examples = {}  # path -> language
for doc in DOCS:
    path = os.path.join(src, doc)
    if not os.path.exists(path):
        continue
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang = (m.group(1) or "").lower()
        start = i
        i += 1
        body = []
        while i < len(lines) and lines[i] != "```":
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        if lang not in CHECKED:
            continue
        prev = lines[start - 1] if start > 0 else ""
        mk = MARK.match(prev)
        where = f"{doc}:{start + 1}"
        if not mk:
            errors.append(f"{where}: a ```{lang} block without '<!-- example: PATH -->' or '<!-- fragment -->' "
                          "on the line before it")
            continue
        if mk.group(2):
            file = mk.group(2)
            fp = os.path.join(src, file)
            if not os.path.exists(fp):
                errors.append(f"{where}: names {file}, which does not exist")
                continue
            text = "\n".join(body) + "\n"
            shown = open(fp).read()
            # the documents show the code without the file's license line
            shown = re.sub(r"\A(/\* SPDX-License-Identifier: [^\n]*\*/|(#|//) SPDX-License-Identifier: [^\n]*)\n",
                           "", shown)
            if shown != text:
                errors.append(f"{where}: the block differs from {file} (update the document when the file changes)")
                continue
            examples[file] = lang

# C examples must be targets of examples/CMakeLists.txt (built and run by ctest)
ex_cmake = open(os.path.join(src, "examples/CMakeLists.txt")).read()
for file, lang in examples.items():
    if lang == "c":
        name = os.path.splitext(os.path.basename(file))[0]
        if not (file.startswith("examples/") and re.search(r"\b%s\b" % re.escape(name), ex_cmake)):
            errors.append(f"{file}: a C example the documents show must be built and run by examples/CMakeLists.txt")

# C examples compile and run standalone against an installed synk, with the
# command the README gives (pkg-config), exactly as a user would paste them
cc = shutil.which("cc") or shutil.which("gcc")
c_examples = [f for f, lang in examples.items() if lang == "c"]
if c_examples and cc:
    with tempfile.TemporaryDirectory() as d:
        prefix = os.path.join(d, "prefix")
        r = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
        if r.returncode:
            errors.append(f"cmake --install failed:\n{r.stdout}{r.stderr}")
        else:
            libdir = next(os.path.join(prefix, p) for p in ("lib", "lib64", "lib/x86_64-linux-gnu")
                          if os.path.exists(os.path.join(prefix, p, "pkgconfig/synk.pc")))
            env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(libdir, "pkgconfig"))
            flags = subprocess.run(["pkg-config", "--cflags", "--libs", "synk"], env=env,
                                   capture_output=True, text=True)
            if flags.returncode:
                errors.append(f"pkg-config --cflags --libs synk failed: {flags.stderr}")
            else:
                for f in c_examples:
                    exe = os.path.join(d, os.path.basename(f) + ".bin")
                    cmd = [cc, "-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror", os.path.join(src, f),
                           "-o", exe] + flags.stdout.split()
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode:
                        errors.append(f"{f}: does not compile standalone ({' '.join(cmd)}):\n{r.stderr}")
                        continue
                    r = subprocess.run([exe], capture_output=True, text=True, timeout=120)
                    if r.returncode:
                        errors.append(f"{f}: exits {r.returncode} when run standalone:\n{r.stdout}{r.stderr}")

if errors:
    sys.exit("\n".join(errors))

for need in ("examples/quickstart.c", "examples/python/quickstart.py", "examples/js/quickstart.mjs"):
    if need not in examples:
        sys.exit(f"README.md: no '<!-- example: {need} -->' block")

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
print(f"ok: {len(examples)} document blocks are their files ({', '.join(sorted(examples))}); "
      f"{len(c_examples)} C example(s) built standalone with pkg-config and run; both quickstarts end on {h_py}")
