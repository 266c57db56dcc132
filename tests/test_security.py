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
