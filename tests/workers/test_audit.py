"""The audit log: pseudonymised users under a secret salt (names only when an admin keeps them),
retention by age, and `crimecast audit` to read it."""

from __future__ import annotations

import json
import time

from typer.testing import CliRunner

from workers.audit import AuditPolicy, read_audit, trim_audit
from workers.settings import Settings

from bot.transports.access import Access, Gate


def test_users_are_pseudonymised_and_names_dropped(settings_env, r, keys, monkeypatch):
    """Stored: a salted-hash pseudonym, the same for the same user, and no name; another salt
    gives other pseudonyms; CRIMECAST_AUDIT_KEEP_NAMES keeps ids and names."""
    monkeypatch.setenv("CRIMECAST_AUDIT_SALT", "pepper-1")
    gate = Gate(r, keys, Access(), audit_policy=AuditPolicy.from_settings(Settings(), r, keys))
    for text in ("forecast beltline", "trend forest lawn"):
        gate.audit(user_id=987654321, user="officer.smith", transport="slash", text=text)
    gate.audit(user_id=111, user="analyst.jones", transport="mention", text="status")
    recs = read_audit(r, keys)
    assert [x["text"] for x in recs] == ["status", "trend forest lawn", "forecast beltline"]
    ids = [x["user_id"] for x in recs]
    assert ids[1] == ids[2] != ids[0] and all(i.startswith("u-") and len(i) == 18 for i in ids)
    raw = json.dumps(r.xrange(keys.audit))
    assert "officer.smith" not in raw and "987654321" not in raw and "analyst" not in raw

    monkeypatch.setenv("CRIMECAST_AUDIT_SALT", "pepper-2")
    other = AuditPolicy.from_settings(Settings(), r, keys)
    assert other.who(987654321)[0] != ids[1]

    monkeypatch.setenv("CRIMECAST_AUDIT_KEEP_NAMES", "true")
    kept = Gate(r, keys, Access(), audit_policy=AuditPolicy.from_settings(Settings(), r, keys))
    kept.audit(user_id=42, user="chief", transport="slash", text="help")
    newest = read_audit(r, keys, limit=1)[0]
    assert (newest["user_id"], newest["user"]) == ("42", "chief")


def test_without_a_configured_salt_one_is_made_once(settings_env, r, keys):
    """No CRIMECAST_AUDIT_SALT: a random salt kept per deployment, stable across processes."""
    one = AuditPolicy.from_settings(Settings(), r, keys)
    two = AuditPolicy.from_settings(Settings(), r, keys)
    assert one.salt == two.salt and len(one.salt) == 64
    assert one.who(5) == two.who(5)


def test_retention_drops_old_questions_and_the_cli_reads_the_log(
    settings_env, r, keys, monkeypatch
):
    """Records past the retention go (the health job trims by age); `crimecast audit` shows the
    rest, newest first, as a table or JSON."""
    day = 86400 * 1000
    now = int(time.time() * 1000)
    r.xadd(
        keys.audit,
        {"user_id": "u-old", "text": "very old question", "transport": "slash"},
        id=f"{now - 40 * day}-0",
    )
    r.xadd(
        keys.audit,
        {"user_id": "u-mid", "text": "last week's question", "transport": "slash"},
        id=f"{now - 7 * day}-0",
    )
    monkeypatch.setenv("CRIMECAST_AUDIT_RETENTION_DAYS", "30")
    from workers.jobs import health_check

    health_check()
    assert [x["text"] for x in read_audit(r, keys)] == ["last week's question"]
    assert trim_audit(r, keys, 3) == 1 and read_audit(r, keys) == []

    Gate(r, keys, Access(), audit_policy=AuditPolicy.from_settings(Settings(), r, keys)).audit(
        user_id=7, user="x", transport="slash", text="top 5 communities", intent="top"
    )
    from bot.cli import app

    table = CliRunner().invoke(app, ["audit"])
    assert table.exit_code == 0, table.output
    assert "communities" in table.output and "kept 30 days" in table.output and "u-" in table.output
    lines = CliRunner().invoke(app, ["audit", "--json", "--days", "1"]).output.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["intent"] == "top"
