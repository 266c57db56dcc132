"""Server-side sessions: what keeps a browser signed in across reloads and new tabs, and what ends it.

Signing in creates a row of `sessions` (migration 006) and a one-time code; the app's HTTP route
(`lit_analytics/web.py`) exchanges that code for a random opaque token set as an HttpOnly, SameSite=Lax cookie
(Secure under https), and stores only the token's SHA-256 (the token is rotated at that moment). Every page run
resolves the cookie's token here: the same expiry rules as before (`SESSION_IDLE` without activity,
`SESSION_MAX` after signing in), the account re-read (disabled → signed out, role changed → applies at once),
and a session ended elsewhere (sign-out in another tab, an administrator disabling the account, changing its
role or resetting its password: `end_all_for`, in the same transaction as the change) is over at its next click.

Last activity (`last_seen`) is written at most every `TOUCH_EVERY`, behind the page run (`_Touches`): a click never
waits for that write, and the touches of many sessions share one transaction (the database has one writer; under
50 people, page runs waiting on each other's touches took seconds).

Only `Store` queries and transactions: the same code works on any store (DuckDB file or PostgreSQL).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from lit_analytics.permissions import Actor, actor_for_email
from lit_analytics.store import Store

log = logging.getLogger(__name__)

SESSION_IDLE = timedelta(hours=1)
SESSION_MAX = timedelta(hours=8)
HANDOFF_TTL = timedelta(minutes=2)
TOUCH_EVERY = timedelta(seconds=30)     # last activity is written at most this often (idle precision)
# A session's row is deleted this long after it opened (it ended within `SESSION_MAX`), by the next session opened:
# the journal keeps every sign-in; the table keeps only recent rows, which every process reads whole into a
# dictionary each time the table changes (`_rows_by`): years of sessions would have been read again at each touch.
SESSIONS_KEPT = timedelta(days=30)
TOUCH_GATHER_SECONDS = 0.5              # a touch waits this long for others to share its transaction
COOKIE = "lit_session"
BROWSER_COOKIE = "lit_navigateur"   # a random value per browser (set by `web.BrowserNonce`): binds a hand-off to it

SIGNED_OUT = "Vous vous êtes déconnecté(e)."
SIGNED_OUT_ELSEWHERE = "Vous avez été déconnecté(e) (déconnexion depuis un autre onglet ou appareil)."
ACCOUNT_DISABLED = "Votre compte a été désactivé : vous avez été déconnecté(e)."
ACCOUNT_CHANGED = "Vos droits ont été modifiés par un administrateur : reconnectez-vous."
PASSWORD_CHANGED = "Le mot de passe de votre compte a été changé : reconnectez-vous."


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Opened:
    session_id: str
    token: str          # the session's current token (for this tab until the cookie is set)
    handoff: str        # the one-time code the HTTP route exchanges for the cookie


@dataclass(frozen=True)
class Resolved:
    actor: Actor | None          # the account, re-read; None when the session is over
    session_id: str | None
    method: str | None
    ended_reason: str | None     # French, why it is over (None: unknown token, nothing to say)


def expiry_reason(signed_in_at: datetime, last_seen: datetime, now: datetime) -> str | None:
    """Why a session has ended by time (French), or None while it is valid."""
    if now - signed_in_at > SESSION_MAX:
        return (f"Votre session a expiré ({int(SESSION_MAX.total_seconds() // 3600)} h après la connexion) : "
                "reconnectez-vous.")
    if now - last_seen > SESSION_IDLE:
        return (f"Votre session a expiré après {int(SESSION_IDLE.total_seconds() // 60)} min d'inactivité : "
                "reconnectez-vous.")
    return None


def _handoff_hash(handoff: str, browser: str) -> str:
    """The hand-off is bound to the browser that signed in: its code and that browser's `BROWSER_COOKIE` together.
    An attacker's code opened in a victim's browser (login CSRF: the victim signed into the attacker's account)
    does not match the victim's cookie."""
    return _hash(f"{handoff}\x00{browser}")


def open_session(store: Store, actor: Actor, method: str, *, provider: str | None = None,
                 signed_in_at: datetime | None = None, client: str | None = None,
                 now: datetime | None = None, browser: str | None = None) -> Opened:
    """A new session for a signed-in account, with its one-time code for the cookie route, redeemable only by the
    browser whose `BROWSER_COOKIE` is `browser` (none: the session has no hand-off, e.g. an AppTest)."""
    with store.transaction(writes="sessions") as cur:
        return insert_session(cur, actor.email, method, provider=provider, signed_in_at=signed_in_at, client=client,
                              now=now, browser=browser)


def insert_session(cur, email: str, method: str, *, provider: str | None = None,
                   signed_in_at: datetime | None = None, client: str | None = None, now: datetime | None = None,
                   browser: str | None = None) -> Opened:
    """`open_session`'s row, written in the caller's transaction (which declares `sessions`): a password sign-in
    opens its session in the transaction that records it (one write fewer per sign-in). Rows of sessions opened
    more than `SESSIONS_KEPT` ago go."""
    now = now or datetime.now()
    session_id, token, handoff = secrets.token_hex(8), _new_secret(), _new_secret()
    bound = bool(browser) and isinstance(browser, str) and len(browser) <= 100
    cur.execute("DELETE FROM sessions WHERE signed_in_at < ?", [now - SESSIONS_KEPT])   # long over (see above)
    cur.execute("INSERT INTO sessions (session_id, token_hash, handoff_hash, handoff_until, email, method, "
                "provider, signed_in_at, last_seen, client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [session_id, _hash(token), _handoff_hash(handoff, browser) if bound else None,
                 now + HANDOFF_TTL if bound else None, email, method, provider,
                 signed_in_at or now, now, (client or "")[:100] or None])
    return Opened(session_id, token, handoff if bound else None)


def redeem_handoff(store: Store, handoff: str, browser: str | None, now: datetime | None = None) -> str | None:
    """Exchange a one-time code for a fresh token (the cookie's), once, within `HANDOFF_TTL`, from the browser it was
    made for (`browser`: its `BROWSER_COOKIE`); None otherwise."""
    if not isinstance(handoff, str) or not handoff or len(handoff) > 100:
        return None
    if not isinstance(browser, str) or not browser or len(browser) > 100:
        return None
    now = now or datetime.now()
    token = _new_secret()
    with store.transaction(writes="sessions") as cur:
        row = cur.execute("SELECT session_id FROM sessions WHERE handoff_hash = ? AND handoff_until >= ? "
                          "AND ended_at IS NULL", [_handoff_hash(handoff, browser), now]).fetchall()
        if not row:
            return None
        cur.execute("UPDATE sessions SET token_hash = ?, handoff_hash = NULL, handoff_until = NULL "
                    "WHERE session_id = ?", [_hash(token), row[0][0]])
    return token


# Every page run resolves its session: read from dictionaries made from the tables and kept until a table changes
# (its version in `meta`, moved by every write of it, from any process), not by DuckDB statements at each run
# (~0.5 ms each, and the page run's thread gives the interpreter up during each).
_INDEXES: dict[tuple, tuple[tuple, dict]] = {}
_SESSIONS = ("SELECT token_hash, session_id, email, method, signed_in_at, last_seen, ended_at, ended_reason "
             "FROM sessions WHERE token_hash IS NOT NULL")


def _rows_by(store: Store, table: str, sql: str, grouped: bool = False) -> dict:
    """The rows of `sql` (a read of `table` alone) by their first column, made again when `table` changes;
    `grouped`: a list of the second column by key."""
    version, where = store.cache_key(table), (str(store.path), sql)
    held = _INDEXES.get(where)
    if held is not None and held[0] == version:
        return held[1]
    rows: dict = {}
    for key, *rest in store.query(sql):
        if grouped:
            rows.setdefault(key, []).append(rest[0])
        else:
            rows[key] = tuple(rest)
    if len(_INDEXES) > 64:     # databases of a test run, one after the other
        _INDEXES.clear()
    _INDEXES[where] = (version, rows)
    return rows


def _actor(store: Store, email: str) -> Actor | None:
    """`permissions.actor_for_email`, from the kept dictionaries."""
    email = (email or "").strip().lower()
    user = _rows_by(store, "users", "SELECT email, role, display_name FROM users WHERE NOT disabled").get(email)
    if user is None:
        return None
    labs = _rows_by(store, "user_labs", "SELECT email, lab_id FROM user_labs", grouped=True).get(email, ())
    return Actor(email=email, role=user[0], labs=frozenset(labs), display_name=user[1])


def resolve(store: Store, token: str | None, now: datetime | None = None) -> Resolved:
    """The account behind a session token, after every check; ends the session when it is over."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return Resolved(None, None, None, None)
    now = now or datetime.now()
    row = _rows_by(store, "sessions", _SESSIONS).get(_hash(token))
    if row is None:
        return Resolved(None, None, None, None)
    session_id, email, method, signed_in_at, last_seen, ended_at, ended_reason = row
    if ended_at is not None:
        return Resolved(None, session_id, method, ended_reason or SIGNED_OUT_ELSEWHERE)
    reason = expiry_reason(signed_in_at, last_seen, now)
    actor = None if reason else _actor(store, email)
    if reason is None and actor is None:
        reason = ACCOUNT_DISABLED
    if reason is not None:
        end(store, session_id, reason, now=now)
        return Resolved(None, session_id, method, reason)
    if now - last_seen >= TOUCH_EVERY:
        TOUCHES.add(store, session_id, now)
    return Resolved(actor, session_id, method, None)


class _Touches:
    """Sessions' last activity, written by a short-lived thread per store in one transaction for every session
    touched within `TOUCH_GATHER_SECONDS`. A touch that cannot be written (the database busy beyond
    `LIT_LOCK_TIMEOUT`, unreachable) is logged and dropped: the next click after `TOUCH_EVERY` tries again, and a
    session's idle time is at worst counted from its last touch written."""

    def __init__(self):
        self._lock = threading.Lock()
        self._due: dict[int, tuple[Store, dict[str, datetime]]] = {}
        self._writers: set[threading.Thread] = set()

    def add(self, store: Store, session_id: str, now: datetime) -> None:
        with self._lock:
            held = self._due.get(id(store))
            if held is not None:
                held[1][session_id] = max(now, held[1].get(session_id, now))
                return
            self._due[id(store)] = (store, {session_id: now})
            writer = threading.Thread(target=self._write, args=(store,), name="lit-session-touch", daemon=True)
            self._writers.add(writer)
        writer.start()

    def _write(self, store: Store) -> None:
        due: dict[str, datetime] = {}
        try:
            time.sleep(TOUCH_GATHER_SECONDS)
            with self._lock:
                _, due = self._due.pop(id(store))
            if store.closed:
                return
            with store.transaction(writes="sessions") as cur:
                cur.executemany("UPDATE sessions SET last_seen = ? WHERE session_id = ? AND ended_at IS NULL "
                                "AND last_seen < ?", [[at, session_id, at] for session_id, at in due.items()])
        except Exception as exc:  # noqa: BLE001 - best effort: logged, tried again at a later click
            log.warning("Dernière activité de %d session(s) non enregistrée : %s", len(due), exc.__class__.__name__)
        finally:
            with self._lock:
                self._writers.discard(threading.current_thread())

    def wait(self, timeout: float = 30) -> None:
        """Until the touches asked for so far are written (tests: a run's touch lands after it returns)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                writers = list(self._writers)
            if not writers or time.monotonic() > deadline:
                return
            writers[0].join(max(0.0, deadline - time.monotonic()))


TOUCHES = _Touches()


def is_active(store: Store, session_id: str | None, email: str | None = None) -> bool:
    """Whether a session is still open (deferred downloads check this before producing a byte)."""
    if not session_id:
        return False
    rows = store.query("SELECT email, signed_in_at, last_seen, ended_at FROM sessions WHERE session_id = ?",
                       [session_id])
    if not rows:
        return False
    owner, signed_in_at, last_seen, ended_at = rows[0]
    if ended_at is not None or expiry_reason(signed_in_at, last_seen, datetime.now()) is not None:
        return False
    if email is not None and owner != email:
        return False
    return actor_for_email(store, owner) is not None


def end(store: Store, session_id: str | None, reason: str = SIGNED_OUT_ELSEWHERE,
        now: datetime | None = None) -> None:
    """End one session everywhere (every tab and device holding its cookie)."""
    if not session_id:
        return
    with store.transaction(writes="sessions") as cur:
        cur.execute("UPDATE sessions SET ended_at = ?, ended_reason = ?, handoff_hash = NULL "
                    "WHERE session_id = ? AND ended_at IS NULL", [now or datetime.now(), reason, session_id])


def end_all_for(cur, email: str, reason: str, now: datetime | None = None) -> int:
    """End every open session of an account, inside the caller's transaction (the account change's)."""
    open_sessions = cur.execute("SELECT count(*) FROM sessions WHERE email = ? AND ended_at IS NULL",
                                [email]).fetchone()[0]
    cur.execute("UPDATE sessions SET ended_at = ?, ended_reason = ?, handoff_hash = NULL "
                "WHERE email = ? AND ended_at IS NULL", [now or datetime.now(), reason, email])
    return int(open_sessions)


def count_open(store: Store, now: datetime | None = None) -> int:
    """Sessions neither ended nor expired (by the rules of `expiry_reason`), of every process on this database."""
    now = now or datetime.now()
    return int(store.scalar("SELECT count(*) FROM sessions WHERE ended_at IS NULL AND signed_in_at >= ? "
                            "AND last_seen >= ?", [now - SESSION_MAX, now - SESSION_IDLE]))
