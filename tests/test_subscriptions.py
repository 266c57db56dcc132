"""Briefing subscriptions (issue 22): decks built once per preset, converted to PDF by LibreOffice, e-mailed to a
real SMTP server on localhost (aiosmtpd, the `smtp` fixture of test_reminders); never twice for a period; rights
checked at sending time; every sending audited; the unsubscribe link ends its own subscription only; `--dry-run`
sends nothing."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from conftest import ADMIN, ANALYSTE, PORTEUR, add_accounts, snapshot
from lit_analytics import audit, cli, subscription_mail, subscriptions, web
from lit_analytics.bootstrap import app_store
from lit_analytics.permissions import Actor, PermissionDenied
from lit_analytics.store import Store
from test_reminders import smtp  # noqa: F401  (the real SMTP server fixture)

TODAY = date(2026, 11, 5)     # T3 2026's reports were due on 30/10/2026: the quarterly period is 2026-T3
LOST = Actor("ancien-porteur@archipel.test", "porteur", frozenset({"archipel"}), "Porteur qui a perdu le lab")
GONE = Actor("parti@ditp.test", "analyste", frozenset(), "Compte désactivé")


def test_periods_follow_the_reporting_deadline():
    assert subscription_mail.due_period("quarterly", date(2026, 10, 30)) == "2026-T2"   # T3 due that day
    assert subscription_mail.due_period("quarterly", date(2026, 10, 31)) == "2026-T3"
    assert subscription_mail.due_period("quarterly", date(2027, 1, 15)) == "2026-T3"
    assert subscription_mail.due_period("monthly", date(2026, 11, 30)) == "2026-11"
    assert subscription_mail.period_label("2026-11") == "novembre 2026"
    assert subscription_mail.period_label("2026-T3") == "T3 2026"


@pytest.mark.parametrize("store_kind", ["duckdb", "postgresql"])
def test_a_lab_lead_may_subscribe_to_the_nation_their_region_and_their_lab_only(ref_store):
    lead = subscriptions.allowed_presets(ref_store, PORTEUR)
    region = ref_store.scalar("SELECT region_code FROM labs WHERE lab_id = 'siilab'")
    assert set(lead) == {"national", f"region:{region}", "lab:siilab"}
    everything = subscriptions.allowed_presets(ref_store, ANALYSTE)
    assert "lab:archipel" in everything and len(everything) > len(lead)
    with pytest.raises(PermissionDenied):
        subscriptions.add(ref_store, PORTEUR.email, PORTEUR, "lab:archipel")
    sub = subscriptions.add(ref_store, PORTEUR.email, PORTEUR, "lab:siilab")
    with pytest.raises(subscriptions.SubscriptionError, match="Déjà abonné"):
        subscriptions.add(ref_store, PORTEUR.email, PORTEUR, "lab:siilab")
    # the sending log: a failure is tried again, a sending is not; the e-mail's token ends that subscription
    national = subscriptions.add(ref_store, PORTEUR.email, PORTEUR, "national", "pptx", "monthly")
    subscriptions.record_sending(ref_store, "test", sub, "2026-T3", subscriptions.FAILED, detail="SMTP en panne")
    assert subscriptions.done_periods(ref_store) == set()
    token, hashed = subscriptions.new_token()
    subscriptions.record_sending(ref_store, "test", sub, "2026-T3", subscriptions.SENT, size=10, hashed_token=hashed)
    assert subscriptions.done_periods(ref_store) == {(sub.subscription_id, "2026-T3")}
    assert ref_store.scalar("SELECT count(*) FROM subscription_sendings WHERE token_hash = ?", [token]) == 0
    assert subscriptions.unsubscribe_by_token(ref_store, token) == sub
    assert subscriptions.active(ref_store) == [national]
    subscriptions.remove(ref_store, PORTEUR.email, national.subscription_id, PORTEUR)
    sub = subscriptions.add(ref_store, PORTEUR.email, PORTEUR, "lab:siilab")
    with pytest.raises(PermissionDenied):   # only one's own (or an administrator)
        subscriptions.remove(ref_store, ANALYSTE.email, sub.subscription_id, ANALYSTE)
    subscriptions.remove(ref_store, ADMIN.email, sub.subscription_id, ADMIN)
    assert subscriptions.active(ref_store) == []
    events = audit.events(ref_store, actions=[audit.Action.SUBSCRIBED, audit.Action.UNSUBSCRIBED])
    assert sorted(events.outcome) == sorted(["refus"] * 2 + ["succès"] * 6)


@pytest.fixture
def subscribed(demo_file_copy, monkeypatch):
    """The demo database with: an analyst (national PDF quarterly + national PPTX monthly), Siilab's lead (lab PDF
    quarterly), a lead who lost the lab since, and a disabled account; the app's store on it."""
    monkeypatch.setenv("LIT_DB", str(demo_file_copy))
    store = app_store(demo_file_copy)
    add_accounts(store, (ADMIN, ANALYSTE, PORTEUR, LOST, GONE))
    national = subscriptions.add(store, ANALYSTE.email, ANALYSTE, "national", "pdf", "quarterly")
    monthly = subscriptions.add(store, ANALYSTE.email, ANALYSTE, "national", "pptx", "monthly")
    lab = subscriptions.add(store, PORTEUR.email, PORTEUR, "lab:siilab", "pdf", "quarterly")
    lost = subscriptions.add(store, LOST.email, LOST, "lab:archipel")
    gone = subscriptions.add(store, GONE.email, GONE, "national")
    with store.transaction(writes=("users", "user_labs")) as cur:   # what happened since they subscribed
        cur.execute("DELETE FROM user_labs WHERE email = ?", [LOST.email])
        cur.execute("UPDATE users SET disabled = true WHERE email = ?", [GONE.email])
    return store, {"national": national, "monthly": monthly, "lab": lab, "lost": lost, "gone": gone}


def _pdf_text(data: bytes, tmp_path, name: str) -> tuple[int, str]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


def _attachments(msg):
    return [(part.get_filename(), part.get_content_type(), part.get_content()) for part in msg.iter_attachments()]


def test_each_subscriber_gets_their_deck_once_and_can_unsubscribe_from_it_only(subscribed, smtp, tmp_path):  # noqa: F811
    store, subs = subscribed
    result = subscription_mail.send_subscriptions(store, audit.COMMAND_LINE, TODAY)
    assert result.decks == 2                              # national (PDF and PPTX from one deck) and Siilab
    assert {(d.sub.subscription_id, d.period) for d in result.sent} == {
        (subs["national"].subscription_id, "2026-T3"), (subs["monthly"].subscription_id, "2026-11"),
        (subs["lab"].subscription_id, "2026-T3")}
    assert {d.sub.subscription_id for d in result.refused} == {subs["lost"].subscription_id,
                                                              subs["gone"].subscription_id}
    received = {(tuple(rcpt), msg["Subject"].strip()): msg for _, rcpt, msg in smtp.messages}
    assert set(received) == {
        ((ANALYSTE.email,), "Note de synthèse des LIT — France entière — T3 2026"),
        ((ANALYSTE.email,), "Note de synthèse des LIT — France entière — novembre 2026"),
        ((PORTEUR.email,), "Note de synthèse des LIT — Laboratoire : Siilab — T3 2026")}   # nobody else

    for (rcpt, subject), msg in received.items():
        body = msg.get_body(("plain",)).get_content()
        assert body.startswith("Bonjour,") and "Chiffres clés :" in body
        assert "Le tableau de bord : https://lit.ditp.test/" in body
        assert "Données de démonstration" in body
        assert msg["List-Unsubscribe"].startswith("<https://lit.ditp.test/abonnements/desabonner?jeton=")
        (name, kind, data), = _attachments(msg)
        if subject.endswith("novembre 2026"):
            assert kind.endswith("presentationml.presentation") and name.endswith(".pptx") and data[:2] == b"PK"
            continue
        assert kind == "application/pdf" and name.endswith(".pdf")
        pages, text = _pdf_text(data, tmp_path, name)
        scope = "national" if "France" in subject else "lab:siilab"
        from lit_analytics.export import briefing
        deck = briefing.build_deck(store, briefing.parse_preset(store, scope), today=TODAY)
        assert pages == deck.page_count                    # a PDF that opens, one page per slide
        flat = " ".join(text.split())
        for label, value in deck.headline[:6]:             # the headline figures are in its text and the body
            assert " ".join(value.split()) in flat, (label, value)
            change = f" — sur un an : {deck.headline_changes[label]}" if label in deck.headline_changes else ""
            assert f"• {label} : {value}{change}" in body   # a lab's state (« Ouvert ») has no change
        assert "Chiffres clés" in flat
        if scope == "national":   # the data alerts of the quarter (lit_analytics.alerts), one line each
            from lit_analytics.alerts import alert_lines
            expected = alert_lines(store, TODAY)
            assert expected and all(f"  • {line}" in body for line in expected)
        else:
            assert re.search(r"Ce qui a changé en T\d 20\d\d :", body)   # what changed, lab preset

    events = audit.events(store, actions=[audit.Action.SUBSCRIPTION_SENT])
    assert sorted(events.outcome) == ["refus", "refus", "succès", "succès", "succès"]
    assert "jeton" not in " ".join(events.detail.fillna(""))   # the token is never audited

    # the same day again, and later in the same periods: nothing more, not even the refusals' audit
    count = len(smtp.messages)
    again = subscription_mail.send_subscriptions(store, audit.COMMAND_LINE, date(2026, 11, 29))
    assert (again.sent, again.refused, again.failed, len(smtp.messages)) == ([], [], [], count)

    # the lead's unsubscribe link: a page with a button (a GET changes nothing), the POST ends that one only
    lab_msg = received[((PORTEUR.email,), "Note de synthèse des LIT — Laboratoire : Siilab — T3 2026")]
    link = re.search(r"Se désabonner de cette note .*: (\S+)", lab_msg.get_body(("plain",)).get_content()).group(1)
    path = link.removeprefix("https://lit.ditp.test")
    client = TestClient(Starlette(routes=web.ROUTES), base_url="https://lit.ditp.test")
    page = client.get(path)
    assert page.status_code == 200 and "Laboratoire : Siilab" in page.text and "<form method='post'>" in page.text
    assert "http" not in page.text.split("<body>")[1]            # no other host on the page
    assert subscriptions.get(store, subs["lab"].subscription_id) is not None
    done = client.post(path)
    assert done.status_code == 200 and "Désabonnement confirmé" in done.text
    assert subscriptions.get(store, subs["lab"].subscription_id) is None
    assert {s.subscription_id for s in subscriptions.active(store)} == {
        subs["national"].subscription_id, subs["monthly"].subscription_id, subs["lost"].subscription_id,
        subs["gone"].subscription_id}
    assert client.post(path).status_code == 200                   # followed twice: still ended, nothing else
    assert client.get("/abonnements/desabonner?jeton=faux").status_code == 404
    ended = audit.events(store, actions=[audit.Action.UNSUBSCRIBED])
    assert list(ended.actor) == [PORTEUR.email] and list(ended.outcome) == ["succès"]

    # next month: the monthly PPTX only (the quarter is the same); the lead gets nothing any more
    december = subscription_mail.send_subscriptions(store, audit.COMMAND_LINE, date(2026, 12, 1))
    assert [(d.sub.subscription_id, d.period) for d in december.sent] == [(subs["monthly"].subscription_id,
                                                                           "2026-12")]
    assert [rcpt for _, rcpt, _ in smtp.messages[count:]] == [[ANALYSTE.email]]


def test_dry_run_lists_and_sends_nothing(subscribed, smtp, capsys):  # noqa: F811
    store, _ = subscribed
    path = store.path
    store.close()   # the command opens the file itself
    with Store(path) as opened:
        before = snapshot(opened)
    assert cli.main(["send-subscriptions", "--db", str(path), "--dry-run", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "3 note(s) à envoyer (--dry-run : rien n'est envoyé)." in out
    assert f"{PORTEUR.email} — lab:siilab — T3 2026 (pdf)" in out
    assert f"Rien pour {GONE.email} — national : compte désactivé" in out
    assert smtp.messages == []
    with Store(path) as opened:
        assert snapshot(opened) == before   # nothing built, recorded or audited


def test_the_command_line_adds_lists_and_removes(ref_store, capsys):
    path = ref_store.path
    ref_store.close()
    assert cli.main(["subscriptions", "add", "--db", str(path), "--email", PORTEUR.email, "--preset", "lab:siilab",
                     "--frequency", "monthly"]) == 0
    assert "Abonnement n° 1 ajouté" in capsys.readouterr().out
    assert cli.main(["subscriptions", "add", "--db", str(path), "--email", PORTEUR.email,
                     "--preset", "lab:archipel"]) == 1
    assert "ne peut pas s'abonner à cette note" in capsys.readouterr().err
    assert cli.main(["subscriptions", "list", "--db", str(path)]) == 0
    listed = capsys.readouterr().out
    assert "Laboratoire : Siilab" in listed and "mensuelle" in listed and "aucun" in listed
    assert cli.main(["subscriptions", "remove", "--db", str(path), "--id", "1"]) == 0
    assert cli.main(["subscriptions", "list", "--db", str(path)]) == 0
    assert "Aucun abonnement en cours." in capsys.readouterr().out


def test_my_subscriptions_panel_adds_and_ends_ones_own(ref_store):
    from conftest import make_app_test
    path = ref_store.path
    ref_store.close()
    at = make_app_test(path, page="pages/note.py", actor=PORTEUR).run()
    assert not at.exception, at.exception
    assert "Vous n'avez aucun abonnement." in [i.value for i in at.info]
    note = at.selectbox(key="abonnements_note")
    assert note.options[0] == "France entière" and len(note.options) == 3   # the nation, its region, its lab
    assert "Laboratoire : Siilab" in note.options and not [o for o in note.options if "Archipel" in o]
    note.set_value("lab:siilab")
    at.radio(key="abonnements_frequence").set_value("monthly")
    [b for b in at.button if b.label == "S'abonner"][0].click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [f"Abonnement enregistré : Laboratoire : Siilab, envoyé à {PORTEUR.email}."]
    shown = [d.value for d in at.dataframe if "Fréquence" in d.value.columns][0]
    assert list(shown["Note"]) == ["Laboratoire : Siilab"] and list(shown["Fréquence"]) == ["mensuelle"]
    at.button(key="abonnements_fin").click().run()
    assert [s.value for s in at.success][0].startswith("Désabonnement enregistré : n° 1 — Laboratoire : Siilab")
    with Store(path) as store:
        assert subscriptions.active(store) == []
        assert list(audit.events(store, actions=[audit.Action.SUBSCRIBED, audit.Action.UNSUBSCRIBED]).actor) == \
            [PORTEUR.email, PORTEUR.email]


def test_the_unsubscribe_link_works_on_the_running_app(ref_db_path, tmp_path):
    """Through `streamlit run serve.py` (the app's own routes beside Streamlit): the page, then the button's POST."""
    import shutil
    import urllib.request

    from conftest import StreamlitServer
    path = tmp_path / "app.duckdb"
    shutil.copy(ref_db_path, path)
    with Store(path) as store:
        sub = subscriptions.add(store, PORTEUR.email, PORTEUR, "national")
        token, hashed = subscriptions.new_token()
        subscriptions.record_sending(store, "test", sub, "2026-T3", subscriptions.SENT, size=1, hashed_token=hashed)
    server = StreamlitServer(path)
    try:
        url = f"{server.url}{subscription_mail.UNSUBSCRIBE_PATH}?jeton={token}"
        with urllib.request.urlopen(url, timeout=30) as page:
            shown = page.read().decode()
            assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
        assert "Se désabonner" in shown and "France entière" in shown
        with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=30) as done:
            assert "Désabonnement confirmé" in done.read().decode()
    finally:
        server.stop()
    with Store(path) as store:
        assert subscriptions.active(store) == []


def test_an_attachment_over_the_bound_is_replaced_by_a_link(ref_store, monkeypatch):
    from lit_analytics.export import briefing
    monkeypatch.setenv("LIT_MAIL_MAX_MB", "0.001")    # 1 048 bytes
    monkeypatch.setenv("LIT_APP_URL", "https://lit.ditp.test")
    scope = briefing.parse_preset(ref_store, "national")
    built = subscription_mail.Built(scope, briefing.build_deck(ref_store, scope, [], today=TODAY),
                                    {"pdf": b"%PDF-1.7" + b"0" * 2000, "pptx": b"PK" + b"0" * 500})
    due = subscription_mail.Due(subscriptions.Subscription(7, ANALYSTE.email, "national", "", "pdf", "quarterly"),
                                "2026-T3")
    msg, size, attached = subscription_mail.message(built, due, "suivi-lit@ditp.test", "jeton-1", ["Une alerte"])
    assert (size, attached) == (2008, False) and list(msg.iter_attachments()) == []
    body = msg.get_content()
    assert "dépasse la taille maximale d'une pièce jointe" in body and "https://lit.ditp.test/note" in body
    assert "Alertes :\n  • Une alerte" in body                      # the national e-mail lists the data alerts
    assert body.rstrip().endswith("https://lit.ditp.test/abonnements/desabonner?jeton=jeton-1")
    small = subscription_mail.Due(due.sub.__class__(8, ANALYSTE.email, "national", "", "pptx", "monthly"), "2026-11")
    msg, size, attached = subscription_mail.message(built, small, "suivi-lit@ditp.test", "jeton-2", [])
    assert attached and [a.get_filename() for a in msg.iter_attachments()] == ["lit-note-national-2026-11.pptx"]
