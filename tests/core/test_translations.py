"""Django merges every English catalogue into one table (the main one wins, then the apps in
INSTALLED_APPS order), so a msgid with two English wordings in two catalogues shows one app's
word on the other app's pages. One (context, msgid) has one English wording everywhere; a word
that means something else on some page gets a context there (pgettext, `context "…"`)."""

from __future__ import annotations

import ast
import gettext
import re
from collections import defaultdict
from pathlib import Path

import jiceng

PACKAGE = Path(jiceng.__file__).resolve().parent
CATALOGUES = sorted(PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po"))


def catalogue_name(po: Path) -> str:
    """`main` for the project's catalogue, else the app's name."""
    app = po.relative_to(PACKAGE).parts[0]
    return "main" if app == "locale" else app


def compiled(po: Path) -> dict:
    """What Django reads: the .mo next to the .po, as Python's gettext loads it. Keys are msgids
    (`context\\x04msgid` with a context) and (msgid, n) for each plural form."""
    with po.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    return {key: text for key, text in catalog.items() if key != ""}


def written(po: Path) -> dict:
    """The translated entries of a .po in the keys of `compiled` (fuzzy and obsolete entries and
    empty translations are left out, as msgfmt leaves them out)."""
    entries, entry, field = [], {}, None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        translated = any(key.startswith("msgstr") for key in entry)
        if not line.strip() or line.startswith(("#", "msgctxt", "msgid ")) and translated:
            if entry:
                entries.append(entry)
            entry, field = {}, None
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        elif match := re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line):
            field = match.group(1)
            entry[field] = ast.literal_eval(match.group(2))
    table = {}
    for e in entries:
        if e.get("fuzzy") or not e.get("msgid"):
            continue
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            forms = sorted((k, v) for k, v in e.items() if k.startswith("msgstr["))
            if all(v for _, v in forms):
                table.update({(msgid, int(k[7:-1])): v for k, v in forms})
        elif e.get("msgstr"):
            table[msgid] = e["msgstr"]
    return table


def readable(key) -> str:
    msgid, form = key if isinstance(key, tuple) else (key, None)
    context, _, msgid = msgid.rpartition("\x04")
    where = f"msgctxt {context!r} " if context else ""
    return f"{where}msgid {msgid!r}" + (f" (plural form {form})" if form is not None else "")


def test_every_app_with_a_catalogue_is_checked():
    assert {catalogue_name(po) for po in CATALOGUES} >= {
        "main",
        "registry",
        "party",
        "points",
        "community",
        "venues",
    }


def test_each_compiled_catalogue_holds_what_its_po_says():
    stale = [
        catalogue_name(po)
        for po in CATALOGUES
        if not po.with_suffix(".mo").exists() or compiled(po) != written(po)
    ]
    assert not stale, f"compile again (msgfmt --check -o django.mo django.po): {stale}"


def test_no_msgid_has_two_english_wordings_across_catalogues():
    wordings: dict = defaultdict(dict)
    for po in CATALOGUES:
        for key, text in compiled(po).items():
            wordings[key][catalogue_name(po)] = text
    conflicts = [
        f"{readable(key)}: "
        + ", ".join(f"{name} {text!r}" for name, text in sorted(by_catalogue.items()))
        for key, by_catalogue in wordings.items()
        if len(set(by_catalogue.values())) > 1
    ]
    assert not conflicts, (
        f"{len(conflicts)} msgids are translated differently by different catalogues; agree on "
        "one wording, or give the one that means something else a context:\n"
        + "\n".join(sorted(conflicts))
    )
