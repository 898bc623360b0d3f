"""digest roster import FILE and roster list: a CSV or JSON lines roster
replaces the stored one; a file with a bad row is refused whole (exit 2),
the message names the file and the line where the row starts, and the
roster stored before stays as it was."""
import re

from digesttest import Scratch, check, finish, text

s = Scratch()
# Only `roster import` may change the roster here: no file synced by a run.
with open(s.config, encoding="utf-8") as f:
    config = f.read()
s.write_config(re.sub(r"(?m)^file = .*$", "", config))


def write(name, content):
    with open(s.path(name), "w", encoding="utf-8", newline="") as f:
        f.write(content)
    return name


def roster_list():
    r = s.run("roster", "list")
    check(r.returncode == 0, "roster list exits 0", text(r.stderr))
    return text(r.stdout)


def imported(name, n):
    r = s.run("roster", "import", name)
    check(r.returncode == 0, f"roster import {name} exits 0", text(r.stderr))
    check(f"{n} people" in text(r.stderr), f"the import of {name} says it read {n} people",
          text(r.stderr))


# ---- a good CSV ----

write("team.csv",
      "email,name,title,aliases,opt_out,disc,enneagram\r\n"
      "ann@contoso.com,Ann Archer,\"Director, Sales\",aa@contoso.com;ann.a@contoso.com,false,D,8\r\n"
      "bob@contoso.com,Bob Brown,Engineer,,true,S,\r\n"
      "pat@fabrikam.com,Pat Kim,,,,,2\r\n")
imported("team.csv", 3)
team = roster_list()
check(team == "ann@contoso.com\tAnn Archer\tDirector, Sales\taa@contoso.com;ann.a@contoso.com\t\tdisc=D enneagram=8\n"
      "bob@contoso.com\tBob Brown\tEngineer\t\topt_out\tdisc=S\n"
      "pat@fabrikam.com\tPat Kim\t\t\t\tenneagram=2\n",
      "roster list shows each person: quoted title, aliases, opt_out, results (empty cells none)",
      team)

# ---- bad rows: refused whole, file and line named, old roster kept ----

BAD = [
    ("no-email.csv", "email,name,disc\nann@contoso.com,Ann,D\n,Bob,S\n",
     "no-email.csv:3: row has no email"),
    ("bad-address.csv", "email,name,disc\nann@contoso.com,Ann,D\nbob.contoso.com,Bob,S\n",
     "bad-address.csv:3: 'bob.contoso.com' is not an email address"),
    ("duplicate.csv", "email,name\nann@contoso.com,Ann\nbob@contoso.com,Bob\nANN@contoso.com,Ann again\n",
     "duplicate.csv:4: duplicate email ANN@contoso.com (first on line 2)"),
    ("alias-taken.csv", "email,name,aliases\nann@contoso.com,Ann,\nbob@contoso.com,Bob,ann@contoso.com\n",
     "alias-taken.csv:3: duplicate alias ann@contoso.com (first on line 2)"),
    ("bad-opt-out.csv", "email,name,opt_out\nann@contoso.com,Ann,false\nbob@contoso.com,Bob,maybe\n",
     "bad-opt-out.csv:3: opt_out must be true or false, not 'maybe'"),
    # A quoted title over two lines: the bad row after it starts on line 4.
    ("multiline.csv", "email,name,title\nann@contoso.com,Ann,\"Head of\nSales\"\nnot-an-address,Bob,\n",
     "multiline.csv:4: 'not-an-address' is not an email address"),
    ("no-email-column.csv", "name,disc\nAnn,D\n", "no-email-column.csv:1: no 'email' column"),
    ("bad.jsonl", '{"email": "ann@contoso.com"}\n{"email": "bob@contoso.com", "opt_out": "yes"}\n',
     'bad.jsonl:2: opt_out must be true or false, not "yes"'),
    ("broken.jsonl", '{"email": "ann@contoso.com"}\n\n{"email": \n', "broken.jsonl:3: the line ends inside a JSON value"),
]
for name, content, message in BAD:
    write(name, content)
    r = s.run("roster", "import", name)
    err = text(r.stderr)
    check(r.returncode == 2, f"roster import {name} exits 2", (r.returncode, err))
    check(message in err, f"the refusal of {name} says '{message}'", err)
    check(r.stdout == b"", f"the refusal of {name} prints nothing on stdout", r.stdout)
    check(roster_list() == team, f"after refusing {name} the roster is unchanged")

r = s.run("roster", "import", "missing.csv")
check(r.returncode == 2 and "missing.csv: cannot read the roster" in text(r.stderr),
      "importing a file that does not exist exits 2 naming it", text(r.stderr))
check(roster_list() == team, "after a missing file the roster is unchanged")

# ---- re-import replaces ----

write("new-team.csv", "email,name,mbti\ncarl@contoso.com,Carl Chen,INTJ\n")
imported("new-team.csv", 1)
check(roster_list() == "carl@contoso.com\tCarl Chen\t\t\t\tmbti=INTJ\n",
      "a re-import replaces the roster: only the new file's people, a new assessment column",
      roster_list())

# ---- formula cells are neutralised for spreadsheets ----

write("formulas.csv", 'email,name,title,mbti\n'
      'dan@contoso.com,"=HYPERLINK(""http://evil.example"",""x"")",'
      '"+cmd|\' /C calc\'!A0",-2+3\n'
      'eve@contoso.com,@SUM(A1),-lead,INTJ\n')
imported("formulas.csv", 2)
rows = [line.split("\t") for line in roster_list().splitlines()]
check(rows[0][1].startswith("'=HYPERLINK") and rows[0][2].startswith("'+cmd")
      and rows[1][1] == "'@SUM(A1)" and rows[1][2] == "'-lead",
      "roster list puts a ' before cells starting with = + - @", rows)
check(all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r),
      "no cell of roster list starts a spreadsheet formula", rows)

# ---- JSON lines ----

write("team.jsonl",
      '{"email": "ann@contoso.com", "name": "Ann Archer", "aliases": ["aa@contoso.com"], '
      '"opt_out": false, "disc": "D", "enneagram": 8}\n'
      "\n"
      '{"email": "bob@contoso.com", "name": "Bob Brown", "aliases": "b@contoso.com;bb@contoso.com", '
      '"opt_out": true, "disc": null}\n')
imported("team.jsonl", 2)
check(roster_list() == "ann@contoso.com\tAnn Archer\t\taa@contoso.com\t\tdisc=D enneagram=8\n"
      "bob@contoso.com\tBob Brown\t\tb@contoso.com;bb@contoso.com\topt_out\t\n",
      "a JSON lines roster imports: alias array or string, boolean opt_out, integer result",
      roster_list())

s.cleanup()
finish()
