"""The public mustache spec, every file but ~lambdas.json, through
$DIGEST_BUILD/mustache-render: each output must equal "expected" byte for
byte. Exit 0 all passed, 1 some failed, 77 the suite or the tool is absent.
"""
import glob
import json
import os
import subprocess
import sys

SKIPPED_FILES = {"~lambdas.json"}  # lambdas are not implemented, by design


def run_test(tool, test):
    request = {
        "template": test["template"],
        "data": test["data"],
        "partials": test.get("partials", {}),
    }
    proc = subprocess.run([tool], input=json.dumps(request).encode("utf-8"),
                          capture_output=True, timeout=30, check=False)
    return proc


def report(name, test, proc):
    print(f"FAIL {name}: {test['name']}")
    print(f"  template: {test['template']!r}")
    print(f"  expected: {test['expected']!r}")
    print(f"  got:      {proc.stdout.decode('utf-8', 'replace')!r}")
    if proc.returncode:
        print(f"  exit {proc.returncode}: "
              f"{proc.stderr.decode('utf-8', 'replace').strip()}")


def main():
    folder = os.path.join(os.environ.get("DIGEST_CONFORMANCE", ""),
                          "mustache-spec")
    if not os.path.isdir(folder):
        print(f"mustache-spec: no suite at {folder}; skipped")
        return 77
    tool = os.path.join(os.environ.get("DIGEST_BUILD", "build"),
                        "mustache-render")
    if not os.access(tool, os.X_OK):
        print(f"mustache-spec: {tool} is not built; skipped")
        return 77
    passed = failed = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        name = os.path.basename(path)
        if name in SKIPPED_FILES:
            continue
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        for test in spec["tests"]:
            proc = run_test(tool, test)
            if (proc.returncode == 0
                    and proc.stdout == test["expected"].encode("utf-8")):
                passed += 1
                continue
            failed += 1
            report(name, test, proc)
    print(f"mustache-spec: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
