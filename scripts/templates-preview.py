#!/usr/bin/python3
"""Render the digest templates with Debian's pystache, for template authors.

The product renders with its own C mustache renderer (core/mustache.c);
this script only lets someone who edits templates/ see the result without
building anything, and check the rules the renderer relies on:

  templates-preview.py text  MODEL.json     the text/plain part
  templates-preview.py html  MODEL.json     the text/html part
  templates-preview.py tips  ASSESSMENT RESULT [NAME]
  templates-preview.py group ASSESSMENT RESULT RESULT...
  templates-preview.py check                every tip file gives 2-3 tips,
                                            every group mix exactly one line

Needs python3-pystache (apt-get install python3-pystache). Not a ctest: the
real renderer is tested through the digest binary.
"""

import itertools
import json
import os
import sys

try:
    import pystache
except ImportError:
    sys.exit("templates-preview: needs python3-pystache (Debian package)")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "templates")


class Partials:
    """Partial x is the file templates/x.mustache, as in the renderer."""

    def get(self, name):
        path = os.path.join(ROOT, name + ".mustache")
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return None


def render(name, data, html=False):
    """Render templates/<name>.mustache; HTML-escape only when html."""
    escape = None if html else (lambda s: s)
    renderer = pystache.Renderer(partials=Partials(), escape=escape,
                                 missing_tags="ignore")
    text = Partials().get(name)
    if text is None:
        return None
    return renderer.render(text, data)


def first_name(name):
    return name.split(" ")[0]


def tips(assessment, result, name="Ömer Yılmaz", title="Engineer"):
    """The tips of one result, one per non-empty line, as the renderer."""
    data = {"name": name, "first_name": first_name(name), "title": title,
            "assessment": assessment, "result": result}
    out = render("tips/%s/%s" % (assessment, result), data)
    if out is None:
        return []
    return [line.strip() for line in out.split("\n") if line.strip()]


def label(assessment):
    out = render("tips/%s/_label" % assessment, {})
    return out.strip() if out is not None else assessment.upper()


def group_data(assessment, room):
    """The data of tips/<a>/_group for room, a list of (first name, result)."""
    counts = {}
    for name, result in room:
        counts.setdefault(result, []).append(name)
    order = sorted(counts, key=lambda r: -len(counts[r]))  # stable

    def join(names):
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]

    data = {"assessment": assessment, "label": label(assessment),
            "count": len(room), "mixed": len(order) > 1,
            "results": [{"result": r, "count": len(counts[r]),
                         "names": join(counts[r])} for r in order]}
    for r in order:
        data["has_" + r] = True
    if len(order) == 1:
        data["all_" + order[0]] = True
    if len(order) == 1 or len(counts[order[0]]) > len(counts[order[1]]):
        data["dominant"] = order[0]
        data["dominant_" + order[0]] = True
    return data


def group(assessment, results):
    names = ["Ana", "Ömer", "Zoë", "中村", "Lee", "Sam", "Kim", "Max"]
    room = [(names[i % len(names)], r) for i, r in enumerate(results)]
    out = render("tips/%s/_group" % assessment, group_data(assessment, room))
    return out.strip() if out is not None else ""


def check():
    problems = 0
    plan = {"disc": (["D", "I", "S", "C"], 5),
            "enneagram": ([str(n) for n in range(1, 10)], 4)}
    for assessment, (results, most) in plan.items():
        for r in results:
            t = tips(assessment, r)
            if not 2 <= len(t) <= 3:
                print("tips/%s/%s: %d tips" % (assessment, r, len(t)))
                problems += 1
            for line in t:
                if "{{" in line or "}}" in line:
                    print("tips/%s/%s: a tag left over: %s" %
                          (assessment, r, line))
                    problems += 1
        lines = set()
        # "X" stands for a result the templates do not know.
        for n in range(2, most + 1):
            for mix in itertools.combinations_with_replacement(
                    results + ["X"], n):
                out = group(assessment, list(mix))
                if not out or "\n" in out or "{{" in out:
                    print("_group %s %s: %r" % (assessment, mix, out))
                    problems += 1
                lines.add(out)
        print("%s: %d tip files, %d distinct group lines" %
              (assessment, len(results), len(lines)))
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3 and argv[1] in ("text", "html"):
        with open(argv[2], encoding="utf-8") as f:
            model = json.load(f)
        sys.stdout.write(render("digest.%s" % ("txt" if argv[1] == "text"
                                               else "html"),
                                model, html=argv[1] == "html"))
        return 0
    if len(argv) in (4, 5) and argv[1] == "tips":
        for line in tips(argv[2], argv[3], *argv[4:]):
            print(line)
        return 0
    if len(argv) >= 5 and argv[1] == "group":
        print(group(argv[2], argv[3:]))
        return 0
    if len(argv) == 2 and argv[1] == "check":
        return check()
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
