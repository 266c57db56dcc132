"""E-mail reminders, received by a real SMTP server on localhost (aiosmtpd) that the tests start: the right
recipients, a French subject and body with the deadline and the link, never the same reminder twice, every
sending audited, `--dry-run` sends nothing."""

import email
import subprocess
import sys
from datetime import date, datetime
from email.policy import default as default_policy

import pytest

from conftest import ADMIN, PORTEUR, REPO, _free_port, snapshot
from lit_analytics import audit, cli, ingest, reminders
from lit_analytics.permissions import PermissionDenied
from lit_analytics.store import Store

SESSIONS = ("id_session;date;intitule;format;duree_heures;participants_agents;participants_autres\n"
            "S-01;05/{month:02d}/{year};Atelier;atelier;2;8;\n")
TODAY = date(2021, 10, 25)   # T3 2021 is due on 30/10/2021 (bientôt dû); T2 2021 and before are late


class Inbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content, policy=default_policy)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("LIT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("LIT_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("LIT_MAIL_FROM", "suivi-lit@ditp.test")
    monkeypatch.setenv("LIT_APP_URL", "https://lit.ditp.test/")
    monkeypatch.setenv("LIT_SMTP_STARTTLS", "0")        # a local relay without TLS (TLS is the default)
    for name in ("LIT_SMTP_USER", "LIT_SMTP_PASSWORD", "LIT_SMTP_SSL", "LIT_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def leads(ref_store):
    """Siilab has two active lab leads and a disabled one; Archipel one lead; every Siilab report before T2
    2021 and the T2 2021 sessions are in, so Siilab misses: T2 2021 projets (late), T3 2021 both (due soon)."""
    with ref_store.transaction(writes=("users", "user_labs")) as cur:
        for mail, disabled, lab in (("deuxieme@siilab.test", False, "siilab"), ("ancien@siilab.test", True, "siilab"),
                                    ("porteur@archipel.test", False, "archipel")):
            cur.execute("INSERT INTO users (email, display_name, role, disabled, is_demo, failed_attempts, "
                        "created_at, created_by) VALUES (?, NULL, 'porteur', ?, false, 0, ?, 'test')",
                        [mail, disabled, datetime.now()])
            cur.execute("INSERT INTO user_labs VALUES (?, ?)", [mail, lab])
    for quarter in ["2019-T4", "2020-T1", "2020-T2", "2020-T3", "2020-T4", "2021-T1", "2021-T2"]:
        year, q = quarter.split("-T")
        data = SESSIONS.format(month=3 * int(q) - 1, year=year).encode()
        ingest.publish(ref_store, data, "s.csv", kind="sessions", lab_id="siilab", quarter=quarter, actor=ADMIN)
        if quarter != "2021-T2":
            rows = ingest.version_rows(ref_store, None, "projets")
            assert rows.empty
            projects = ("id_projet;titre;thematique;statut;date_debut\n"
                        "P-1;Projet;Santé;conception;01/01/2019\n").encode()
            ingest.publish(ref_store, projects, "p.csv", kind="projets", lab_id="siilab", quarter=quarter, actor=ADMIN)
    ref_store.close()   # the command line opens the file itself (one process, one handle)
    return ref_store.path


def opened(path):
    return Store(path)


def siilab(inbox):
    return [(rcpt, msg) for _, rcpt, msg in inbox.messages if "Siilab" in msg["Subject"]]


def test_deadline_and_kind_of_reminder_follow_the_grid():
    assert reminders.deadline("2021-T3") == date(2021, 10, 30)
    assert reminders.reminder_kind("2021-T3", date(2021, 10, 22)) is None
    assert reminders.reminder_kind("2021-T3", date(2021, 10, 23)) == "bientôt dû"
    assert reminders.reminder_kind("2021-T3", date(2021, 10, 30)) == "bientôt dû"
    assert reminders.reminder_kind("2021-T3", date(2021, 10, 31)) == "en retard"


def test_remind_sends_french_emails_to_the_active_lab_leads_once(leads, smtp, capsys):
    assert cli.main(["remind", "--db", str(leads), "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    sent = siilab(smtp)
    # T2 2021 (late: projets) and T3 2021 (due soon: both reports)
    assert len(sent) == 2, [m["Subject"] for _, m in sent]
    by_subject = {msg["Subject"].strip(): (rcpt, msg) for rcpt, msg in sent}   # a folded header may keep its space
    late = by_subject["Rapport trimestriel T2 2021 de Siilab en retard (attendu le 30/07/2021)"]
    soon = by_subject["Rappel : rapport trimestriel T3 2021 de Siilab à déposer d'ici le 30/10/2021"]
    for rcpt, msg in (late, soon):
        assert sorted(rcpt) == ["deuxieme@siilab.test", "porteur@siilab.test"]   # not the disabled account
        assert msg["From"] == "suivi-lit@ditp.test"
    late_body = late[1].get_content()
    assert "Bonjour," in late_body
    assert ("Le rapport « projets » (portefeuille de projets en fin de trimestre) du laboratoire Siilab pour le "
            "trimestre T2 2021 était attendu au plus tard le 30/07/2021") in late_body
    assert "sessions" not in late_body.split("Bonjour,")[1].split("Vous pouvez")[0]   # T2 sessions are in
    assert "https://lit.ditp.test/depot?lab=siilab&trimestre=2021-T2&rapport=projets" in late_body
    soon_body = soon[1].get_content()
    assert ("Le rapport « projets » (portefeuille de projets en fin de trimestre) et le rapport « sessions » "
            "(sessions de formation du trimestre) du laboratoire Siilab pour le trimestre T3 2021 sont attendus "
            "au plus tard le 30/10/2021") in soon_body
    assert "https://lit.ditp.test/depot?lab=siilab&trimestre=2021-T3&rapport=projets" in soon_body
    # Archipel's lead gets Archipel's reminders only; labs without a lead are listed, not mailed
    archipel = [rcpt for _, rcpt, msg in smtp.messages if "Archipel" in msg["Subject"]]
    assert archipel and all(rcpt == ["porteur@archipel.test"] for rcpt in archipel)
    assert "Aucun porteur actif pour Lab'O" in out
    # labs are named as every list names them: « Ti Lab », not « Laboratoire régional d'innovation de Bretagne… »
    assert "Aucun porteur actif pour Ti Lab (" in out and "Laboratoire régional" not in out
    # recorded and audited
    with opened(leads) as store:
        logged = reminders.sent_reminders(store)
        events = audit.events(store, actions=[audit.Action.REMINDER])
    assert set(zip(logged.lab_id[logged.lab_id == "siilab"], logged.quarter[logged.lab_id == "siilab"],
                   logged.kind[logged.lab_id == "siilab"], logged.reminder_kind[logged.lab_id == "siilab"])) == {
        ("siilab", "2021-T2", "projets", "en retard"), ("siilab", "2021-T3", "projets", "bientôt dû"),
        ("siilab", "2021-T3", "sessions", "bientôt dû")}
    assert len(events) == len(smtp.messages) and set(events.outcome) == {"succès"}
    assert set(events.actor) == {"ligne de commande"}

    # the same day again (cron running twice): nothing more is sent
    count = len(smtp.messages)
    assert cli.main(["remind", "--db", str(leads), "--today", TODAY.isoformat()]) == 0
    assert len(smtp.messages) == count
    assert "0 relance(s) envoyée(s)." in capsys.readouterr().out
    # a week later T3 2021 is late: that is a new reminder (« en retard »), sent once
    assert cli.main(["remind", "--db", str(leads), "--today", "2021-11-02"]) == 0
    new = [msg["Subject"].strip() for _, msg in siilab(smtp)[2:]]
    assert new == ["Rapport trimestriel T3 2021 de Siilab en retard (attendu le 30/10/2021)"]


def test_dry_run_lists_and_sends_nothing(leads, smtp):
    with opened(leads) as store:
        before = snapshot(store)
    result = subprocess.run([sys.executable, "-m", "lit_analytics", "remind", "--db", str(leads), "--dry-run",
                             "--today", TODAY.isoformat()], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "relance(s) à envoyer (--dry-run : rien n'est envoyé)." in result.stdout
    assert ("Siilab — T3 2021 — bientôt dû — projets, sessions — échéance 30/10/2021 → "
            "deuxieme@siilab.test, porteur@siilab.test") in result.stdout
    assert smtp.messages == []
    with opened(leads) as store:
        assert snapshot(store) == before   # nothing written: no reminder recorded, nothing audited


def test_a_report_published_meanwhile_is_not_reminded(leads, smtp):
    data = SESSIONS.format(month=8, year=2021).encode()
    with opened(leads) as store:
        ingest.publish(store, data, "s.csv", kind="sessions", lab_id="siilab", quarter="2021-T3", actor=PORTEUR)
        reminders.send_reminders(store, "ligne de commande", TODAY)
    soon = [msg for _, msg in siilab(smtp) if "T3 2021" in msg["Subject"]]
    assert len(soon) == 1 and "sessions" not in soon[0].get_content().split("Vous pouvez")[0]


def test_smtp_down_is_audited_as_a_failure_and_retried_next_time(leads, smtp, monkeypatch):
    monkeypatch.setenv("LIT_SMTP_PORT", str(_free_port()))   # nobody listens there
    with opened(leads) as store:
        result = reminders.send_reminders(store, "ligne de commande", TODAY, labs=("siilab",))
        assert not result.sent and len(result.failed) == 2
        assert reminders.sent_reminders(store).empty
        assert set(audit.events(store, actions=[audit.Action.REMINDER]).outcome) == {"échec"}
        monkeypatch.setenv("LIT_SMTP_PORT", str(smtp.port))   # back up: the next run sends them
        assert len(reminders.send_reminders(store, "ligne de commande", TODAY, labs=("siilab",)).sent) == 2


def test_missing_settings_is_one_french_line(leads, monkeypatch, capsys):
    monkeypatch.delenv("LIT_SMTP_HOST", raising=False)
    monkeypatch.delenv("LIT_MAIL_FROM", raising=False)
    assert cli.main(["remind", "--db", str(leads), "--today", TODAY.isoformat()]) == 1
    assert "Envoi impossible : variable(s) d'environnement LIT_SMTP_HOST, LIT_MAIL_FROM absente(s)" in \
        capsys.readouterr().err


def test_send_now_is_for_administrators(leads, smtp):
    with opened(leads) as store:
        with pytest.raises(PermissionDenied):
            reminders.send_now(store, PORTEUR, "siilab", "2021-T2", TODAY)
        assert smtp.messages == []
        result = reminders.send_now(store, ADMIN, "siilab", "2021-T2", TODAY)
        assert [r.quarter for r in result.sent] == ["2021-T2"] and len(smtp.messages) == 1
        events = audit.events(store, actions=[audit.Action.REMINDER])
        assert list(events.outcome) == ["succès", "refus"] and events.actor.iloc[0] == ADMIN.email
        assert reminders.send_now(store, ADMIN, "siilab", "2021-T2", TODAY).sent == []   # never twice


def test_the_follow_up_page_shows_the_last_reminder_and_an_admin_sends_one_now(leads, smtp):
    from conftest import ANALYSTE, make_app_test
    from lit_analytics.bootstrap import app_store
    with opened(leads) as store:
        reminders.send_reminders(store, "ligne de commande", TODAY, labs=("siilab",))
    at = make_app_test(leads, page="pages/suivi_depots.py", actor=ADMIN).run()
    at.selectbox(key="suivi_last").set_value("2021-T4").run()
    assert not at.exception, at.exception
    late = [d.value for d in at.dataframe if "Dernière relance" in d.value.columns][0]
    siilab_t2 = late[(late["Laboratoire"] == "Siilab") & (late["Trimestre"] == "T2 2021")]
    # the page says late from today's date: T2 2021 projets was reminded as « en retard »
    assert list(siilab_t2["Dernière relance"].str.endswith("(en retard)")) == [True]
    assert set(late[late["Laboratoire"] != "Siilab"]["Dernière relance"]) == {"aucune"}
    # « Relancer maintenant » for Archipel T2 2021 (late, never reminded)
    at.selectbox(key="suivi_remind").set_value(("archipel", "2021-T2")).run()
    at.button(key="suivi_remind_now").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Relance envoyée à porteur@archipel.test."]
    assert smtp.messages[-1][1] == ["porteur@archipel.test"] and "T2 2021" in smtp.messages[-1][2]["Subject"]
    assert app_store(leads).scalar("SELECT count(*) FROM reminders WHERE lab_id = 'archipel'") == 2
    at.button(key="suivi_remind_now").click().run()   # once only
    assert "déjà été relancé" in at.info[0].value
    analyst = make_app_test(leads, page="pages/suivi_depots.py", actor=ANALYSTE).run()
    assert not [b for b in analyst.button if b.key == "suivi_remind_now"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_sign_in_with_user_and_password(leads, monkeypatch):
    """LIT_SMTP_USER and LIT_SMTP_PASSWORD sign in to a server that requires it (no TLS here, on localhost)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"lit", b"s3cret")
        seen.append(ok)
        return AuthResult(success=ok)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        settings = reminders.SmtpSettings.from_env({
            "LIT_SMTP_HOST": "127.0.0.1", "LIT_SMTP_PORT": str(controller.port), "LIT_SMTP_USER": "lit",
            "LIT_SMTP_PASSWORD": "s3cret", "LIT_MAIL_FROM": "suivi-lit@ditp.test", "LIT_SMTP_STARTTLS": "non"})
        assert settings.user == "lit" and not settings.starttls
        with opened(leads) as store:
            result = reminders.send_reminders(store, "ligne de commande", TODAY, labs=("siilab",), settings=settings)
        assert len(result.sent) == 2 and seen == [True] and len(inbox.messages) == 2
    finally:
        controller.stop()


def test_remind_sends_beside_the_running_app_on_the_same_database(smtp, demo_copy):
    """The app runs on the file (a real `streamlit run`) while cron's `remind` sends: no « déjà ouverte »."""
    import urllib.request

    from conftest import StreamlitServer
    server = StreamlitServer(demo_copy)
    try:
        with urllib.request.urlopen(server.url + "/", timeout=60) as answer:
            assert answer.status == 200
        run = subprocess.run([sys.executable, "-m", "lit_analytics", "remind", "--db", str(demo_copy),
                              "--today", "2027-01-25"], cwd=REPO, capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr
        recipients = {r for _, rcpt, _ in smtp.messages for r in rcpt}
        assert "demo-porteur-siilab@lit.example" in recipients   # T4 2026 due on 30/01/2027: « bientôt dû »
        assert all("T4 2026" in message["Subject"] for _, _, message in smtp.messages)
    finally:
        server.stop()


# --- TLS: by default, never in clear ---------------------------------------------------------------------------

def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 (its own authority) and its key, as files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp.lit.test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "smtp.pem", tmp_path / "smtp.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _tls_settings(port, **extra):
    return reminders.SmtpSettings.from_env({"LIT_SMTP_HOST": "127.0.0.1", "LIT_SMTP_PORT": str(port),
                                            "LIT_MAIL_FROM": "suivi-lit@ditp.test", **extra})


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_reminders_go_over_starttls_by_default_and_never_in_clear(leads, tmp_path):
    import ssl

    from aiosmtpd.controller import Controller
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    secure = Controller(inbox, hostname="127.0.0.1", port=_free_port(), tls_context=context, require_starttls=True)
    clear = Controller(Inbox(), hostname="127.0.0.1", port=_free_port())
    secure.start()
    clear.start()
    try:
        settings = _tls_settings(secure.port, LIT_SMTP_CAFILE=str(cert))
        assert settings.starttls and not settings.implicit_tls
        with opened(leads) as store:
            sent = reminders.send_reminders(store, "ligne de commande", TODAY, labs=("siilab",), settings=settings)
        assert len(sent.sent) == 2 and len(inbox.messages) == 2
        with opened(leads) as store:
            refused = reminders.send_reminders(store, "ligne de commande", TODAY, labs=("archipel",),
                                               settings=_tls_settings(clear.port))
        assert not refused.sent and "STARTTLS" in " ".join(str(f) for f in refused.failed)
    finally:
        secure.stop()
        clear.stop()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_lit_smtp_ssl_speaks_tls_from_the_first_byte(leads, tmp_path):
    import ssl

    from aiosmtpd.controller import Controller
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=_free_port(), ssl_context=context)
    server.start()
    try:
        settings = _tls_settings(server.port, LIT_SMTP_SSL="1", LIT_SMTP_CAFILE=str(cert))
        assert settings.implicit_tls and not settings.starttls
        with opened(leads) as store:
            sent = reminders.send_reminders(store, "ligne de commande", TODAY, labs=("siilab",), settings=settings)
        assert len(sent.sent) == 2 and len(inbox.messages) == 2
    finally:
        server.stop()
