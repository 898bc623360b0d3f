"""scripts/check-layers.py: the tree keeps its layer map, and the check
fails, naming the file, the line and the include, when it does not."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from digesttest import SRC, check, finish  # noqa: E402

SCRIPT = os.path.join(SRC, "scripts", "check-layers.py")


def run(root):
    r = subprocess.run([sys.executable, SCRIPT, root], capture_output=True,
                       text=True)
    return r.returncode, r.stderr


def tree(files):
    """A scratch tree: {"core/err.h": "text", ...}."""
    root = tempfile.mkdtemp(prefix="layers.")
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return root


rc, err = run(SRC)
check(rc == 0, "the project's own tree keeps its layers", err)

rc, err = run(tree({
    "core/err.h": "",
    "core/job.h": '#include "err.h"\n',
    "core/err.c": '#include "err.h"\n#include <stdio.h>\n#include "job.h"\n',
}))
check(rc == 1, "an include that goes up fails the check", rc)
check("core/err.c:3" in err and '"job.h"' in err and "base layer" in err,
      "the message names the file, the line, the include and the layer",
      err)

rc, err = run(tree({
    "core/queue.h": "",
    "core/graph.h": "",
    "core/graph.c": '#include "graph.h"\n#include "queue.h"\n',
}))
check(rc == 1 and "core/graph.c:2" in err and "mail layer" in err,
      "two layers of one rank do not include each other", err)

rc, err = run(tree({
    "core/err.h": "",
    "core/wobble.c": '#include "err.h"\n',
}))
check(rc == 1 and "'wobble'" in err and "add it to LAYERS" in err,
      "a module on no layer is an error that says where to add it", err)

rc, err = run(tree({
    "core/plan.h": '#include "match.h"\n',
    "core/match.h": '#include "plan.h"\n',
}))
check(rc == 1 and "circle" in err and "plan" in err and "match" in err,
      "modules of one layer that include each other are a circle", err)

rc, err = run(tree({
    "core/err.c": '#include "nothere.h"\n',
}))
check(rc == 1 and '"nothere.h"' in err,
      "an include of no file of the tree is named", err)

rc, err = run(tree({
    "core/err.h": "",
    "core/job.h": "",
    "cmd/cmd.h": '#include "err.h"\n',
    "cmd/run.c": '#include "cmd.h"\n#include "job.h"\n',
}))
check(rc == 0, "cmd/ may include every layer below it", err)

finish()
