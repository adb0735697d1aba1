#!/usr/bin/python3
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The include rules of src/ (docs/architecture.md), checked on every `make test`.

Folders may include only the folders below them: an arrow that points up (anything into api/, fused/ into
onednn/ or back, a kernel into the engine) is reported with the file and line. The public headers
(include/mkldnn_rnn/) may be included anywhere and include nothing of src/. Besides the arrows, each thing
that has one home is checked to be only there: oneDNN's headers (onednn/), <immintrin.h>
(platform/targets.hpp), CPU feature reads (platform/cpu_features.cpp) and environment reads
(platform/environment.cpp).

Run with the source root as its argument; it first checks itself on planted violations, so that a rule
that stopped matching fails here instead of passing silently.
"""
import pathlib
import re
import sys

# What each folder of src/ may include besides itself and the public headers. The engine's step-kernel
# interface is the one header the kernels and the policy see of the engine: they implement and time it.
STEP_KERNEL = "engine/step_kernel.hpp"
ALLOWED = {
    "api": {"engine", "policy", "weights", "platform", "util"},
    "engine": {"policy", "onednn", "fused", "weights", "platform", "util"},
    "policy": {"weights", "platform", "util", STEP_KERNEL},
    "onednn": {"weights", "platform", "util", STEP_KERNEL},
    "fused": {"weights", "platform", "util", STEP_KERNEL},
    "weights": {"platform", "util"},
    "platform": {"util"},
    "util": set(),
}

# (what, pattern, the only files allowed to have it)
ONE_HOME = [
    ("oneDNN's headers", re.compile(r'#include\s*[<"](oneapi/dnnl/|dnnl)'), ("onednn/",)),
    ("<immintrin.h>", re.compile(r"#include\s*<immintrin\.h>"), ("platform/targets.hpp",)),
    ("a CPU feature read", re.compile(r"__builtin_cpu_supports|__get_cpuid"),
     ("platform/cpu_features.cpp", "platform/cpu_signature.cpp")),
    ("an environment read", re.compile(r"\bgetenv\s*\("), ("platform/environment.cpp",)),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def violations(files):
    """files: {path under src/ or include/: text}. Returns the broken rules, one line each."""
    found = []
    for path, text in sorted(files.items()):
        public = path.startswith("mkldnn_rnn/")
        folder = path.split("/", 1)[0]
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{'include' if public else 'src'}/{path}:{number}"
            m = INCLUDE.match(line)
            if m:
                target = m.group(1)
                if target.startswith("mkldnn_rnn/"):
                    continue
                target_folder = target.split("/", 1)[0]
                if public:
                    found.append(f"{where}: a public header includes {target} of src/")
                elif "/" not in target:
                    found.append(f"{where}: {target}: include src/ headers by their folder (\"folder/name\")")
                elif target_folder not in ALLOWED:
                    found.append(f"{where}: {target}: no folder {target_folder}/ in src/")
                elif target_folder != folder and target_folder not in ALLOWED.get(folder, set()) \
                        and target not in ALLOWED.get(folder, set()):
                    found.append(f"{where}: {folder}/ may not include {target} "
                                 f"(allowed: {', '.join(sorted(ALLOWED.get(folder, set()))) or 'nothing'})")
            for what, pattern, homes in ONE_HOME:
                if pattern.search(line.split("//", 1)[0]) and not public \
                        and not any(path == h or (h.endswith("/") and path.startswith(h)) for h in homes):
                    found.append(f"{where}: {what} outside {', '.join(homes)}")
        if not public and folder not in ALLOWED:
            found.append(f"src/{path}: a file outside the folders of src/ ({', '.join(ALLOWED)})")
    return found


def self_test():
    """Each rule must catch its planted violation, and a clean tree must pass."""
    planted = {
        "fused/a.cpp": '#include "onednn/backend.hpp"\n',
        "onednn/b.cpp": '#include "fused/fused_kernel.hpp"\n',
        "engine/c.cpp": '#include "api/argument_checks.hpp"\n',
        "policy/d.cpp": '#include "engine/model.hpp"\n',
        "util/e.hpp": '#include "platform/isa.hpp"\n',
        "weights/f.cpp": '#include "layouts.hpp"\n',
        "mkldnn_rnn/g.hpp": '#include "util/round_up.hpp"\n',
        "engine/h.cpp": "#include <oneapi/dnnl/dnnl.hpp>\n",
        "fused/i.hpp": "#include <immintrin.h>\n",
        "api/j.cpp": 'bool b = __builtin_cpu_supports("avx2");\n',
        "policy/k.cpp": 'const char* v = std::getenv("X");\n',
        "l.cpp": "int x;\n",
    }
    for path, text in planted.items():
        if not violations({path: text}):
            raise SystemExit(f"check_includes self-test: the planted violation in {path} was not reported")
    clean = {
        "fused/a.cpp": '#include "engine/step_kernel.hpp"\n#include "platform/targets.hpp"\n#include "mkldnn_rnn/types.hpp"\n',
        "engine/b.cpp": '#include "fused/fused_kernel.hpp"\n#include "onednn/backend.hpp"\n',
        "platform/targets.hpp": "#include <immintrin.h>\n",
        "onednn/c.cpp": "#include <oneapi/dnnl/dnnl.hpp>\n",
        "platform/environment.cpp": 'const char* v = std::getenv("X"); // getenv(\n',
    }
    if violations(clean):
        raise SystemExit("check_includes self-test: a clean tree was reported: " + "; ".join(violations(clean)))


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    self_test()
    files = {}
    for base in (root / "src", root / "include"):
        for p in base.rglob("*"):
            if p.suffix in (".hpp", ".cpp", ".inc"):
                files[str(p.relative_to(base))] = p.read_text()
    if not files:
        raise SystemExit(f"check_includes: no sources under {root}/src")
    found = violations(files)
    for line in found:
        print(line)
    print(f"check_includes: {len(files)} files, {len(found)} broken rules")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
