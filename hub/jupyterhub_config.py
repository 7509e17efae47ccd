"""The class's JupyterHub (`make hub`). The settings a teacher changes are in hub/settings.toml;
this file applies them. What runs as which account: tools/hub/classroom.py's header."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "hub"))
import classroom  # noqa: E402

c = get_config()  # noqa: F821  (JupyterHub defines it)
settings = classroom.Settings.load(Path(os.environ.get("D2L_HUB_SETTINGS", ROOT / "hub" / "settings.toml")))
state = Path(os.environ.get("D2L_HUB_STATE", ROOT / ".cache" / "hub" / "state"))
state.mkdir(parents=True, exist_ok=True, mode=0o700)

c.JupyterHub.ip = settings.ip
c.JupyterHub.port = settings.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.ConfigurableHTTPProxy.command = [str(ROOT / ".cache" / "hub" / "node" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.JupyterHub.cleanup_servers = True

# Accounts: NativeAuthenticator (passwords hashed with bcrypt in the hub's database).
c.JupyterHub.authenticator_class = "nativeauthenticator.NativeAuthenticator"
c.JupyterHub.template_paths = [str(Path(__import__("nativeauthenticator").__file__).parent / "templates")]
c.Authenticator.admin_users = set(settings.teachers)
# Listed students are approved as they sign up; anyone else waits for a teacher's approval at
# /hub/authorize, and only approved accounts can log in (NativeAuthenticator checks that itself).
c.Authenticator.allowed_users = set(settings.teachers) | set(settings.students)
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = classroom.NAME_PATTERN
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.check_common_password = True

# Each student: their own account, home and server; the shared build read-only.
c.JupyterHub.spawner_class = classroom.ClassroomSpawner
c.ClassroomSpawner.unix_prefix = settings.unix_prefix
c.ClassroomSpawner.home_root = settings.home_root
c.ClassroomSpawner.kernel_pool_size = settings.kernel_pool_size
c.Spawner.cmd = [str(ROOT / ".venv-hub" / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/1-parameter-access.ipynb"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
c.Spawner.args = [
    f"--MappingKernelManager.cull_idle_timeout={settings.cull_kernel_idle_minutes * 60}",
    "--MappingKernelManager.cull_interval=60",
    "--MappingKernelManager.cull_connected=True",
]

# Idle servers are stopped by the hub's idle culler (jupyterhub-idle-culler).
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                f"--timeout={settings.cull_server_idle_minutes * 60}"],
}]

# The class load test (make classroom-bench) signs in its own simulated students through the
# API with a token it hands the hub; a teacher's hub has none.
if os.environ.get("D2L_HUB_BENCH_TOKEN"):
    c.JupyterHub.services.append({"name": "classroom-bench", "api_token": os.environ["D2L_HUB_BENCH_TOKEN"]})
    c.JupyterHub.load_roles.append({
        "name": "classroom-bench",
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "read:users:activity"],
        "services": ["classroom-bench"],
    })
