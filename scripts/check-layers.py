#!/usr/bin/python3
"""Check the layer map of core/README.md against the #include lines.

Usage: scripts/check-layers.py [ROOT]   (ROOT: the source tree, default ..)

Every file of core/ and cmd/ belongs to one module and every module to one
layer (LAYERS below, the same map as core/README.md). A module may include
the headers of its own layer and of layers of a lower rank; two layers of
one rank (source and mail) do not include each other. The modules must
not include each other in a circle either. Each offending #include is
printed as FILE:LINE with what it includes and why it may not; the exit
status is 1 when there is one, 0 otherwise.

A new module goes into LAYERS (and core/README.md) before it builds: a
file of no known module is an error that says so.
"""
import os
import re
import sys

# The layers, lowest first: (layer, rank, its modules). Keep in step with
# core/README.md.
LAYERS = [
    ("base", 0, """
        err logging strbuf text hmap clock tz secret config store toml
        mustache calendar runlock interrupt i18n i18n_fmt i18n_list linktoken
        prefs metrics
        history
        textclean meetlink workhours jsonw memo
    """),
    ("source", 1, """
        graph graphjson auth users users_sync fixtures source
        roster roster_build roster_csv roster_jsonl roster_db roster_import
    """),
    ("mail", 1, """
        mime mimehdr mimeqp queue deliver smtp maildir mbox unsubscribe
    """),
    ("stages", 2, """
        plan match directory render compose hours conflicts
    """),
    ("job", 3, """
        job status about serve
    """),
    ("cmd", 4, """
        cmd
    """),
]

# Files that are a part of another module: a private header, or a second
# source file of one module (prefix_int.h, prefix_more.c).
PARTS = {
    "graph_int": "graph",
    "i18n_int": "i18n",
    "render_int": "render",
    "render_day": "render",
    "render_hours": "render",
    "render_history": "render",
    "render_model": "render",
    "render_people": "render",
    "render_groups": "render",
    "render_tips": "render",
    "graph_answer": "graph",
    "graph_queue": "graph",
    "graph_url": "graph",
    "graph_wait": "graph",
    "graphjson_int": "graphjson",
    "graphjson_auth": "graphjson",
    "graphjson_batch": "graphjson",
    "graphjson_dir": "graphjson",
    "graphjson_cal": "graphjson",
    "graphjson_parse": "graphjson",
    "graphjson_doc": "graphjson",
    "graphjson_events": "graphjson",
    "auth_seal": "auth",
    "store_db": "store",
    "config_int": "config",
    "config_get": "config",
    "toml_scan": "toml",
    "toml_scalar": "toml",
    "toml_int": "toml",
    "toml_tree": "toml",
    "mustache_tree": "mustache",
    "mustache_render": "mustache",
    "mustache_partials": "mustache",
    "mustache_value": "mustache",
    "mustache_scan": "mustache",
    "mustache_json": "mustache",
    "tz_int": "tz",
    "tz_label": "tz",
    "mime_int": "mime",
    "mime_fields": "mime",
    "queue_int": "queue",
    "queue_status": "queue",
    "smtp_int": "smtp",
    "smtp_pool": "smtp",
    "plan_int": "plan",
    "plan_cache": "plan",
    "plan_day": "plan",
    "job_int": "job",
    "job_retry": "job",
    "compose_pool": "compose",
    "job_history": "job",
    "job_backfill": "job",
    "job_ctx": "job",
    "job_user": "job",
    "job_report": "job",
    "job_preview": "job",
    "source_graph": "source",
    "source_graph_int": "source",
    "source_graph_groups": "source",
    "serve_int": "serve",
    "serve_page": "serve",
    "serve_req": "serve",
}

# Every file of these folders is a part of one module: the command.
FOLDER_MODULES = {"cmd": "cmd"}

SOURCE_DIRS = ("core", "cmd")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_table():
    table = {}
    for layer, rank, modules in LAYERS:
        for module in modules.split():
            table[module] = (layer, rank)
    return table


def module_of(folder, name):
    """The module of core/name.c or cmd/name.c."""
    if folder in FOLDER_MODULES:
        return FOLDER_MODULES[folder]
    stem = os.path.splitext(name)[0]
    return PARTS.get(stem, stem)


def sources(root):
    for folder in SOURCE_DIRS:
        path = os.path.join(root, folder)
        if not os.path.isdir(path):
            continue
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                yield folder, name


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield number, m.group(1)


def find_header(root, folder, header):
    """The (folder, name) an include names: its own folder first, as cc."""
    for where in (folder,) + SOURCE_DIRS:
        if os.path.isfile(os.path.join(root, where, header)):
            return where, header
    return None


def cycle_in(edges):
    """One circle of the module graph as a list, or None."""
    state = {}

    def visit(module, trail):
        state[module] = "open"
        trail.append(module)
        for nxt in sorted(edges.get(module, ())):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, trail)
                if found:
                    return found
        trail.pop()
        state[module] = "done"
        return None

    for module in sorted(edges):
        if module not in state:
            found = visit(module, [])
            if found:
                return found
    return None


def check(root):
    table = layer_table()
    problems = []
    edges = {}
    for folder, name in sources(root):
        rel = f"{folder}/{name}"
        module = module_of(folder, name)
        if module not in table:
            problems.append(
                f"{rel}: module '{module}' is on no layer of the map: add "
                f"it to LAYERS in scripts/check-layers.py and to the map "
                f"in core/README.md (or to PARTS, if it is a part of "
                f"another module)")
            continue
        layer, rank = table[module]
        for line, header in includes(os.path.join(root, folder, name)):
            found = find_header(root, folder, header)
            if not found:
                problems.append(
                    f"{rel}:{line}: includes \"{header}\", which is no "
                    f"file of {' or '.join(SOURCE_DIRS)}/")
                continue
            other = module_of(*found)
            if other not in table:
                continue  # reported where that file itself is read
            if other == module:
                continue
            edges.setdefault(module, set()).add(other)
            olayer, orank = table[other]
            if olayer == layer or orank < rank:
                continue
            problems.append(
                f"{rel}:{line}: includes \"{header}\" ({olayer} layer) "
                f"from the {layer} layer: a module includes only its own "
                f"layer or those below it")
    circle = cycle_in(edges)
    if circle:
        problems.append("modules include each other in a circle: " +
                        " -> ".join(circle))
    return problems


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = argv[1] if len(argv) > 1 else os.path.join(here, "..")
    problems = check(root)
    for p in problems:
        print(f"check-layers: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
