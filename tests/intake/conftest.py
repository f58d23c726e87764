"""Intake fixtures: settings for one test, a known customer, the fixture corpus, and a real dovecot."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


@pytest.fixture
def settings(app):
    """settings(NAME=value, ...) for this test only."""
    saved: dict = {}

    def apply(**values):
        for name, value in values.items():
            saved.setdefault(name, app.config.get(name))
            app.config[name] = value

    yield apply
    app.config.update(saved)


@pytest.fixture
def alice(make_user):
    return make_user("customer", email="alice@example.com", name="Alice")


@pytest.fixture
def bob(make_user):
    return make_user("customer", email="bob@example.com", name="Bob")


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/vmail/%u
first_valid_uid = 1
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/vmail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="session")
def dovecot(in_ci):
    """A private dovecot on a free loopback port (no SSL), with user desk/secret; yields (host, port)."""
    if DOVECOT is None:
        if in_ci:
            pytest.fail("dovecot is not installed but CI=true: .ci/run must install dovecot-imapd")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd) — IMAP tests skipped")
    root = Path(tempfile.mkdtemp(prefix="desk-dovecot-"))
    os.chmod(root, 0o755)
    if os.geteuid() == 0:  # dovecot refuses root for logins and mail: use its own users and nobody
        uid = gid = 65534
        internal, internal_group, login = "dovecot", "dovecot", "dovenull"
    else:
        import grp
        import pwd

        uid, gid = os.getuid(), os.getgid()
        internal = login = pwd.getpwuid(uid).pw_name
        internal_group = grp.getgrgid(gid).gr_name
    (root / "vmail").mkdir()
    if os.geteuid() == 0:
        os.chown(root / "vmail", uid, gid)
    (root / "passwd").write_text("desk:{PLAIN}secret\n")
    port = free_port()
    (root / "dovecot.conf").write_text(DOVECOT_CONF.format(
        root=root, port=port, uid=uid, gid=gid, internal=internal, internal_group=internal_group, login=login))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            process.kill()
            pytest.fail(f"dovecot did not start:\n{log[-2000:]}")
        time.sleep(0.1)
    yield "127.0.0.1", port
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(root, ignore_errors=True)
