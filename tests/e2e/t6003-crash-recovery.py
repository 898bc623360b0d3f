"""A run killed with SIGKILL at several points loses nothing: the next
run delivers every digest, with at most the messages in flight at each
crash twice: one per crash over one connection, [smtp] connections per
crash over several."""
import collections
import os
import re
import signal
import subprocess
import time

from digesttest import BIN, Scratch, check, finish, text
from smtpserver import Server, check_prerequisites

check_prerequisites()

s0 = Scratch()
ready = sorted(a.lower() for a in re.findall(
    r"^digest: (\S+) \S+: ready", text(s0.run("run", "--dry-run").stderr), re.M))

# The server takes 0.6 s per message, so a kill lands at known places:
# before anything is queued, between sends, in the middle of a send.
for conns, kill_after in [(1, 0.05), (1, 0.9), (1, 1.5), (1, 2.3),
                         (3, 0.3), (3, 0.9), (3, 1.5)]:
    with Server(s0.dir, "--delay", "0.6") as srv:
        s = Scratch(delivery__kind='"smtp"', smtp__host='"127.0.0.1"',
                    smtp__port=str(srv.port), smtp__tls='"none"',
                    smtp__connections=str(conns))
        crashes = 0
        for attempt in range(3):
            p = subprocess.Popen([BIN, "--config", s.config, "run"], cwd=s.dir,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(kill_after)
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                crashes += 1
            p.wait()
        r = s.run("run")
        counts = collections.Counter(m["rcpt_tos"][0].lower() for _, m in srv.messages())
        dupes = sum(n - 1 for n in counts.values())
        where = f"{conns} connection(s), killed {crashes}x after {kill_after}s"
        check(sorted(counts) == ready, f"{where}: every digest arrives",
              (counts, text(r.stderr)))
        check(dupes <= crashes * conns,
              f"{where}: at most the messages in flight twice ({dupes})", counts)
        check(r.returncode == 0, f"killed after {kill_after}s: the recovery run exits 0",
              text(r.stderr))
        r = s.run("run")
        check(sum(collections.Counter(m["rcpt_tos"][0] for _, m in srv.messages()).values())
              == sum(counts.values()), f"killed after {kill_after}s: a further run sends nothing")
        s.cleanup()

s0.cleanup()
finish()
