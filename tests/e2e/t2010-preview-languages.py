"""digest preview in the reader's language, for four mailboxes that are not
the demo's: German, French, Spanish and Japanese readers who share Zoë's
day. Each digest must read as its language (no English template text,
the subject in that language), greet by the directory's given name even
when the display name is written family name first, and address the
Japanese reader by family name with さん. A missing translation of one tip
falls back to English for that tip alone, with a warning naming the file,
and `digest check` names what a language folder lacks."""
import email
import email.policy
import glob
import json
import os
import re
import shutil

from digesttest import DEMO_NOW, SRC, Scratch, check, finish, set_key, text, toml_str

FIX = os.path.join(SRC, "fixtures", "demo")
TPL = os.path.join(SRC, "templates")
ZOE = "5a1c3e7d-2b94-4f6a-8c0e-91d7b3a2f4e1"
LAST_PAGE = glob.glob(os.path.join(FIX, "users.skiptoken-*.json"))[0]

# Readers: (id, display name, givenName, surname, mail, locale, zone)
READERS = {
    "de": ("0de00000-0000-4000-8000-000000000001", "Weber, Lena", "Lena", "Weber",
           "lena.weber@contoso.com", "de-DE", "W. Europe Standard Time"),
    "fr": ("0f700000-0000-4000-8000-000000000002", "Camille Dubois", "Camille", "Dubois",
           "camille.dubois@contoso.com", "fr-FR", "Romance Standard Time"),
    "es": ("0e500000-0000-4000-8000-000000000003", "García López, Lucía", "Lucía",
           "García López", "lucia.garcia@contoso.com", "es-ES", "Romance Standard Time"),
    "ja": ("0a900000-0000-4000-8000-000000000004", "佐藤 健", "健", "佐藤",
           "ken.sato@contoso.com", "ja-JP", "Tokyo Standard Time"),
}
GREETING = {
    "de": "Guten Morgen, Lena.",
    "fr": "Bonjour Camille,",
    "es": "Buenos días, Lucía.",
    "ja": "佐藤さん、おはようございます。",
}
SUBJECT = {  # the day is Tuesday 2026-11-24 for all of them
    "de": "Termine am Dienstag, 24. November",
    "fr": "réunions du mardi 24 novembre",
    "es": "reuniones del martes, 24 de noviembre",
    "ja": "11月24日火曜日の会議",
}


def make_tenant(root):
    """The demo tenant plus the four readers, each with Zoë's calendar."""
    tenant = os.path.join(root, "tenant")
    shutil.copytree(FIX, tenant)
    page = os.path.join(tenant, os.path.basename(LAST_PAGE))
    with open(page, encoding="utf-8") as f:
        users = json.load(f)
    for uid, name, given, surname, mail, locale, zone in READERS.values():
        users["value"].append({
            "id": uid, "displayName": name, "givenName": given, "surname": surname,
            "mail": mail, "userPrincipalName": mail, "proxyAddresses": [f"SMTP:{mail}"]})
        folder = os.path.join(tenant, "users", uid)
        shutil.copytree(os.path.join(FIX, "users", ZOE), folder)
        path = os.path.join(folder, "mailboxSettings.json")
        with open(path, encoding="utf-8") as f:
            mb = json.load(f)
        mb["timeZone"] = zone
        mb["language"] = {"locale": locale, "displayName": locale}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(mb, f, ensure_ascii=False, indent=2)
    with open(page, "w", encoding="utf-8") as f:
        json.dump(users, f, ensure_ascii=False, indent=2)
    return tenant


def english_phrases():
    """What the English default set says: each tip and group sentence (up
    to its first tag) and the fixed words of the digest parts."""
    out = {"Good morning", "Here are your", "Here is your", "with notes on how",
           "Where:", "Join:", "Call:", "Private meeting", "Also invited", "Sent to ",
           "Invited through", "tips above", "Tips above", "All day", "next day",
           "from the day before", "(no subject)", "(external)", "Unsubscribe",
           "Your meeting", "No meetings", "toll-free", "conference ID", "nothing on your"}
    for path in glob.glob(os.path.join(TPL, "tips", "*", "*.mustache")):
        name = os.path.basename(path)
        if name == "_label.mustache":
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = re.sub(r"^\s*\{\{label\}\}: ", "", line.strip())
                if line.startswith("{{") or not line:
                    continue
                head = line.split("{{")[0].strip()
                if len(head) >= 12:
                    out.add(head[:40])
    return sorted(out)


def english_in(s, phrases):
    return [p for p in phrases if p in s]


def subject_of(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return str(msg["Subject"])


s = Scratch()
try:
    tenant = make_tenant(s.dir)
    with open(s.config, encoding="utf-8") as f:
        s.write_config(set_key(f.read(), "source", "path", toml_str(tenant)))
    phrases = english_phrases()
    check(len(phrases) > 80, f"the English default set has {len(phrases)} phrases to look for")

    for lang, (uid, name, given, surname, mail, locale, zone) in READERS.items():
        r = s.run("--now", DEMO_NOW, "preview", "--user", mail, "--format", "text")
        out = text(r.stdout)
        check(r.returncode == 0, f"{locale}: the text preview exits 0", text(r.stderr))
        found = english_in(out, phrases)
        check(not found, f"{locale}: the text part has no English template text", found)
        check(out.startswith(GREETING[lang]), f"{locale}: greets as {GREETING[lang]!r}",
              out[:80])
        check(name not in out.split("\n")[0] or lang == "ja",
              f"{locale}: the greeting is not the display name {name!r}", out[:80])

        r = s.run("--now", DEMO_NOW, "preview", "--user", mail, "--format", "html")
        html = text(r.stdout)
        found = english_in(re.sub(r"<!--.*?-->|<[^>]+>", " ", html, flags=re.S), phrases)
        check(r.returncode == 0 and not found, f"{locale}: the HTML part has no English template text",
              found or text(r.stderr))
        check(f'<html lang="{lang}"' in html, f"{locale}: the HTML says lang=\"{lang}\"")

        r = s.run("--now", DEMO_NOW, "preview", "--user", mail, "--format", "mime")
        subject = subject_of(r.stdout) if r.returncode == 0 else ""
        check(SUBJECT[lang] in subject and not english_in(subject, phrases),
              f"{locale}: the subject is in the language: {subject!r}")

        r = s.run("--now", DEMO_NOW, "preview", "--user", mail, "--format", "json")
        model = json.loads(r.stdout) if r.returncode == 0 else {}
        check(model.get("locale") == locale and model.get("language") == lang,
              f"{locale}: the model carries locale {locale} and language {lang}",
              {k: model.get(k) for k in ("locale", "language")})
        check(model.get("user", {}).get("given_name") == given
              and model.get("user", {}).get("surname") == surname,
              f"{locale}: the model has the directory's given name and surname")

    # preview --locale overrides the mailbox for an operator.
    r = s.run("--now", DEMO_NOW, "preview", "--user", READERS["ja"][4], "--locale", "de-AT")
    check(r.returncode == 0 and text(r.stdout).startswith("Guten Morgen, 健."),
          "preview --locale de-AT reads the Japanese mailbox in German (de-AT -> de)",
          text(r.stdout)[:80])
    r = s.run("--now", DEMO_NOW, "preview", "--user", READERS["ja"][4], "--locale", "../x")
    check(r.returncode == 2, "preview --locale with a bad tag is a usage error (exit 2)")

    # One tip without its German translation: English for it alone.
    tpl = os.path.join(s.dir, "templates")
    shutil.copytree(TPL, tpl)
    os.unlink(os.path.join(tpl, "de", "tips", "disc", "I.mustache"))
    with open(s.config, encoding="utf-8") as f:
        s.write_config(set_key(f.read(), "digest", "templates", toml_str(tpl)))
    r = s.run("--now", DEMO_NOW, "preview", "--user", READERS["de"][4])
    out, err = text(r.stdout), text(r.stderr)
    with open(os.path.join(TPL, "tips", "disc", "I.mustache"), encoding="utf-8") as f:
        # The longest text between tags of each line: tips may open with
        # a name or sit in a section for this meeting.
        i_tips = [max(re.split(r"\{\{[^}]*\}\}", line.strip()), key=len).strip()
                  for line in f if line.strip()]
    found = [p for p in english_in(out, phrases) if not any(p in t for t in i_tips)]
    # At most three tips a person, picked: some of the English I tips show.
    check(r.returncode == 0 and any(t in out for t in i_tips) and not found,
          "a missing German tip is shown in English, and only that tip", (found, out[:200]))
    check("de/tips/disc/I.mustache" in err and "no translation" in err,
          "the run warns, naming the missing file", err)
    r = s.run("check")
    out = text(r.stdout)
    check(r.returncode == 2 and "de: no tips/disc/I.mustache" in out,
          "digest check names the template the German folder lacks", out)
finally:
    s.cleanup()
finish()
