"""Security, second round: each point the audit with live reproductions found, closed by a test that fails on the
code it was found in (see the README « Sécurité »)."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import ACCOUNT_PASSWORD
from lit_analytics import accounts, auth
from lit_analytics.store import Store, StoreError


def journal(store):
    return store.query("SELECT actor, action, target, outcome, detail FROM audit_log ORDER BY event_id")


def test_a_password_typed_into_the_email_field_never_reaches_the_journal(store, admin):
    typed = "Mon-Secret-2024!"
    assert not auth.authenticate(store, typed, "x").ok
    assert not auth.authenticate(store, f"  {typed}  ", "x", client="198.51.100.9").ok
    rows = journal(store)
    assert rows and all(typed.lower() not in " ".join(str(v).lower() for v in row) for row in rows)
    assert rows[-1][:4] == (auth.NOT_AN_ADDRESS, "échec de connexion", None, "échec")


def test_a_disabled_account_gets_one_answer_whatever_the_password(store, admin):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"], password=ACCOUNT_PASSWORD)
    accounts.disable_account(store, admin, "p@lab.fr")
    right = auth.authenticate(store, "p@lab.fr", ACCOUNT_PASSWORD)
    wrong = auth.authenticate(store, "p@lab.fr", "pas le bon mot de passe")
    assert not right.ok and not wrong.ok and right.message == wrong.message == auth.DISABLED   # no oracle
    for _ in range(auth.MAX_FAILED_ATTEMPTS + 1):       # and no lock to learn anything from either
        auth.authenticate(store, "p@lab.fr", "pas le bon mot de passe")
    assert store.scalar("SELECT failed_attempts FROM users WHERE email = 'p@lab.fr'") == 0
    assert journal(store)[-1][1:5] == ("échec de connexion", "p@lab.fr", "refus", "compte désactivé")


def test_oidc_requires_a_verified_address_unless_the_provider_is_configured_otherwise(store, admin):
    accounts.add_account(store, admin, "p@lab.fr", "porteur", ["siilab"])
    absent = auth.sign_in_oidc(store, "p@lab.fr", "proconnect", issuer="https://idp", subject="s1")
    assert not absent.ok and "pas vérifié" in absent.message          # an absent claim is not a verified address
    assert not auth.sign_in_oidc(store, "p@lab.fr", "proconnect", email_verified="oui").ok
    assert auth.sign_in_oidc(store, "p@lab.fr", "proconnect", email_verified="true", issuer="https://idp",
                             subject="s1").ok
    assert auth.sign_in_oidc(store, "p@lab.fr", "annuaire", issuer="https://idp", subject="s1",
                             require_verified=False).ok


def test_database_files_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "lit.duckdb"
        with Store(path) as store, store.transaction(writes="regions") as cur:
            cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        os.chmod(path, 0o644)                            # made by an earlier release: tightened at its next write
        with Store(path) as store, store.transaction(writes="regions") as cur:
            cur.execute("DELETE FROM regions")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_a_truncated_database_file_is_a_french_error(tmp_path):
    path = tmp_path / "lit.duckdb"
    with Store(path) as store, store.transaction(writes="regions") as cur:
        cur.execute("INSERT INTO regions VALUES ('53', 'Bretagne', false)")
    data = path.read_bytes()
    for cut in (5_000, len(data) // 3):
        broken = tmp_path / f"tronquee-{cut}.duckdb"
        broken.write_bytes(data[:cut])
        with pytest.raises(StoreError, match="incomplète ou endommagée") as raised:
            Store(broken)
        assert "IO Error" not in str(raised.value) and broken.read_bytes() == data[:cut]   # nothing written


# --- files: formulas, XML entities, unreadable workbooks -----------------------------------------------------

HOSTILE_TITLE = '=HYPERLINK("http://evil.example/","x")'
PORTFOLIO = ("id_projet;titre;thematique;statut;date_debut;date_fin;types_partenaires;usagers_impliques;"
             "agents_impliques;budget_eur\n"
             f"P-01;{HOSTILE_TITLE.replace(chr(34), chr(34) * 2).join(chr(34) * 2)};Relation aux usagers;"
             "expérimentation;15/03/2021;;;;;\n").encode()


@pytest.fixture
def hostile_portfolio(ref_store):
    from conftest import ADMIN
    from lit_analytics import ingest
    result = ingest.publish(ref_store, PORTFOLIO, "projets.csv", kind="projets", lab_id="siilab",
                            quarter="2021-T3", actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED, result
    assert ingest.version_rows(ref_store, result.version_id, "projets")["titre"].tolist() == [HOSTILE_TITLE]
    return ref_store


def test_no_text_of_the_prefilled_xlsx_template_is_a_live_formula(hostile_portfolio):
    import io

    from openpyxl import load_workbook

    from lit_analytics.ingest import templates
    rows = templates.prefill_rows(hostile_portfolio, "projets", "siilab", "2021-T4")
    book = load_workbook(io.BytesIO(templates.template_xlsx("projets", rows)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert HOSTILE_TITLE in [c.value for c in cells]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []


def test_the_csv_neutralisation_mark_never_comes_back_into_published_data(hostile_portfolio):
    from conftest import ADMIN
    from lit_analytics import ingest
    from lit_analytics.ingest import templates
    data = templates.template_csv("projets", templates.prefill_rows(hostile_portfolio, "projets", "siilab", "2021-T4"))
    assert ("'" + HOSTILE_TITLE).encode() in data.replace(b'""', b'"')   # neutralised for Excel…
    result = ingest.publish(hostile_portfolio, data, "projets_siilab_2021-T4.csv", kind="projets", lab_id="siilab",
                            quarter="2021-T4", actor=ADMIN)
    assert result.outcome == ingest.PUBLISHED
    assert ingest.version_rows(hostile_portfolio, result.version_id, "projets")["titre"].tolist() == [HOSTILE_TITLE]


def _template_with(replace_part):
    """The projects template as an XLSX package, one part rewritten by `replace_part(name, bytes) -> bytes`."""
    import io
    import zipfile

    from lit_analytics.ingest import templates
    original = zipfile.ZipFile(io.BytesIO(templates.template_xlsx("projets")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in original.infolist():
            target.writestr(info, replace_part(info.filename, original.read(info.filename)))
    return out.getvalue()


def test_an_xlsx_part_with_a_doctype_is_refused_at_once():
    from lit_analytics.ingest.read import ReadError, read_table
    bomb = (b'<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "&lol%d;&lol%d;&lol%d;&lol%d;">' % (n + 1, n, n, n, n) for n in range(9))
            + b"]>")
    def plant(name, body):
        if not name.endswith("sheet1.xml"):
            return body
        return bomb + (body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body)

    data = _template_with(plant)
    with pytest.raises(ReadError, match="DOCTYPE"):
        read_table(data, "projets.xlsx", ["id_projet"])


def test_every_failure_of_the_xlsx_reader_is_a_french_unreadable_file():
    import struct

    from lit_analytics.ingest.read import ReadError, read_table
    data = bytearray(_template_with(lambda name, body: body))
    # « version needed to extract » of every central directory entry set to 19.0: zipfile raises
    # NotImplementedError("zip file version 19.0") when a member is opened.
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        struct.pack_into("<H", data, position + 6, 190)
        position = data.find(b"PK\x01\x02", position + 4)
    with pytest.raises(ReadError, match="illisible"):
        read_table(bytes(data), "projets.xlsx", ["id_projet"])


def test_a_full_disk_during_a_publication_is_a_french_error_and_nothing_is_half_written(ref_store, monkeypatch):
    """The publication fails (no space left) and so does the registration of its failure, in its own transaction:
    one French message, nothing stored of either."""
    import importlib

    import duckdb

    from conftest import ADMIN, snapshot
    from lit_analytics import ingest
    publish = importlib.import_module("lit_analytics.ingest.publish")

    def full(*args, **kwargs):
        raise duckdb.IOException('IO Error: Could not write file "lit.duckdb.wal": No space left on device')

    before = snapshot(ref_store)
    monkeypatch.setattr(publish, "_insert_rows", full)
    monkeypatch.setattr(publish, "_register_import", full)
    with pytest.raises(StoreError) as raised:
        ingest.publish(ref_store, PORTFOLIO, "projets.csv", kind="projets", lab_id="siilab", quarter="2021-T3",
                       actor=ADMIN)
    message = str(raised.value)
    assert "disque" in message and "plein" in message and "rien n'a été publié" in message
    assert "IO Error" not in message
    assert snapshot(ref_store) == before


def test_the_command_line_reads_the_database_from_a_file_and_warns_about_a_typed_password(ref_db_path, tmp_path):
    import shutil
    import subprocess
    import sys

    from conftest import REPO
    db = tmp_path / "lit.duckdb"
    shutil.copy(ref_db_path, db)
    secret = tmp_path / "base.txt"
    secret.write_text(f"{db}\n", encoding="utf-8")
    secret.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k != "LIT_DB"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "lit_analytics", *args], cwd=REPO, capture_output=True,
                              text=True, timeout=300, env=env)
    info = cli("info", "--db-file", str(secret))
    assert info.returncode == 0, info.stderr
    assert str(db) in info.stdout
    typed = cli("info", "--db", "postgresql://lit:s3cret@127.0.0.1:1/lit")
    assert "visible dans la liste des processus" in typed.stderr and "s3cret" not in typed.stderr
